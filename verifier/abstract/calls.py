"""bpf-to-bpf calls, callbacks and BPF_EXIT (`check_func_call`, `prepare_func_exit`,
`check_return_code`, `check_reference_leak`)."""

from __future__ import annotations

from typing import Final

from verifier.abstract import btf_ptr
from verifier.abstract import helper_semantics as hs
from verifier.abstract.compare import callback_states_equal
from verifier.abstract.explorer import mark_read, static_reg_keys
from verifier.abstract.helpers import CallMeta
from verifier.abstract.regs import (
    CONST_PTR_TO_MAP,
    PTR_TO_BTF_ID,
    PTR_TO_CTX,
    PTR_TO_MAP_KEY,
    PTR_TO_MAP_VALUE,
    PTR_TO_STACK,
    SCALAR,
    Reg,
    not_init,
    pointer_reg,
    unknown_reg,
)
from verifier.abstract.reject import Reject
from verifier.abstract.state import MISC, SPILL, Frame, Slot, State, reg_key, slot_key
from verifier.abstract.tnum import Tnum
from verifier.isa.insn import Insn

MAX_CALL_FRAMES: Final = 8


class _Everything:
    """A liveness set holding every key: a state still being explored does not know all it reads."""

    def __contains__(self, key: object) -> bool:
        return True


EVERY_KEY: Final = _Everything()


def _range_text(reg: Reg) -> str:
    var = reg.var
    parts = []
    if var.smin > -(1 << 63):
        parts.append(f" smin={var.smin}")
    if var.smax < (1 << 63) - 1:
        parts.append(f" smax={var.smax}")
    return "".join(parts) or " unknown scalar value"


class CallsMixin:
    def _push_frame(self, state: State, callsite: int, target: int, callback: int = -1) -> Frame:
        if len(state.frames) >= MAX_CALL_FRAMES:
            raise Reject(f"the call stack of {len(state.frames) + 1} frames is too deep !", "call-depth")
        caller = state.frames[-1]
        frameno = len(state.frames)
        sub = self.subprog_index(target)
        frame = Frame(frameno, sub, callsite)
        frame.in_callback = callback
        frame.regs[10] = pointer_reg(PTR_TO_STACK, frameno=frameno)
        state.frames.append(frame)
        # the callee's reads of its arguments are reads of the caller's registers
        for r in range(1, 6):
            if caller.regs[r].type != 0:
                key = caller.frameno * 128 + r
                if key not in state.written:
                    mark_read(state, key)
        return frame

    def do_pseudo_call(self, state: State, insn: Insn, idx: int) -> int:
        target = idx + insn.imm + 1
        if not 0 <= target < len(self.insns):
            raise Reject(f"call to invalid destination {target}", "invalid-insn")
        locked = state.active_lock is not None
        if locked and not self.feature("lock_static_calls"):
            raise Reject("function calls are not allowed while holding a lock", "lock")
        caller = state.frames[-1]
        sub = self.subprog_index(target)
        proto = self.global_proto_for(sub)
        if proto is not None:
            if locked:  # check_func_call(): only static subprograms run under the lock
                raise Reject("global function calls are not allowed while holding a lock,", "lock").with_detail(
                    "use static function instead"
                )
            return self._call_global(state, idx, sub, proto)
        frame = self._push_frame(state, idx, target)
        for r in range(1, 6):
            frame.regs[r] = caller.regs[r]
        for r in range(0, 6):
            caller.regs[r] = not_init()
        self.calls_made.add((caller.subprog, frame.subprog))
        return target

    def _call_global(self, state: State, idx: int, sub: int, proto) -> int:
        """btf_check_func_arg_match(): the caller's arguments must fit the BTF prototype."""
        if proto.problem:
            if self.feature("global_func_arg_tags"):  # check_func_call() after btf_check_subprog_call()
                raise Reject(
                    f"Caller passes invalid args into func#{sub} ('{proto.name}')", "global-func"
                ).with_detail(proto.problem)
            raise Reject(proto.problem, "global-func")
        if not proto.returns_scalar:
            raise Reject(
                f"Global function {proto.name}() doesn't return scalar. Only those are supported.",
                "global-func",
            )
        caller = state.frames[-1]
        try:
            self._check_global_args(state, proto)
        except Reject as rej:
            if rej.category == "uninit-reg":
                raise
            raise Reject(
                f"Caller passes invalid args into func#{sub} ('{proto.name}')", "global-func", rej.regs
            ).with_detail(rej.message) from None
        self.calls_made.add((caller.subprog, sub))
        if sub not in self.globals_to_verify:
            self.globals_to_verify.append(sub)
        if self.feature("pkt_data_changes_tracked") and sub in self.pkt_changing_subprogs:
            self._clear_packet_pointers(state)
        regs = caller.regs
        for r in range(1, 6):
            regs[r] = not_init()
        regs[0] = unknown_reg()
        for r in range(0, 6):
            state.written.add(caller.frameno * 128 + r)
        return idx + 1

    def _check_global_args(self, state: State, proto) -> None:
        for i, arg in enumerate(proto.args[:5]):
            regno = i + 1
            reg = self.read_reg(state, regno)
            if arg.kind == "ctx":
                if reg.type != PTR_TO_CTX:
                    raise Reject(
                        f"arg#{i} expected pointer to ctx, but got {self.type_label(reg)}",
                        "global-func",
                        (regno,),
                    )
            elif arg.kind == "scalar":
                if reg.type != SCALAR:
                    raise Reject(f"R{regno} is not a scalar", "global-func", (regno,))
            elif arg.kind == "dynptr":  # check_func_arg(ARG_PTR_TO_DYNPTR | MEM_RDONLY)
                self._check_dynptr_arg(state, regno, reg, frozenset({"MEM_RDONLY"}), CallMeta())
            elif not (reg.type == SCALAR and reg.is_const and reg.var.const_value == 0):
                maybe_null = reg.maybe_null and self.feature("global_func_arg_tags")
                # check_mem_reg(): a pointer that may be NULL is checked as if it were not
                checked = reg.evolve(maybe_null=False) if maybe_null else reg
                self._check_mem_arg(state, regno, checked, arg.size, False, False, "ARG_PTR_TO_MEM", frozenset())
                # then as a write: a read-only map fails, stack bytes the callee may change are clobbered
                if checked.type == PTR_TO_STACK:
                    self.stack_arg_clobber(state, checked, arg.size)
                else:
                    self._check_mem_arg(state, regno, checked, arg.size, True, False, "ARG_PTR_TO_MEM", frozenset())
                if maybe_null and arg.nonnull:
                    raise Reject(f"arg#{i} is expected to be non-NULL", "global-func", (regno,))

    def queue_callback(self, state: State, idx: int, fid: int, meta: CallMeta) -> None:
        """push_callback_call() (6.7+): the body is queued as a path of its own, entered from this
        state; this path goes on past the call as if the body ran zero times. bpf_loop queues at
        most umax(R1) bodies along one path (callback_depth)."""
        caller = state.frames[-1]
        if fid == hs.LOOP:
            self.precise_regs(state, 1)  # the iteration count decides when the loop is done
            if caller.callback_depth >= caller.regs[1].var.umax:
                caller.callback_depth = 0  # "bpf_loop iteration limit reached"
                return
        body = state.copy()
        body.frames[-1].callback_depth += 1
        self.push_branch(body, self.enter_callback(body, None, idx, fid, meta, clobber=False))
        caller.callback_depth = 0

    def callback_converged(self, cp, state: State) -> bool:
        """is_state_visited() at the call of a synchronous callback, against a state of the current
        path (branches > 0): a repeat ends the iterations (callback_states_equal()). That state is not
        fully explored, so on a hit the rest of this path is taken to read everything; precision
        comes from the old state's marks as at any hit (propagate_precision(): the kernel's
        `goto hit` does no more for a callback, whose SCC backedges are not kept)."""
        live = None if self.static_live is None else static_reg_keys(state, cp.insn, self.static_live)
        exact = not self.feature("callback_range_within")
        if not callback_states_equal(cp.state, state, live, self.allow_uninit_stack, exact, self.scalar_ids_by_base):
            return False
        cp.hits += 1
        for depth, frame in enumerate(state.frames):
            for r in range(11):
                mark_read(state, reg_key(depth, r))
            for slot in frame.stack:
                mark_read(state, slot_key(depth, slot))
        if self.track_precision:
            if cp.all_precise:
                self.mark_precise(state, self.scalar_keys(state), from_current_insn=False)
            elif cp.precise:
                self.mark_precise(state, cp.precise, from_current_insn=False)
        return True

    def _widen_after_callback(self, state: State, callsite: int) -> None:
        """widen_imprecise_scalars(): against the nearest earlier visit of the call on this path,
        scalars that changed and were not found precise there become unknown (so that counters a
        callback bumps converge)."""
        node = state.parent
        callsites = [f.callsite for f in state.frames]
        while node is not None:
            if node.insn == callsite and [f.callsite for f in node.state.frames] == callsites:
                break
            node = node.parent
        if node is None:
            return
        precise = node.precise
        every = node.all_precise or not self.track_precision
        for depth, (old, cur) in enumerate(zip(node.state.frames, state.frames, strict=True)):
            regs = cur.regs
            for r in range(11):
                o, c = old.regs[r], regs[r]
                if o.type == SCALAR and c.type == SCALAR and o != c and not every and reg_key(depth, r) not in precise:
                    regs[r] = unknown_reg()
            stack = cur.stack
            for slot, oslot in old.stack.items():
                cslot = stack.get(slot)
                if oslot.spilled is None or cslot is None or cslot.spilled is None or oslot == cslot:
                    continue
                if oslot.spilled.type != SCALAR or cslot.spilled.type != SCALAR:
                    continue
                if every or slot_key(depth, slot) in precise:
                    continue
                if cslot.kinds == SPILL * 8:
                    stack[slot] = Slot(cslot.kinds, unknown_reg())
                else:  # a narrow spill: its bytes become unknown scalar bytes
                    stack[slot] = Slot(cslot.kinds.replace(SPILL, MISC))

    def enter_callback(
        self, state: State, insn: Insn | None, idx: int, fid: int, meta: CallMeta, clobber: bool = True
    ) -> int:
        caller = state.frames[-1]
        target = meta.func
        cregs = caller.regs
        frame = self._push_frame(state, idx, target, callback=fid)
        regs = frame.regs
        if fid == hs.LOOP:
            regs[1] = unknown_reg()
            regs[2] = cregs[3]
        elif fid in (hs.FOR_EACH_MAP_ELEM, hs.TIMER_SET_CALLBACK):
            mi = meta.map_index
            if fid == hs.TIMER_SET_CALLBACK:
                mi = cregs[1].map_index
            regs[1] = Reg(CONST_PTR_TO_MAP, cregs[1].var, map_index=mi)
            regs[2] = pointer_reg(PTR_TO_MAP_KEY, map_index=mi)
            regs[3] = pointer_reg(PTR_TO_MAP_VALUE, map_index=mi)
            if fid == hs.FOR_EACH_MAP_ELEM:  # callback_ctx, the helper's third argument
                regs[4] = cregs[3]
        elif fid == hs.FIND_VMA:
            regs[1] = pointer_reg(PTR_TO_BTF_ID)
            regs[2] = pointer_reg(PTR_TO_BTF_ID)
            regs[3] = cregs[4]
        else:
            regs[1] = unknown_reg()
            regs[2] = cregs[3]
        if clobber:  # before 6.7 the body runs in place of the call
            for r in range(0, 6):
                cregs[r] = not_init()
        self.calls_made.add((caller.subprog, frame.subprog))
        return target

    def do_exit(self, state: State, idx: int) -> int:
        frame = state.frames[-1]
        if state.active_lock is not None and (len(state.frames) == 1 or not self.feature("lock_static_calls")):
            if self.feature("resource_leak_prefix"):
                raise Reject("BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region", "lock")
            if self.feature("check_resource_leak"):
                raise Reject("BPF_EXIT instruction cannot be used inside bpf_spin_lock-ed region", "lock")
            raise Reject("bpf_spin_unlock is missing", "lock")
        if len(state.frames) > 1:
            if self.stack_liveness is not None:
                self.stack_liveness.flush(state)  # bpf_update_live_stack() at a subprogram's exit
            # a subprogram may return without setting R0 (prepare_func_exit() copies it as it is:
            # only a caller that reads it fails); a callback's R0 is checked
            if frame.in_callback >= 0:
                r0 = self.read_reg(state, 0)
            else:
                r0 = frame.regs[0]
                if r0.type != 0:
                    mark_read(state, frame.frameno * 128)
            if frame.in_callback >= 0:
                lo, hi = hs.CALLBACK_RETURN_RANGE.get(frame.in_callback, (0, 1))
                # check_return_code(): a timer callback runs asynchronously, as its own program (6.8+)
                is_async = frame.in_callback == hs.TIMER_SET_CALLBACK and self.feature("async_callback_exit")
                self._check_range(r0, lo, hi, "At async callback return" if is_async else "At callback return")
                r0 = unknown_reg()
                if frame.callsite in self.callback_callsites:
                    # 6.7+: back to the call, which may run the body again; the caller's
                    # registers are as they were at the call
                    state.frames.pop()
                    self._widen_after_callback(state, frame.callsite)
                    return frame.callsite
            elif r0.type == PTR_TO_STACK and r0.frameno == frame.frameno:
                raise Reject("cannot return stack pointer to the caller", "pointer-leak", (0,))
            state.frames.pop()
            caller = state.frames[-1]
            caller.regs[0] = r0
            for r in range(1, 6):
                caller.regs[r] = not_init()
            for r in range(0, 6):
                state.written.add(caller.frameno * 128 + r)
            return frame.callsite + 1
        # main program
        if not (self.feature("resource_leak_prefix") or self.feature("check_resource_leak")):
            self._critical_section_left_open(state, "")  # 6.2-6.12: before the references
        if state.refs:
            ref = state.refs[0]
            unreleased = f"Unreleased reference id={ref.id} alloc_insn={ref.insn}"
            if self.feature("resource_leak_prefix"):
                raise Reject(
                    "BPF_EXIT instruction in main prog would lead to reference leak", "reference-leak"
                ).with_detail(unreleased)
            if self.feature("check_resource_leak"):
                raise Reject("BPF_EXIT instruction would lead to reference leak", "reference-leak").with_detail(
                    unreleased
                )
            raise Reject(unreleased, "reference-leak")
        if self.feature("resource_leak_prefix"):
            self._critical_section_left_open(state, "BPF_EXIT instruction in main prog")
        elif self.feature("check_resource_leak"):
            self._critical_section_left_open(state, "BPF_EXIT instruction")
        r0 = self.read_reg(state, 0)
        if self.verifying_global >= 0:
            if r0.type != SCALAR:
                raise Reject(
                    f"At subprogram exit the register R0 is not a scalar value ({self.type_label(r0)})",
                    "return-range",
                    (0,),
                )
            return -1
        if self.unprivileged and r0.type != SCALAR:
            raise Reject("R0 leaks addr as return value", "pointer-leak", (0,))
        rng = self.rules.return_range(self.prog_type, self.attach_type)
        if rng is not None:
            self._check_range(r0, rng[0], rng[1], "At program exit")
        elif self.prog_type == "lsm" and self.attach_type == "lsm_mac" and self.feature("lsm_hook_retval_range"):
            hook = btf_ptr.lsm_retval_range(self)
            if hook is not None:
                self._check_range(r0, hook[0], hook[1], "At program exit", bits32=True)
        return -1

    @staticmethod
    def _critical_section_left_open(state: State, prefix: str) -> None:
        """The main program exits inside bpf_rcu_read_lock() or bpf_preempt_disable():
        check_resource_leak() (`prefix`, 6.13+) or the exit's own checks before (6.2-6.12)."""
        if state.irq_flags and prefix:  # (the IRQ kfuncs came in 6.14, after check_resource_leak())
            raise Reject(f"{prefix} cannot be used inside bpf_local_irq_save-ed region", "lock")
        if state.active_rcu:
            if prefix:
                raise Reject(f"{prefix} cannot be used inside bpf_rcu_read_lock-ed region", "lock")
            raise Reject("bpf_rcu_read_unlock is missing", "lock")
        if state.preempt_locks:
            if prefix:
                raise Reject(f"{prefix} cannot be used inside bpf_preempt_disable-ed region", "lock")
            n = state.preempt_locks
            raise Reject(f"{n} bpf_preempt_enable{' is' if n == 1 else '(s) are'} missing", "lock")

    def _check_range(self, r0: Reg, lo: int, hi: int, where: str, bits32: bool = False) -> None:
        """retval_range_within(): R0's 64-bit signed bounds, or its 32-bit ones (`bits32`: LSM hooks)."""
        if r0.type == SCALAR and self.feature("exit_retval_precise"):
            self.precise_regs(self.state, 0)  # type: ignore[arg-type]  # mark_chain_precision() in check_return_code(), 6.8+
        if r0.type != SCALAR:
            raise Reject(
                f"{where} the register R0 is not a known value ({self.type_label(r0)})", "return-range", (0,)
            )
        var = r0.var
        if not self.feature("retval_range_bounds"):
            # before 6.8: tnum_in(tnum_range(lo, hi), var_off), the tnums in the message
            allowed = Tnum.range(lo, hi)
            if not allowed.in_(var.var_off):
                value = "unknown scalar value" if var.var_off.is_unknown else f"value {var.var_off}"
                raise Reject(self.rules.message("return_range", value=value, range=allowed), "return-range", (0,))
            return
        low, high = (var.s32min, var.s32max) if bits32 else (var.smin, var.smax)
        if low < lo or high > hi:
            raise Reject(
                f"{where} the register R0 has{_range_text(r0)} should have been in [{lo}, {hi}]",
                "return-range",
                (0,),
            )
