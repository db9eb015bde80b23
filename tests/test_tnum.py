"""The tnum domain: soundness of every operation over members, and the kernel's known results."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.abstract.tnum import Tnum

U64 = (1 << 64) - 1
U32 = (1 << 32) - 1


@st.composite
def tnum_with_member(draw):
    x = draw(st.one_of(st.integers(0, U64), st.integers(0, 300), st.sampled_from([U64, 1 << 63, U32, 1 << 31])))
    mask = draw(st.one_of(st.integers(0, U64), st.sampled_from([0, 1, 0xF, 0xFF, U32, U64, 0xF0F0])))
    return Tnum(x & ~mask, mask), x


FAST = settings(max_examples=400, deadline=None)

BINARY = {
    "add": (Tnum.add, lambda a, b: a + b),
    "sub": (Tnum.sub, lambda a, b: a - b),
    "and_": (Tnum.and_, lambda a, b: a & b),
    "or_": (Tnum.or_, lambda a, b: a | b),
    "xor": (Tnum.xor, lambda a, b: a ^ b),
    "mul": (Tnum.mul, lambda a, b: a * b),
    "union": (Tnum.union, None),
}


@FAST
@given(tnum_with_member(), tnum_with_member(), st.sampled_from(sorted(BINARY)))
def test_binary_ops_are_sound(ta, tb, name):
    (a, x), (b, y) = ta, tb
    fn, conc = BINARY[name]
    r = fn(a, b)
    assert r.value & r.mask == 0
    if conc is None:  # union holds both operands' members
        assert r.contains_value(x) and r.contains_value(y)
    else:
        assert r.contains_value(conc(x, y) & U64)


@FAST
@given(tnum_with_member(), st.integers(0, 63))
def test_shifts_are_sound(ta, k):
    a, x = ta
    assert a.lshift(k).contains_value(x << k)
    assert a.rshift(k).contains_value(x >> k)
    sx = x - (1 << 64) if x >> 63 else x
    assert a.arshift(k, 64).contains_value(sx >> k)
    if k < 32:
        x32 = x & U32
        s32 = x32 - (1 << 32) if x32 >> 31 else x32
        assert a.arshift(k, 32).contains_value((s32 >> k) & U32)


@FAST
@given(tnum_with_member(), st.sampled_from([1, 2, 4, 8]))
def test_neg_cast_subreg_are_sound(ta, size):
    a, x = ta
    assert a.neg().contains_value(-x)
    assert a.cast(size).contains_value(x & ((1 << (8 * size)) - 1))
    assert a.subreg().contains_value(x & U32)
    assert a.clear_subreg().contains_value(x & ~U32)


@FAST
@given(st.integers(0, U64), st.integers(0, U64), st.integers(0, U64))
def test_range_holds_its_interval(lo, hi, x):
    lo, hi = min(lo, hi), max(lo, hi)
    r = Tnum.range(lo, hi)
    for v in (lo, hi, lo + (x % (hi - lo + 1))):
        assert r.contains_value(v)


@FAST
@given(tnum_with_member(), tnum_with_member())
def test_in_and_intersect(ta, tb):
    (a, x), (b, y) = ta, tb
    if a.in_(b):
        assert a.contains_value(y)
    if b.contains_value(x):
        assert a.intersect(b).contains_value(x)
    assert a.in_(a)
    assert Tnum.unknown().in_(a)


def test_known_results():
    assert str(Tnum.const(0)) == "(0x0; 0x0)"
    assert str(Tnum.unknown()) == "(0x0; 0xffffffffffffffff)"
    assert Tnum.range(0, 255) == Tnum(0, 0xFF)
    assert Tnum.range(4, 7) == Tnum(4, 3)
    assert Tnum.range(0, U64).is_unknown
    assert Tnum.range(5, 5) == Tnum.const(5)
    assert Tnum.unknown().and_(Tnum.const(0xFF)) == Tnum(0, 0xFF)
    assert Tnum(0, 0xF).add(Tnum.const(4)) == Tnum(0, 0x1F)
    assert Tnum.const(3).mul(Tnum.const(5)) == Tnum.const(15)
    assert Tnum(0, 1).mul(Tnum.const(4)) == Tnum(0, 4)
    assert Tnum.const(0x80000000).arshift(4, 32) == Tnum.const(0xF8000000)
    assert Tnum.const(1 << 63).arshift(4, 64) == Tnum.const(0xF8 << 56)
    assert Tnum(0, 0xFF).is_aligned(1) and not Tnum(0, 0xFF).is_aligned(4) and Tnum(8, 0xF0).is_aligned(8)
    assert Tnum(0x1234_0000_0000, 0xFF).with_subreg(Tnum.const(7)) == Tnum(0x1234_0000_0007, 0)
    assert Tnum(0x1_0000_0005, 0).const_subreg(9) == Tnum(0x1_0000_0009, 0)
    assert Tnum.const(5).is_const and not Tnum(0, 1).is_const
    assert Tnum(0, 1).sbin(4) == "000x"


def test_immutable_and_hashable():
    t = Tnum(1, 2)
    assert hash(t) == hash(Tnum(1, 2)) and t == Tnum(1, 2) and t != Tnum(1, 0)
    try:
        t.value = 3  # type: ignore[misc]
    except AttributeError:
        pass
    else:
        raise AssertionError("Tnum must be immutable")


@FAST
@given(tnum_with_member(), st.integers(0, U64))
def test_next_member(ta, y):
    from verifier.abstract.tnum import t_next_member

    a, x = ta
    n = t_next_member(a.value, a.mask, y)
    if n is None:
        assert y > (a.value | a.mask)
    else:
        assert n >= y and a.contains_value(n)
        if y <= x:
            assert n <= x  # no member between y and n is skipped
