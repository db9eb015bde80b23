"""Shared hypothesis strategies and a tiny concrete BPF ALU for the scalar-domain tests (no tests here)."""

from __future__ import annotations

from hypothesis import strategies as st

from verifier.abstract.branch import refine
from verifier.abstract.scalar import Scalar
from verifier.abstract.tnum import Tnum

U64 = (1 << 64) - 1
U32 = (1 << 32) - 1


def s64(x: int) -> int:
    x &= U64
    return x - (1 << 64) if x >> 63 else x


def s32(x: int) -> int:
    x &= U32
    return x - (1 << 32) if x >> 31 else x


_EDGES = [0, 1, 2, 3, 7, 8, 255, 256, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 1 << 32,
          (1 << 32) + 1, (1 << 63) - 1, 1 << 63, U64 - 1, U64]

values64 = st.one_of(
    st.sampled_from(_EDGES),
    st.integers(0, 64),
    st.integers(-64, -1).map(lambda x: x & U64),
    st.integers(0, U64),
    st.integers(0, U32),
    st.integers(-(1 << 31), (1 << 31) - 1).map(lambda x: x & U64),
    st.builds(lambda e, d: (e + d) & U64, st.sampled_from(_EDGES), st.integers(-3, 3)),
)

ALU_OPS = ["add", "sub", "mul", "div", "mod", "or", "and", "lsh", "rsh", "arsh", "xor"]
COND_OPS = ["jeq", "jne", "jgt", "jge", "jlt", "jle", "jsgt", "jsge", "jslt", "jsle", "jset"]


def concrete_alu(op: str, a: int, b: int, is64: bool) -> int | None:
    """The BPF interpreter's result, zero-extended for 32-bit ops; None for undefined shifts."""
    bits = 64 if is64 else 32
    m = (1 << bits) - 1
    a &= m
    b &= m
    if op == "add":
        return (a + b) & m
    if op == "sub":
        return (a - b) & m
    if op == "mul":
        return (a * b) & m
    if op == "div":
        return a // b if b else 0
    if op == "mod":
        return a % b if b else a
    if op == "or":
        return a | b
    if op == "and":
        return a & b
    if op == "xor":
        return a ^ b
    if b >= bits:
        return None
    if op == "lsh":
        return (a << b) & m
    if op == "rsh":
        return a >> b
    if op == "arsh":
        sa = s64(a) if is64 else s32(a)
        return (sa >> b) & m
    raise ValueError(op)


def concrete_cond(op: str, a: int, b: int, is32: bool) -> bool:
    if is32:
        a, b = a & U32, b & U32
        sa, sb = s32(a), s32(b)
    else:
        a, b = a & U64, b & U64
        sa, sb = s64(a), s64(b)
    return {
        "jeq": a == b,
        "jne": a != b,
        "jgt": a > b,
        "jge": a >= b,
        "jlt": a < b,
        "jle": a <= b,
        "jsgt": sa > sb,
        "jsge": sa >= sb,
        "jslt": sa < sb,
        "jsle": sa <= sb,
        "jset": bool(a & b),
    }[op]


def sext(x: int, bits: int) -> int:
    x &= (1 << bits) - 1
    return x - (1 << bits) if x >> (bits - 1) else x


@st.composite
def base_with_member(draw) -> tuple[Scalar, int]:
    x = draw(values64)
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return Scalar.const(x), x
    if kind == 1:
        return Scalar.unknown(), x
    if kind == 2:
        lo = draw(st.integers(0, x))
        hi = draw(st.integers(x, U64))
        if draw(st.booleans()):
            lo, hi = max(lo, x - draw(st.integers(0, 300))), min(hi, x + draw(st.integers(0, 300)))
        return Scalar.from_urange(lo, hi), x
    if kind == 3:
        sx = s64(x)
        lo = draw(st.integers(-(1 << 63), sx))
        hi = draw(st.integers(sx, (1 << 63) - 1))
        if draw(st.booleans()):
            lo, hi = max(lo, sx - draw(st.integers(0, 300))), min(hi, sx + draw(st.integers(0, 300)))
        return Scalar.from_srange(lo, hi), x
    if kind == 4:
        mask = draw(values64) | draw(values64)
        if draw(st.booleans()):
            mask &= draw(st.sampled_from([0xF, 0xFF, 0xFFFF, U32, 0xF0, 0xFF00]))
        return Scalar.from_tnum(Tnum(x & ~mask, mask)), x
    if kind == 5:
        n = draw(st.sampled_from([1, 2, 4]))
        return Scalar.from_size(n), x & ((1 << (8 * n)) - 1)
    if kind == 6:
        n = draw(st.sampled_from([1, 2, 4]))
        return Scalar.unknown().sext_load(n), sext(x, 8 * n) & U64
    return Scalar.unknown().zext32(), x & U32


@st.composite
def abstract_with_member(draw, depth: int = 2) -> tuple[Scalar, int]:
    """An abstract scalar with one of its concrete members, built by chains of sound operations."""
    a, x = draw(base_with_member())
    for _ in range(draw(st.integers(0, depth))):
        step = draw(st.integers(0, 2))
        b, y = draw(base_with_member())
        if step == 0:
            op = draw(st.sampled_from(ALU_OPS))
            is64 = draw(st.booleans())
            r = concrete_alu(op, x, y, is64)
            if r is None:
                continue
            a, x = a.alu(op, b, is64), r
        elif step == 1:
            op = draw(st.sampled_from(COND_OPS))
            is32 = draw(st.booleans())
            res = refine(a, b, op, is32, concrete_cond(op, x, y, is32))
            if res is not None:
                a = res[0]
        else:
            is64 = draw(st.booleans())
            a, x = a.neg(is64), (-x) & (U64 if is64 else U32)
    return a, x
