"""State comparison for pruning (`states_equal`, `regsafe`, `stacksafe`, `refsafe`).

A new state is pruned when an already fully explored state at the same
instruction is at least as general for everything that was live there.
bpfcheck treats every scalar as precise (the kernel's precision tracking only
ever relaxes this), so scalars must be contained by range and tnum.
"""

from __future__ import annotations

from typing import Final

from verifier.abstract.regs import (
    NOT_INIT,
    PACKET_TYPES,
    PTR_TO_ARENA,
    PTR_TO_MAP_VALUE,
    PTR_TO_MEM,
    PTR_TO_STACK,
    SCALAR,
    STACK_ITER,
    Reg,
    not_init,
    unknown_reg,
)
from verifier.abstract.state import ALL_SPILL, INVALID, MISC, SPILL, ZERO, Slot, State

_LINK_FLAGS: Final = (1 << 31) | (1 << 30)  # alu.ADD_CONST | alu.ADD_CONST32 (BPF_ADD_CONST, 64 and 32 bits)


class IdMap:
    """check_ids(): ids of the old state must map one-to-one onto ids of the new one."""

    __slots__ = ("fwd", "back", "tmp", "base_ids")

    def __init__(self, base_ids: bool = False) -> None:
        self.fwd: dict[int, int] = {}
        self.back: dict[int, int] = {}
        self.tmp = 0
        # check_scalar_ids(): an old id with BPF_ADD_CONST maps its base id too (feature
        # scalar_ids_by_base), so `r3 = r2 + 4` in the old state is not matched by an r3 linked to
        # another register in the current one while r2's id maps elsewhere
        self.base_ids = base_ids

    def check_scalar(self, old_id: int, cur_id: int) -> bool:
        """check_scalar_ids(): an unlinked scalar (id 0) stands for an id of its own."""
        if not old_id:
            self.tmp -= 1
            old_id = self.tmp
        if not cur_id:
            self.tmp -= 1
            cur_id = self.tmp
        if not self.check(old_id, cur_id):
            return False
        if self.base_ids and old_id > 0 and old_id & _LINK_FLAGS:
            return self.check(old_id & ~_LINK_FLAGS, cur_id & ~_LINK_FLAGS if cur_id > 0 else cur_id)
        return True

    def check(self, old_id: int, cur_id: int) -> bool:
        if not old_id or not cur_id:  # either both ids are set or both are zero
            return not old_id and not cur_id
        seen = self.fwd.get(old_id)
        if seen is None:
            if self.back.get(cur_id, old_id) != old_id:
                return False
            self.fwd[old_id] = cur_id
            self.back[cur_id] = old_id
            return True
        return seen == cur_id


# a `precise` value that asks regsafe() for the same scalar, not a covering one (the kernel's
# env->explore_alu_limits, set once an unprivileged pointer moved by an unknown scalar)
EXACT: Final = 2  # (never True: True == 1)


def regsafe(old: Reg, cur: Reg, idmap: IdMap, precise: int = True) -> bool:
    t = old.type
    if old is cur:  # the same value; its ids still have to map consistently (check_ids)
        if t == SCALAR:
            return not precise or not old.id or idmap.check_scalar(old.id, cur.id)
        return t == NOT_INIT or (idmap.check(old.id, cur.id) and idmap.check(old.ref_obj_id, cur.ref_obj_id))
    if t == NOT_INIT:
        return True
    if cur.type != t:
        return False
    if t == PTR_TO_ARENA:  # regsafe(): any arena pointer is as good as another
        return True
    if t == SCALAR:
        if not precise:
            return True
        if precise == EXACT:  # explore_alu_limits: scalars must be the same, precise or not
            return old.var == cur.var and old.off == cur.off and idmap.check_scalar(old.id, cur.id)
        if not old.var.contains(cur.var):
            return False
        if old.id:
            return old.off == cur.off and idmap.check_scalar(old.id, cur.id)
        return True
    if old.maybe_null != cur.maybe_null or old.off != cur.off:
        return False
    if t in PACKET_TYPES:
        if old.range > cur.range:
            return False
        return old.var.contains(cur.var) and idmap.check(old.id, cur.id)
    if t == PTR_TO_STACK:
        return old.frameno == cur.frameno and old.var == cur.var
    if t == PTR_TO_MAP_VALUE or t == PTR_TO_MEM:
        if old.map_index != cur.map_index or old.mem_size != cur.mem_size or old.rdonly != cur.rdonly:
            return False
        return (
            old.var.contains(cur.var)
            and idmap.check(old.id, cur.id)
            and idmap.check(old.ref_obj_id, cur.ref_obj_id)
        )
    if t == STACK_ITER:  # stacksafe(): the iterator's type, state and reference, not its depth
        return old.btf_id == cur.btf_id and old.mem_size == cur.mem_size and idmap.check(old.ref_obj_id, cur.ref_obj_id)
    return (
        old.var == cur.var
        and old.map_index == cur.map_index
        and old.mem_size == cur.mem_size
        and old.range == cur.range
        and old.subprog == cur.subprog
        and old.btf_id == cur.btf_id
        and idmap.check(old.id, cur.id)
        and idmap.check(old.ref_obj_id, cur.ref_obj_id)
    )


# scalar_reg_for_stack(): the register a slot of misc bytes reads as; and "not a scalar slot"
UNBOUND: Final = unknown_reg()
NOT_A_SCALAR: Final = not_init()


_MISC_OR_INVALID: Final = MISC + INVALID


def _all_misc(kinds: str, allow_uninit: bool) -> bool:
    """is_stack_all_misc(): every byte is misc (or uninitialised, where reading that is allowed)."""
    return not kinds.strip(_MISC_OR_INVALID if allow_uninit else MISC)  # (strip: nothing else left)


def _slot_used(kinds: str, allow_uninit: bool) -> bool:
    """stacksafe() looks at a byte of the old slot: neither uninitialised nor (where uninitialised
    reads are allowed) misc."""
    return bool(kinds.strip(_MISC_OR_INVALID if allow_uninit else INVALID))


def slotsafe(old: Slot, cur: Slot | None, idmap: IdMap, allow_uninit: bool, precise: int = True) -> bool:
    """stacksafe() for one 8-byte slot (NOT_EXACT). Per byte: uninitialised old bytes, and misc
    ones where uninitialised reads are allowed, match anything; a 64-bit scalar spill and a slot of
    misc bytes (an unbounded scalar) are compared as registers (scalar_reg_for_stack()); misc
    matches zero; otherwise the byte kinds must be the same, and spilled registers regsafe()."""
    okinds = old.kinds
    ckinds = cur.kinds if cur is not None else INVALID * 8
    ospill = old.spilled
    old_reg = None
    for i in range(8):
        o = okinds[i]
        if o == INVALID or (o == MISC and allow_uninit):
            continue
        if old_reg is None:
            # first byte that matters: the slot as a whole, when both sides read as scalars
            if ospill is not None and okinds == ALL_SPILL and ospill.type == SCALAR:
                old_reg = ospill
            elif _all_misc(okinds, allow_uninit):
                old_reg = UNBOUND
            else:
                old_reg = NOT_A_SCALAR
            if old_reg is not NOT_A_SCALAR:
                cspill = cur.spilled if cur is not None else None
                if cspill is not None and ckinds == ALL_SPILL and cspill.type == SCALAR:
                    return regsafe(old_reg, cspill, idmap, precise if old_reg is ospill else False)
                if _all_misc(ckinds, allow_uninit):
                    return regsafe(old_reg, UNBOUND, idmap, precise if old_reg is ospill else False)
        c = ckinds[i]
        if o == MISC and c == ZERO:
            continue
        if o != c:
            return False
    if okinds[0] == SPILL:
        return cur is not None and cur.spilled is not None and regsafe(ospill, cur.spilled, idmap, precise)  # type: ignore[arg-type]
    return True


def _key_safe(
    old: State, cur: State, key: int, live: set[int], allow_uninit: bool, precise: set[int] | None,
    exact: bool = False
) -> bool:
    """The register or stack slot `key` alone (a fresh id map) is safe: a necessary condition for
    states_equal(), since the id constraints of all keys together only add to those of one. Keys
    that states_equal() would not look at are safe."""
    if key not in live:
        return True
    depth, rest = divmod(key, 128)
    if depth >= len(old.frames):
        return True  # a hint from a deeper state (every key is live for a callback's convergence)
    p = EXACT if exact else precise is None or key in precise
    if rest < 16:
        return rest > 10 or regsafe(old.frames[depth].regs[rest], cur.frames[depth].regs[rest], IdMap(), p)
    oslot = old.frames[depth].stack.get(rest - 16)
    if oslot is None:
        return True
    if rest - 16 < 64 - ((cur.frames[depth].depth + 7) >> 3) and _slot_used(oslot.kinds, allow_uninit):
        return False  # beyond the current frame's allocated stack (stacksafe())
    cslot = cur.frames[depth].stack.get(rest - 16)
    if cslot is not None:  # the common cases, as in states_equal()
        kinds = oslot.kinds
        if kinds == cslot.kinds:
            if SPILL not in kinds:
                return True
            sp = oslot.spilled
            csp = cslot.spilled
            if kinds[0] == SPILL and sp is not None and csp is not None and (
                kinds == ALL_SPILL or not sp.id or csp.id or sp.type != SCALAR
            ):
                return regsafe(sp, csp, IdMap(), p)
    return slotsafe(oslot, cslot, IdMap(), allow_uninit, p)


def _same_frames_and_lock(old: State, cur: State) -> bool:
    """The first checks of both comparisons: as many frames, and a lock held in both or in neither."""
    if len(old.frames) != len(cur.frames):
        return False
    if old.active_rcu != cur.active_rcu or old.preempt_locks != cur.preempt_locks:
        return False
    if len(old.irq_flags) != len(cur.irq_flags):
        return False
    return old.active_lock == cur.active_lock or (old.active_lock is not None and cur.active_lock is not None)


# per frame of an old state: the registers and the stack slots (slot, key, slot) states_equal() looks at
ComparePlan = list[tuple[list[int], list[tuple[int, int, Slot]]]]


def compare_plan(old: State, live: set[int], allow_uninit: bool) -> ComparePlan:
    """What states_equal() compares of `old` for these live keys: live registers the old state has
    initialised (an uninitialised one covers anything), and live slots with a byte stacksafe() looks
    at (others cover anything, and are never beyond the current frame's stack), in the order of the
    comparison."""
    plan: ComparePlan = []
    for depth, frame in enumerate(old.frames):
        base = depth * 128
        regs = frame.regs
        reg_plan = [r for r in range(11) if base + r in live and regs[r].type != NOT_INIT]
        base += 16
        slot_plan = [
            (slot, base + slot, oslot)
            for slot, oslot in frame.stack.items()
            if base + slot in live and _slot_used(oslot.kinds, allow_uninit)
        ]
        plan.append((reg_plan, slot_plan))
    return plan


def states_equal(
    old: State,
    cur: State,
    live: set[int],
    allow_uninit: bool,
    precise: set[int] | None = None,
    exact_scalars: bool = False,
    base_ids: bool = False,
    plans: list[ComparePlan] | None = None,
) -> bool:
    """`precise` holds the keys of the old state's precise scalars; None means all are precise.
    `base_ids`: an old scalar id with BPF_ADD_CONST maps its base id as well (scalar_ids_by_base).

    Most comparisons fail, and most where the last one at the same checkpoint failed: that key
    (`old.cmp_hint`) is checked first. `cur` keeps the key too, for the checkpoint it may become
    (copies keep it). The answer does not depend on the order of the checks (check_ids() asks for
    one consistent map over all of them). `plans`: where the caller keeps compare_plan(old, live,
    allow_uninit) for the next comparison with the same old state and live keys (filled by the first
    comparison that gets past the first check)."""
    ofr = old.frames
    cfr = cur.frames
    if not _same_frames_and_lock(old, cur):
        return False
    hint = old.cmp_hint
    if hint >= 0 and hint in live:
        depth = hint >> 7
        rest = hint & 127
        if rest < 11 and depth < len(ofr):  # _key_safe() of a register, inline
            o = ofr[depth].regs[rest]
            c = cfr[depth].regs[rest]
            if o is not c and not regsafe(
                o, c, IdMap(), EXACT if exact_scalars else precise is None or hint in precise
            ):
                return False
        elif not _key_safe(old, cur, hint, live, allow_uninit, precise, exact_scalars):
            return False
    if plans is None:
        plan = compare_plan(old, live, allow_uninit)
    elif plans:
        plan = plans[0]
    else:
        plan = compare_plan(old, live, allow_uninit)
        plans.append(plan)
    idmap = IdMap(base_ids)
    for depth in range(len(ofr)):
        of = ofr[depth]
        cf = cfr[depth]
        if of.callsite != cf.callsite or of.callback_depth > cf.callback_depth:
            return False  # a state that may still run the callback more often is not covered
        oregs = of.regs
        cregs = cf.regs
        base = depth * 128
        reg_plan, slot_plan = plan[depth]
        for r in reg_plan:
            o = oregs[r]
            c = cregs[r]
            if o is c and not o.id and not o.ref_obj_id:
                continue  # regsafe() of a register with itself, without ids to map
            key = base + r
            if not regsafe(o, c, idmap, EXACT if exact_scalars else precise is None or key in precise):
                old.cmp_hint = cur.cmp_hint = key
                return False
        cstack = cf.stack
        cfirst = 64 - ((cf.depth + 7) >> 3)  # the first slot the current frame has allocated
        for slot, key, oslot in slot_plan:
            if slot < cfirst:
                # stacksafe(): "explored stack has more populated slots than current stack"
                old.cmp_hint = cur.cmp_hint = key
                return False
            cslot = cstack.get(slot)
            p = EXACT if exact_scalars else precise is None or key in precise
            if cslot is not None:
                # slotsafe()'s common cases: the same byte kinds without a spill are safe
                # whatever the bytes; the same spill bytes compare the spilled registers
                kinds = oslot.kinds
                if kinds == cslot.kinds:
                    if SPILL not in kinds:
                        continue
                    sp = oslot.spilled
                    csp = cslot.spilled
                    if kinds[0] == SPILL and sp is not None and csp is not None and (
                        kinds == ALL_SPILL or not sp.id or csp.id or sp.type != SCALAR
                    ):  # (slotsafe() asks regsafe() once per spill byte: an unlinked cur scalar
                        # takes a fresh id each time, so a linked old one fails the second time)
                        if sp is csp and not sp.id and not sp.ref_obj_id:
                            continue
                        if regsafe(sp, csp, idmap, p):
                            continue
                        old.cmp_hint = cur.cmp_hint = key
                        return False
            if not slotsafe(oslot, cslot, idmap, allow_uninit, p):
                old.cmp_hint = cur.cmp_hint = key
                return False
    if len(old.refs) != len(cur.refs):
        return False
    for oref, cref in zip(old.refs, cur.refs, strict=True):
        if not idmap.check(oref.id, cref.id):
            return False
    if old.active_lock is not None:  # refsafe(): the same lock object, its id mapped like the others
        (omap, oid), (cmap, cid) = old.active_lock, cur.active_lock  # type: ignore[misc]
        if omap != cmap or not idmap.check(oid, cid):
            return False
    return True


def states_identical(old: State, cur: State) -> bool:
    """states_maybe_looping() + exact match: the loop made no progress at all."""
    if len(old.frames) != len(cur.frames):
        return False
    for of, cf in zip(old.frames, cur.frames, strict=True):
        # is_state_visited() also needs the same callback_unroll_depth: a bpf_loop body run once
        # more is progress
        if of.regs != cf.regs or of.stack != cf.stack or of.callback_depth != cf.callback_depth:
            return False
    return old.refs == cur.refs


def regs_exact(old: Reg, cur: Reg, idmap: IdMap) -> bool:
    """regs_exact(): the same register but for ids, which must map consistently."""
    if old.type == NOT_INIT or cur.type == NOT_INIT:
        return old.type == cur.type
    if old.type == STACK_ITER:  # stacksafe() compares an iterator slot so, exact or not
        return regsafe(old, cur, idmap)
    return (
        old.evolve(id=0, ref_obj_id=0) == cur.evolve(id=0, ref_obj_id=0)
        and idmap.check(old.id, cur.id)
        and idmap.check(old.ref_obj_id, cur.ref_obj_id)
    )


def callback_states_equal(
    old: State, cur: State, live_regs: set[int] | None, allow_uninit: bool, exact: bool, base_ids: bool = False
) -> bool:
    """is_state_visited() at the call of a synchronous callback, against a state of the current path:
    states_equal(RANGE_WITHIN) (6.9+), or with `exact` states_equal(exact = true) (6.7, 6.8).
    Every scalar counts as precise (RANGE_WITHIN) or must be the same (exact); a register the old
    state has not initialised must not be initialised in the current one either; every byte of the
    old state's allocated stack must be of the same kind in both. `live_regs`: the registers
    compared (6.18: the static liveness, live_regs_before), None for all."""
    ofr = old.frames
    cfr = cur.frames
    if not _same_frames_and_lock(old, cur):
        return False
    idmap = IdMap(base_ids)
    for depth in range(len(ofr)):
        of = ofr[depth]
        cf = cfr[depth]
        if of.callsite != cf.callsite or of.callback_depth > cf.callback_depth:
            return False
        base = depth * 128
        for r in range(11):
            if live_regs is not None and not exact and base + r not in live_regs:
                continue
            o = of.regs[r]
            c = cf.regs[r]
            if exact:
                if not regs_exact(o, c, idmap):
                    return False
            elif o.type == NOT_INIT:
                if c.type != NOT_INIT:
                    return False
            elif not regsafe(o, c, idmap, True):
                return False
        # stacksafe(): the bytes of old->allocated_stack (the current path's frame, a descendant, has
        # at least as much)
        first = 64 - (of.depth + 7) // 8
        for slot in set(of.stack) | set(cf.stack):
            if slot < first:
                continue
            oslot = of.stack.get(slot)
            cslot = cf.stack.get(slot)
            okinds = oslot.kinds if oslot is not None else INVALID * 8
            if okinds != (cslot.kinds if cslot is not None else INVALID * 8):
                return False
            if oslot is None:
                continue
            if exact:
                if SPILL in okinds and not regs_exact(oslot.spilled, cslot.spilled, idmap):  # type: ignore[union-attr,arg-type]
                    return False
            elif not slotsafe(oslot, cslot, idmap, allow_uninit, True):
                return False
    if len(old.refs) != len(cur.refs):
        return False
    for oref, cref in zip(old.refs, cur.refs, strict=True):
        if not idmap.check(oref.id, cref.id):
            return False
    if old.active_lock is not None:
        (omap, oid), (cmap, cid) = old.active_lock, cur.active_lock  # type: ignore[misc]
        if omap != cmap or not idmap.check(oid, cid):
            return False
    return True
