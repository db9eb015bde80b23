"""Subprogram boundaries as the kernel finds them: `add_subprog_and_kfunc()` (5.13+; before,
the first loop of `check_subprogs()`, 4.16+) and the range checks of `check_subprogs()`.

The kernel does not trust the object's function symbols: a subprogram starts at every
target of a bpf-to-bpf call (and, 5.13+, of a BPF_PSEUDO_FUNC ld_imm64). Every jump must
stay inside its subprogram and each subprogram must end in `exit` or `goto`.
"""

from __future__ import annotations

from verifier.cfg.kernel_facts import KernelView
from verifier.cfg.problem import StructuralProblem
from verifier.cfg.pseudo import func_ref_target, is_kfunc_call_code, is_pseudo_call_code, is_pseudo_func
from verifier.elf.model import Program
from verifier.isa import opcodes as op


def _privilege_message(view: KernelView) -> str:
    """The words of the kernel that refuses subprograms to an unprivileged loader."""
    if view.behaves("subprog_and_kfunc_pass"):
        return "loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN"
    if view.has("cap_bpf"):
        return "function calls to other bpf functions are allowed for CAP_BPF and CAP_SYS_ADMIN"
    return "function calls to other bpf functions are allowed for root only"


_CALL_OR_LD_IMM64 = frozenset({op.CALL, op.LD_IMM64})


def _starts_subprog(program: Program, idx: int, view: KernelView) -> tuple[bool, int | None]:
    """(does the kernel look at this insn here, subprogram start it adds or None)."""
    if is_pseudo_call_code(program, idx):
        return True, idx + program.insns[idx].imm + 1
    if not view.behaves("subprog_and_kfunc_pass"):
        return False, None
    if is_pseudo_func(program, idx):
        return True, func_ref_target(program, idx)
    if is_kfunc_call_code(program, idx):
        return True, None
    return False, None


def find_subprog_starts(program: Program, view: KernelView) -> list[int]:
    """Sorted subprogram starts (0 first); raise StructuralProblem as the kernel would."""
    starts = {0}
    if not view.has("bpf_to_bpf_calls"):
        return [0]
    count = len(program.insns)
    max_subprogs = view.limit("max_subprogs", 256)  # BPF_MAX_SUBPROGS
    insns = program.insns
    for idx in range(count):
        if insns[idx].opcode not in _CALL_OR_LD_IMM64:
            continue  # neither a call nor an ld_imm64: nothing _starts_subprog() looks at
        relevant, target = _starts_subprog(program, idx, view)
        if not relevant:
            continue
        if view.unprivileged:
            raise StructuralProblem(idx, _privilege_message(view), "privilege",
                                    "bpf-to-bpf calls, kfunc calls and callbacks need CAP_BPF (or root)")
        if target is None:
            continue
        if not 0 <= target < count:
            raise StructuralProblem(idx, "call to invalid destination", "call-invalid-destination",
                                    f"call target {target} is outside the program (0..{count - 1})")
        if target not in starts and len(starts) >= max_subprogs:
            raise StructuralProblem(idx, "too many subprograms", "too-many-subprogs",
                                    f"more than {max_subprogs} functions")
        starts.add(target)
    return sorted(starts)


def _is_jump_code(code: int, view: KernelView) -> bool:
    cls = code & 0x07
    if cls == op.BPF_JMP32:
        return view.has("jmp32")
    return cls == op.BPF_JMP


def _is_subprog_end_code(code: int, view: KernelView) -> bool:
    if code in (op.EXIT, op.BPF_JMP | op.BPF_JA):
        return True
    return code == op.BPF_JMP32 | op.BPF_JA and view.has("cpu_v4")


def jump_target(program: Program, idx: int, view: KernelView) -> int:
    """pc + 1 + offset; `gotol` (JMP32|JA, cpu v4) keeps its offset in imm."""
    insn = program.insns[idx]
    if insn.opcode == op.BPF_JMP32 | op.BPF_JA and view.has("cpu_v4"):
        return idx + insn.imm + 1
    return idx + insn.off + 1


def check_subprog_ranges(program: Program, starts: list[int], view: KernelView) -> None:
    """Jumps stay inside their subprogram; the last insn of each is exit or goto."""
    insns = program.insns
    bounds = starts + [len(insns)]
    current = 0
    start, end = bounds[0], bounds[1]
    for idx, insn in enumerate(insns):
        code = insn.opcode
        if _is_jump_code(code, view) and code & 0xF0 not in (op.BPF_EXIT, op.BPF_CALL):
            target = jump_target(program, idx, view)
            if not start <= target < end:
                raise StructuralProblem(idx, f"jump out of range from insn {idx} to {target}", "jump-out-of-range",
                                        f"the jump leaves its function (instructions {start}..{end - 1})")
        if idx == end - 1:
            if not _is_subprog_end_code(code, view):
                raise StructuralProblem(idx, "last insn is not an exit or jmp", "last-insn-not-exit",
                                        "execution would fall off the end of the function")
            current += 1
            start = end
            if current < len(starts):
                end = bounds[current + 1]
