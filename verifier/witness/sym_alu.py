"""z3 bit-vector twins of verifier.concrete.alu: the same BPF semantics, symbolically.

Every function here must agree with its concrete twin bit for bit (tests/test_witness_alu.py
checks them against each other), otherwise a witness would not replay concretely.
"""

from __future__ import annotations

import z3

from verifier.isa import opcodes as op


def bv(value: int, bits: int = 64) -> z3.BitVecRef:
    return z3.BitVecVal(value & ((1 << bits) - 1), bits)


def _low32(value: z3.BitVecRef) -> z3.BitVecRef:
    return z3.Extract(31, 0, value)


def alu(operation: int, dst: z3.BitVecRef, src: z3.BitVecRef, is64: bool, off: int = 0) -> z3.BitVecRef:
    """`dst <op> src` on 64-bit vectors; 32-bit operations use the low halves and zero-extend."""
    a, b = (dst, src) if is64 else (_low32(dst), _low32(src))
    bits = 64 if is64 else 32
    zero = bv(0, bits)
    shift = b & bv(bits - 1, bits)
    if operation == op.BPF_ADD:
        r = a + b
    elif operation == op.BPF_SUB:
        r = a - b
    elif operation == op.BPF_MUL:
        r = a * b
    elif operation == op.BPF_DIV:
        r = z3.If(b == zero, zero, a / b if off == 1 else z3.UDiv(a, b))
    elif operation == op.BPF_MOD:
        r = z3.If(b == zero, a, z3.SRem(a, b) if off == 1 else z3.URem(a, b))
    elif operation == op.BPF_OR:
        r = a | b
    elif operation == op.BPF_AND:
        r = a & b
    elif operation == op.BPF_XOR:
        r = a ^ b
    elif operation == op.BPF_LSH:
        r = a << shift
    elif operation == op.BPF_RSH:
        r = z3.LShR(a, shift)
    elif operation == op.BPF_ARSH:
        r = a >> shift
    elif operation == op.BPF_NEG:
        r = -a
    elif operation == op.BPF_MOV:
        r = z3.SignExt(bits - off, z3.Extract(off - 1, 0, b)) if off in (8, 16, 32) else b
    else:
        raise ValueError(f"not an ALU operation: {operation:#x}")
    return r if is64 else z3.ZeroExt(32, r)


def byte_swap(value: z3.BitVecRef, bits: int) -> z3.BitVecRef:
    parts = [z3.Extract(8 * i + 7, 8 * i, value) for i in range(bits // 8)]
    return z3.Concat(*parts) if len(parts) > 1 else parts[0]


def endian(value: z3.BitVecRef, bits: int, to_be: bool, is64: bool) -> z3.BitVecRef:
    if is64 or to_be:
        swapped = byte_swap(value, bits)
    else:
        swapped = z3.Extract(bits - 1, 0, value)
    return z3.ZeroExt(64 - bits, swapped) if bits < 64 else swapped


def condition(operation: int, a: z3.BitVecRef, b: z3.BitVecRef, is64: bool) -> z3.BoolRef:
    if not is64:
        a, b = _low32(a), _low32(b)
    zero = bv(0, 64 if is64 else 32)
    table = {
        op.BPF_JEQ: lambda: a == b,
        op.BPF_JNE: lambda: a != b,
        op.BPF_JGT: lambda: z3.UGT(a, b),
        op.BPF_JGE: lambda: z3.UGE(a, b),
        op.BPF_JLT: lambda: z3.ULT(a, b),
        op.BPF_JLE: lambda: z3.ULE(a, b),
        op.BPF_JSET: lambda: (a & b) != zero,
        op.BPF_JSGT: lambda: a > b,
        op.BPF_JSGE: lambda: a >= b,
        op.BPF_JSLT: lambda: a < b,
        op.BPF_JSLE: lambda: a <= b,
    }
    if operation not in table:
        raise ValueError(f"not a conditional jump: {operation:#x}")
    return table[operation]()
