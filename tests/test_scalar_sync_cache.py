"""reg_bounds_sync(), Scalar.alu() and branch refinement are memoised: the cached answer is the
computed one."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_scalar_strategies import ALU_OPS, COND_OPS, abstract_with_member, values64
from verifier.abstract import branch, scalar
from verifier.abstract.scalar import _W, S32_MAX, S32_MIN, S64_MAX, S64_MIN, U32, U64


def _fields(w: _W) -> tuple:
    return (w.v, w.m, w.smin, w.smax, w.umin, w.umax, w.s32min, w.s32max, w.u32min, w.u32max)


def _both(fields: tuple) -> None:
    expected = _W.of(fields)
    scalar._sync_uncached(expected)
    for _ in range(2):  # a miss that fills the cache, then a hit
        w = _W.of(fields)
        scalar._sync(w)
        assert _fields(w) == _fields(expected)


@settings(max_examples=300, deadline=None)
@given(abstract_with_member(), abstract_with_member())
def test_cached_sync_of_domain_values(a, b):
    (sa, _), (sb, _) = a, b
    # mixes of two scalars' fields: bounds a sync has not seen together yet
    _both(tuple(sa))
    _both(tuple(sa[:2]) + tuple(sb[2:]))
    _both(tuple(sb[:6]) + tuple(sa[6:]))


@settings(max_examples=300, deadline=None)
@given(
    values64,
    values64,
    st.integers(S64_MIN, S64_MAX),
    st.integers(S64_MIN, S64_MAX),
    values64,
    values64,
    st.integers(S32_MIN, S32_MAX),
    st.integers(S32_MIN, S32_MAX),
    st.integers(0, U32),
    st.integers(0, U32),
)
def test_cached_sync_of_raw_fields(v, m, smin, smax, umin, umax, s32min, s32max, u32min, u32max):
    _both((v & ~m & U64, m, smin, smax, umin, umax, s32min, s32max, u32min, u32max))


def test_cache_stays_bounded():
    for i in range(scalar._SYNC_CACHE_MAX + 10):
        scalar._sync(_W.of(scalar.Scalar.const(i)))
    assert len(scalar._SYNC_CACHE) <= scalar._SYNC_CACHE_MAX


@settings(max_examples=200, deadline=None)
@given(abstract_with_member(), abstract_with_member(), st.sampled_from(ALU_OPS), st.booleans())
def test_cached_alu(a, b, op, is64):
    (sa, _), (sb, _) = a, b
    expected = sa._alu(op, sb, is64)
    assert sa.alu(op, sb, is64) == expected  # a miss, then a hit
    assert sa.alu(op, sb, is64) == expected


@settings(max_examples=200, deadline=None)
@given(abstract_with_member(), abstract_with_member(), st.sampled_from(COND_OPS), st.booleans(), st.booleans())
def test_cached_refine(a, b, op, is32, taken):
    (sa, _), (sb, _) = a, b
    expected = branch._refine(sa, sb, op, is32, taken, False)
    assert branch.refine(sa, sb, op, is32, taken) == expected
    assert branch.refine(sa, sb, op, is32, taken) == expected
