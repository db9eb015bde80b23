"""Replaying a loop's iterations on their constants to see the complexity limit coming.

loops.py has established that the loop head was reached three times in a row on one path with the
same state shape, the same branch decisions and the same cost per iteration, the constants being
the only difference. When the constants do not move by fixed steps (an accumulator of a counter,
a product, a shift), extrapolation is not possible, but the iteration can still be *replayed*:
if it is straight-line arithmetic on the constant registers plus conditional jumps, each iteration
is computed on the constants alone with the concrete ALU. Every replayed iteration is the same
abstract iteration with other constants when

* each conditional jump takes the recorded direction, with the same prediction as in the walked
  iteration (decided by the constants, or undecided), and
* an undecided jump leaves its non-constant operand as it was on the side followed (the kernel's
  reg_set_min_max() narrows nothing), so the state keeps its shape, and
* no branch pushes a pending state (a growing jump stack meets another limit first).

If that holds for enough iterations to pass the kernel's limit on the loop's own instructions, the
kernel's verdict is "BPF program is too large". Anything else leaves the loop to be walked.
The arithmetic is checked against the abstract iteration just walked before any replay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from verifier.abstract.branch import branch_taken, ne_refines_nothing
from verifier.abstract.jumps import JMP_OPS
from verifier.abstract.regs import SCALAR
from verifier.abstract.scalar import Scalar
from verifier.abstract.state import State
from verifier.concrete.alu import alu, condition
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn

_U64: Final = (1 << 64) - 1
_U32: Final = (1 << 32) - 1
# operations whose abstract result on constants is the constant (scalar_min_max_* on known values)
_EXACT_ALU: Final = frozenset(
    {op.BPF_ADD, op.BPF_SUB, op.BPF_MUL, op.BPF_AND, op.BPF_OR, op.BPF_XOR, op.BPF_LSH, op.BPF_RSH,
     op.BPF_ARSH, op.BPF_MOV, op.BPF_NEG}
)
_SHIFTS: Final = frozenset({op.BPF_LSH, op.BPF_RSH, op.BPF_ARSH})


@dataclass(frozen=True, slots=True)
class _Alu:
    dst: int
    operation: int
    src: int | None  # a constant register, or None for the immediate
    imm: int
    is64: bool
    off: int


@dataclass(frozen=True, slots=True)
class _Imm:
    value: int  # a constant operand that does not change (an immediate, or a constant outside the set)


@dataclass(frozen=True, slots=True)
class _Jump:
    operation: int
    name: str
    is32: bool
    dst: int | _Imm | Scalar  # a constant register, a fixed constant, or the fixed value of another operand
    src: int | _Imm | Scalar
    taken: bool
    predicted: int  # branch_taken() in the walked iteration: 1, 0 or -1


class NotReplayable(Exception):
    """The iteration is not straight-line arithmetic on constants and jumps."""


def const_registers(state: State) -> dict[int, int]:
    """The current frame's unlinked constant scalars: regno -> value."""
    return {
        regno: reg.var.const_value
        for regno, reg in enumerate(state.frames[-1].regs)
        if reg.type == SCALAR and reg.var.is_const and not reg.id
    }


def compile_iteration(
    insns: Sequence[Insn], iteration: Sequence[int], decisions: Sequence[tuple[int, bool]], branch_log: Sequence,
    state: State,
) -> list[_Alu | _Jump]:
    """The iteration as replayable steps; NotReplayable unless it only computes on constants."""
    if len(set(iteration)) != len(iteration):
        raise NotReplayable  # an inner loop: one instruction twice in an iteration
    consts = set(const_registers(state))
    regs = state.frames[-1].regs
    taken_at = dict(decisions)
    logged = {entry[0]: entry for entry in branch_log}
    steps: list[_Alu | _Jump] = []
    for idx in iteration:
        insn = insns[idx]
        cls = insn.cls
        if cls in (op.BPF_ALU, op.BPF_ALU64):
            operation = op.alu_op(insn.opcode)
            is_x = bool(insn.opcode & op.BPF_X) and operation != op.BPF_NEG
            if operation not in _EXACT_ALU or insn.dst not in consts or (is_x and insn.src not in consts):
                raise NotReplayable
            if operation == op.BPF_MOV and insn.off and not is_x:
                raise NotReplayable
            steps.append(_Alu(insn.dst, operation, insn.src if is_x else None, insn.imm, cls == op.BPF_ALU64,
                              insn.off))
        elif cls in (op.BPF_JMP, op.BPF_JMP32):
            operation = op.jmp_op(insn.opcode)
            if operation == op.BPF_JA:
                continue
            name = JMP_OPS.get(operation)
            if name is None or idx not in taken_at or idx not in logged:
                raise NotReplayable
            is32 = cls == op.BPF_JMP32
            dst = _operand(regs, consts, insn.dst)
            if insn.opcode & op.BPF_X:
                src: int | _Imm | Scalar = _operand(regs, consts, insn.src)
            else:
                src = _Imm(insn.imm & _U64)
            if not isinstance(dst, int) and not isinstance(src, int):
                raise NotReplayable  # nothing in it moves: the walk itself decides it
            steps.append(_Jump(operation, name, is32, dst, src, taken_at[idx], logged[idx][4]))
        else:
            raise NotReplayable
    return steps


def _operand(regs: Sequence, consts: set[int], regno: int) -> int | _Imm | Scalar:
    if regno in consts:
        return regno
    reg = regs[regno]
    if reg.type != SCALAR:
        raise NotReplayable
    return _Imm(reg.var.const_value) if reg.var.is_const else reg.var


def run_iteration(steps: Sequence[_Alu | _Jump], values: dict[int, int]) -> bool:
    """One iteration on the constants (changed in place); False when it would not be the same iteration."""
    for step in steps:
        if isinstance(step, _Alu):
            bits = 64 if step.is64 else 32
            if step.src is None:
                src = step.imm & _U64 if step.is64 else step.imm & _U32
            else:
                src = values[step.src]
            if step.operation in _SHIFTS and (src & (_U64 if step.is64 else _U32)) >= bits:
                return False  # an out-of-range shift amount makes the result unknown
            values[step.dst] = alu(step.operation, values[step.dst], src, step.is64, step.off) & _U64
            continue
        a, b = step.dst, step.src
        if not isinstance(a, Scalar) and not isinstance(b, Scalar):
            va = values[a] if isinstance(a, int) else a.value
            vb = values[b] if isinstance(b, int) else b.value
            if condition(step.operation, va, vb, not step.is32) != step.taken:
                return False
            if step.predicted == -1:
                return False
            continue
        a_s = Scalar.const(values[a]) if isinstance(a, int) else a
        b_s = Scalar.const(values[b]) if isinstance(b, int) else b
        predicted = branch_taken(a_s, b_s, step.name, step.is32)
        if predicted != step.predicted:
            return False
        if predicted == -1:
            # the side followed must narrow nothing: only `!=` (jne taken, jeq not taken) can, when the
            # constant is not at an edge of the other operand (as the walk's own shortcut decides)
            if step.name not in ("jeq", "jne") or (step.name == "jne") != step.taken:
                return False
            if not ne_refines_nothing(a_s, b_s, step.is32):
                return False
        elif bool(predicted) != step.taken:
            return False
    return True


def same_iterations(steps: Sequence[_Alu | _Jump], start: dict[int, int], expected_after: dict[int, int],
                    iterations: int) -> int:
    """How many of the next `iterations` iterations from `start` stay the same iteration (all of them,
    or fewer: the course changes after that many). The first must end in `expected_after`, the
    constants the abstract walk of that iteration produced.

    Every constant that changes must move strictly one way (unsigned) throughout, so no iteration's
    state comes back (the kernel would prune it, or call the loop infinite)."""
    values = dict(start)
    if not run_iteration(steps, values) or values != expected_after:
        return 0
    moving = {r: values[r] > start[r] for r in values if values[r] != start[r]}
    if not moving:
        return 0
    previous = dict(values)
    for done in range(1, iterations):
        if not run_iteration(steps, values):
            return done
        for regno, up in moving.items():
            if (values[regno] > previous[regno]) != up or values[regno] == previous[regno]:
                return done
            previous[regno] = values[regno]
    return iterations
