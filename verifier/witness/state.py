"""The state of one symbolic path: registers, frames, memory arrays, constraints, inputs seen."""

from __future__ import annotations

from dataclasses import dataclass, field

import z3

from verifier.concrete.values import region_base
from verifier.witness.sym_alu import bv


class Unsupported(Exception):
    """The symbolic executor cannot model this instruction or situation faithfully."""


@dataclass(frozen=True, slots=True)
class SymPtr:
    region: str
    offset: z3.BitVecRef  # 64-bit, signed meaning
    null: z3.BoolRef | None = None  # maybe-NULL (map lookup result not yet checked): true when NULL

    def address(self) -> z3.BitVecRef:
        addr = bv(region_base(self.region)) + self.offset
        return addr if self.null is None else z3.If(self.null, bv(0), addr)


SymValue = z3.BitVecRef | SymPtr


def as_bits(value: SymValue) -> z3.BitVecRef:
    return value.address() if isinstance(value, SymPtr) else value


@dataclass(slots=True)
class SymRegion:
    array: z3.ArrayRef  # BitVec(64) -> BitVec(8)
    size: z3.BitVecRef | None  # None: a handle (map object, function), not memory
    readonly: bool = False
    spills: dict[int, SymPtr] = field(default_factory=dict)

    def copy(self) -> SymRegion:
        return SymRegion(self.array, self.size, self.readonly, dict(self.spills))


@dataclass(slots=True)
class Frame:
    return_pc: int
    saved: list[SymValue]
    frame_pointer: SymValue


@dataclass(slots=True)
class LookupRecord:
    key: str  # "map lookup at insn N"
    null: z3.BoolRef
    region: str
    value_size: int


@dataclass(slots=True)
class SymState:
    pc: int
    regs: list[SymValue]
    regions: dict[str, SymRegion]
    frames: list[Frame] = field(default_factory=list)
    constraints: list[z3.BoolRef] = field(default_factory=list)
    cursor: int = 0  # next entry of the engine's path to match
    steps: int = 0
    occurrences: dict[str, int] = field(default_factory=dict)
    lookups: list[LookupRecord] = field(default_factory=list)
    helpers: list[tuple[str, z3.BitVecRef]] = field(default_factory=list)  # ("helper at insn N", value)
    ctx_reads: list[tuple[int, int]] = field(default_factory=list)  # (offset, size)
    uses_packet: bool = False
    globals_read: list[str] = field(default_factory=list)  # names of writable global sections
    free_choices: int = 0  # branches decided by exploring both sides (not by the engine's path)

    def fork(self) -> SymState:
        return SymState(
            self.pc, list(self.regs), {k: r.copy() for k, r in self.regions.items()},
            [Frame(f.return_pc, list(f.saved), f.frame_pointer) for f in self.frames],
            list(self.constraints), self.cursor, self.steps, dict(self.occurrences), list(self.lookups),
            list(self.helpers), list(self.ctx_reads), self.uses_packet, list(self.globals_read),
            self.free_choices,
        )

    def next_occurrence(self, key: str) -> int:
        count = self.occurrences.get(key, 0)
        self.occurrences[key] = count + 1
        return count
