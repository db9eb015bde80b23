"""Entry point of the abstract interpreter: one program at one kernel version."""

from __future__ import annotations

import time

from verifier.abstract import AnalysisOptions
from verifier.abstract.func_returns import non_int_subprog_problem
from verifier.abstract.reject import AnalysisTimeout, Reject
from verifier.abstract.state import path_list
from verifier.abstract.verifier import Verifier
from verifier.gcpause import no_cyclic_gc
from verifier.rules import map_prog_compat
from verifier.rules.kernel_rules import KernelRules
from verifier.rules.recording import FactRecorder
from verifier.verdict import ACCEPT, REJECT, Finding, ProgramVerdict, Stats

ERROR = "error"


def source_for(prog, idx: int):
    """The source line of an instruction, or of the nearest one before it that has one."""
    info = prog.line_info
    if not info:
        return None
    for i in range(idx, -1, -1):
        line = info.get(i)
        if line is not None:
            return line
    return None


def _render_state(v: Verifier, regs: tuple[int, ...]) -> dict[str, str]:
    state = v.state
    if state is None or not state.frames:
        return {}
    frame = state.frames[-1]
    out: dict[str, str] = {}
    wanted = list(regs) + [r for r in range(11) if r not in regs]
    for r in wanted:
        reg = frame.regs[r]
        if reg.type == 0:
            continue
        out[f"R{r}"] = reg.describe(v.maps)
    return out


# program types whose expected_attach_type bpf_prog_load() validates (bpf_prog_load_check_attach,
# kernel/bpf/syscall.c, 5.10; tracing/lsm through the attach BTF id); the others load with any
# value: a kprobe.multi program loads on 5.10 (attaching it fails, not loading)
ATTACH_TYPE_CHECKED = frozenset(
    {"cgroup_sock", "cgroup_sock_addr", "cgroup_skb", "cgroup_sockopt", "sk_lookup", "ext", "tracing", "lsm"}
)


def _check_supported(prog, rules) -> None:
    """The program type (and attach type) must exist in the target kernel: bpf_prog_load() refuses
    unknown ones with EINVAL before the verifier runs."""
    if prog.prog_type and rules.prog_type(prog.prog_type) is None:
        raise Reject(
            f"program type {prog.prog_type} is not supported by Linux {rules.name} (bpf_prog_load: EINVAL)",
            "unsupported-prog-type",
        )
    attach = prog.expected_attach_type
    if (
        attach
        and prog.prog_type in ATTACH_TYPE_CHECKED
        and hasattr(rules, "attach_type_supported")
        and not rules.attach_type_supported(attach)
    ):
        raise Reject(
            f"attach type {attach} is not supported by Linux {rules.name} (bpf_prog_load: EINVAL)",
            "unsupported-prog-type",
        )


def _check_maps(v: Verifier, prog, rules) -> None:
    """resolve_pseudo_ldimm64() -> check_map_prog_compatibility(): every map an ld_imm64 names,
    in instruction order, before the first instruction is simulated."""
    used: list[int] = []  # env->used_maps: each map is checked once, when first named
    for idx in sorted(prog.map_refs):
        ref = prog.map_refs[idx]
        if not 0 <= ref.map_index < len(v.maps) or ref.map_index in used:
            continue
        m = v.maps[ref.map_index]
        earlier = [v.maps[i] for i in used]
        used.append(ref.map_index)
        unsupported_lock = m.spin_lock_off >= 0 and not rules.has("spin_lock")
        if unsupported_lock or (m.timer_off >= 0 and not rules.has("timers")):
            continue
        version = tuple(rules.version)[:2]
        message = map_prog_compat.incompatibility(
            m, prog.prog_type, prog.sleepable, version
        ) or map_prog_compat.second_of_a_kind(m, earlier)
        if message is not None:
            v.idx = idx
            raise Reject(message, "map-type")


def analyze_program(obj, prog, rules, options: AnalysisOptions | None = None) -> ProgramVerdict:
    with no_cyclic_gc():
        return _analyze_program(obj, prog, rules, options)


def _analyze_program(obj, prog, rules, options: AnalysisOptions | None = None) -> ProgramVerdict:
    options = options or AnalysisOptions()
    kernel = getattr(rules, "name", str(getattr(rules, "version", "")))
    verdict = ProgramVerdict(prog.name, prog.section, prog.prog_type, kernel, ACCEPT)
    if isinstance(rules, KernelRules):
        rules = FactRecorder(rules)  # which version facts the verdict rests on (report)
    started = time.perf_counter()
    v = Verifier(obj, prog, rules, options)
    try:
        _check_supported(prog, rules)
        problem = non_int_subprog_problem(obj, prog, v.subprog_starts)
        if problem is not None:
            raise Reject(problem, "global-func")
        _check_maps(v, prog, rules)
        v.run()
        depth = v.combined_stack_check()
        verdict.stats.stack_depth = depth
    except Reject as rej:
        verdict.verdict = REJECT
        idx = v.idx
        state = v.state
        if options.verbose and state is not None:
            replayer = Verifier(obj, prog, rules, options)
            verdict.trace = replayer.trace_path(path_list(state.path), v.verifying_global)
        verdict.findings.append(
            Finding(
                insn=idx,
                kernel_message=rej.message,
                category=rej.category,
                message=rej.detail,
                source=source_for(prog, idx),
                path=path_list(state.path) if state is not None else [],
                state=_render_state(v, rej.regs),
            )
        )
    except AnalysisTimeout:
        verdict.verdict = ERROR
        verdict.findings.append(
            Finding(
                insn=v.idx,
                kernel_message="",
                category="timeout",
                message=f"analysis stopped after {options.timeout:g} s (--timeout)",
            )
        )
    except RecursionError:
        verdict.verdict = ERROR
        verdict.findings.append(
            Finding(insn=v.idx, kernel_message="", category="other", message="analysis too deep")
        )
    verdict.stats = Stats(
        insns=len(prog.insns),
        processed=getattr(v, "processed", 0),
        states=getattr(v, "total_states", 0),
        peak_states=getattr(v, "peak_states", 0),
        stack_depth=verdict.stats.stack_depth or max(v.stack_depths.values(), default=0),
        seconds=time.perf_counter() - started,
    )
    verdict.facts = sorted(getattr(rules, "used", ()))
    return verdict
