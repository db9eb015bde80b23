"""The scalar domain against results the Linux verifier is known to produce."""

from __future__ import annotations

import pytest

from verifier.abstract.scalar import Scalar
from verifier.abstract.tnum import Tnum

U64 = (1 << 64) - 1
U32 = (1 << 32) - 1
U = Scalar.unknown()
C = Scalar.const


def test_constants():
    assert C(-1).const_value == U64 and C(-1).smin == -1 and C(-1).s32min == -1 and C(-1).u32max == U32
    assert C(1 << 64).const_value == 0
    assert C(5).is_const and not U.is_const and U.is_unknown
    assert str(C(0)) == "0" and str(C(-1)) == "-1" and str(C(0xFFFFFFFF)) == "0xffffffff"
    assert str(U) == "scalar()"


def test_unknown_and_0xff():
    r = U.alu("and", C(0xFF), True)
    assert (r.umin, r.umax, r.smin, r.smax) == (0, 255, 0, 255)
    assert r.var_off == Tnum(0, 0xFF)
    assert str(r) == "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))"


def test_masked_plus_four():
    r = U.alu("and", C(0xF), True).alu("add", C(4), True)
    assert (r.umin, r.umax) == (4, 19)
    assert (r.smin, r.smax) == (4, 19)


def test_alu32_add_zero_extends():
    r = U.alu("add", C(1), False)
    assert (r.umin, r.umax, r.smin, r.smax) == (0, U32, 0, U32)
    assert r.var_off == Tnum(0, U32)
    assert str(r) == "scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))"
    assert C(0xFFFFFFFF).alu("add", C(1), False) == C(0)
    assert C(-1).alu("add", C(2), False) == C(1)


def test_constant_folding():
    assert C(6).alu("mul", C(7), True) == C(42)
    assert C(1).alu("lsh", C(63), True) == C(1 << 63)
    assert C(-8).alu("arsh", C(1), True) == C(-4)
    assert C(-8).alu("arsh", C(1), False) == C(0xFFFFFFFC)
    assert C(-8).alu("rsh", C(60), True) == C(0xF)
    assert C(5).neg(True) == C(-5) and C(5).neg(False) == C(0xFFFFFFFB)


def test_div_mod_are_unknown_as_in_the_kernel():
    # 6.18's is_safe_to_compute_dst_reg_range() refuses BPF_DIV/BPF_MOD: __mark_reg_unknown, no zext
    assert C(10).alu("div", C(2), True).is_unknown
    assert C(10).alu("mod", C(3), False).is_unknown
    assert C(10).alu_signed_divmod("div", C(2), True).is_unknown
    assert C(10).alu(0x30, C(2), True).is_unknown  # BPF_DIV by opcode


def test_shift_by_unknown_or_too_far_is_unknown():
    assert C(1).alu("lsh", U, True).is_unknown
    assert U.alu("lsh", C(64), True).is_unknown
    assert U.alu("rsh", C(32), False).is_unknown
    assert not U.alu("rsh", C(32), True).is_unknown


def test_shifts():
    b = Scalar.from_size(1)
    r = b.alu("lsh", C(3), True)
    assert (r.umin, r.umax) == (0, 0x7F8) and r.var_off == Tnum(0, 0x7F8)
    r = U.alu("rsh", C(56), True)
    assert (r.umin, r.umax) == (0, 255)
    r = U.alu("arsh", C(56), True)
    assert (r.smin, r.smax) == (-128, 127)
    # the <<32 s>>32 sign-extension idiom keeps a non-negative 32-bit range
    w = Scalar.from_urange(0, 100).alu("lsh", C(32), True)
    assert (w.smin, w.smax) == (0, 100 << 32)
    assert w.alu("arsh", C(32), True).umax == 100


def test_add_overflow_handling():
    r = Scalar.from_urange(U64 - 1, U64).alu("add", C(2), True)
    assert (r.umin, r.umax) == (0, 1)  # both ends wrap: the range stays exact
    r = Scalar.from_urange(U64 - 1, U64).alu("add", Scalar.from_urange(0, 1), True)
    assert (r.umin, r.umax) == (0, U64)  # only some additions wrap
    r = Scalar.from_srange(-5, 5).alu("sub", C(1), True)
    assert (r.smin, r.smax) == (-6, 4)


def test_mul_signed_products():
    r = Scalar.from_srange(-3, 2).alu("mul", Scalar.from_srange(-4, 5), True)
    assert (r.smin, r.smax) == (-15, 12)


def test_neg_of_a_range():
    r = Scalar.from_srange(-5, 10).neg(True)
    assert (r.smin, r.smax) == (-10, 5)


def test_or_and_xor_bounds():
    r = Scalar.from_size(1).alu("or", C(0x100), True)
    assert (r.umin, r.umax) == (0x100, 0x1FF)
    r = Scalar.from_size(1).alu("xor", C(0xFF), True)
    assert (r.umin, r.umax) == (0, 0xFF)


def test_from_size_and_truncate():
    for n, top in ((1, 0xFF), (2, 0xFFFF), (4, U32)):
        s = Scalar.from_size(n)
        assert (s.umin, s.umax, s.smin, s.smax, s.var_off) == (0, top, 0, top, Tnum(0, top))
    assert Scalar.from_size(8).is_unknown
    assert C(0x1234).truncate(1) == C(0x34)
    r = Scalar.from_urange(0x100, 0x1FF).truncate(1)
    assert (r.umin, r.umax) == (0, 0xFF)
    r = Scalar.from_urange(0x105, 0x107).truncate(1)
    assert (r.umin, r.umax) == (5, 7)
    with pytest.raises(ValueError):
        Scalar.from_size(0)


def test_sign_extension():
    assert C(0x80).sext(8) == C(-128)
    assert C(0x80).sext32(8) == C(0xFFFFFF80)
    r = Scalar.from_size(1).sext(8)
    assert (r.smin, r.smax, r.umin, r.umax) == (-128, 127, 0, U64)
    r = Scalar.from_urange(0x80, 0x90).sext(8)
    assert (r.smin, r.smax) == (-128, -112)
    r = Scalar.from_urange(0, 0x7F).sext_load(1)
    assert (r.smin, r.smax, r.umin, r.umax) == (0, 0x7F, 0, 0x7F)
    r = U.sext32(16)
    assert (r.s32min, r.s32max, r.umax) == (-32768, 32767, U32)
    with pytest.raises(ValueError):
        U.sext(12)


def test_zext32():
    assert C(-1).zext32() == C(U32)
    r = Scalar.from_srange(-1, 1).zext32()
    assert (r.umin, r.umax) == (0, U32)
    r = Scalar.from_urange(5, 9).zext32()
    assert (r.umin, r.umax, r.smin, r.smax) == (5, 9, 5, 9)


def test_bswap_is_unknown_in_6_18():
    assert C(0x1234).bswap(16, True, False).is_unknown


def test_deduction_between_views():
    # a non-negative signed range gives the same unsigned range, and the tnum learns the bits
    r = Scalar.from_srange(0, 1000)
    assert (r.umin, r.umax) == (0, 1000) and r.var_off == Tnum(0, 0x3FF)
    # signed range across zero wraps in u64
    r = Scalar.from_srange(-1, 1)
    assert (r.umin, r.umax) == (0, U64) and (r.s32min, r.s32max) == (-1, 1)
    # 64-bit range with constant upper half gives the 32-bit ranges
    r = Scalar.from_urange(0x1_0000_000A, 0x1_0000_000F)
    assert (r.u32min, r.u32max, r.s32min, r.s32max) == (10, 15, 10, 15)


def test_contains_is_regsafe():
    wide = Scalar.from_urange(0, 100)
    narrow = Scalar.from_urange(10, 20)
    assert wide.contains(narrow) and not narrow.contains(wide)
    assert U.contains(wide) and U.contains(C(5))
    assert wide.contains(C(5)) and not wide.contains(C(500))


def test_hashable_and_equal_by_value():
    assert hash(Scalar.from_urange(1, 5)) == hash(Scalar.from_urange(1, 5))
    assert len({C(1), C(1), U, Scalar.unknown()}) == 2


def test_string_forms():
    assert str(Scalar.from_srange(-5, 5)) == "scalar(smin=smin32=-5,smax=smax32=5)"
    assert str(Scalar.from_urange(0x1000, 0x2000)).startswith("scalar(smin=umin=smin32=umin32=4096,")
    assert str(Scalar.from_urange(0x10000, 0x20000)).startswith("scalar(smin=umin=smin32=umin32=0x10000,")


def test_unknown_op_is_rejected():
    with pytest.raises(ValueError):
        U.alu("rol", C(1), True)
