"""Conditional jumps on two scalars: branch prediction and range refinement (6.18 semantics).

`branch_taken` mirrors `is_scalar_branch_taken()` and `refine` mirrors
`reg_set_min_max()` (`regs_refine_cond_op()` followed by `reg_boundsbounds_sync()`)
from kernel/bpf/verifier.c. Operation names are the lowercase BPF mnemonics:
jeq jne jgt jge jlt jle jsgt jsge jslt jsle jset.

One deliberate departure, asked for by the engine: where the kernel would
report a "REG INVARIANTS VIOLATION" (a min above its max after refinement,
which only happens on a branch that cannot be taken) and carry on with an
unbounded register, `refine` returns None so the caller drops that side.
"""

from __future__ import annotations

from typing import Final

from verifier.abstract.scalar import (
    MASK,
    S32_MAX,
    S32_MIN,
    S32MAX,
    S32MIN,
    S64_MAX,
    S64_MIN,
    SMAX,
    SMIN,
    U32,
    U32MAX,
    U32MIN,
    U64,
    UMAX,
    UMIN,
    VALUE,
    Scalar,
    WorkReg,
    bounds_sync,
    old_bounds,
    set_old_bounds,
)
from verifier.abstract.scalar import as_s32 as _s32
from verifier.abstract.scalar import as_s64 as _s64
from verifier.abstract.tnum import t_and, t_intersect, t_or, t_overlap

COND_OPS: Final = ("jeq", "jne", "jgt", "jge", "jlt", "jle", "jsgt", "jsge", "jslt", "jsle", "jset")

# rev_opcode(): the condition that holds on the fall-through side
NEGATED: Final = {
    "jeq": "jne",
    "jne": "jeq",
    "jgt": "jle",
    "jle": "jgt",
    "jge": "jlt",
    "jlt": "jge",
    "jsgt": "jsle",
    "jsle": "jsgt",
    "jsge": "jslt",
    "jslt": "jsge",
    "jset": "jset_not",
    "jset_not": "jset",
}

# flip_opcode(): the same condition with the operands swapped
FLIPPED: Final = {
    "jeq": "jeq",
    "jne": "jne",
    "jset": "jset",
    "jgt": "jlt",
    "jlt": "jgt",
    "jge": "jle",
    "jle": "jge",
    "jsgt": "jslt",
    "jslt": "jsgt",
    "jsge": "jsle",
    "jsle": "jsge",
}


def _views(s: Scalar, is32: bool) -> tuple[int, int, int, int, int, int]:
    """(tnum value, tnum mask, umin, umax, smin, smax) in the compared width."""
    if is32:
        return s[0] & U32, s[1] & U32, s[8], s[9], s[6], s[7]
    return s[0], s[1], s[4], s[5], s[2], s[3]


def branch_taken(a: Scalar, b: Scalar, op: str, is32: bool, same_reg: bool = False) -> int:
    """is_scalar_branch_taken(): 1 always taken, 0 never taken, -1 unknown.

    `same_reg` says both operands are the same register (`if r1 > r1`), which
    the kernel decides from the operation alone.
    """
    v1, m1, umin1, umax1, smin1, smax1 = _views(a, is32)
    v2, m2, umin2, umax2, smin2, smax2 = _views(b, is32)
    if same_reg:
        if op in ("jge", "jle", "jsge", "jsle", "jeq"):
            return 1
        if op in ("jgt", "jlt", "jsgt", "jslt", "jne"):
            return 0
        if op == "jset":
            if not m1:
                return 1 if v1 else 0
            return -1 if smin1 <= 0 <= smax1 else 1
    if op == "jeq" or op == "jne":
        hit = 1 if op == "jne" else 0  # the answer when the operands cannot be equal
        if not m1 and not m2:
            return (v1 == v2) ^ hit
        if not t_overlap(v1, m1, v2, m2):  # known bits disagree (observed on the 6.18 test machine)
            return hit
        if umin1 > umax2 or umax1 < umin2 or smin1 > smax2 or smax1 < smin2:
            return hit
        if not is32:
            if a[8] > b[9] or a[9] < b[8] or a[6] > b[7] or a[7] < b[6]:
                return hit
        return -1
    if op == "jset":
        if m2:
            v1, m1, v2, m2 = v2, m2, v1, m1
        if m2:
            return -1
        if (~m1 & v1) & v2:
            return 1
        if not ((m1 | v1) & v2):
            return 0
        return -1
    if op == "jgt":
        return 1 if umin1 > umax2 else 0 if umax1 <= umin2 else -1
    if op == "jsgt":
        return 1 if smin1 > smax2 else 0 if smax1 <= smin2 else -1
    if op == "jlt":
        return 1 if umax1 < umin2 else 0 if umin1 >= umax2 else -1
    if op == "jslt":
        return 1 if smax1 < smin2 else 0 if smin1 >= smax2 else -1
    if op == "jge":
        return 1 if umin1 >= umax2 else 0 if umax1 < umin2 else -1
    if op == "jsge":
        return 1 if smin1 >= smax2 else 0 if smax1 < smin2 else -1
    if op == "jle":
        return 1 if umax1 <= umin2 else 0 if umin1 > umax2 else -1
    if op == "jsle":
        return 1 if smax1 <= smin2 else 0 if smin1 > smax2 else -1
    raise ValueError(f"unknown conditional jump {op!r}")


def _is_const(w: WorkReg, is32: bool) -> bool:
    return not (w.m & U32) if is32 else not w.m


def _with_subreg(w: WorkReg, v32: int, m32: int) -> None:
    w.v = (w.v & ~U32 & U64) | (v32 & U32)
    w.m = (w.m & ~U32 & U64) | (m32 & U32)


def _refine_cond_op(r1: WorkReg, r2: WorkReg, op: str, is32: bool) -> None:
    """regs_refine_cond_op(): narrow both registers assuming `r1 op r2` holds."""
    if op in ("jge", "jgt", "jsge", "jsgt"):
        op = FLIPPED[op]
        r1, r2 = r2, r1
    if op == "jeq":
        if is32:
            r1.u32min = max(r1.u32min, r2.u32min)
            r1.u32max = min(r1.u32max, r2.u32max)
            r1.s32min = max(r1.s32min, r2.s32min)
            r1.s32max = min(r1.s32max, r2.s32max)
            r2.u32min, r2.u32max, r2.s32min, r2.s32max = r1.u32min, r1.u32max, r1.s32min, r1.s32max
            tv, tm = t_intersect(r1.v & U32, r1.m & U32, r2.v & U32, r2.m & U32)
            _with_subreg(r1, tv, tm)
            _with_subreg(r2, tv, tm)
        else:
            r1.umin = max(r1.umin, r2.umin)
            r1.umax = min(r1.umax, r2.umax)
            r1.smin = max(r1.smin, r2.smin)
            r1.smax = min(r1.smax, r2.smax)
            r2.umin, r2.umax, r2.smin, r2.smax = r1.umin, r1.umax, r1.smin, r1.smax
            r1.v, r1.m = t_intersect(r1.v, r1.m, r2.v, r2.m)
            r2.v, r2.m = r1.v, r1.m
    elif op == "jne":
        if not _is_const(r2, is32):
            r1, r2 = r2, r1
        if not _is_const(r2, is32):
            return
        # a constant at the edge of the other range shrinks it by one
        if is32:
            val = r2.v & U32
            if r1.u32min == val:
                r1.u32min += 1
            if r1.u32max == val:
                r1.u32max -= 1
            if r1.s32min == _s32(val):
                r1.s32min += 1
            if r1.s32max == _s32(val):
                r1.s32max -= 1
        else:
            val = r2.v
            if r1.umin == val:
                r1.umin += 1
            if r1.umax == val:
                r1.umax -= 1
            if r1.smin == _s64(val):
                r1.smin += 1
            if r1.smax == _s64(val):
                r1.smax -= 1
    elif op == "jset":
        if not _is_const(r2, is32):
            r1, r2 = r2, r1
        if not _is_const(r2, is32):
            return
        val = r2.v & U32 if is32 else r2.v
        # only a single-bit mask says which bit is set
        if not val or val & (val - 1):
            return
        if is32:
            _with_subreg(r1, *t_or(r1.v & U32, r1.m & U32, val, 0))
        else:
            r1.v, r1.m = t_or(r1.v, r1.m, val, 0)
    elif op == "jset_not":
        if not _is_const(r2, is32):
            r1, r2 = r2, r1
        if not _is_const(r2, is32):
            return
        val = r2.v & U32 if is32 else r2.v
        # forget the ranges before narrowing the tnum (they may contradict it on a dead branch)
        r1.smin, r1.smax, r1.umin, r1.umax = S64_MIN, S64_MAX, 0, U64
        r1.s32min, r1.s32max, r1.u32min, r1.u32max = S32_MIN, S32_MAX, 0, U32
        if is32:
            _with_subreg(r1, *t_and(r1.v & U32, r1.m & U32, ~val & U32, 0))
        else:
            r1.v, r1.m = t_and(r1.v, r1.m, ~val & U64, 0)
    elif op == "jle":
        if is32:
            r1.u32max = min(r1.u32max, r2.u32max)
            r2.u32min = max(r1.u32min, r2.u32min)
        else:
            r1.umax = min(r1.umax, r2.umax)
            r2.umin = max(r1.umin, r2.umin)
    elif op == "jlt":
        # no wrap-around here: an empty range marks the impossible side
        if is32:
            r1.u32max = min(r1.u32max, r2.u32max - 1)
            r2.u32min = max(r1.u32min + 1, r2.u32min)
        else:
            r1.umax = min(r1.umax, r2.umax - 1)
            r2.umin = max(r1.umin + 1, r2.umin)
    elif op == "jsle":
        if is32:
            r1.s32max = min(r1.s32max, r2.s32max)
            r2.s32min = max(r1.s32min, r2.s32min)
        else:
            r1.smax = min(r1.smax, r2.smax)
            r2.smin = max(r1.smin, r2.smin)
    elif op == "jslt":
        if is32:
            r1.s32max = min(r1.s32max, r2.s32max - 1)
            r2.s32min = max(r1.s32min + 1, r2.s32min)
        else:
            r1.smax = min(r1.smax, r2.smax - 1)
            r2.smin = max(r1.smin + 1, r2.smin)
    else:
        raise ValueError(f"unknown conditional jump {op!r}")


def _violated(w: WorkReg) -> bool:
    """range_bounds_violation()"""
    return w.umin > w.umax or w.smin > w.smax or w.u32min > w.u32max or w.s32min > w.s32max


def refine(
    a: Scalar, b: Scalar, op: str, is32: bool, taken: bool, same_reg: bool = False
) -> tuple[Scalar, Scalar] | None:
    """reg_set_min_max() for one side: the narrowed (dst, src) when `a op b` is `taken`.

    None when that side is impossible (its refined bounds are empty). A pure function of its
    arguments, memoised: programs compare the same few values over and over.
    """
    key = (a, b, op, is32, taken, same_reg)
    try:
        return _REFINE_CACHE[key]
    except KeyError:
        pass
    r = _refine(a, b, op, is32, taken, same_reg)
    if len(_REFINE_CACHE) >= _REFINE_CACHE_MAX:
        _REFINE_CACHE.clear()
    _REFINE_CACHE[key] = r
    return r


_REFINE_CACHE: dict[tuple, tuple[Scalar, Scalar] | None] = {}


def set_bounds_era(old: bool, old_mul: bool = False, no_step: bool = False, no_cross: bool = False) -> None:
    """Analyse with the bounds logic of 4.14-6.7 (`old`) or of 6.8+, the multiplication of 4.14-6.13
    (`old_mul`) or of 6.14+, without or with tnum_step() (`no_step`) and the 64-bit sign-crossing
    deduction (`no_cross`) (scalar.set_old_bounds()); the memo of refine() holds one era's results."""
    if (old, old_mul, no_step, no_cross) != old_bounds():
        _REFINE_CACHE.clear()
    set_old_bounds(old, old_mul, no_step, no_cross)
_REFINE_CACHE_MAX: Final = 1 << 16


def _refine(a: Scalar, b: Scalar, op: str, is32: bool, taken: bool, same_reg: bool) -> tuple[Scalar, Scalar] | None:
    if op not in NEGATED or op == "jset_not":
        raise ValueError(f"unknown conditional jump {op!r}")
    if same_reg:
        return a, b
    cond = op if taken else NEGATED[op]
    r1 = WorkReg.of(a)
    r2 = WorkReg.of(b)
    _refine_cond_op(r1, r2, cond, is32)
    if _violated(r1) or _violated(r2):
        return None
    bounds_sync(r1)
    bounds_sync(r2)
    if _violated(r1) or _violated(r2):
        return None
    return r1.freeze(), r2.freeze()


def ne_refines_nothing(a: Scalar, b: Scalar, is32: bool) -> bool:
    """`a != b` can only narrow a range when one side is a constant at the other's edge."""
    c: tuple
    o: tuple
    for c, o in ((a, b), (b, a)):
        if is32:
            if c[U32MIN] == c[U32MAX]:
                v = c[U32MIN]
                s = v - (1 << 32) if v >= 1 << 31 else v
                if v in (o[U32MIN], o[U32MAX]) or s in (o[S32MIN], o[S32MAX]):
                    return False
        elif not c[MASK]:
            v = c[VALUE]
            s = v - (1 << 64) if v >= 1 << 63 else v
            if v in (o[UMIN], o[UMAX]) or s in (o[SMIN], o[SMAX]):
                return False
            if o[MASK] and o[MASK].bit_count() == 1:
                return False  # a two-value tnum
    return True
