"""`structural_check(program, rules)`: the kernel's checks before it simulates anything.

Order (kernel/bpf/syscall.c `bpf_prog_load()`, then kernel/bpf/verifier.c `bpf_check()`):
1. program size: 0 or more than the insn limit -> -E2BIG from bpf_prog_load (no log); then, for an
   unprivileged loader, a program type other than socket_filter / cgroup_skb -> -EPERM (no log);
2. before 5.10 the ld_imm64 pass runs first; from 5.10 it runs after the subprogram checks;
3. subprogram discovery (privilege, call targets, count) and `check_subprogs()` ranges;
4. `check_cfg()`: jumps out of range, back-edges, unreachable insns, jumps into ld_imm64;
5. the per-instruction field checks that `do_check()` makes on sight.

The kernel stops at the first error, so the list returned holds at most one Finding.

Step 5 happens inside do_check() at every version (5.10 and 6.18 alike: check_alu_op,
check_cond_jmp_op, the BPF_CALL/JA/EXIT/ST branches), only on the instructions the verifier
reaches: a field problem in code that a constant branch makes dead (a CO-RE guard, a weak ksym
tested against 0) is removed with that code, never reported. The engine asks
`reach_field_findings()` for those and raises each one when it steps on the instruction; the
passes before do_check (steps 1-4, the ld_imm64 pass's own field checks) are static.
"""

from __future__ import annotations

from typing import Any

from verifier.abstract import AnalysisOptions
from verifier.cfg.cfg_walk import check_cfg
from verifier.cfg.insn_features import explain_missing, missing_feature
from verifier.cfg.insn_fields import check_insn_fields, check_ldimm64_landing, field_category, field_problem
from verifier.cfg.kernel_facts import KernelView
from verifier.cfg.ldimm64_pass import check_ldimm64_pass
from verifier.cfg.problem import StructuralProblem
from verifier.cfg.subprogs import check_subprog_ranges, find_subprog_starts
from verifier.elf.model import Program
from verifier.isa.insn import Insn
from verifier.rules.prog_types import UNPRIVILEGED_PROG_TYPES, normalize_prog_type
from verifier.verdict import Finding

BPF_MAXINSNS = 4096  # include/uapi/linux/bpf_common.h, used when the rules know no "max_insns"


def check_size(program: Program, view: KernelView) -> None:
    count = len(program.insns)
    limit = view.limit("max_insns", BPF_MAXINSNS)
    if count == 0:
        raise StructuralProblem(-1, "E2BIG", "program-too-large",
                                "the program has no instructions: bpf_prog_load() returns -E2BIG")
    if count > limit:
        who = "an unprivileged loader" if view.unprivileged else "this kernel"
        raise StructuralProblem(-1, "E2BIG", "program-too-large",
                                f"{count} instructions exceed the {limit}-instruction limit of {who}: "
                                "bpf_prog_load() returns -E2BIG before the verifier runs")


def check_prog_type_privilege(program: Program, view: KernelView) -> None:
    """bpf_prog_load(): without CAP_BPF (CAP_SYS_ADMIN before 5.8) only socket filters and cgroup skb
    programs load; every other type is refused with -EPERM before the verifier runs (no log)."""
    if view.unprivileged and normalize_prog_type(program.prog_type) not in UNPRIVILEGED_PROG_TYPES:
        raise StructuralProblem(
            -1,
            "EPERM",
            "privileged-prog-type",
            f"an unprivileged loader may load only socket_filter and cgroup_skb programs, not "
            f"{program.prog_type}: bpf_prog_load() returns -EPERM before the verifier runs",
        )


def run_passes(program: Program, view: KernelView, insn_fields: bool = True) -> None:
    """Raise StructuralProblem for the first pass that fails."""
    check_size(program, view)
    check_prog_type_privilege(program, view)
    ldimm64_first = not view.behaves("ldimm64_after_subprogs")
    if ldimm64_first:
        check_ldimm64_pass(program, view)
    if view.has("bpf_to_bpf_calls"):
        starts = find_subprog_starts(program, view)
        check_subprog_ranges(program, starts, view)
    if not ldimm64_first:
        check_ldimm64_pass(program, view)
    check_cfg(program, view)
    if insn_fields:
        check_insn_fields(program, view)
    else:
        check_ldimm64_landing(program, view)


# Control-flow complaints an old kernel makes about instructions it does not know: before
# 4.16 a bpf-to-bpf call is a plain helper call (the callee is "unreachable"), before 5.1 a
# JMP32 jump is not a jump at all (its target is "unreachable").
_INDIRECT_CATEGORIES = ("unreachable-insn", "jump-out-of-range", "last-insn-not-exit", "ldimm64-middle")


def _first_unsupported(program: Program, view: KernelView) -> tuple[int, str] | None:
    for idx in range(len(program.insns)):
        feature = missing_feature(program, idx, view)
        if feature is not None:
            return idx, feature
    return None


def _refine(problem: StructuralProblem, program: Program, view: KernelView) -> StructuralProblem:
    """Say so when the rejection comes from an instruction the target kernel does not know yet."""
    feature = missing_feature(program, problem.insn, view)
    if feature is not None:
        problem.category = "unsupported-insn"
        problem.explanation = explain_missing(feature, view)
        return problem
    if problem.category in _INDIRECT_CATEGORIES:
        found = _first_unsupported(program, view)
        if found is not None:
            idx, feature = found
            problem.category = "unsupported-insn"
            problem.explanation = f"{explain_missing(feature, view)} (first at insn {idx})"
    return problem


def structural_check(
    program: Program,
    rules: Any,
    unprivileged: bool = False,
    options: AnalysisOptions | None = None,
    insn_fields: bool = True,
) -> list[Finding]:
    """The kernel's pre-analysis verdict on `program` for the kernel `rules` describe.

    `rules` is a `verifier.rules.KernelRules` (`.has`, `.limit`, `.version`); the loader is
    unprivileged when `unprivileged` or `options.unprivileged` says so. Returns [] when the
    program passes, else one Finding with the kernel's own message.

    The kernel makes the per-instruction field checks (step 5) inside do_check(), when it
    reaches the instruction (never in dead code), so an analysis error on an earlier path comes
    first there. The engine does it that way: the pipeline passes `insn_fields=False` and the
    engine raises `reach_field_findings()` as it simulates each instruction.
    """
    view = KernelView(rules, unprivileged or bool(options and options.unprivileged))
    try:
        run_passes(program, view, insn_fields)
    except StructuralProblem as problem:
        return [_refine(problem, program, view).to_finding()]
    return []


def reach_field_findings(program: Program, rules: Any, unprivileged: bool = False) -> dict[int, Finding]:
    """Per instruction index, what do_check() says when it reaches that instruction (fields only).

    Usually empty; the engine raises the Finding the first time it simulates the instruction.
    """
    view = KernelView(rules, unprivileged)
    found: dict[int, Finding] = {}
    insns = program.insns
    known: dict[Insn, str | None] = {}  # programs repeat instructions: each distinct one is checked once
    for idx, insn in enumerate(insns):
        if insn.is_ld_imm64_tail:
            continue  # the second half of an ld_imm64 is not an instruction of its own
        if insn in known:
            message = known[insn]
        else:
            message = known[insn] = field_problem(insn, view)
        if message is not None:
            found[idx] = _refine(StructuralProblem(idx, message, field_category(message)), program, view).to_finding()
    return found


def insn_field_message(insn: Insn, rules: Any, unprivileged: bool = False) -> str | None:
    """What do_check() says on reaching `insn` before simulating it (None: fields are fine)."""
    return field_problem(insn, KernelView(rules, unprivileged))
