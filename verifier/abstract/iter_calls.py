"""Calls of open-coded iterator kfuncs (bpf_iter_<type>_new/_next/_destroy, 6.4+) and the
convergence of the loops they drive.

check_kfunc_args() -> process_iter_arg(): `_new` wants uninitialised slots and makes them an
ACTIVE iterator holding a reference; `_next` and `_destroy` want an initialised iterator of the
same type; `_destroy` releases it. process_iter_next_call(): at `_next` the current path takes
the iterator as DRAINED (R0 = NULL) and a queued one as ACTIVE with one more depth and R0 not
NULL, its scalars that changed since the previous visit of the call and were not found precise
there widened (widen_imprecise_scalars(), 6.7+). is_state_visited() at a `_next` call ends the
ACTIVE iterations against a state of the current path at the same call (states_equal() exact in
6.7/6.8, RANGE_WITHIN from 6.9: CallsMixin.callback_converged()). Source: kernel/bpf/verifier.c
v6.18.2, v6.9.0, v6.7.3, v6.4.6 (iters.py for the stack slots).
"""

from __future__ import annotations

from typing import Any

from verifier.abstract import btf_ptr, dynptr, iters
from verifier.abstract.compare import callback_states_equal
from verifier.abstract.explorer import mark_read, mark_read_all, static_reg_keys
from verifier.abstract.regs import (
    BTF_RCU,
    BTF_TRUSTED,
    BTF_UNTRUSTED,
    PTR_TO_BTF_ID,
    PTR_TO_MEM,
    PTR_TO_STACK,
    SCALAR,
    Reg,
    const_reg,
    not_init,
    pointer_reg,
    unknown_reg,
)
from verifier.abstract.reject import Reject
from verifier.abstract.state import RefState, State, reg_key, slot_key


class IterMixin:
    """Methods of the Verifier (verifier.py) for iterator kfuncs."""

    # from the Verifier and its other mixins
    replay: Any
    read_reg: Any
    new_id: Any
    feature: Any
    push_branch: Any
    note_branch: Any
    next_decision: Any
    _stack_bounds: Any
    _mark_slot_read: Any
    _widen_after_callback: Any
    static_live: Any
    allow_uninit_stack: bool
    track_precision: bool
    mark_precise: Any
    scalar_keys: Any
    kfunc_flags: Any
    prog: Any
    _iter_types: dict[str, iters.IterType | None]

    def iter_next_calls(self, insns: list, extern_refs: dict[int, str]) -> set[int]:
        """is_iter_next_insn(): the `_next` calls of the iterators this target has."""
        out = set()
        for idx, name in extern_refs.items():
            found = iters.iter_kfunc(name)
            if found is not None and found[1] == "next" and self.iter_type(found[0]) is not None:
                out.add(idx)
        return out

    def irq_flag_call(self, state: State, idx: int, save: bool) -> None:
        """process_irq_flag() of bpf_local_irq_save()/bpf_local_irq_restore() (6.14+): the flag's
        stack slot made (uninitialised before) or consumed (the innermost saved one)."""
        reg = state.frames[-1].regs[1]
        if reg.type != PTR_TO_STACK:
            raise Reject("arg#0 doesn't point to an irq flag on stack", "kfunc-arg", (1,))
        self.read_reg(state, 1)
        frame = state.frames[reg.frameno]
        lo = iters.first_slot(reg, 1, (frame.depth + 7) // 8 * 8)
        if save:
            if lo == iters.EINVAL or (lo >= 0 and not iters.is_valid_uninit(frame.stack, lo, 1)):
                raise Reject("expected uninitialized irq flag as arg#0", "kfunc-arg", (1,))
            lo_addr, _ = self._stack_bounds(state, 1, reg, reg.off, 8, True)  # check_mem_access() write
            dynptr.destroy_range(frame.stack, lo_addr, lo_addr + 8)
            iters.scrub_range(frame.stack, lo_addr, lo_addr + 8)
            lo = iters.first_slot(reg, 1, (frame.depth + 7) // 8 * 8)
            ref = self.new_id()
            iters.mark(frame.stack, lo, 1, iters.IRQ_FLAG_CODE, ref)
            state.irq_flags = state.irq_flags + ((ref, idx),)
            return
        held = iters.valid_init(frame.stack, lo, 1, iters.IRQ_FLAG_CODE) if lo >= 0 else None
        if held is None:
            raise Reject("expected an initialized irq flag as arg#0", "kfunc-arg", (1,))
        self._mark_slot_read(state, frame, lo)
        active, insn = state.irq_flags[-1]
        if held.ref_obj_id != active:  # release_irq_state(): the innermost first
            raise Reject(
                f"cannot restore irq state out of order, expected id={active} acquired at insn_idx={insn}",
                "kfunc-arg",
                (1,),
            )
        iters.unmark(frame.stack, lo, 1)
        state.irq_flags = state.irq_flags[:-1]

    def iter_type(self, kind: str) -> iters.IterType | None:
        """The iterator bpf_iter_<kind> as the target has it, or None: num and bits from their facts
        (iters.ITER_TYPES); any other when the target registers its three kfuncs with KF_ITER_NEW,
        KF_ITER_NEXT and KF_ITER_DESTROY (the kfunc flags table), sized by its BTF."""
        if kind in self._iter_types:
            return self._iter_types[kind]
        found = iters.ITER_TYPES.get(kind)
        if found is not None:
            known: iters.IterType | None = found if self.feature(found.feature) else None
        else:
            known = None
            flags = [self.kfunc_flags(f"bpf_iter_{kind}_{m}") for m in iters.METHODS]
            if all(
                f is not None and iters.METHOD_FLAGS[m] in f for f, m in zip(flags, iters.METHODS, strict=True)
            ):
                facts = btf_ptr.iter_facts(self, kind)
                if facts is not None and facts[0] >= 8 and facts[0] % 8 == 0:
                    rcu = "KF_RCU_PROTECTED" in (flags[0] or ())
                    known = iters.generic_type(kind, facts[0], facts[1], rcu)
        self._iter_types[kind] = known
        return known

    def iter_kfunc_call(
        self, state: State, idx: int, itype: iters.IterType, kind: str, method: str, typed: Reg | None
    ) -> int:
        """check_kfunc_call() of bpf_iter_<kind>_<method>: the arguments, the stack slots, R0
        (`typed`: R0 as the kfunc's BTF prototype gives it, for the `_next` of other iterators)."""
        nr_slots = itype.size // 8
        regs = state.frames[-1].regs
        reg = regs[1]
        if reg.type != PTR_TO_STACK:
            raise Reject("arg#0 expected pointer to an iterator on stack", "kfunc-arg", (1,))
        self.read_reg(state, 1)
        frame = state.frames[reg.frameno]
        lo = iters.first_slot(reg, nr_slots, (frame.depth + 7) // 8 * 8)
        if method == "new":
            if lo == iters.EINVAL or (lo >= 0 and not iters.is_valid_uninit(frame.stack, lo, nr_slots)):
                raise Reject(f"expected uninitialized iter_{kind} as arg #0", "kfunc-arg", (1,))
            for off in range(0, nr_slots * 8, 8):  # check_mem_access(BPF_DW, BPF_WRITE) of each slot
                lo_addr, _ = self._stack_bounds(state, 1, reg, reg.off + off, 8, True)
                dynptr.destroy_range(frame.stack, lo_addr, lo_addr + 8)
                iters.scrub_range(frame.stack, lo_addr, lo_addr + 8)
            if lo == iters.ERANGE:
                lo = iters.first_slot(reg, nr_slots, (frame.depth + 7) // 8 * 8)
            for regno in itype.scalar_args:  # check_kfunc_args(): the arguments after the iterator
                if regs[regno].type != SCALAR:
                    raise Reject(f"R{regno} is not a scalar", "kfunc-arg", (regno,))
                self.read_reg(state, regno)
            # a KF_RCU_PROTECTED iterator made outside an RCU critical section (a sleepable program
            # that takes no RCU read lock): refused (6.18+, check_kfunc_call() after the arguments),
            # else PTR_UNTRUSTED (mark_stack_slots_iter())
            untrusted = itype.rcu_protected and self.prog.sleepable and not state.active_rcu
            if untrusted and self.feature("kfunc_rcu_protected_call"):
                raise Reject(
                    f"kernel func bpf_iter_{kind}_new requires RCU critical section protection", "kfunc"
                )
            ref = self.new_id()
            state.refs = state.refs + (RefState(ref, idx, "iter"),)
            iters.mark(frame.stack, lo, nr_slots, itype.code, ref, untrusted)
            return self._iter_call_done(state, idx, unknown_reg())
        held = iters.valid_init(frame.stack, lo, nr_slots, itype.code) if lo >= 0 else None
        if held is None:
            raise Reject(f"expected an initialized iter_{kind} as arg #0", "kfunc-arg", (1,))
        if held.rdonly:  # is_iter_reg_valid_init(): -EPROTO
            raise Reject(f"expected an RCU CS when using bpf_iter_{kind}_{method}", "kfunc-arg", (1,))
        for s in range(lo, lo + nr_slots):
            self._mark_slot_read(state, frame, s)
        if method == "destroy":
            iters.unmark(frame.stack, lo, nr_slots)
            state.refs = tuple(r for r in state.refs if r.id != held.ref_obj_id)
            return self._iter_call_done(state, idx, unknown_reg())
        return self._iter_next(state, idx, reg.frameno, lo, held, itype, typed)

    def _iter_call_done(self, state: State, idx: int, r0: Reg) -> int:
        regs = state.frames[-1].regs
        for r in range(1, 6):
            regs[r] = not_init()
        regs[0] = r0
        return idx + 1

    def iter_rcu_protected(self, code: int) -> bool:
        """The iterator of this STACK_ITER code is KF_RCU_PROTECTED."""
        return any(t is not None and t.code == code and t.rcu_protected for t in self._iter_types.values())

    def _iter_next(
        self,
        state: State,
        idx: int,
        frameno: int,
        lo: int,
        held: Reg,
        itype: iters.IterType,
        typed: Reg | None,
    ) -> int:
        """process_iter_next_call(): R0 as check_kfunc_call() made it, not NULL on the ACTIVE path
        (mark_ptr_not_null_reg()), NULL on the DRAINED one."""
        if itype.elem_size:  # int *: read-only memory of its size
            elem = pointer_reg(PTR_TO_MEM, mem_size=itype.elem_size, rdonly=True, id=self.new_id())
        else:  # a kernel object (of no known type without the target's BTF); check_kfunc_call():
            # MEM_RCU when the iterator is (KF_RCU_PROTECTED), else PTR_TRUSTED
            if typed is None or typed.type == SCALAR:
                typed = pointer_reg(PTR_TO_BTF_ID, id=self.new_id())
            btf_id = typed.btf_id
            if self.feature("trusted_btf_ptrs"):
                trust = BTF_RCU if itype.rcu_protected else BTF_TRUSTED
                btf_id = btf_id & ~(BTF_TRUSTED | BTF_RCU | BTF_UNTRUSTED) | trust
            elem = typed.evolve(maybe_null=False, btf_id=btf_id)
        if held.mem_size == iters.ACTIVE:
            if self.replay is not None:  # a re-run of a recorded path: its decision here
                if self.next_decision(idx):
                    self._iter_active(state, frameno, lo, held)
                    self._iter_call_done(state, idx, elem)
                    return idx + 1
            else:
                queued = state.copy()
                self._iter_active(queued, frameno, lo, held)
                self._iter_call_done(queued, idx, elem)
                self._widen_before(queued, idx)
                self.note_branch(queued, idx, True)
                self.push_branch(queued, idx + 1)
                self.note_branch(state, idx, False)
        iters.set_state(state.frames[frameno].stack, lo, iters.DRAINED, held.range)
        return self._iter_call_done(state, idx, const_reg(0))

    @staticmethod
    def _iter_active(state: State, frameno: int, lo: int, held: Reg) -> None:
        iters.set_state(state.frames[frameno].stack, lo, iters.ACTIVE, held.range + 1)

    def _widen_before(self, queued: State, idx: int) -> None:
        """widen_imprecise_scalars() against find_prev_entry(): the checkpoint of the previous
        visit of this call on the path, above the one just made here (6.7+)."""
        if not self.feature("iter_widening"):
            return
        here = queued.parent
        if here is None:
            return
        queued.parent = here.parent
        try:
            self._widen_after_callback(queued, idx)
        finally:
            queued.parent = here

    def iter_converged(self, cp: Any, state: State, live: set[int] | None = None) -> bool:
        """is_state_visited() at a `_next` call against `cp`, a state of the current path at the same
        call: exact (before 6.9) or RANGE_WITHIN (6.9+). The marks `cp` has so far go to this path
        (propagate_liveness(), propagate_precision()); the checkpoints between are inside the loop
        until `cp` is fully explored, and get the marks `cp` gains by then (a backedge). `live`: the
        static liveness keys of `state` at `cp`'s instruction when the caller has them already."""
        if live is None and self.static_live is not None:
            live = static_reg_keys(state, cp.insn, self.static_live)
        exact = not self.feature("iter_range_within")
        if not callback_states_equal(cp.state, state, live, self.allow_uninit_stack, exact, self.scalar_ids_by_base):
            return False
        cp.hits += 1
        self._propagate_marks(state, cp)
        if not self._add_backedge(state, cp, cp):
            self._mark_everything(state)
        return True

    def loop_pending(self, cp: Any) -> bool:
        """incomplete_read_marks(): `cp` lies on an iterator loop whose entry (or an outer one's) is
        not fully explored yet."""
        entry = cp.loop_entry
        while entry is not None:
            if entry.branches:
                return True
            entry = entry.loop_entry
        return False

    def loop_state_covers(self, cp: Any, state: State) -> bool:
        """is_state_visited() against a complete state inside a loop still explored: states_equal()
        with RANGE_WITHIN (every scalar precise, every register compared); a hit is a backedge of
        the outermost entry still explored."""
        live = None if self.static_live is None else static_reg_keys(state, cp.insn, self.static_live)
        if not callback_states_equal(cp.state, state, live, self.allow_uninit_stack, False, self.scalar_ids_by_base):
            return False
        cp.hits += 1
        self._propagate_marks(state, cp)
        entry = outer = cp.loop_entry
        while entry is not None:
            if entry.branches:
                outer = entry
            entry = entry.loop_entry
        if not self._add_backedge(state, cp, outer):
            self._mark_everything(state)
        return True

    def loop_done(self, entry: Any) -> None:
        """maybe_exit_scc() -> propagate_backedges(): a loop entry is fully explored; the marks of the
        states its backedges matched go to the backedges' paths until nothing changes. An entry
        inside an outer loop still explored hands them to that loop's entry."""
        backedges, entry.backedges = entry.backedges, None
        outer = entry.loop_entry
        while outer is not None and not outer.branches:
            outer = outer.loop_entry
        if outer is not None:
            outer.backedges = (outer.backedges or []) + backedges
            return
        for _ in range(64):
            before = [(len(eq.live), len(eq.precise), eq.all_precise) for _, eq in backedges]
            for snap, eq in backedges:
                self._propagate_marks(snap, eq)
            if before == [(len(eq.live), len(eq.precise), eq.all_precise) for _, eq in backedges]:
                return
        for snap, _ in backedges:
            self._mark_everything(snap)

    def _propagate_marks(self, state: State, cp: Any) -> None:
        mark_read_all(state, cp.live)
        if self.track_precision:
            if cp.all_precise:
                self.mark_precise(state, self.scalar_keys(state), from_current_insn=False)
            elif cp.precise:
                self.mark_precise(state, cp.precise, from_current_insn=False)

    def _mark_everything(self, state: State) -> None:
        """Every register and slot read, every scalar precise, up the path (when no backedge can be
        kept: the path does not come from the loop's entry)."""
        for depth, frame in enumerate(state.frames):
            for r in range(11):
                mark_read(state, reg_key(depth, r))
            for slot in frame.stack:
                mark_read(state, slot_key(depth, slot))
        if self.track_precision:
            self.mark_precise(state, self.scalar_keys(state), from_current_insn=False)

    @staticmethod
    def _add_backedge(state: State, equal: Any, entry: Any) -> bool:
        """add_scc_backedge(): the checkpoints from this path's up to `entry` lie on its loop; the path
        (a copy: its parent and instruction history) is kept with the state it matched. False when
        `entry` is not above this path."""
        chain = []
        node = state.parent
        while node is not None and node is not entry:
            chain.append(node)
            node = node.parent
        if node is None:
            return False
        for node in chain:
            old = node.loop_entry
            if old is None or not old.branches or old.dfs_depth > entry.dfs_depth:
                node.loop_entry = entry
        snap = state.copy()
        entry.backedges = (entry.backedges or []) + [(snap, equal)]
        return True

    def iter_active_at_call(self, state: State) -> bool:
        """is_state_visited(): the iterator R1 points to at this `_next` call is ACTIVE."""
        reg = state.frames[-1].regs[1]
        if reg.type != PTR_TO_STACK or not reg.var.is_const or reg.frameno >= len(state.frames):
            return False
        v = reg.var.const_value
        addr = reg.off + (v - (1 << 64) if v >> 63 else v)
        if addr % 8 or not -512 <= addr < 0:
            return False
        held = iters.iter_slot(state.frames[reg.frameno].stack, (512 + addr) >> 3)
        return held is not None and held.mem_size == iters.ACTIVE
