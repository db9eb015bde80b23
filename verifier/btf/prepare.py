"""A program as the loader hands it to one target kernel: CO-RE relocations applied against
that kernel's BTF (when known), failed ones poisoned as libbpf does.

`for_target(obj, program, kernel, options)` returns the (object, program) to check at that
kernel; `explain_poisoned(program, verdict)` rewrites the verifier's rejection of a reachable
poisoned instruction the way libbpf rewrites the log (fixup_log_failed_core_relo):

    failed to resolve CO-RE relocation <byte_off> [4] struct s.a (0:1 @ offset 4)
"""

from __future__ import annotations

import dataclasses
from typing import Any

from verifier.btf import kconfig
from verifier.btf.core import POISON_MESSAGE, relocate
from verifier.btf.guards import resolve_without_btf
from verifier.btf.kernel import HOST_BTF, KernelBtf
from verifier.btf.ksyms import host_module_names, ksym_problems
from verifier.btf.target import btf_path_for, target_btf
from verifier.elf import btf as B
from verifier.isa import opcodes as op

CORE_CATEGORY = "core-relocation"


def for_target(obj: Any, program: Any, kernel: str, options: Any, rules: Any = None) -> tuple[Any, Any]:
    obj, notes = _with_kconfig(obj, kernel, options, rules)
    if notes:
        program = dataclasses.replace(program, target_notes=list(program.target_notes) + notes)
    relocs = getattr(program, "core_relocs", None)
    local_btf = getattr(obj, "btf", None)
    externs = getattr(program, "extern_refs", None)
    if local_btf is not None and local_btf.find_datasec(".ksyms") is not None:
        program = _check_ksyms(obj, program, kernel, options)
    if not externs and (not relocs or local_btf is None):
        return obj, program  # nothing to resolve: the target's BTF is not even loaded
    target = target_btf(options, kernel)
    if target is not None and externs:
        program = _resolve_ksyms(program, target)
    if not relocs or local_btf is None:
        return obj, program
    if target is None:
        if not hasattr(rules, "helper_by_name"):  # fake rules in tests: nothing to decide guards with
            return obj, program
        guarded = resolve_without_btf(local_btf, relocs, program.insns, rules)
        notes = list(program.target_notes) + guarded.notes
        return obj, dataclasses.replace(program, insns=guarded.insns, target_notes=notes)
    return obj, _relocated(local_btf, program, target)


def _with_kconfig(obj: Any, kernel: str, options: Any, rules: Any) -> tuple[Any, list[str]]:
    """The object with its .kconfig map filled in for this target (see verifier.btf.kconfig)."""
    version = getattr(rules, "version", None)
    if version is None or getattr(obj, "btf", None) is None or obj.btf.find_datasec(".kconfig") is None:
        return obj, []
    host = btf_path_for(options, kernel) == HOST_BTF
    full = kconfig.host_release_version() if host else (version[0], version[1], 0)
    if full[:2] != tuple(version):
        full = (version[0], version[1], 0)
    config = kconfig.host_config() if host else None
    values = kconfig.fill(obj, full, config, "the running kernel's config")
    if values is None:
        return obj, []
    maps = [
        dataclasses.replace(m, initial=bytes(values.data), unknown_ranges=tuple(values.unknown))
        if m.name == ".kconfig" and m.kind == "data"
        else m
        for m in obj.maps
    ]
    return dataclasses.replace(obj, maps=maps), values.notes


def _check_ksyms(obj: Any, program: Any, kernel: str, options: Any) -> Any:
    """libbpf resolves every `__ksym` extern of the object before loading any program: one the
    target lacks (not weak) or declares with an incompatible prototype fails them all."""
    target = target_btf(options, kernel)
    if target is None:
        return program
    host = btf_path_for(options, kernel) == HOST_BTF
    errors, notes = ksym_problems(obj, target, host_module_names() if host else None)
    if not errors and not notes:
        return program
    return dataclasses.replace(
        program,
        load_errors=list(program.load_errors) + [f"{e} (libbpf: failed to resolve externs)" for e in errors],
        target_notes=list(program.target_notes) + notes,
    )


def _resolve_ksyms(program: Any, target: KernelBtf) -> Any:
    """`__ksym` externs the target kernel lacks: libbpf loads a weak one's address as 0 (a plain
    `ld_imm64 rX, 0`), which is how `bpf_ksym_exists()` turns the code using it dead."""
    insns = None
    for idx, name in getattr(program, "extern_refs", {}).items():
        insn = program.insns[idx]
        if not insn.is_ld_imm64 or insn.src != op.BPF_PSEUDO_BTF_ID:
            continue
        if target.find(name, B.KIND_FUNC) is not None or target.find(name, B.KIND_VAR) is not None:
            continue
        insns = insns or list(program.insns)
        insns[idx] = dataclasses.replace(insn, src=0, imm=0, imm64=0, next_imm=0)
        if idx + 1 < len(insns) and insns[idx + 1].is_ld_imm64_tail:
            insns[idx + 1] = dataclasses.replace(insns[idx + 1], imm=0)
    return program if insns is None else dataclasses.replace(program, insns=insns)


def _relocated(local_btf: Any, program: Any, target: KernelBtf) -> Any:
    done = relocate(local_btf, program.core_relocs, program.insns, target)
    errors = list(program.load_errors)
    if done.errors:
        errors.extend(
            f"{e} (libbpf: failed to perform CO-RE relocations against {target.source})"
            for e in done.errors[:3]
        )
    return dataclasses.replace(program, insns=done.insns, core_poisoned=done.poisoned, load_errors=errors)


def explain_poisoned(program: Any, verdict: Any) -> Any:
    """The verifier rejected a poisoned instruction: say which relocation failed, as libbpf does."""
    poisoned = getattr(program, "core_poisoned", None)
    if not poisoned:
        return verdict
    for finding in verdict.findings:
        spec = poisoned.get(finding.insn)
        if spec is None or finding.kernel_message != POISON_MESSAGE:
            continue
        finding.kernel_message = f"failed to resolve CO-RE relocation {spec}"
        finding.category = CORE_CATEGORY
        finding.message = (
            f"the target kernel's BTF has no match for {spec.split(' ', 3)[-1].split(' (')[0]}: libbpf "
            f"poisoned this instruction (call 0xbad2310) and the verifier refused it: {POISON_MESSAGE}"
        )
    return verdict


KFUNC_GPL_MESSAGE = "cannot call kernel function from non-GPL compatible program"


def pre_verifier_rejection(obj: Any, program: Any, rules: Any) -> Any:
    """What add_subprog_and_kfunc() and check_attach_btf_id() refuse before any instruction is
    simulated, or None.

    add_kfunc_call() (kernel/bpf/verifier.c, 5.13+) refuses every kfunc call of a program whose
    license is not GPL-compatible, reachable or not (libbpf 1.1 leaves an unresolved weak kfunc
    as a kfunc call with imm 0, which meets the same check).
    """
    from verifier.btf.struct_ops_attach import struct_ops_rejection
    from verifier.verdict import Finding

    if getattr(program, "load_errors", None):
        return None
    has = getattr(rules, "has", None)
    if callable(has) and has("kfuncs") and not getattr(obj, "gpl_compatible", True):
        for idx, insn in enumerate(program.insns):
            if insn.is_kfunc_call:
                name = program.extern_refs.get(idx, "")
                return Finding(
                    insn=idx,
                    kernel_message=KFUNC_GPL_MESSAGE,
                    category="kfunc-gpl",
                    message=f"the program calls kfunc {name or '(unnamed)'} but its license "
                    f"({obj.license or 'none'}) is not GPL-compatible",
                )
    found = struct_ops_rejection(obj, program, rules)  # check_attach_btf_id(), after add_subprog_and_kfunc()
    return found if found is not None else _lsm_sleepable_rejection(program, rules)


def _lsm_sleepable_rejection(program: Any, rules: Any) -> Any:
    """bpf_check_attach_target(): a sleepable LSM program (lsm.s/) only on a sleepable hook."""
    from verifier.rules.helper_allowed import lsm_hook_sleepable
    from verifier.verdict import Finding

    hook = getattr(program, "attach_to", None)
    version = getattr(rules, "version", None)
    if getattr(program, "prog_type", None) != "lsm" or not getattr(program, "sleepable", False) or not hook:
        return None
    if version is None or lsm_hook_sleepable(hook, version) is not False:
        return None
    return Finding(
        insn=0,
        kernel_message=f"bpf_lsm_{hook} is not sleepable",
        category="lsm-sleepable",
        message=f"LSM hook {hook} does not allow sleepable programs (lsm.s/): use lsm/{hook}",
    )
