"""The z3 ALU and jump semantics agree bit for bit with the concrete interpreter's."""

from __future__ import annotations

import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.concrete import alu as concrete
from verifier.isa import opcodes as op
from verifier.witness import sym_alu

U64 = (1 << 64) - 1
EDGES = st.sampled_from([0, 1, 2, 7, 31, 32, 63, 64, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 1 << 63, U64, U64 - 6])
VALUES = st.one_of(EDGES, st.integers(0, U64))
ALU_CASES = st.sampled_from([
    (op.BPF_ADD, 0), (op.BPF_SUB, 0), (op.BPF_MUL, 0), (op.BPF_DIV, 0), (op.BPF_DIV, 1), (op.BPF_MOD, 0),
    (op.BPF_MOD, 1), (op.BPF_OR, 0), (op.BPF_AND, 0), (op.BPF_XOR, 0), (op.BPF_LSH, 0), (op.BPF_RSH, 0),
    (op.BPF_ARSH, 0), (op.BPF_NEG, 0), (op.BPF_MOV, 0), (op.BPF_MOV, 8), (op.BPF_MOV, 16), (op.BPF_MOV, 32),
])
JUMPS = st.sampled_from([op.BPF_JEQ, op.BPF_JNE, op.BPF_JGT, op.BPF_JGE, op.BPF_JLT, op.BPF_JLE, op.BPF_JSET,
                         op.BPF_JSGT, op.BPF_JSGE, op.BPF_JSLT, op.BPF_JSLE])


def _value(expr: z3.BitVecRef) -> int:
    return z3.simplify(expr).as_long()


@settings(max_examples=300)
@given(ALU_CASES, VALUES, VALUES, st.booleans())
def test_alu_agrees(case, a, b, is64):
    operation, off = case
    if operation == op.BPF_MOV and off == 32 and not is64:
        return
    expected = concrete.alu(operation, a, b, is64, off)
    assert _value(sym_alu.alu(operation, sym_alu.bv(a), sym_alu.bv(b), is64, off)) == expected


@settings(max_examples=200)
@given(JUMPS, VALUES, VALUES, st.booleans())
def test_conditions_agree(operation, a, b, is64):
    expected = concrete.condition(operation, a, b, is64)
    assert z3.is_true(z3.simplify(sym_alu.condition(operation, sym_alu.bv(a), sym_alu.bv(b), is64))) == expected


@given(VALUES, st.sampled_from([16, 32, 64]), st.booleans(), st.booleans())
def test_endian_agrees(value, bits, to_be, is64):
    expected = concrete.endian(value, bits, to_be, is64)
    assert _value(sym_alu.endian(sym_alu.bv(value), bits, to_be, is64)) == expected
