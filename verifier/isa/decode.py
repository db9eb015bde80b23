"""Decode raw BPF code (a sequence of 8-byte `struct bpf_insn`) into `Insn` records.

Layout of one record (include/uapi/linux/bpf.h): opcode u8; registers u8 (little-endian
objects: dst in the low nibble, src in the high nibble; big-endian objects: swapped);
off s16; imm s32. An `ld_imm64` (opcode 0x18) spans two records: the head carries the
low 32 bits of the constant, the second record (kept as a tail `Insn` with every raw field,
`is_ld_imm64_tail=True`) carries the high 32 bits in its imm. The kernel indexes both slots,
so the list returned here has exactly one `Insn` per 8-byte record.

Validation of opcodes and fields is not done here (that is `verifier.cfg.checks`): only what
makes the bytes impossible to split is an error.
"""

from __future__ import annotations

import struct

from verifier.errors import InputError
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn

_LE = struct.Struct("<BBhi")
_BE = struct.Struct(">BBhi")


def _registers(regs: int, little_endian: bool) -> tuple[int, int]:
    """(dst, src) from the packed register byte."""
    if little_endian:
        return regs & 0x0F, regs >> 4
    return regs >> 4, regs & 0x0F


def decode(data: bytes, little_endian: bool = True) -> list[Insn]:
    """Split `data` into instructions, one `Insn` per 8-byte slot.

    Raises InputError when the length is not a multiple of 8 or when the last
    record is the head of an `ld_imm64` (its second half is missing).
    """
    if len(data) % op.INSN_SIZE:
        raise InputError(f"BPF code of {len(data)} bytes is not a whole number of 8-byte instructions")
    layout = _LE if little_endian else _BE
    raw = list(layout.iter_unpack(bytes(data)))
    insns: list[Insn] = []
    i = 0
    while i < len(raw):
        opcode, regs, off, imm = raw[i]
        dst, src = _registers(regs, little_endian)
        if opcode != op.LD_IMM64:
            insns.append(Insn(opcode, dst, src, off, imm))
            i += 1
            continue
        if i + 1 >= len(raw):
            raise InputError(f"truncated ld_imm64 at insn {i}: the second half of the instruction is missing")
        t_opcode, t_regs, t_off, t_imm = raw[i + 1]
        t_dst, t_src = _registers(t_regs, little_endian)
        imm64 = (imm & 0xFFFFFFFF) | ((t_imm & 0xFFFFFFFF) << 32)
        insns.append(Insn(opcode, dst, src, off, imm, imm64=imm64, next_imm=t_imm))
        insns.append(Insn(t_opcode, t_dst, t_src, t_off, t_imm, is_ld_imm64_tail=True))
        i += 2
    return insns
