"""Tristate numbers: the kernel's bit-level abstract domain (kernel/bpf/tnum.c).

A tnum `(value; mask)` stands for every 64-bit number whose bits agree with
`value` wherever `mask` has a 0; bits set in `mask` are unknown. The
invariant `value & mask == 0` holds for every well-formed tnum.

The module offers the immutable `Tnum` class (the public API) and the same
operations as plain functions over `(value, mask)` int pairs, prefixed `t_`,
which the scalar domain uses in its hot paths to avoid allocations.
"""

from __future__ import annotations

from typing import Final

from mypy_extensions import mypyc_attr

U64: Final = (1 << 64) - 1
U32: Final = (1 << 32) - 1
S64_MIN_BIT: Final = 1 << 63
S32_MIN_BIT: Final = 1 << 31


# ---------------------------------------------------------------- int-pair operations


def t_range(lo: int, hi: int) -> tuple[int, int]:
    """tnum_range(): the smallest tnum holding every value of [lo, hi] (unsigned 64)."""
    chi = (lo ^ hi) & U64
    bits = chi.bit_length()
    if bits > 63:
        return 0, U64
    delta = (1 << bits) - 1
    return lo & ~delta & U64, delta


def t_add(av: int, am: int, bv: int, bm: int) -> tuple[int, int]:
    sm = am + bm
    sv = av + bv
    chi = ((sm + sv) ^ sv) & U64
    mu = chi | am | bm
    return sv & ~mu & U64, mu


def t_sub(av: int, am: int, bv: int, bm: int) -> tuple[int, int]:
    dv = (av - bv) & U64
    alpha = (dv + am) & U64
    beta = (dv - bm) & U64
    mu = (alpha ^ beta) | am | bm
    return dv & ~mu, mu


def t_and(av: int, am: int, bv: int, bm: int) -> tuple[int, int]:
    v = av & bv
    return v, (av | am) & (bv | bm) & ~v


def t_or(av: int, am: int, bv: int, bm: int) -> tuple[int, int]:
    v = av | bv
    return v, (am | bm) & ~v


def t_xor(av: int, am: int, bv: int, bm: int) -> tuple[int, int]:
    mu = am | bm
    return (av ^ bv) & ~mu, mu


def t_union(av: int, am: int, bv: int, bm: int) -> tuple[int, int]:
    """tnum_union(): the smallest tnum holding every member of both."""
    mu = (av ^ bv) | am | bm
    return av & bv & ~mu, mu


def t_mul(av: int, am: int, bv: int, bm: int) -> tuple[int, int]:
    """tnum_mul() of 6.17+: long multiplication over a's bits, joining both cases for unknown bits."""
    if not am and not bm:
        return (av * bv) & U64, 0
    accv, accm = 0, 0
    while av or am:
        if av & 1:
            accv, accm = t_add(accv, accm, bv, bm)
        elif am & 1:
            sv, sm = t_add(accv, accm, bv, bm)
            accv, accm = t_union(accv, accm, sv, sm)
        av >>= 1
        am >>= 1
        bv = (bv << 1) & U64
        bm = (bm << 1) & U64
    return accv, accm


def t_intersect(av: int, am: int, bv: int, bm: int) -> tuple[int, int]:
    v = av | bv
    mu = am & bm
    return v & ~mu, mu


def t_arshift(v: int, m: int, shift: int, bitness: int) -> tuple[int, int]:
    """tnum_arshift(): arithmetic shift of a 32-bit (zero-extended result) or 64-bit tnum."""
    if bitness == 32:
        v &= U32
        m &= U32
        if v & S32_MIN_BIT:
            v -= 1 << 32
        if m & S32_MIN_BIT:
            m -= 1 << 32
        return (v >> shift) & U32, (m >> shift) & U32
    if v & S64_MIN_BIT:
        v -= 1 << 64
    if m & S64_MIN_BIT:
        m -= 1 << 64
    return (v >> shift) & U64, (m >> shift) & U64


def t_overlap(av: int, am: int, bv: int, bm: int) -> bool:
    """tnum_overlap(): some value is a member of both (their known bits agree)."""
    mu = ~am & ~bm
    return (av & mu) == (bv & mu)


def t_next_member(v: int, m: int, y: int) -> int | None:
    """The smallest member of (v; m) that is >= y, or None when there is none (y > v | m)."""
    if y <= v:
        return v
    if y > v | m:
        return None
    diff = (y ^ v) & ~m  # fixed bits where y disagrees with the tnum
    if not diff:
        return y
    i = diff.bit_length() - 1
    if v >> i & 1:  # y has 0 where a 1 is required: set it, lowest members below
        return (y >> (i + 1) << (i + 1)) | (1 << i) | (v & ((1 << i) - 1))
    # y has 1 where a 0 is required: carry into the lowest free bit above i that y leaves 0
    free = m & ~y & ~((1 << (i + 1)) - 1)
    if not free:
        return None
    j = (free & -free).bit_length() - 1
    return (y >> (j + 1) << (j + 1)) | (1 << j) | (v & ((1 << j) - 1))


def t_in(av: int, am: int, bv: int, bm: int) -> bool:
    """tnum_in(a, b): every member of b is a member of a."""
    if bm & ~am:
        return False
    return av == bv & ~am


# ---------------------------------------------------------------- the public class


@mypyc_attr(native_class=False)  # (built with object.__new__: mypyc compiles its methods, not the class)
class Tnum:
    """An immutable tristate number (value; mask), both unsigned 64-bit ints."""

    __slots__ = ("value", "mask")

    value: int
    mask: int

    def __init__(self, value: int, mask: int) -> None:
        object.__setattr__(self, "value", value & U64)
        object.__setattr__(self, "mask", mask & U64)

    def __setattr__(self, name: str, val: object) -> None:
        raise AttributeError("Tnum is immutable")

    @classmethod
    def _raw(cls, value: int, mask: int) -> Tnum:
        """Build from already-masked ints (no normalisation)."""
        t = object.__new__(cls)
        object.__setattr__(t, "value", value)
        object.__setattr__(t, "mask", mask)
        return t

    # constructors
    @classmethod
    def const(cls, value: int) -> Tnum:
        return cls._raw(value & U64, 0)

    @classmethod
    def unknown(cls) -> Tnum:
        return TNUM_UNKNOWN

    @classmethod
    def range(cls, lo: int, hi: int) -> Tnum:
        return cls._raw(*t_range(lo & U64, hi & U64))

    # shifts
    def lshift(self, shift: int) -> Tnum:
        return Tnum._raw((self.value << shift) & U64, (self.mask << shift) & U64)

    def rshift(self, shift: int) -> Tnum:
        return Tnum._raw(self.value >> shift, self.mask >> shift)

    def arshift(self, shift: int, insn_bitness: int = 64) -> Tnum:
        return Tnum._raw(*t_arshift(self.value, self.mask, shift, insn_bitness))

    # arithmetic and logic
    def add(self, other: Tnum) -> Tnum:
        return Tnum._raw(*t_add(self.value, self.mask, other.value, other.mask))

    def sub(self, other: Tnum) -> Tnum:
        return Tnum._raw(*t_sub(self.value, self.mask, other.value, other.mask))

    def neg(self) -> Tnum:
        return Tnum._raw(*t_sub(0, 0, self.value, self.mask))

    def and_(self, other: Tnum) -> Tnum:
        return Tnum._raw(*t_and(self.value, self.mask, other.value, other.mask))

    def or_(self, other: Tnum) -> Tnum:
        return Tnum._raw(*t_or(self.value, self.mask, other.value, other.mask))

    def xor(self, other: Tnum) -> Tnum:
        return Tnum._raw(*t_xor(self.value, self.mask, other.value, other.mask))

    def mul(self, other: Tnum) -> Tnum:
        return Tnum._raw(*t_mul(self.value, self.mask, other.value, other.mask))

    def intersect(self, other: Tnum) -> Tnum:
        return Tnum._raw(*t_intersect(self.value, self.mask, other.value, other.mask))

    def union(self, other: Tnum) -> Tnum:
        return Tnum._raw(*t_union(self.value, self.mask, other.value, other.mask))

    def cast(self, size: int) -> Tnum:
        """tnum_cast(): keep the low `size` bytes."""
        if size >= 8:
            return self
        keep = (1 << (size * 8)) - 1
        return Tnum._raw(self.value & keep, self.mask & keep)

    # queries
    @property
    def is_const(self) -> bool:
        return not self.mask

    @property
    def is_unknown(self) -> bool:
        return self.mask == U64

    def is_aligned(self, size: int) -> bool:
        if not size:
            return True
        return not ((self.value | self.mask) & (size - 1))

    def in_(self, other: Tnum) -> bool:
        """tnum_in(self, other): every member of `other` is a member of self."""
        return t_in(self.value, self.mask, other.value, other.mask)

    def overlap(self, other: Tnum) -> bool:
        return t_overlap(self.value, self.mask, other.value, other.mask)

    def contains_value(self, x: int) -> bool:
        return (x & U64 & ~self.mask) == self.value

    # 32-bit sub-register views
    def subreg(self) -> Tnum:
        return Tnum._raw(self.value & U32, self.mask & U32)

    def clear_subreg(self) -> Tnum:
        return Tnum._raw(self.value & ~U32 & U64, self.mask & ~U32 & U64)

    def with_subreg(self, subreg: Tnum) -> Tnum:
        return Tnum._raw(
            (self.value & ~U32 & U64) | (subreg.value & U32), (self.mask & ~U32 & U64) | (subreg.mask & U32)
        )

    def const_subreg(self, value: int) -> Tnum:
        return self.with_subreg(Tnum.const(value & U32))

    @property
    def subreg_is_const(self) -> bool:
        return not (self.mask & U32)

    # value semantics
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tnum) and self.value == other.value and self.mask == other.mask

    def __hash__(self) -> int:
        return hash((self.value, self.mask))

    def __iter__(self):
        yield self.value
        yield self.mask

    def __repr__(self) -> str:
        return f"Tnum({self.value:#x}, {self.mask:#x})"

    def __str__(self) -> str:
        """tnum_strn(): "(0x0; 0xff)"."""
        return f"({self.value:#x}; {self.mask:#x})"

    def sbin(self, bits: int = 64) -> str:
        """tnum_sbin(): one character per bit, most significant first: 0, 1 or x."""
        out = []
        for i in range(bits - 1, -1, -1):
            bit = 1 << i
            out.append("x" if self.mask & bit else ("1" if self.value & bit else "0"))
        return "".join(out)


TNUM_UNKNOWN: Final = Tnum._raw(0, U64)
