"""One decoded BPF instruction.

A program is a list of `Insn`, indexed exactly as the kernel indexes them: an
`ld_imm64` takes two slots, the second being a filler whose `opcode` is 0 and
whose `is_ld_imm64_tail` is true. The first slot carries the full 64-bit
constant in `imm64`.

The compiled engine (setup.py, verifier/native.py) compiles this module with it: `Insn` is then a
native class whose fields the engine reads as struct fields (a generic attribute lookup each, in a
Python class).
"""

from __future__ import annotations

from dataclasses import dataclass

from verifier.isa import opcodes as op


@dataclass(frozen=True, slots=True)
class Insn:
    opcode: int
    dst: int
    src: int
    off: int  # signed 16-bit
    imm: int  # signed 32-bit
    imm64: int = 0  # ld_imm64 only: (imm & 0xffffffff) | (next.imm << 32), unsigned 64-bit
    next_imm: int = 0  # ld_imm64 only: the second slot's imm (offset for BPF_PSEUDO_MAP_VALUE)
    is_ld_imm64_tail: bool = False

    @property
    def cls(self) -> int:
        return self.opcode & 0x07

    @property
    def is_alu(self) -> bool:
        return self.cls in (op.BPF_ALU, op.BPF_ALU64)

    @property
    def is_jmp(self) -> bool:
        return self.cls in (op.BPF_JMP, op.BPF_JMP32)

    @property
    def is_ld_imm64(self) -> bool:
        return self.opcode == op.LD_IMM64 and not self.is_ld_imm64_tail

    @property
    def is_call(self) -> bool:
        return self.opcode == op.CALL

    @property
    def is_pseudo_call(self) -> bool:
        """A bpf-to-bpf call: target is pc + 1 + imm."""
        return self.opcode == op.CALL and self.src == op.BPF_PSEUDO_CALL

    @property
    def is_helper_call(self) -> bool:
        return self.opcode == op.CALL and self.src == 0

    @property
    def is_kfunc_call(self) -> bool:
        return self.opcode == op.CALL and self.src == op.BPF_PSEUDO_KFUNC_CALL

    @property
    def is_exit(self) -> bool:
        return self.opcode == op.EXIT

    @property
    def is_ja(self) -> bool:
        """Unconditional jump (`goto`, or `gotol` when class is JMP32)."""
        return self.opcode in (op.BPF_JMP | op.BPF_JA, op.BPF_JMP32 | op.BPF_JA)

    @property
    def is_cond_jmp(self) -> bool:
        if not self.is_jmp or self.is_ld_imm64_tail:
            return False
        o = self.opcode & 0xF0
        return o not in (op.BPF_JA, op.BPF_CALL, op.BPF_EXIT)

    @property
    def is_may_goto(self) -> bool:
        return self.opcode == (op.BPF_JMP | op.BPF_JCOND)

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled by its fields (a frozen native class cannot be rebuilt through setattr)."""
        fields = (self.opcode, self.dst, self.src, self.off, self.imm, self.imm64, self.next_imm)
        return (Insn, (*fields, self.is_ld_imm64_tail))

    def jump_offset(self) -> int:
        """Relative offset of a jump: `gotol` (JMP32|JA) uses imm, the rest use off."""
        if self.opcode == (op.BPF_JMP32 | op.BPF_JA):
            return self.imm
        return self.off
