"""The scalar abstract domain of the Linux verifier (recent 6.x, checked against 6.18 semantics).

A `Scalar` is the numeric part of a `bpf_reg_state`: a tnum `var_off` plus
signed/unsigned bounds in 64-bit and 32-bit (sub-register) views. The
operations mirror `adjust_scalar_min_max_vals()` and its helpers in
kernel/bpf/verifier.c: `scalar{32,}_min_max_{add,sub,mul,and,or,xor,lsh,rsh,arsh}`,
`__update_reg_bounds`, `__reg_deduce_bounds` (32, 64 and mixed),
`__reg_bound_offset`, `reg_bounds_sync`, `zext_32_to_64`, `coerce_reg_to_size`,
`coerce_reg_to_size_sx`, `coerce_subreg_to_size_sx`.

Representation: a tuple subclass of ten ints
`(value, mask, smin, smax, umin, umax, s32min, s32max, u32min, u32max)`
so hashing and equality run in C; `var_off` is rebuilt as a `Tnum` on access.
Signed bounds are Python negative ints, unsigned ones 0..2^n-1.

Where the kernel gives up, so does this module, on purpose: a result this
domain knows but the kernel does not would make bpfcheck accept programs the
kernel rejects. In 6.18: BPF_DIV/BPF_MOD (signed or not), BPF_END, and shifts
by a non-constant or out-of-range amount give a fully unknown 64-bit scalar
(no zero-extension even for 32-bit ops, as `__mark_reg_unknown` does).
"""

from __future__ import annotations

from operator import itemgetter
from typing import Final

from mypy_extensions import mypyc_attr

from verifier.abstract.tnum import (
    Tnum,
    t_add,
    t_and,
    t_arshift,
    t_in,
    t_intersect,
    t_mul,
    t_next_member,
    t_or,
    t_range,
    t_sub,
    t_xor,
)

U64: Final = (1 << 64) - 1
U32: Final = (1 << 32) - 1
S64_MIN: Final = -(1 << 63)
S64_MAX: Final = (1 << 63) - 1
S32_MIN: Final = -(1 << 31)
S32_MAX: Final = (1 << 31) - 1
_HI32: Final = U64 & ~U32


def _s64(x: int) -> int:
    x &= U64
    return x - (1 << 64) if x >> 63 else x


def _s32(x: int) -> int:
    x &= U32
    return x - (1 << 32) if x >> 31 else x


# ---------------------------------------------------------------- working register


class _W:
    """A mutable bpf_reg_state (numeric fields only) for the kernel's in-place algorithms."""

    __slots__ = ("v", "m", "smin", "smax", "umin", "umax", "s32min", "s32max", "u32min", "u32max")

    v: int
    m: int
    smin: int
    smax: int
    umin: int
    umax: int
    s32min: int
    s32max: int
    u32min: int
    u32max: int

    @staticmethod
    def of(s: tuple) -> _W:
        w = _W()
        (w.v, w.m, w.smin, w.smax, w.umin, w.umax, w.s32min, w.s32max, w.u32min, w.u32max) = s
        return w

    def freeze(self) -> Scalar:
        return tuple.__new__(
            Scalar,
            (
                self.v,
                self.m,
                self.smin,
                self.smax,
                self.umin,
                self.umax,
                self.s32min,
                self.s32max,
                self.u32min,
                self.u32max,
            ),
        )


def _mark_known(w: _W, imm: int) -> None:
    """__mark_reg_known()"""
    imm &= U64
    w.v, w.m = imm, 0
    w.smin = w.smax = _s64(imm)
    w.umin = w.umax = imm
    w.s32min = w.s32max = _s32(imm)
    w.u32min = w.u32max = imm & U32


def _mark32_known(w: _W, imm: int) -> None:
    """__mark_reg32_known(): var_off = tnum_const_subreg(var_off, imm)."""
    imm &= U32
    w.v = (w.v & _HI32) | imm
    w.m &= _HI32
    w.s32min = w.s32max = _s32(imm)
    w.u32min = w.u32max = imm


def _unbounded64(w: _W) -> None:
    w.smin, w.smax, w.umin, w.umax = S64_MIN, S64_MAX, 0, U64


def _unbounded32(w: _W) -> None:
    w.s32min, w.s32max, w.u32min, w.u32max = S32_MIN, S32_MAX, 0, U32


def _update32(w: _W) -> None:
    """__update_reg32_bounds(): learn 32-bit bounds from the tnum."""
    v = w.v & U32
    m = w.m & U32
    lo = _s32(v | (m & 0x80000000))
    hi = _s32(v | (m & 0x7FFFFFFF))
    if lo > w.s32min:
        w.s32min = lo
    if hi < w.s32max:
        w.s32max = hi
    if v > w.u32min:
        w.u32min = v
    if (v | m) < w.u32max:
        w.u32max = v | m


def _update64(w: _W) -> None:
    """__update_reg64_bounds(): learn 64-bit bounds from the tnum."""
    v, m = w.v, w.m
    lo = _s64(v | (m & (1 << 63)))
    hi = _s64(v | (m & S64_MAX))
    if lo > w.smin:
        w.smin = lo
    if hi < w.smax:
        w.smax = hi
    if v > w.umin:
        w.umin = v
    if (v | m) < w.umax:
        w.umax = v | m
    if m and w.umin <= w.umax and not _old_bounds[2]:
        # the u64 range and the tnum share a single value: it is a constant (tnum_step logic of the
        # kernel's __update_reg64_bounds, observed on the 6.18 test machine; feature tnum_step_const)
        first = t_next_member(v, m, w.umin)
        if first is not None and first <= w.umax:
            second = t_next_member(v, m, first + 1) if first < U64 else None
            if second is None or second > w.umax:
                _mark_known(w, first)


def _update(w: _W) -> None:
    """__update_reg_bounds()"""
    _update32(w)
    _update64(w)


def _deduce32(w: _W) -> None:
    """__reg32_deduce_bounds(): 32-bit bounds from 64-bit ones and from each other."""
    umin, umax, smin, smax = w.umin, w.umax, w.smin, w.smax
    if (umin >> 32) == (umax >> 32):
        if (umin & U32) > w.u32min:
            w.u32min = umin & U32
        if (umax & U32) < w.u32max:
            w.u32max = umax & U32
        a, b = _s32(umin), _s32(umax)
        if a <= b:
            w.s32min = max(w.s32min, a)
            w.s32max = min(w.s32max, b)
    if (smin >> 32) == (smax >> 32):
        a, b = smin & U32, smax & U32
        if a <= b:
            w.u32min = max(w.u32min, a)
            w.u32max = min(w.u32max, b)
        a, b = _s32(smin), _s32(smax)
        if a <= b:
            w.s32min = max(w.s32min, a)
            w.s32max = min(w.s32max, b)
    # upper halves two consecutive numbers, low halves a proper s32 range across zero
    if ((umin >> 32) + 1) & U32 == (umax >> 32) and _s32(umin) < 0 and _s32(umax) >= 0:
        w.s32min = max(w.s32min, _s32(umin))
        w.s32max = min(w.s32max, _s32(umax))
    if ((smin >> 32) + 1) & U32 == (smax >> 32) & U32 and _s32(smin) < 0 and _s32(smax) >= 0:
        w.s32min = max(w.s32min, _s32(smin))
        w.s32max = min(w.s32max, _s32(smax))
    # u32 range not crossing the s32 sign boundary
    a, b = _s32(w.u32min), _s32(w.u32max)
    if a <= b:
        w.s32min = max(w.s32min, a)
        w.s32max = min(w.s32max, b)
    # s32 range not crossing the u32 wrap point
    a, b = w.s32min & U32, w.s32max & U32
    if a <= b:
        w.u32min = max(w.u32min, a)
        w.u32max = min(w.u32max, b)
    elif w.u32max < a and not _old_bounds[2]:
        # the s32 range crosses the sign boundary and the u32 range meets only its non-negative part
        # (the 32-bit twin of the 64-bit rule below; observed on the 6.18.44 test machine, absent
        # from 6.18.2: taken with tnum_step_const)
        w.s32min = _s32(w.u32min)
        w.u32max = min(w.u32max, b)
    elif b < w.u32min and not _old_bounds[2]:
        # ... or only its negative part
        w.s32max = _s32(w.u32max)
        w.u32min = max(w.u32min, a)


def _deduce64(w: _W) -> None:
    """__reg64_deduce_bounds(): signed from unsigned and back, incl. the sign-crossing case."""
    a, b = _s64(w.umin), _s64(w.umax)
    if a <= b:
        w.smin = max(w.smin, a)
        w.smax = min(w.smax, b)
    a, b = w.smin & U64, w.smax & U64
    if a <= b:
        w.umin = max(w.umin, a)
        w.umax = min(w.umax, b)
    elif w.umax < a and not _old_bounds[3]:
        # the u64 range only meets the non-negative part of the s64 range (6.17+)
        w.smin = _s64(w.umin)
        w.umax = min(w.umax, b)
    elif b < w.umin and not _old_bounds[3]:
        # the u64 range only meets the negative part of the s64 range
        w.smax = _s64(w.umax)
        w.umin = max(w.umin, a)


def _deduce_mixed(w: _W) -> None:
    """__reg_deduce_mixed_bounds(): tighten 64-bit bounds from 32-bit knowledge."""
    new_umin = (w.umin & _HI32) | w.u32min
    new_umax = (w.umax & _HI32) | w.u32max
    if new_umin > w.umin:
        w.umin = new_umin
    if new_umax < w.umax:
        w.umax = new_umax
    new_smin = _s64((w.smin & _HI32) | w.u32min)
    new_smax = _s64((w.smax & _HI32) | w.u32max)
    if new_smin > w.smin:
        w.smin = new_smin
    if new_smax < w.smax:
        w.smax = new_smax
    # after a sign-extending load: upper 32 bits all equal and the low half non-negative
    if w.s32min >= 0 and w.smin >= S32_MIN and w.smax <= S32_MAX:
        w.smin = w.umin = w.s32min
        w.smax = w.umax = w.s32max
        rv, rm = t_range(w.smin & U64, w.smax & U64)
        w.v, w.m = t_intersect(w.v, w.m, rv, rm)


def _deduce_sign_old(smin: int, smax: int, umin: int, umax: int, bits: int) -> tuple[int, int, int, int]:
    """__reg{32,64}_deduce_bounds() before 6.8 for one width: learn the sign from the signed bounds
    when they do not cross it, else from the unsigned ones; returns (smin, smax, umin, umax)."""
    mask = (1 << bits) - 1
    sign = 1 << (bits - 1)

    def signed(x: int) -> int:
        return x - (1 << bits) if x & sign else x

    if smin >= 0 or smax < 0:
        lo = max(smin & mask, umin)
        hi = min(smax & mask, umax)
        return signed(lo), signed(hi), lo, hi
    if signed(umax) >= 0:
        hi = min(smax & mask, umax)
        return signed(umin), signed(hi), umin, hi
    if signed(umin) < 0:
        lo = max(smin & mask, umin)
        return signed(lo), signed(umax), lo, umax
    return smin, smax, umin, umax


# The kernel's bounds logic before Andrii Nakryiko's rework (6.8: __reg_deduce_mixed_bounds(), the
# 32-bit bounds learnt from 64-bit ones, reg_set_min_max() on two registers): 4.14-6.7.3 deduce
# once with `_deduce_sign_old` per width. One analysis runs at one kernel version, so the
# choice is module state, set by set_old_bounds() (which empties the memo tables it changes).
# The multiplication before 6.14 gave up on any negative operand or a product past 32 (16) bits:
# `_mul_old` (set_old_bounds(old_mul=True)).
# Without tnum_step() (before 7.2 and 6.18.44), a tnum and a u64 range sharing a single value are
# not made a constant.
# Before 6.17 __reg64_deduce_bounds() learnt nothing from s64 and u64 ranges that overlap only in part
# (the sign-crossing cases).
# [old deduction, old multiplication, no tnum_step, no 64-bit sign crossing]
_old_bounds: list[bool] = [False, False, False, False]


def set_old_bounds(old: bool, old_mul: bool = False, no_step: bool = False, no_cross: bool = False) -> None:
    """Use the pre-6.8 bounds deduction (`old`), the pre-6.14 multiplication (`old_mul`), no
    single-value constant (`no_step`) and no 64-bit sign-crossing deduction (`no_cross`), or the
    current ones."""
    flags = [old, old_mul, no_step, no_cross]
    if _old_bounds != flags:
        _old_bounds[:] = flags
        _SYNC_CACHE.clear()
        _ALU_CACHE.clear()


def old_bounds() -> tuple[bool, bool, bool, bool]:
    return _old_bounds[0], _old_bounds[1], _old_bounds[2], _old_bounds[3]


def _deduce(w: _W) -> None:
    """__reg_deduce_bounds()"""
    if _old_bounds[0]:
        w.s32min, w.s32max, w.u32min, w.u32max = _deduce_sign_old(w.s32min, w.s32max, w.u32min, w.u32max, 32)
        w.smin, w.smax, w.umin, w.umax = _deduce_sign_old(w.smin, w.smax, w.umin, w.umax, 64)
        return
    _deduce32(w)
    _deduce64(w)
    _deduce_mixed(w)


def _bound_offset(w: _W) -> None:
    """__reg_bound_offset(): learn tnum bits from the unsigned ranges."""
    rv, rm = t_range(w.umin, w.umax)
    v64, m64 = t_intersect(w.v, w.m, rv, rm)
    rv, rm = t_range(w.u32min, w.u32max)
    v32, m32 = t_intersect(v64 & U32, m64 & U32, rv, rm)
    w.v = (v64 & _HI32) | v32
    w.m = (m64 & _HI32) | m32


def _sync_uncached(w: _W) -> None:
    """reg_bounds_sync() (before 6.8 it deduced once)"""
    _update(w)
    _deduce(w)
    if not _old_bounds[0]:
        _deduce(w)
    _bound_offset(w)
    _update(w)


# reg_bounds_sync() is a pure function of the ten fields, and real programs sync the same few
# hundred values over and over (99% hits on Cilium's largest programs): remember the results.
_SYNC_CACHE: dict[tuple, tuple] = {}
_ALU_CACHE: dict[tuple, Scalar] = {}  # Scalar.alu()
_SYNC_CACHE_MAX: Final = 1 << 16


def _sync(w: _W) -> None:
    """reg_bounds_sync(), memoised (the same result as `_sync_uncached`)."""
    key = (w.v, w.m, w.smin, w.smax, w.umin, w.umax, w.s32min, w.s32max, w.u32min, w.u32max)
    r = _SYNC_CACHE.get(key)
    if r is None:
        _sync_uncached(w)
        r = (w.v, w.m, w.smin, w.smax, w.umin, w.umax, w.s32min, w.s32max, w.u32min, w.u32max)
        if len(_SYNC_CACHE) >= _SYNC_CACHE_MAX:
            _SYNC_CACHE.clear()
        _SYNC_CACHE[key] = r
    else:
        (w.v, w.m, w.smin, w.smax, w.umin, w.umax, w.s32min, w.s32max, w.u32min, w.u32max) = r


def _zext_32_to_64(w: _W) -> None:
    """zext_32_to_64(): var_off = tnum_subreg(var_off); __reg_assign_32_into_64()."""
    w.v &= U32
    w.m &= U32
    w.umin, w.umax = w.u32min, w.u32max
    if 0 <= w.s32min and 0 <= w.s32max:
        w.smin, w.smax = w.s32min, w.s32max
    else:
        w.smin, w.smax = 0, U32


# ---------------------------------------------------------------- scalar{32,}_min_max_* helpers


def _add32(w: _W, s: Scalar) -> None:
    lo, hi = w.s32min + s[6], w.s32max + s[7]
    if lo < S32_MIN or hi > S32_MAX or lo > S32_MAX or hi < S32_MIN:
        w.s32min, w.s32max = S32_MIN, S32_MAX
    else:
        w.s32min, w.s32max = lo, hi
    lo, hi = w.u32min + s[8], w.u32max + s[9]
    if lo <= U32 < hi:
        w.u32min, w.u32max = 0, U32
    else:
        w.u32min, w.u32max = lo & U32, hi & U32


def _add64(w: _W, s: Scalar) -> None:
    lo, hi = w.smin + s[2], w.smax + s[3]
    if lo < S64_MIN or hi > S64_MAX or lo > S64_MAX or hi < S64_MIN:
        w.smin, w.smax = S64_MIN, S64_MAX
    else:
        w.smin, w.smax = lo, hi
    lo, hi = w.umin + s[4], w.umax + s[5]
    if lo <= U64 < hi:
        w.umin, w.umax = 0, U64
    else:
        w.umin, w.umax = lo & U64, hi & U64


def _sub32(w: _W, s: Scalar) -> None:
    lo, hi = w.s32min - s[7], w.s32max - s[6]
    if lo < S32_MIN or hi > S32_MAX or lo > S32_MAX or hi < S32_MIN:
        w.s32min, w.s32max = S32_MIN, S32_MAX
    else:
        w.s32min, w.s32max = lo, hi
    lo, hi = w.u32min - s[9], w.u32max - s[8]
    if lo < 0 <= hi:
        w.u32min, w.u32max = 0, U32
    else:
        w.u32min, w.u32max = lo & U32, hi & U32


def _sub64(w: _W, s: Scalar) -> None:
    lo, hi = w.smin - s[3], w.smax - s[2]
    if lo < S64_MIN or hi > S64_MAX or lo > S64_MAX or hi < S64_MIN:
        w.smin, w.smax = S64_MIN, S64_MAX
    else:
        w.smin, w.smax = lo, hi
    lo, hi = w.umin - s[5], w.umax - s[4]
    if lo < 0 <= hi:
        w.umin, w.umax = 0, U64
    else:
        w.umin, w.umax = lo & U64, hi & U64


def _mul32(w: _W, s: Scalar) -> None:
    hi = w.u32max * s[9]
    if hi > U32:
        w.u32min, w.u32max = 0, U32
    else:
        w.u32min, w.u32max = w.u32min * s[8], hi
    p = (w.s32min * s[6], w.s32min * s[7], w.s32max * s[6], w.s32max * s[7])
    lo, hi = min(p), max(p)
    if lo < S32_MIN or hi > S32_MAX:
        w.s32min, w.s32max = S32_MIN, S32_MAX
    else:
        w.s32min, w.s32max = lo, hi


def _mul64(w: _W, s: Scalar) -> None:
    hi = w.umax * s[5]
    if hi > U64:
        w.umin, w.umax = 0, U64
    else:
        w.umin, w.umax = w.umin * s[4], hi
    p = (w.smin * s[2], w.smin * s[3], w.smax * s[2], w.smax * s[3])
    lo, hi = min(p), max(p)
    if lo < S64_MIN or hi > S64_MAX:
        w.smin, w.smax = S64_MIN, S64_MAX
    else:
        w.smin, w.smax = lo, hi


def _mul32_old(w: _W, s: Scalar) -> None:
    """scalar32_min_max_mul() before 6.14: non-negative operands below 2^16 only."""
    if s[6] < 0 or w.s32min < 0 or s[9] > 0xFFFF or w.u32max > 0xFFFF:
        w.s32min, w.s32max, w.u32min, w.u32max = S32_MIN, S32_MAX, 0, U32
        return
    w.u32min, w.u32max = w.u32min * s[8], w.u32max * s[9]
    if w.u32max > S32_MAX:
        w.s32min, w.s32max = S32_MIN, S32_MAX
    else:
        w.s32min, w.s32max = w.u32min, w.u32max


def _mul64_old(w: _W, s: Scalar) -> None:
    """scalar_min_max_mul() before 6.14: non-negative operands below 2^32 only."""
    if s[2] < 0 or w.smin < 0 or s[5] > U32 or w.umax > U32:
        _unbounded64(w)
        return
    w.umin, w.umax = w.umin * s[4], w.umax * s[5]
    if w.umax > S64_MAX:
        w.smin, w.smax = S64_MIN, S64_MAX
    else:
        w.smin, w.smax = w.umin, w.umax


def _s32_from_u32(w: _W) -> None:
    """Cast the u32 range into s32 when it does not cross the sign boundary, else unbounded."""
    a, b = _s32(w.u32min), _s32(w.u32max)
    if a <= b:
        w.s32min, w.s32max = a, b
    else:
        w.s32min, w.s32max = S32_MIN, S32_MAX


def _s64_from_u64(w: _W) -> None:
    a, b = _s64(w.umin), _s64(w.umax)
    if a <= b:
        w.smin, w.smax = a, b
    else:
        w.smin, w.smax = S64_MIN, S64_MAX


def _and32(w: _W, s: Scalar) -> None:
    if not (s[1] & U32) and not (w.m & U32):
        _mark32_known(w, w.v)
        return
    w.u32min = w.v & U32
    w.u32max = min(w.u32max, s[9])
    _s32_from_u32(w)


def _and64(w: _W, s: Scalar) -> None:
    if not s[1] and not w.m:
        _mark_known(w, w.v)
        return
    w.umin = w.v
    w.umax = min(w.umax, s[5])
    _s64_from_u64(w)
    _update(w)


def _or32(w: _W, s: Scalar) -> None:
    if not (s[1] & U32) and not (w.m & U32):
        _mark32_known(w, w.v)
        return
    w.u32min = max(w.u32min, s[8])
    w.u32max = (w.v | w.m) & U32
    _s32_from_u32(w)


def _or64(w: _W, s: Scalar) -> None:
    if not s[1] and not w.m:
        _mark_known(w, w.v)
        return
    w.umin = max(w.umin, s[4])
    w.umax = w.v | w.m
    _s64_from_u64(w)
    _update(w)


def _xor32(w: _W, s: Scalar) -> None:
    if not (s[1] & U32) and not (w.m & U32):
        _mark32_known(w, w.v)
        return
    w.u32min = w.v & U32
    w.u32max = (w.v | w.m) & U32
    _s32_from_u32(w)


def _xor64(w: _W, s: Scalar) -> None:
    if not s[1] and not w.m:
        _mark_known(w, w.v)
        return
    w.umin = w.v
    w.umax = w.v | w.m
    _s64_from_u64(w)
    _update(w)


def _lsh32_bounds(w: _W, umin_val: int, umax_val: int) -> None:
    """__scalar32_min_max_lsh()"""
    w.s32min, w.s32max = S32_MIN, S32_MAX
    if umax_val > 31 or w.u32max > 1 << (31 - umax_val):
        w.u32min, w.u32max = 0, U32
    else:
        w.u32min = (w.u32min << umin_val) & U32
        w.u32max = (w.u32max << umax_val) & U32


def _lsh64_bounds(w: _W, umin_val: int, umax_val: int) -> None:
    """__scalar64_min_max_lsh(): keeps signs for the `<<32 s>>32` sign-extension idiom."""
    by32 = umin_val == 32 and umax_val == 32
    # 6.x keeps the 32-bit signed bounds, negative ones too (the kernel log of 6.18 shows
    # smin=0xffff000000000000 after `w0 s>>= 15; r0 <<= 32`); older kernels only kept them >= 0
    w.smax = w.s32max << 32 if by32 else S64_MAX
    w.smin = w.s32min << 32 if by32 else S64_MIN
    if w.umax > 1 << (63 - umax_val):
        w.umin, w.umax = 0, U64
    else:
        w.umin = (w.umin << umin_val) & U64
        w.umax = (w.umax << umax_val) & U64


def _lsh32(w: _W, k: int) -> None:
    v, m = w.v & U32, w.m & U32
    _lsh32_bounds(w, k, k)
    w.v, w.m = (v << k) & U32, (m << k) & U32
    _unbounded64(w)
    _update32(w)


def _lsh64(w: _W, k: int) -> None:
    _lsh64_bounds(w, k, k)
    _lsh32_bounds(w, k, k)
    w.v, w.m = (w.v << k) & U64, (w.m << k) & U64
    _update(w)


def _rsh32(w: _W, k: int) -> None:
    w.s32min, w.s32max = S32_MIN, S32_MAX
    w.v, w.m = (w.v & U32) >> k, (w.m & U32) >> k
    w.u32min >>= k
    w.u32max >>= k
    _unbounded64(w)
    _update32(w)


def _rsh64(w: _W, k: int) -> None:
    w.smin, w.smax = S64_MIN, S64_MAX
    w.v, w.m = w.v >> k, w.m >> k
    w.umin >>= k
    w.umax >>= k
    _unbounded32(w)
    _update(w)


def _arsh32(w: _W, k: int) -> None:
    w.s32min >>= k
    w.s32max >>= k
    w.v, w.m = t_arshift(w.v & U32, w.m & U32, k, 32)
    w.u32min, w.u32max = 0, U32
    _unbounded64(w)
    _update32(w)


def _arsh64(w: _W, k: int) -> None:
    w.smin >>= k
    w.smax >>= k
    w.v, w.m = t_arshift(w.v, w.m, k, 64)
    w.umin, w.umax = 0, U64
    _unbounded32(w)
    _update(w)


# ---------------------------------------------------------------- size coercions


def _coerce_to_size(w: _W, size: int) -> None:
    """coerce_reg_to_size(): zero-extending truncation to `size` bytes (< 8)."""
    mask = (1 << (size * 8)) - 1
    w.v &= mask
    w.m &= mask
    if (w.umin & ~mask) == (w.umax & ~mask):
        w.umin &= mask
        w.umax &= mask
    else:
        w.umin, w.umax = 0, mask
    w.smin, w.smax = w.umin, w.umax
    if size < 4:
        _unbounded32(w)
    _sync(w)


def _sext_value(x: int, size: int) -> int:
    bits = size * 8
    x &= (1 << bits) - 1
    return x - (1 << bits) if x >> (bits - 1) else x


def _coerce_to_size_sx(w: _W, size: int, from_subreg: bool = False) -> None:
    """coerce_reg_to_size_sx(): sign-extend the low `size` bytes (1, 2 or 4) to 64 bits.

    `from_subreg` (rules feature movsx_range_from_subreg): when the 32-bit signed range fits the
    narrow type, the result is the 32-bit value sign-extended: its signed range, the sign-extended
    u32 range (sign extension is monotonic in both orders), var_off from the ranges, then a sync.
    """
    if not w.m:
        c = _sext_value(w.v, size) & U64
        _mark_known(w, c)
        return
    bits = size * 8
    if from_subreg and -(1 << (bits - 1)) <= w.s32min and w.s32max < (1 << (bits - 1)):
        w.smin, w.smax = w.s32min, w.s32max
        w.umin, w.umax = _sext_value(w.u32min, 4) & U64, _sext_value(w.u32max, 4) & U64
        w.v, w.m = 0, U64
        _sync(w)
        return
    if ((w.smax & U64) >> bits) == ((w.smin & U64) >> bits):
        a, b = _sext_value(w.smax, size), _sext_value(w.smin, size)
        hi, lo = max(a, b), min(a, b)
        if (hi >= 0) == (lo >= 0):
            w.smin = w.s32min = lo
            w.smax = w.s32max = hi
            w.umin, w.umax = lo & U64, hi & U64
            w.u32min, w.u32max = lo & U32, hi & U32
            w.v, w.m = t_range(lo & U64, hi & U64)
            return
    smax = (1 << (bits - 1)) - 1
    w.smin = w.s32min = -smax - 1
    w.smax = w.s32max = smax
    w.umin = w.u32min = 0
    w.umax, w.u32max = U64, U32
    w.v, w.m = 0, U64


def _coerce_subreg_to_size_sx(w: _W, size: int) -> None:
    """coerce_subreg_to_size_sx(): sign-extend the low `size` bytes (1 or 2) into 32 bits."""
    if not w.m:
        c = _sext_value(w.v, size)
        w.v, w.m = c & U64, 0
        w.s32min = w.s32max = _s32(c)
        w.u32min = w.u32max = c & U32
        return
    bits = size * 8
    if ((w.s32max & U32) >> bits) == ((w.s32min & U32) >> bits):
        a, b = _sext_value(w.s32max, size), _sext_value(w.s32min, size)
        hi, lo = max(a, b), min(a, b)
        if (hi >= 0) == (lo >= 0):
            w.s32min, w.s32max = lo, hi
            w.u32min, w.u32max = lo & U32, hi & U32
            rv, rm = t_range(lo & U64, hi & U64)
            w.v, w.m = rv & U32, rm & U32
            return
    smax = (1 << (bits - 1)) - 1
    w.s32min, w.s32max = -smax - 1, smax
    w.u32min, w.u32max = 0, U32
    w.v, w.m = 0, U32


# ---------------------------------------------------------------- the public class

_OP_NAMES: Final = ("add", "sub", "mul", "div", "mod", "or", "and", "lsh", "rsh", "arsh", "xor")
# BPF_OP codes (verifier/isa/opcodes.py) accepted as aliases of the names
_OP_CODES: Final = {
    0x00: "add",
    0x10: "sub",
    0x20: "mul",
    0x30: "div",
    0x40: "or",
    0x50: "and",
    0x60: "lsh",
    0x70: "rsh",
    0x90: "mod",
    0xA0: "xor",
    0xC0: "arsh",
}

_FOLD: Final = {
    "add": lambda a, b, bits: a + b,
    "sub": lambda a, b, bits: a - b,
    "mul": lambda a, b, bits: a * b,
    "and": lambda a, b, bits: a & b,
    "or": lambda a, b, bits: a | b,
    "xor": lambda a, b, bits: a ^ b,
}


# positions of a Scalar's fields. Hot code reads them from the Scalar seen as a plain tuple
# (`t: tuple = reg.var; t[SMIN]`): the compiled engine then indexes the tuple directly, where a
# property (`reg.var.smin`) is a generic attribute lookup and a call, and indexing a Scalar typed as
# such a generic item lookup
VALUE: Final = 0
MASK: Final = 1
SMIN: Final = 2
SMAX: Final = 3
UMIN: Final = 4
UMAX: Final = 5
S32MIN: Final = 6
S32MAX: Final = 7
U32MIN: Final = 8
U32MAX: Final = 9


@mypyc_attr(native_class=False)  # (a tuple subclass: mypyc compiles its methods, not the class)
class Scalar(tuple):
    """An immutable, hashable abstract scalar: tnum plus 64/32-bit signed/unsigned bounds."""

    __slots__ = ()

    value = property(itemgetter(VALUE), doc="var_off.value")
    mask = property(itemgetter(MASK), doc="var_off.mask")
    smin = property(itemgetter(SMIN))
    smax = property(itemgetter(SMAX))
    umin = property(itemgetter(UMIN))
    umax = property(itemgetter(UMAX))
    s32min = property(itemgetter(S32MIN))
    s32max = property(itemgetter(S32MAX))
    u32min = property(itemgetter(U32MIN))
    u32max = property(itemgetter(U32MAX))

    # ------------------------------------------------------------ constructors

    @classmethod
    def make(
        cls,
        var_off: Tnum,
        smin: int,
        smax: int,
        umin: int,
        umax: int,
        s32min: int,
        s32max: int,
        u32min: int,
        u32max: int,
    ) -> Scalar:
        """Build from raw fields, without any bounds synchronisation."""
        return tuple.__new__(
            cls, (var_off.value, var_off.mask, smin, smax, umin, umax, s32min, s32max, u32min, u32max)
        )

    @classmethod
    def const(cls, v: int) -> Scalar:
        v &= U64
        if v < _CONST_CACHE_SIZE:
            return _CONST_CACHE[v]
        return _const(v)

    @classmethod
    def unknown(cls) -> Scalar:
        return UNKNOWN

    @classmethod
    def from_urange(cls, lo: int, hi: int) -> Scalar:
        w = _W.of(UNKNOWN)
        w.umin, w.umax = lo & U64, hi & U64
        _sync(w)
        return w.freeze()

    @classmethod
    def from_srange(cls, lo: int, hi: int) -> Scalar:
        w = _W.of(UNKNOWN)
        w.smin, w.smax = _s64(lo), _s64(hi)
        _sync(w)
        return w.freeze()

    @classmethod
    def from_size(cls, nbytes: int) -> Scalar:
        """An unknown value loaded zero-extended from `nbytes` bytes: 0..2^(8n)-1."""
        if nbytes >= 8:
            return UNKNOWN
        if nbytes < 1:
            raise ValueError(f"invalid load size {nbytes}")
        return _FROM_SIZE[nbytes]

    @classmethod
    def from_tnum(cls, t: Tnum) -> Scalar:
        w = _W.of(UNKNOWN)
        w.v, w.m = t.value, t.mask
        _sync(w)
        return w.freeze()

    # ------------------------------------------------------------ queries

    @property
    def var_off(self) -> Tnum:
        return Tnum._raw(self[0], self[1])

    @property
    def is_const(self) -> bool:
        t: tuple = self
        return not t[MASK]

    const_value = property(itemgetter(0), doc="The constant (unsigned 64); meaningful only when `is_const`.")

    @property
    def is_unknown(self) -> bool:
        return self == UNKNOWN

    @property
    def subreg_is_const(self) -> bool:
        return not (self[1] & U32)

    def contains(self, other: Scalar) -> bool:
        """range_within(self, other) and tnum_in(self, other): regsafe()'s test for scalars."""
        a: tuple = self
        b: tuple = other
        return (
            a[UMIN] <= b[UMIN]
            and a[UMAX] >= b[UMAX]
            and a[SMIN] <= b[SMIN]
            and a[SMAX] >= b[SMAX]
            and a[U32MIN] <= b[U32MIN]
            and a[U32MAX] >= b[U32MAX]
            and a[S32MIN] <= b[S32MIN]
            and a[S32MAX] >= b[S32MAX]
            and t_in(a[VALUE], a[MASK], b[VALUE], b[MASK])
        )

    def contains_value(self, x: int) -> bool:
        """The concrete 64-bit value x (taken mod 2^64) is a member of every view."""
        x &= U64
        lo = x & U32
        return (
            (x & ~self[1]) == self[0]
            and self[4] <= x <= self[5]
            and self[2] <= _s64(x) <= self[3]
            and self[8] <= lo <= self[9]
            and self[6] <= _s32(lo) <= self[7]
        )

    def is_empty(self) -> bool:
        """range_bounds_violation(): some min exceeds its max (an infeasible state)."""
        return self[4] > self[5] or self[2] > self[3] or self[8] > self[9] or self[6] > self[7]

    # ------------------------------------------------------------ operations

    def sync(self) -> Scalar:
        """reg_bounds_sync()"""
        w = _W.of(self)
        _sync(w)
        return w.freeze()

    def alu(self, op: str | int, other: Scalar, is64: bool = True) -> Scalar:
        """adjust_scalar_min_max_vals(): `self op= other` as ALU64 (is64) or ALU32 (zero-extended).

        A pure function of its arguments, and programs repeat the same few hundred: memoised."""
        key = (op, is64, self, other)
        r = _ALU_CACHE.get(key)
        if r is None:
            r = self._alu(op, other, is64)
            if len(_ALU_CACHE) >= _SYNC_CACHE_MAX:
                _ALU_CACHE.clear()
            _ALU_CACHE[key] = r
        return r

    def _alu(self, op: str | int, other: Scalar, is64: bool) -> Scalar:
        if not isinstance(op, str):
            op = _OP_CODES[op & 0xF0]
        if op in ("lsh", "rsh", "arsh"):
            bitness = 64 if is64 else 32
            if is64:
                src_const = not other[1] and other[2] == other[3] and other[4] == other[5]
            else:
                src_const = not (other[1] & U32) and other[6] == other[7] and other[8] == other[9]
            if not (src_const and other[5] < bitness):
                return UNKNOWN
            k = other[4] if is64 else other[8]
            if not self[1]:
                return _const(_shift(op, self[0], k, bitness))
            w = _W.of(self)
            if is64:
                (_lsh64 if op == "lsh" else _rsh64 if op == "rsh" else _arsh64)(w, k)
            else:
                (_lsh32 if op == "lsh" else _rsh32 if op == "rsh" else _arsh32)(w, k)
                _zext_32_to_64(w)
            _sync(w)
            return w.freeze()
        fold = _FOLD.get(op)
        if fold is None:
            if op in _OP_NAMES:
                return UNKNOWN  # div, mod: not tracked by 6.18
            raise ValueError(f"unknown ALU operation {op!r}")
        if not self[1] and not other[1]:
            r = fold(self[0], other[0], 64)
            return Scalar.const(r if is64 else r & U32)
        w = _W.of(self)
        if op == "add":
            _add32(w, other)
            _add64(w, other)
            w.v, w.m = t_add(w.v, w.m, other[0], other[1])
        elif op == "sub":
            _sub32(w, other)
            _sub64(w, other)
            w.v, w.m = t_sub(w.v, w.m, other[0], other[1])
        elif op == "mul":
            w.v, w.m = t_mul(w.v, w.m, other[0], other[1])
            if _old_bounds[1]:
                _mul32_old(w, other)
                _mul64_old(w, other)
            else:
                _mul32(w, other)
                _mul64(w, other)
        elif op == "and":
            w.v, w.m = t_and(w.v, w.m, other[0], other[1])
            _and32(w, other)
            _and64(w, other)
        elif op == "or":
            w.v, w.m = t_or(w.v, w.m, other[0], other[1])
            _or32(w, other)
            _or64(w, other)
        else:
            w.v, w.m = t_xor(w.v, w.m, other[0], other[1])
            _xor32(w, other)
            _xor64(w, other)
        if not is64:
            _zext_32_to_64(w)
        _sync(w)
        return w.freeze()

    def alu_signed_divmod(self, op: str | int, other: Scalar, is64: bool = True) -> Scalar:
        """BPF_SDIV / BPF_SMOD (off=1): not tracked by the kernel, the result is unknown."""
        if not isinstance(op, str):
            op = _OP_CODES.get(op & 0xF0, "?")
        if op not in ("div", "mod", "sdiv", "smod"):
            raise ValueError(f"unknown signed div/mod operation {op!r}")
        return UNKNOWN

    def neg(self, is64: bool = True) -> Scalar:
        """BPF_NEG through adjust_scalar_min_max_vals(): 0 - self, tnum_neg."""
        if not self[1]:
            return Scalar.const(-self[0] if is64 else -self[0] & U32)
        w = _W.of(ZERO)
        _sub32(w, self)
        _sub64(w, self)
        w.v, w.m = t_sub(0, 0, self[0], self[1])
        if not is64:
            _zext_32_to_64(w)
        _sync(w)
        return w.freeze()

    def bswap(self, size_bits: int, to_be: bool | None, is64: bool = True, tracked: bool = False) -> Scalar:
        """BPF_END (to_le / to_be / bswap). Untracked (`tracked` False: upstream 6.18 and before):
        check_alu_op() marks the destination unknown. Tracked: scalar_byte_swap() swaps the tnum's
        bytes when the instruction swaps on this (little-endian) machine, forgets the bounds, then
        truncates 16/32-bit results (coerce_reg_to_size()); no zero-extension, reg_bounds_sync()."""
        if size_bits not in (16, 32, 64):
            raise ValueError(f"invalid BPF_END size {size_bits}")
        if not tracked:
            return UNKNOWN
        w = _W.of(self)
        if is64 or to_be:
            nbytes = size_bits // 8
            mask = (1 << size_bits) - 1
            w.v = int.from_bytes((w.v & mask).to_bytes(nbytes, "little"), "big")
            w.m = int.from_bytes((w.m & mask).to_bytes(nbytes, "little"), "big")
            _unbounded64(w)
            _unbounded32(w)
        if size_bits < 64:
            _coerce_to_size(w, size_bits // 8)
        _sync(w)
        return w.freeze()

    def sext(self, bits: int, from_subreg: bool = False) -> Scalar:
        """MOVSX 64-bit (r = (s8/s16/s32) r'): coerce_reg_to_size_sx(), no sync as in the kernel
        (`from_subreg`: the rules' movsx_range_from_subreg)."""
        if bits not in (8, 16, 32):
            raise ValueError(f"invalid sign-extension width {bits}")
        w = _W.of(self)
        _coerce_to_size_sx(w, bits // 8, from_subreg)
        return w.freeze()

    def sext32(self, bits: int) -> Scalar:
        """MOVSX 32-bit (w = (s8/s16) w'): coerce_subreg_to_size_sx(), zext_32_to_64(), sync."""
        if bits not in (8, 16):
            raise ValueError(f"invalid 32-bit sign-extension width {bits}")
        w = _W.of(self)
        _coerce_subreg_to_size_sx(w, bits // 8)
        _zext_32_to_64(w)
        _sync(w)
        return w.freeze()

    def subreg_known(self, imm: int) -> Scalar:
        """__mark_reg32_known(): the low 32 bits become `imm`; the 64-bit bounds stay as they are."""
        w = _W.of(self)
        _mark32_known(w, imm)
        return w.freeze()

    def zext32(self) -> Scalar:
        """A 32-bit mov (w = w'): zext_32_to_64() and reg_bounds_sync()."""
        if not self[1]:
            return Scalar.const(self[0] & U32)
        w = _W.of(self)
        _zext_32_to_64(w)
        _sync(w)
        return w.freeze()

    def truncate(self, nbytes: int) -> Scalar:
        """coerce_reg_to_size(): keep the low `nbytes` bytes, zero-extended (loads, narrow stores)."""
        if nbytes >= 8:
            return self
        if not self[1]:
            return Scalar.const(self[0] & ((1 << (nbytes * 8)) - 1))
        w = _W.of(self)
        _coerce_to_size(w, nbytes)
        return w.freeze()

    def sext_load(self, nbytes: int, from_subreg: bool = False) -> Scalar:
        """LDSX: coerce_reg_to_size_sx() on the loaded value (`from_subreg` as in sext())."""
        if nbytes >= 8:
            return self
        w = _W.of(self)
        _coerce_to_size_sx(w, nbytes, from_subreg)
        return w.freeze()

    # ------------------------------------------------------------ printing

    def __repr__(self) -> str:
        return f"Scalar{tuple.__repr__(self)}"

    def __str__(self) -> str:
        """The kernel's verbose register state for a scalar (print_reg_state / print_scalar_ranges)."""
        if not self[1]:
            return _snum(self[0])
        parts = _scalar_ranges(self)
        if self[1] != U64:
            parts.append(f"var_off=({self[0]:#x}; {self[1]:#x})")
        return "scalar(" + ",".join(parts) + ")"


def _const(v: int) -> Scalar:
    v &= U64
    s = _s64(v)
    lo = v & U32
    return tuple.__new__(Scalar, (v, 0, s, s, v, v, _s32(lo), _s32(lo), lo, lo))


def _shift(op: str, v: int, k: int, bitness: int) -> int:
    if bitness == 32:
        v &= U32
        if op == "lsh":
            return (v << k) & U32
        if op == "rsh":
            return v >> k
        return (_s32(v) >> k) & U32
    if op == "lsh":
        return (v << k) & U64
    if op == "rsh":
        return v >> k
    return (_s64(v) >> k) & U64


# kernel/bpf/log.c: numbers within 16 bits print in decimal, others in hex
SNUM_MIN_DECIMAL: Final = -(1 << 15)
SNUM_MAX_DECIMAL: Final = (1 << 15) - 1
UNUM_MAX_DECIMAL: Final = (1 << 16) - 1


def _is_snum_decimal(x: int) -> bool:
    return SNUM_MIN_DECIMAL <= x <= SNUM_MAX_DECIMAL


def _snum(u: int) -> str:
    """verbose_snum(): small numbers in decimal, others as the u64 pattern in hex."""
    x = _s64(u)
    return str(x) if _is_snum_decimal(x) else f"{u & U64:#x}"


def _unum(u: int) -> str:
    return str(u) if u <= UNUM_MAX_DECIMAL else f"{u:#x}"


def _scalar_ranges(s: Scalar) -> list[str]:
    """print_scalar_ranges(): equal neighbours are merged as "umin=umin32=..."."""
    s32lo = s[6] & U64 if _is_snum_decimal(s[6]) else s[6] & U32
    s32hi = s[7] & U64 if _is_snum_decimal(s[7]) else s[7] & U32
    items = [
        ["smin", s[2] & U64, s[2] == S64_MIN],
        ["smax", s[3] & U64, s[3] == S64_MAX],
        ["umin", s[4], s[4] == 0],
        ["umax", s[5], s[5] == U64],
        ["smin32", s32lo, s[6] == S32_MIN],
        ["smax32", s32hi, s[7] == S32_MAX],
        ["umin32", s[8], s[8] == 0],
        ["umax32", s[9], s[9] == U32],
    ]
    out = []
    for i, (name, val, omit) in enumerate(items):
        if omit:
            continue
        neg1 = name[0] == "s" and _s64(val) < 0
        text = name + "="
        for j in range(i + 2, len(items), 2):
            m2 = items[j]
            if m2[2] or m2[1] != val:
                continue
            neg2 = m2[0][0] == "s" and _s64(m2[1]) < 0
            if neg2 != neg1:
                continue
            m2[2] = True
            text += m2[0] + "="
        text += _snum(val) if name[0] == "s" else _unum(val)
        out.append(text)
    return out


UNKNOWN: Final[Scalar] = tuple.__new__(Scalar, (0, U64, S64_MIN, S64_MAX, 0, U64, S32_MIN, S32_MAX, 0, U32))
ZERO: Final[Scalar] = _const(0)
_CONST_CACHE_SIZE: Final = 1024
_CONST_CACHE = tuple(_const(i) for i in range(_CONST_CACHE_SIZE))


def _make_from_size(nbytes: int) -> Scalar:
    w = _W.of(UNKNOWN)
    _coerce_to_size(w, nbytes)
    return w.freeze()


_FROM_SIZE: Final = {n: _make_from_size(n) for n in range(1, 8)}

# for sibling modules of the domain (branch refinement works on the same mutable register)
WorkReg = _W
bounds_sync = _sync
as_s64 = _s64
as_s32 = _s32


# ---------------------------------------------------------------- reg_set_min_max() before 6.8


def _combine_32_into_64_old(w: _W) -> None:
    """__reg_combine_32_into_64(): a jmp32 keeps the 64-bit bounds only when the upper half is known
    zero (__reg_assign_32_into_64()); otherwise they are reset and learnt again from the tnum."""
    if not (w.v & _HI32) and not (w.m & _HI32):
        w.umin, w.umax = w.u32min, w.u32max
        if 0 <= w.s32min and 0 <= w.s32max:
            w.smin, w.smax = w.s32min, w.s32max
        else:
            w.smin, w.smax = 0, U32
    else:
        _unbounded64(w)
    _sync_uncached(w)


def _combine_64_into_32_old(w: _W) -> None:
    """__reg_combine_64_into_32(): the 32-bit bounds are those the 64-bit ones imply, if any."""
    w.s32min, w.s32max, w.u32min, w.u32max = S32_MIN, S32_MAX, 0, U32
    if S32_MIN <= w.smin <= S32_MAX and S32_MIN <= w.smax <= S32_MAX:
        w.s32min, w.s32max = w.smin, w.smax
    if w.umin <= U32 and w.umax <= U32:
        w.u32min, w.u32max = w.umin, w.umax
    _sync_uncached(w)


def refine_against_const_old(a: Scalar, val: int, op: str, is32: bool, taken: bool) -> Scalar | None:
    """reg_set_min_max() of 4.14-6.7: the register `a` compared with the constant `val` (`a op val`)
    on the side the jump is `taken` or not; None when that side's bounds are empty."""
    w = _W.of(a)
    val &= U64
    val32 = val & U32
    if is32:
        off_v, off_m = w.v & U32, w.m & U32
    else:
        off_v, off_m = w.v, w.m
    if op in ("jeq", "jne"):
        if (op == "jeq") == taken:
            if is32:
                _mark32_known(w, val32)
                off_v, off_m = val32, 0
            else:
                _mark_known(w, val)
                off_v, off_m = val, 0
    elif op == "jset":
        k = val32 if is32 else val
        if not taken:
            off_v, off_m = t_and(off_v, off_m, ~k & (U32 if is32 else U64), 0)
        elif k and not k & (k - 1):
            off_v, off_m = t_or(off_v, off_m, k, 0)
    elif op in ("jgt", "jge", "jlt", "jle"):
        k = val32 if is32 else val
        upper = (op in ("jgt", "jge")) != taken  # this side bounds the value from above
        if upper:
            bound = k if op in ("jgt", "jle") else k - 1  # jgt/jle: <= k; jge/jlt: <= k - 1
            if is32:
                w.u32max = min(w.u32max, bound & U32) if bound >= 0 else -1
            else:
                w.umax = min(w.umax, bound & U64) if bound >= 0 else -1
        else:
            bound = k + 1 if op in ("jgt", "jle") else k  # jgt/jle: >= k + 1; jge/jlt: >= k
            if is32:
                w.u32min = max(w.u32min, bound) if bound <= U32 else U32 + 1
            else:
                w.umin = max(w.umin, bound) if bound <= U64 else U64 + 1
    elif op in ("jsgt", "jsge", "jslt", "jsle"):
        k = _s32(val32) if is32 else _s64(val)
        upper = (op in ("jsgt", "jsge")) != taken
        if upper:
            bound = k if op in ("jsgt", "jsle") else k - 1
            if is32:
                w.s32max = min(w.s32max, bound)
            else:
                w.smax = min(w.smax, bound)
        else:
            bound = k + 1 if op in ("jsgt", "jsle") else k
            if is32:
                w.s32min = max(w.s32min, bound)
            else:
                w.smin = max(w.smin, bound)
    else:
        raise ValueError(f"unknown conditional jump {op!r}")
    if is32:
        w.v = (w.v & _HI32) | (off_v & U32)
        w.m = (w.m & _HI32) | (off_m & U32)
        if w.u32min > w.u32max or w.s32min > w.s32max:
            return None
        _combine_32_into_64_old(w)
    else:
        w.v, w.m = off_v, off_m
        if w.umin > w.umax or w.smin > w.smax:
            return None
        _combine_64_into_32_old(w)
    return w.freeze()
