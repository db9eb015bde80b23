"""Branch prediction and refinement: never lie, never drop a feasible concrete pair; kernel outcomes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_scalar_strategies import COND_OPS, U64, abstract_with_member, concrete_cond
from verifier.abstract.branch import NEGATED, branch_taken, refine
from verifier.abstract.scalar import Scalar

FAST = settings(max_examples=500, deadline=None)


@FAST
@given(abstract_with_member(), abstract_with_member(), st.sampled_from(COND_OPS), st.booleans())
def test_branch_taken_never_lies(da, sb, op, is32):
    (a, x), (b, y) = da, sb
    holds = concrete_cond(op, x, y, is32)
    pred = branch_taken(a, b, op, is32)
    assert pred in (-1, 0, 1)
    if pred == 1:
        assert holds, (str(a), x, op, str(b), y, is32)
    if pred == 0:
        assert not holds, (str(a), x, op, str(b), y, is32)


@FAST
@given(abstract_with_member(), abstract_with_member(), st.sampled_from(COND_OPS), st.booleans())
def test_refine_keeps_every_feasible_pair(da, sb, op, is32):
    (a, x), (b, y) = da, sb
    holds = concrete_cond(op, x, y, is32)
    res = refine(a, b, op, is32, holds)
    assert res is not None, (str(a), x, op, str(b), y, is32, holds)
    ra, rb = res
    assert ra.contains_value(x), (str(a), x, op, str(b), y, is32, holds, str(ra))
    assert rb.contains_value(y), (str(a), x, op, str(b), y, is32, holds, str(rb))


@FAST
@given(abstract_with_member(), st.sampled_from(COND_OPS), st.booleans())
def test_same_register(da, op, is32):
    a, x = da
    pred = branch_taken(a, a, op, is32, same_reg=True)
    if pred != -1:
        assert pred == concrete_cond(op, x, x, is32)
    assert refine(a, a, op, is32, True, same_reg=True) == (a, a)


def test_negations_are_involutions():
    for op in COND_OPS:
        assert NEGATED[NEGATED[op]] == op


# ------------------------------------------------------------ known kernel outcomes

U = Scalar.unknown()
C = Scalar.const


def test_jgt_const_splits_unsigned_range():
    taken, _ = refine(U, C(5), "jgt", False, True)
    fall, _ = refine(U, C(5), "jgt", False, False)
    assert (taken.umin, taken.umax) == (6, U64)
    assert str(taken) == "scalar(umin=6)"
    assert (fall.umin, fall.umax) == (0, 5)
    assert str(fall) == "scalar(smin=smin32=0,smax=umax=smax32=umax32=5,var_off=(0x0; 0x7))"


def test_range_decides_branch():
    r = Scalar.from_urange(0, 10)
    assert branch_taken(r, C(10), "jgt", False) == 0
    assert branch_taken(r, C(10), "jle", False) == 1
    assert branch_taken(r, C(9), "jgt", False) == -1
    assert branch_taken(r, C(11), "jlt", False) == 1
    assert branch_taken(r, C(11), "jeq", False) == 0
    assert branch_taken(r, C(11), "jne", False) == 1


def test_signed_compare_on_unsigned_small_range():
    r = Scalar.from_urange(0, 10)
    assert branch_taken(r, C(-1), "jsgt", False) == 1
    assert branch_taken(r, C(-1), "jgt", False) == 0


def test_constants_are_decided():
    assert branch_taken(C(3), C(3), "jeq", False) == 1
    assert branch_taken(C(3), C(4), "jeq", False) == 0
    assert branch_taken(C(0x100000003), C(3), "jeq", True) == 1
    assert branch_taken(C(0x100000003), C(3), "jeq", False) == 0


def test_jset():
    low = U.alu("and", C(0xF0), True)
    assert branch_taken(low, C(0x0F), "jset", False) == 0
    assert branch_taken(low.alu("or", C(0x10), True), C(0x10), "jset", False) == 1
    assert branch_taken(low, C(0x10), "jset", False) == -1
    taken, _ = refine(U, C(8), "jset", False, True)
    assert taken.value == 8 and taken.umin == 8
    fall, _ = refine(U, C(8), "jset", False, False)
    assert fall.mask == U64 & ~8
    # a multi-bit mask teaches nothing on the taken side
    taken3, _ = refine(U, C(3), "jset", False, True)
    assert taken3 == U


def test_jne_at_range_edge_shrinks():
    r = Scalar.from_urange(0, 10)
    fall, _ = refine(r, C(0), "jeq", False, False)
    assert fall.umin == 1
    fall, _ = refine(r, C(10), "jeq", False, False)
    assert fall.umax == 9


def test_jeq_intersects_both_sides():
    a = Scalar.from_urange(0, 100)
    b = Scalar.from_urange(50, 200)
    ra, rb = refine(a, b, "jeq", False, True)
    assert (ra.umin, ra.umax) == (50, 100) == (rb.umin, rb.umax)


def test_jmp32_refines_the_subregister_only():
    taken, _ = refine(U, C(10), "jlt", True, True)
    assert taken.u32max == 9
    assert taken.umax == U64 - (0xFFFFFFFF - 9)  # mixed deduction: low half <= 9


def test_impossible_side_is_none():
    r = Scalar.from_urange(0, 10)
    assert refine(r, C(20), "jgt", False, True) is None
    assert refine(r, C(20), "jlt", False, False) is None
    assert refine(C(5), C(5), "jne", False, True) is None
    assert refine(C(5), C(5), "jeq", False, False) is None


def test_unknown_operation_is_rejected():
    with pytest.raises(ValueError):
        branch_taken(U, U, "jfoo", False)
    with pytest.raises(ValueError):
        refine(U, U, "jset_not", False, True)
