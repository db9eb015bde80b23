"""decode/encode: byte layout, ld_imm64 pairs, errors, and the round-trip property."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.errors import InputError
from verifier.isa import encode as asm
from verifier.isa import opcodes as op
from verifier.isa.decode import decode
from verifier.isa.encode import encode
from verifier.isa.insn import Insn


def raw(opcode: int, regs: int, off: int, imm: int) -> bytes:
    return struct.pack("<BBhi", opcode, regs, off, imm)


def test_decode_splits_registers_little_endian() -> None:
    insns = decode(raw(0x61, 0x21, 76, 0))  # r1 = *(u32 *)(r2 +76)
    assert insns == [Insn(0x61, 1, 2, 76, 0)]


def test_decode_big_endian_swaps_register_nibbles() -> None:
    data = struct.pack(">BBhi", 0x61, 0x12, -8, 7)
    assert decode(data, little_endian=False) == [Insn(0x61, 1, 2, -8, 7)]


def test_decode_signed_fields() -> None:
    (insn,) = decode(raw(0x07, 0x01, -1, -4))
    assert insn.off == -1 and insn.imm == -4


def test_decode_ld_imm64_two_slots() -> None:
    data = raw(0x18, 0x01, 0, -1) + raw(0, 0, 0, 0x12345678) + raw(0x95, 0, 0, 0)
    insns = decode(data)
    assert len(insns) == 3
    head, tail, ex = insns
    assert head.is_ld_imm64 and not head.is_ld_imm64_tail
    assert head.imm64 == 0x12345678FFFFFFFF
    assert head.next_imm == 0x12345678
    assert tail.is_ld_imm64_tail and tail.opcode == 0 and tail.imm == 0x12345678
    assert ex.is_exit


def test_decode_ld_imm64_imm64_is_unsigned() -> None:
    data = raw(0x18, 0x01, 0, -1) + raw(0, 0, 0, -1)
    assert decode(data)[0].imm64 == 0xFFFFFFFFFFFFFFFF


def test_decode_keeps_raw_tail_fields() -> None:
    data = raw(0x18, 0x01, 0, 1) + raw(0x07, 0x23, 5, 2)
    tail = decode(data)[1]
    assert (tail.opcode, tail.dst, tail.src, tail.off, tail.imm) == (0x07, 3, 2, 5, 2)
    assert tail.is_ld_imm64_tail


def test_decode_empty() -> None:
    assert decode(b"") == []


@pytest.mark.parametrize("length", [1, 7, 9, 15])
def test_decode_rejects_partial_record(length: int) -> None:
    with pytest.raises(InputError, match="not a whole number"):
        decode(b"\0" * length)


def test_decode_rejects_truncated_ld_imm64() -> None:
    with pytest.raises(InputError, match="truncated ld_imm64 at insn 1"):
        decode(raw(0xB7, 0, 0, 0) + raw(0x18, 1, 0, 0))


def test_encode_inverse_of_builders() -> None:
    prog = asm.program(asm.mov64_imm(0, 0), asm.ld_imm64(1, 0x1_0000_0002), asm.exit_insn())
    data = encode(prog)
    assert len(data) == 32
    assert decode(data) == prog


def test_encode_rejects_head_without_tail() -> None:
    head = asm.ld_imm64(1, 5)[0]
    with pytest.raises(InputError, match="not followed by its second half"):
        encode([head, asm.exit_insn()])


@pytest.mark.parametrize(
    "insn",
    [Insn(0x100, 0, 0, 0, 0), Insn(0xB7, 16, 0, 0, 0), Insn(0xB7, 0, 0, 0x8000, 0), Insn(0xB7, 0, 0, 0, 1 << 31)],
)
def test_encode_rejects_field_overflow(insn: Insn) -> None:
    with pytest.raises(InputError):
        encode([insn])


def test_ld_map_value_builder() -> None:
    head, tail = asm.ld_map_value(2, 7, 16)
    assert head.src == op.BPF_PSEUDO_MAP_VALUE and head.imm == 7 and head.next_imm == 16
    assert tail.imm == 16 and tail.is_ld_imm64_tail


records = st.tuples(
    st.integers(0, 255).filter(lambda code: code != op.LD_IMM64),
    st.integers(0, 255),
    st.integers(-0x8000, 0x7FFF),
    st.integers(-0x80000000, 0x7FFFFFFF),
)


@st.composite
def code_bytes(draw: st.DrawFn) -> bytes:
    """Valid byte strings: random records, some of them ld_imm64 pairs."""
    out = bytearray()
    for _ in range(draw(st.integers(0, 12))):
        if draw(st.booleans()):
            opcode, regs, off, imm = draw(records)
            out += raw(opcode, regs, off, imm)
        else:
            _, regs, off, imm = draw(records)
            _, t_regs, t_off, t_imm = draw(records)
            out += raw(op.LD_IMM64, regs, off, imm) + raw(draw(st.integers(0, 255)), t_regs, t_off, t_imm)
    return bytes(out)


@settings(max_examples=200, deadline=None)
@given(code_bytes(), st.booleans())
def test_round_trip_bytes(data: bytes, little_endian: bool) -> None:
    insns = decode(data, little_endian)
    assert len(insns) == len(data) // 8
    assert encode(insns, little_endian) == data


@settings(max_examples=100, deadline=None)
@given(code_bytes())
def test_round_trip_insns(data: bytes) -> None:
    insns = decode(data)
    assert decode(encode(insns)) == insns
