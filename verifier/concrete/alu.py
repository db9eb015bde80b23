"""Pure ALU semantics of BPF on unsigned 64-bit ints.

Source: Documentation/bpf/standardization/instruction-set.rst (torvalds/linux): division by
zero yields 0, modulo by zero leaves dst unchanged; signed division truncates toward zero,
LLONG_MIN / -1 is LLONG_MIN and LLONG_MIN % -1 is 0; shift amounts are masked to the width
(what the kernel's interpreter does); 32-bit operations zero-extend their result.
"""

from __future__ import annotations

from verifier.concrete.values import MASK32, MASK64, sign_extend
from verifier.isa import opcodes as op


def _signed(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def _sdiv(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return -q if (a < 0) != (b < 0) else q


def _smod(a: int, b: int) -> int:
    r = abs(a) % abs(b)
    return -r if a < 0 else r


def alu(operation: int, dst: int, src: int, is64: bool, off: int = 0) -> int:
    """Result of `dst = dst <op> src` (dst, src unsigned 64-bit); `off` selects sdiv/smod/movsx."""
    bits = 64 if is64 else 32
    mask = MASK64 if is64 else MASK32
    a, b = dst & mask, src & mask
    if operation == op.BPF_ADD:
        r = a + b
    elif operation == op.BPF_SUB:
        r = a - b
    elif operation == op.BPF_MUL:
        r = a * b
    elif operation == op.BPF_DIV:
        if off == 1:
            r = 0 if b == 0 else _sdiv(_signed(a, bits), _signed(b, bits))
        else:
            r = 0 if b == 0 else a // b
    elif operation == op.BPF_MOD:
        if off == 1:
            r = a if b == 0 else _smod(_signed(a, bits), _signed(b, bits))
        else:
            r = a if b == 0 else a % b
    elif operation == op.BPF_OR:
        r = a | b
    elif operation == op.BPF_AND:
        r = a & b
    elif operation == op.BPF_XOR:
        r = a ^ b
    elif operation == op.BPF_LSH:
        r = a << (b & (bits - 1))
    elif operation == op.BPF_RSH:
        r = a >> (b & (bits - 1))
    elif operation == op.BPF_ARSH:
        r = _signed(a, bits) >> (b & (bits - 1))
    elif operation == op.BPF_NEG:
        r = -a
    elif operation == op.BPF_MOV:
        r = sign_extend(b, off) if off in (8, 16, 32) else b
    else:
        raise ValueError(f"not an ALU operation: {operation:#x}")
    return r & mask


def byte_swap(value: int, bits: int) -> int:
    return int.from_bytes((value & ((1 << bits) - 1)).to_bytes(bits // 8, "little"), "big")


def endian(value: int, bits: int, to_be: bool, is64: bool) -> int:
    """BPF_END: ALU|END converts host (little-endian) order; ALU64|END (bswap) always swaps."""
    if is64 or to_be:
        return byte_swap(value, bits)
    return value & ((1 << bits) - 1)


def condition(operation: int, a: int, b: int, is64: bool) -> bool:
    """Is the conditional jump `if a <op> b` taken (a, b unsigned 64-bit)?"""
    bits = 64 if is64 else 32
    mask = (1 << bits) - 1
    a, b = a & mask, b & mask
    sa, sb = _signed(a, bits), _signed(b, bits)
    table = {
        op.BPF_JEQ: a == b,
        op.BPF_JNE: a != b,
        op.BPF_JGT: a > b,
        op.BPF_JGE: a >= b,
        op.BPF_JLT: a < b,
        op.BPF_JLE: a <= b,
        op.BPF_JSET: (a & b) != 0,
        op.BPF_JSGT: sa > sb,
        op.BPF_JSGE: sa >= sb,
        op.BPF_JSLT: sa < sb,
        op.BPF_JSLE: sa <= sb,
    }
    if operation not in table:
        raise ValueError(f"not a conditional jump: {operation:#x}")
    return table[operation]
