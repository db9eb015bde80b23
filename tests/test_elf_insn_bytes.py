"""Raw bytes -> Insn: field layout, ld_imm64 pairs and their tail slot."""

from __future__ import annotations

import struct

from hypothesis import given
from hypothesis import strategies as st

from verifier.elf.insn_bytes import decode_insns


def _raw(opcode: int, dst: int, src: int, off: int, imm: int, little: bool = True) -> bytes:
    regs = (src << 4 | dst) if little else (dst << 4 | src)
    return struct.pack("<BBhi" if little else ">BBhi", opcode, regs, off, imm)


def test_fields_little_endian():
    (insn,) = decode_insns(_raw(0x61, 2, 1, -4, 7))
    assert (insn.opcode, insn.dst, insn.src, insn.off, insn.imm) == (0x61, 2, 1, -4, 7)
    assert not insn.is_ld_imm64_tail


def test_fields_big_endian():
    (insn,) = decode_insns(_raw(0x61, 2, 1, -4, 7, little=False), little_endian=False)
    assert (insn.opcode, insn.dst, insn.src, insn.off, insn.imm) == (0x61, 2, 1, -4, 7)


def test_ld_imm64_takes_two_slots():
    data = _raw(0x18, 1, 0, 0, -1) + _raw(0, 0, 0, 0, 0x12345678) + _raw(0x95, 0, 0, 0, 0)
    insns = decode_insns(data)
    assert len(insns) == 3
    head, tail, exit_ = insns
    assert head.is_ld_imm64 and head.imm64 == 0x12345678FFFFFFFF and head.next_imm == 0x12345678
    assert tail.is_ld_imm64_tail and not tail.is_ld_imm64 and tail.imm == 0x12345678
    assert exit_.is_exit


def test_ld_imm64_without_tail_and_partial_record():
    insns = decode_insns(_raw(0x18, 1, 0, 0, 5) + b"\x95\x00")
    assert len(insns) == 1 and insns[0].imm64 == 0


@given(st.lists(st.tuples(st.integers(0, 255), st.integers(0, 15), st.integers(0, 15),
                          st.integers(-(2**15), 2**15 - 1), st.integers(-(2**31), 2**31 - 1)), max_size=20))
def test_one_insn_per_record(records):
    data = b"".join(_raw(*r) for r in records)
    insns = decode_insns(data)
    assert len(insns) == len(records)
    for insn, (opcode, dst, src, off, imm) in zip(insns, records, strict=True):
        assert (insn.opcode, insn.dst, insn.src, insn.off, insn.imm) == (opcode, dst, src, off, imm)
