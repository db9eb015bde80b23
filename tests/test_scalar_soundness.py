"""Soundness of the scalar domain: every concrete result is a member of the abstract result."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_scalar_strategies import (
    ALU_OPS,
    U32,
    U64,
    abstract_with_member,
    concrete_alu,
    sext,
)

FAST = settings(max_examples=400, deadline=None)


def well_formed(s) -> bool:
    return (
        not s.is_empty()
        and s.value & s.mask == 0
        and 0 <= s.umin <= s.umax <= U64
        and -(1 << 63) <= s.smin <= s.smax < (1 << 63)
        and 0 <= s.u32min <= s.u32max <= U32
        and -(1 << 31) <= s.s32min <= s.s32max < (1 << 31)
    )


@FAST
@given(abstract_with_member(), abstract_with_member(), st.sampled_from(ALU_OPS), st.booleans())
def test_alu_is_sound(da, sb, op, is64):
    (a, x), (b, y) = da, sb
    assert a.contains_value(x) and b.contains_value(y)
    r = a.alu(op, b, is64)
    assert well_formed(r)
    c = concrete_alu(op, x, y, is64)
    if c is not None:
        assert r.contains_value(c), (str(a), x, op, str(b), y, is64, str(r), c)


@FAST
@given(abstract_with_member(), st.sampled_from([1, 2, 3, 4, 7, 8, 31, 32, 33, 63]), st.sampled_from(["lsh", "rsh", "arsh"]),
       st.booleans())
def test_const_shifts_are_sound(da, k, op, is64):
    a, x = da
    from verifier.abstract.scalar import Scalar

    r = a.alu(op, Scalar.const(k), is64)
    c = concrete_alu(op, x, k, is64)
    if c is not None:
        assert r.contains_value(c), (str(a), x, op, k, is64, str(r), c)


@FAST
@given(abstract_with_member(), st.booleans())
def test_neg_is_sound(da, is64):
    a, x = da
    r = a.neg(is64)
    assert well_formed(r)
    assert r.contains_value((-x) & (U64 if is64 else U32))


@FAST
@given(abstract_with_member(), st.sampled_from([8, 16, 32]))
def test_sext_is_sound(da, bits):
    a, x = da
    r = a.sext(bits)
    assert r.contains_value(sext(x, bits) & U64)
    r_sub = a.sext(bits, from_subreg=True)  # the rule of builds with movsx_range_from_subreg
    assert well_formed(r_sub)
    assert r_sub.contains_value(sext(x, bits) & U64)
    if bits < 32:
        r32 = a.sext32(bits)
        assert well_formed(r32)
        assert r32.contains_value(sext(x, bits) & U32)


@FAST
@given(abstract_with_member(), st.sampled_from([1, 2, 4, 8]))
def test_truncate_and_sext_load_are_sound(da, n):
    a, x = da
    keep = (1 << (8 * n)) - 1
    t = a.truncate(n)
    assert well_formed(t)
    assert t.contains_value(x & keep)
    assert a.sext_load(n).contains_value(sext(x, 8 * n) & U64)
    assert a.sext_load(n, from_subreg=True).contains_value(sext(x, 8 * n) & U64)


@FAST
@given(abstract_with_member())
def test_zext32_and_sync_are_sound(da):
    a, x = da
    z = a.zext32()
    assert well_formed(z)
    assert z.contains_value(x & U32)
    assert a.sync().contains_value(x)


@FAST
@given(abstract_with_member(), st.sampled_from([16, 32, 64]), st.sampled_from([None, True, False]), st.booleans())
def test_bswap_is_unknown(da, size, to_be, is64):
    a, _ = da
    assert a.bswap(size, to_be, is64).is_unknown


@FAST
@given(abstract_with_member(), abstract_with_member())
def test_contains_means_member_inclusion(da, sb):
    (a, _), (b, y) = da, sb
    if a.contains(b):
        assert a.contains_value(y)
    assert a.contains(a)
