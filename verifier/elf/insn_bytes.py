"""Split raw BPF code bytes into `Insn` records.

Layout of one 8-byte `struct bpf_insn` (include/uapi/linux/bpf.h): opcode u8,
registers u8 (little-endian objects: dst in the low nibble, src in the high
nibble; big-endian objects: the other way round), off s16, imm s32. An
`ld_imm64` (opcode 0x18) spans two records; the second one carries the upper
32 bits of the constant in its imm. The second record is kept as a tail
`Insn` with every raw field as found (its opcode is 0 in valid code; the kernel
rejects "invalid bpf_ld_imm64 insn" otherwise, so the raw value is kept for the
ISA checks to see). An `ld_imm64` in the last record has no tail and `imm64` 0.

This is only the byte splitter: validation of opcodes belongs to `verifier.isa`.
"""

from __future__ import annotations

import struct

from verifier.isa import opcodes as op
from verifier.isa.insn import Insn

_LE = struct.Struct("<BBhi")
_BE = struct.Struct(">BBhi")


def decode_insns(data: bytes, little_endian: bool = True) -> list[Insn]:
    """Decode `data` (a whole number of 8-byte records; a trailing partial record is ignored)."""
    layout = _LE if little_endian else _BE
    usable = len(data) - len(data) % op.INSN_SIZE
    raw = list(layout.iter_unpack(memoryview(data)[:usable]))
    insns: list[Insn] = []
    i = 0
    while i < len(raw):
        opcode, regs, off, imm = raw[i]
        dst, src = (regs & 0x0F, regs >> 4) if little_endian else (regs >> 4, regs & 0x0F)
        if opcode == op.LD_IMM64 and i + 1 < len(raw):
            t_opcode, t_regs, t_off, t_imm = raw[i + 1]
            t_dst, t_src = (t_regs & 0x0F, t_regs >> 4) if little_endian else (t_regs >> 4, t_regs & 0x0F)
            imm64 = (imm & 0xFFFFFFFF) | ((t_imm & 0xFFFFFFFF) << 32)
            insns.append(Insn(opcode, dst, src, off, imm, imm64=imm64, next_imm=t_imm))
            insns.append(Insn(t_opcode, t_dst, t_src, t_off, t_imm, is_ld_imm64_tail=True))
            i += 2
            continue
        insns.append(Insn(opcode, dst, src, off, imm))
        i += 1
    return insns
