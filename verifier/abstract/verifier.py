"""The Verifier: one program, one kernel version. Combines the transfer functions
(ALU, memory, jumps, helpers, calls) with the path explorer."""

from __future__ import annotations

import bisect
import time
from typing import Final

from verifier.abstract import btf_ptr, dynptr, iters
from verifier.abstract import helper_semantics as hs
from verifier.abstract.alu import AluMixin
from verifier.abstract.branch import set_bounds_era
from verifier.abstract.calls import CallsMixin
from verifier.abstract.explorer import ExplorerMixin, mark_read
from verifier.abstract.global_funcs import GlobalProto, global_proto
from verifier.abstract.helpers import CallMeta, HelperMixin
from verifier.abstract.iter_calls import IterMixin
from verifier.abstract.jumps import JumpMixin
from verifier.abstract.live_regs import live_regs_before, successors
from verifier.abstract.loops import LoopMixin
from verifier.abstract.memory import MemoryMixin
from verifier.abstract.pkt_changes import subprogs_changing_pkt_data
from verifier.abstract.precision import RETURNED, PrecisionMixin
from verifier.abstract.prune_points import prune_points
from verifier.abstract.regs import (
    BTF_RCU,
    BTF_UNTRUSTED,
    CONST_PTR_TO_DYNPTR,
    CONST_PTR_TO_MAP,
    NOT_INIT,
    PTR_TO_BTF_ID,
    PTR_TO_CTX,
    PTR_TO_FUNC,
    PTR_TO_MAP_VALUE,
    PTR_TO_MEM,
    PTR_TO_STACK,
    SCALAR,
    STACK_ITER,
    Reg,
    const_reg,
    not_init,
    pointer_reg,
    unknown_reg,
)
from verifier.abstract.reject import Reject
from verifier.abstract.scalar import Scalar
from verifier.abstract.stack_liveness import StackLiveness
from verifier.abstract.state import STATE_FIELDS, Frame, RefState, Slot, State
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn
from verifier.rules import kfunc_lock, kfunc_prog_types, kfunc_refs
from verifier.rules.maps import ARENA, creatable_unprivileged


class _ReplayDone(Exception):
    """The recorded path ends (or no longer matches) here."""


LD_ABS_TYPES_MSG: Final = "BPF_LD_[ABS|IND] instructions not allowed for this program type"


class Verifier(
    AluMixin, MemoryMixin, JumpMixin, HelperMixin, CallsMixin, PrecisionMixin, LoopMixin, IterMixin, ExplorerMixin
):
    def __init__(self, obj, prog, rules, options) -> None:
        self.obj = obj
        self.prog = prog
        self.rules = rules
        self._features: dict[str, bool] = {}  # feature()
        self._kernel_btf: object = btf_ptr.UNSET  # btf_ptr.kernel_btf_of()
        self.options = options
        self.insns: list[Insn] = prog.insns
        self.prog_type = prog.prog_type
        self.attach_type = prog.expected_attach_type
        self.unprivileged = bool(options.unprivileged)
        # uninitialised stack reads (privileged): anywhere once reads grow the stack (6.8), before that
        # only within the depth the frame's writes allocated (memory._uninit_ok); state comparison
        # keeps the stricter rule there (prunes less, never more)
        self.allow_uninit_stack = (
            not self.unprivileged
            and rules.has("uninit_stack_read_priv")
            and rules.has("uninit_stack_read_any_depth")
        )
        self.uninit_within_allocated = not self.unprivileged and rules.has("uninit_stack_read_priv")
        # the bounds logic of this kernel (scalar.py's module state: one analysis at a time)
        set_bounds_era(
            not rules.has("bounds_deduce_v2"),
            not rules.has("mul_signed_ranges"),
            not rules.has("tnum_step_const"),
            not rules.has("sign_crossing_64"),
        )
        self.complexity_limit = rules.limit("complexity", self.unprivileged)
        self.jmp_seq_limit = rules.limit("jmp_seq", self.unprivileged)
        # precise scalar tracking came with bounded loops (5.3, commit b5dc0163d8fd);
        # older kernels compare every scalar exactly
        self.track_precision = rules.has("bounded_loops")
        self.deadline = time.monotonic() + options.timeout
        self._next_id = 0
        self.stack_depths: dict[int, int] = {}
        self.calls_made: set[tuple[int, int]] = set()
        self.tail_call_seen = False
        self.idx = 0
        self.state: State | None = None
        # maps, with the inner maps of map-in-map appended
        self.maps = list(obj.maps)
        self.inner_maps: dict[int, int] = {}
        for i, m in enumerate(obj.maps):
            if m.inner is not None:
                self.inner_maps[i] = len(self.maps)
                self.maps.append(m.inner)
        # env->prog->aux->arena: an ld_imm64 of the program names an arena map (resolve_pseudo_ldimm64())
        self.has_arena = any(
            0 <= ref.map_index < len(obj.maps) and obj.maps[ref.map_index].type == ARENA for ref in prog.map_refs.values()
        )
        starts = sorted({s.start for s in prog.subprogs} | {0})
        self.subprog_starts = starts
        # mark_calls_callback() + mark_force_checkpoint(): calls of helpers with a synchronous
        # callback, where the callback's iterations meet (6.7+)
        self.callback_callsites: set[int] = set()
        if rules.has("callbacks_unknown_count"):
            self.callback_callsites = {
                i
                for i, insn in enumerate(self.insns)
                if insn.opcode == op.BPF_JMP | op.BPF_CALL
                and insn.src == 0
                and insn.imm in hs.CALLBACK_HELPERS
                and insn.imm != hs.TIMER_SET_CALLBACK
            }
        self.prune_points = self._prune_points()
        self._iter_types: dict[str, iters.IterType | None] = {}
        self.iter_next_insns = self.iter_next_calls(self.insns, prog.extern_refs)
        self.may_goto_insns = frozenset(
            i for i, insn in enumerate(self.insns) if insn.opcode == op.BPF_JMP | op.BPF_JCOND
        )
        # insn_aux_data alu_state/alu_limit of each sanitized ALU instruction (!root), and the
        # kernel's env->explore_alu_limits (alu.py)
        self.alu_aux: dict[int, tuple[int, int]] = {}
        self.explore_alu_limits = False
        from verifier.cfg.checks import reach_field_findings

        # do_check()'s field checks, made when an instruction is reached (dead code is never checked)
        # (asked of the rules without recording facts: a field check that passes is no fact a verdict rests on)
        self.field_findings = reach_field_findings(prog, getattr(rules, "base", rules), self.unprivileged)
        # BPF_F_STRICT_ALIGNMENT (1) without BPF_F_ANY_ALIGNMENT (2); x86 has efficient unaligned access
        flags = getattr(options, "prog_flags", 0)
        self.strict_alignment = bool(flags & 1) and not flags & 2
        self.aux_ptr_types: dict[int, int] = {}  # insn -> the pointer type it first accessed
        self.pkt_changing_subprogs = subprogs_changing_pkt_data(
            self.insns, starts, prog.extern_refs, rules.has("xdp_pull_data_kfunc")
        )
        self.reset_counters()
        self.verifying_global = -1  # subprog index while a global function is verified on its own
        self.globals_to_verify: list[int] = []
        self.global_protos: dict[int, GlobalProto | None] = {}
        self.replay: list[tuple[int, bool]] | None = None  # decisions to follow when re-running a path
        self._replay_pos = 0
        self.sandbox_log: list | None = None  # branch outcomes while a loop iteration is tried out
        self._helper_calls: dict[int, tuple] = {}  # helper id -> helpers._helper_facts()

    # ---- bookkeeping used by the mixins ------------------------------------------------

    def feature(self, name: str) -> bool:
        """A version fact of the target kernel (verifier/rules/features.py); asked of the rules once
        per name (they record what was asked)."""
        known = self._features.get(name)
        if known is None:
            known = self._features[name] = self.rules.has(name)
        return known

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    mark_read = staticmethod(mark_read)  # self.mark_read(state, key): explorer.mark_read

    def subprog_index(self, insn_idx: int) -> int:
        return bisect.bisect_right(self.subprog_starts, insn_idx) - 1

    def note_branch(self, state: State, idx: int, taken: bool) -> None:
        state.path = (state.path, idx, taken)

    @staticmethod
    def replace_state(state: State, other: State) -> None:
        for name in STATE_FIELDS:
            setattr(state, name, getattr(other, name))

    def _prune_points(self) -> set[int]:
        """Where is_state_visited() runs, as check_cfg() marks them (see prune_points.py)."""
        marks = prune_points(
            self.insns, self.prog.extern_refs, self.feature("reduced_prune_points"), self.callback_callsites
        )
        points = marks.points
        self.force_checkpoints = marks.force
        self.jmp_points = marks.jmp_points
        self.history_forces_checkpoint = self.feature("history_forced_checkpoint")
        self.scalar_ids_by_base = self.feature("scalar_ids_by_base")
        self.linked_regs_history = self.feature("linked_regs_history")
        self.precise_scalar_ids = self.feature("precise_scalar_ids")
        self.static_live: list[int] | None = None
        if self.feature("static_reg_liveness"):
            self.static_live = live_regs_before(self.insns, self._helper_arg_count)
        self.stack_liveness: StackLiveness | None = None
        if self.feature("static_stack_liveness"):
            self.stack_liveness = StackLiveness(
                successors(self.insns), self.subprog_starts, self.callback_callsites, self._may_leave_function()
            )
        return points

    def _may_leave_function(self) -> set[int]:
        """Instructions that may end the function without its exit: a tail call, and LD_ABS/LD_IND
        (a failed load returns 0 from the program)."""
        out: set[int] = set()
        for idx, insn in enumerate(self.insns):
            if insn.is_ld_imm64_tail:
                continue
            cls, mode = insn.opcode & 0x07, insn.opcode & 0xE0
            if (cls == op.BPF_LD and mode in (op.BPF_ABS, op.BPF_IND)) or (
                insn.opcode == op.BPF_JMP | op.BPF_CALL and insn.src == 0 and insn.imm == hs.TAIL_CALL
            ):
                out.add(idx)
        return out

    def _helper_arg_count(self, helper_id: int) -> int | None:
        """get_call_summary(): the arguments a helper declares (None: unknown, R1-R5 count as used)."""
        proto = self.rules.helper_proto(helper_id, self.prog_type, self.attach_type)
        if proto is None or not proto.known:
            return None
        return len(proto.args)

    # ---- the program ---------------------------------------------------------------------

    def initial_state(self) -> State:
        state = State()
        frame = Frame(0, 0, -1)
        frame.regs[1] = pointer_reg(PTR_TO_CTX)
        frame.regs[10] = pointer_reg(PTR_TO_STACK, frameno=0)
        state.frames.append(frame)
        return state

    def run(self) -> None:
        self.explore(self.initial_state(), 0)
        done: set[int] = set()
        while self.globals_to_verify:
            sub = self.globals_to_verify.pop()
            if sub in done:
                continue
            done.add(sub)
            self.verifying_global = sub
            self.explore(self.global_initial_state(sub), self.subprog_starts[sub])
        self.verifying_global = -1

    def next_decision(self, idx: int) -> bool:
        path = self.replay
        if path is None or self._replay_pos >= len(path):
            raise _ReplayDone()
        insn, taken = path[self._replay_pos]
        self._replay_pos += 1
        if insn != idx:
            raise _ReplayDone()
        return taken

    def trace_path(self, path: list[tuple[int, bool]], start_sub: int = -1, limit: int = 2000) -> list:
        """Re-run one path (the decisions of a failing one) and keep the registers after each insn."""
        from collections import deque

        self.replay = path
        self._replay_pos = 0
        if start_sub >= 0:
            self.global_proto_for(start_sub)
            self.verifying_global = start_sub
            state = self.global_initial_state(start_sub)
            idx = self.subprog_starts[start_sub]
        else:
            state = self.initial_state()
            idx = 0
        self.state = state
        trace: deque = deque(maxlen=limit)
        steps = 0
        try:
            while 0 <= idx < len(self.insns) and steps < 2_000_000:
                steps += 1
                self.idx = idx
                state.hist.append(idx)
                nxt = self.step(state, self.insns[idx], idx)
                trace.append((idx, self._regs_text(state)))
                if nxt < 0:
                    break
                idx = nxt
        except Reject:
            trace.append((self.idx, self._regs_text(state)))
        except _ReplayDone:
            pass
        return list(trace)

    def _regs_text(self, state: State) -> dict[str, str]:
        if not state.frames:
            return {}
        frame = state.frames[-1]
        return {f"R{r}": reg.describe(self.maps) for r, reg in enumerate(frame.regs) if reg.type != 0}

    def global_proto_for(self, sub: int):
        """The BTF prototype when `sub` is a global function the kernel verifies on its own."""
        if sub in self.global_protos:
            return self.global_protos[sub]
        proto = None
        start = self.subprog_starts[sub]
        info = next((s for s in self.prog.subprogs if s.start == start), None)
        if info is not None and info.is_global and self.feature("global_func_verification"):
            pt = self.rules.prog_type(self.prog_type) if self.prog_type else None
            ctx_struct = getattr(pt, "ctx_struct", None)
            proto = global_proto(
                self.obj,
                self.prog,
                start,
                ctx_struct,
                self.feature("global_func_ptr_args"),
                self.feature("global_func_arg_tags"),
                self.prog_type,
                self.attach_type,
            )
        self.global_protos[sub] = proto
        return proto

    def global_initial_state(self, sub: int) -> State:
        proto = self.global_protos[sub]
        assert proto is not None  # (only global functions, whose prototype global_proto_for() found)
        state = State()
        frame = Frame(0, sub, -1)
        for i, arg in enumerate(proto.args[:5]):
            if arg.kind == "ctx":
                frame.regs[i + 1] = pointer_reg(PTR_TO_CTX)
            elif arg.kind == "dynptr":
                frame.regs[i + 1] = pointer_reg(CONST_PTR_TO_DYNPTR)
            elif arg.kind == "mem":
                frame.regs[i + 1] = pointer_reg(
                    PTR_TO_MEM, maybe_null=not arg.nonnull, mem_size=arg.size, id=0 if arg.nonnull else self.new_id()
                )
            else:
                frame.regs[i + 1] = unknown_reg()
        frame.regs[10] = pointer_reg(PTR_TO_STACK, frameno=0)
        state.frames.append(frame)
        return state

    def step(self, state: State, insn: Insn, idx: int) -> int:
        if idx in self.field_findings:
            found = self.field_findings[idx]
            raise Reject(found.kernel_message, found.category).with_detail(found.message)
        cls = insn.opcode & 7
        if cls == op.BPF_ALU64 or cls == op.BPF_ALU:
            return self.do_alu(state, insn, idx)
        if cls == op.BPF_LDX:
            self.do_ldx(state, insn, idx)
            return idx + 1
        if cls == op.BPF_JMP or cls == op.BPF_JMP32:
            self.jmps += 1
            code = insn.opcode & 0xF0
            if code == op.BPF_JA:
                return idx + 1 + (insn.imm if cls == op.BPF_JMP32 else insn.off)
            if code == op.BPF_CALL:
                if insn.src == 0:
                    return self.do_helper_call(state, insn, idx)
                if insn.src == op.BPF_PSEUDO_CALL:
                    return self.do_pseudo_call(state, insn, idx)
                return self.do_kfunc_call(state, insn, idx)
            if code == op.BPF_EXIT:
                return self.do_exit(state, idx)
            if code == op.BPF_JCOND:
                return self.do_may_goto(state, insn, idx)
            return self.do_cond_jmp(state, insn, idx)
        if cls == op.BPF_STX or cls == op.BPF_ST:
            if cls == op.BPF_STX:
                self.do_stx(state, insn, idx)
            else:
                self.do_st(state, insn, idx)
            if self.stack_liveness is not None:
                self.stack_liveness.commit(state, idx)
            return idx + 1
        # BPF_LD
        if insn.is_ld_imm64:
            self.do_ld_imm64(state, insn, idx)
            return idx + 2
        mode = insn.opcode & 0xE0
        if mode in (op.BPF_ABS, op.BPF_IND):
            self.do_ld_abs(state, insn, idx)
            return idx + 1
        raise Reject(f"unknown opcode {insn.opcode:02x}", "invalid-insn")

    def do_kfunc_call(self, state: State, insn: Insn, idx: int) -> int:
        if not self.rules.has("kfuncs"):
            raise Reject(f"unknown opcode {insn.opcode:02x}", "invalid-insn")
        name = self.prog.extern_refs.get(idx)
        version = getattr(self.rules, "version", None)
        if state.active_lock is not None and version is not None and not kfunc_lock.allowed_under_lock(name, version):
            # do_check(), before check_kfunc_call(): only a few kfuncs under a bpf_spin_lock
            raise Reject("function calls are not allowed while holding a lock", "lock")
        if (  # fetch_kfunc_meta(): no set of the kfunc is registered for the program type's hook
            name
            and version is not None
            and self.prog_type not in (None, "ext")
            and kfunc_prog_types.allowed(name, self.prog_type, version) is False
        ):
            raise Reject(f"calling kernel function {name} is not allowed", "kfunc")
        # the prototype comes from the target's BTF (btf_ptr.kfunc_result); without it, the call
        # returns an unknown scalar
        typed = btf_ptr.kfunc_result(self, idx)
        found = iters.iter_kfunc(name)
        itype = self.iter_type(found[0]) if found is not None else None
        if found is not None and itype is not None and (typed is not None or btf_ptr.kernel_btf_of(self) is None):
            return self.iter_kfunc_call(state, idx, itype, found[0], found[1], typed)
        known = typed is not None or btf_ptr.kernel_btf_of(self) is None  # the target has the kfunc
        kflags = self.kfunc_flags(name) if known else None
        if kflags is not None and "KF_SLEEPABLE" in kflags and self.feature("kfunc_sleepable_first"):
            self._kfunc_sleepable(name or "")
        if kflags is not None and name and self.feature("trusted_btf_ptrs"):
            btf_ptr.check_kfunc_trusted_args(self, state.frames[-1].regs, name, kflags)
        dynptr_args = btf_ptr.kfunc_dynptr_args(self, name) if name else None
        if dynptr_args is None and btf_ptr.kernel_btf_of(self) is None:
            dynptr_args = dynptr.KFUNC_DYNPTR_ARGS.get(name or "", ())
        for regno in dynptr_args or ():  # process_dynptr_func(): an initialised dynptr
            self._check_dynptr_arg(state, regno, self.read_reg(state, regno), frozenset({"MEM_RDONLY"}), CallMeta())
        parent = self._dynptr_at(state, 1) if dynptr_args else None
        if name == "bpf_dynptr_clone" and parent is not None:
            # check_kfunc_args(): clone__uninit becomes a dynptr of the parent's type and reference
            flags = frozenset({"MEM_UNINIT"})
            self._check_dynptr_arg(state, 2, self.read_reg(state, 2), flags, CallMeta(), clone_of=parent)
        if name in dynptr.KFUNC_DYNPTR_BUILDERS and (typed is not None or btf_ptr.kernel_btf_of(self) is None):
            flags = frozenset({"MEM_UNINIT", dynptr.KFUNC_DYNPTR_BUILDERS[name]})
            self._check_dynptr_arg(state, 3, self.read_reg(state, 3), flags, CallMeta())
        if name in hs.DYNPTR_SLICE_KFUNCS and (typed is not None or btf_ptr.kernel_btf_of(self) is None):
            typed = self.dynptr_slice_result(state, name, parent)  # a special kfunc: its result is the kernel's rule
        if self.feature("xdp_pull_data_kfunc") and self.prog.extern_refs.get(idx) in hs.PKT_CHANGING_KFUNCS:
            self._clear_packet_pointers(state)
        if kflags is not None and "KF_SLEEPABLE" in kflags and not self.feature("kfunc_sleepable_first"):
            self._kfunc_sleepable(name or "")  # 6.1: at the end of btf_check_kfunc_arg_match()
        if name in ("bpf_local_irq_save", "bpf_local_irq_restore") and known:
            self.irq_flag_call(state, idx, name == "bpf_local_irq_save")
        self._kfunc_critical_sections(state, name or "", kflags)
        if known and name:  # check_kfunc_args(), before the release
            btf_ptr.check_alloc_arg(self, name, state.frames[-1].regs[1])
        if known and name in kfunc_refs.RELEASE:
            self._kfunc_release(state, name)
        regs = state.frames[-1].regs
        type_arg = regs[1]
        refcounted = None
        if known and name == "bpf_refcount_acquire_impl":
            refcounted = btf_ptr.check_refcounted_kptr_arg(self, 1, type_arg)
        for r in range(1, 6):
            regs[r] = not_init()
        regs[0] = typed if typed is not None else unknown_reg()
        if known and name in kfunc_refs.ACQUIRE:
            regs[0] = self._kfunc_acquire(state, regs[0], idx)
        if known and name == "bpf_obj_new_impl":
            regs[0] = btf_ptr.obj_new_result(self, regs[0], type_arg)
        if refcounted is not None and regs[0].type == PTR_TO_BTF_ID:
            regs[0] = regs[0].evolve(btf_id=refcounted.btf_id)
        return idx + 1

    def kfunc_flags(self, name: str | None) -> frozenset[str] | None:
        """The KF_* flags the target version registers kfunc `name` with (None: not known)."""
        version = getattr(self.rules, "version", None)
        return kfunc_refs.flags(name, version) if name and version is not None else None

    def _kfunc_critical_sections(self, state: State, name: str, kflags: frozenset[str] | None) -> None:
        """check_kfunc_call(): bpf_rcu_read_lock/unlock (6.2+) and bpf_preempt_disable/enable (6.10+)
        open and close their sections; no sleepable kfunc inside them. At bpf_rcu_read_unlock the
        MEM_RCU pointers become PTR_UNTRUSTED, RCU-protected iterators too."""
        sleepable = kflags is not None and "KF_SLEEPABLE" in kflags
        if state.irq_flags and sleepable:
            raise Reject(f"kernel func {name} is sleepable within IRQ-disabled region", "lock")
        if state.active_rcu:
            if name == "bpf_rcu_read_lock":
                raise Reject(f"nested rcu read lock (kernel function {name})", "lock")
            if name == "bpf_rcu_read_unlock":
                self._rcu_pointers_untrusted(state)
                state.active_rcu = False
            elif sleepable:
                raise Reject(f"kernel func {name} is sleepable within rcu_read_lock region", "lock")
        elif name == "bpf_rcu_read_lock":
            state.active_rcu = True
        elif name == "bpf_rcu_read_unlock":
            raise Reject(f"unmatched rcu read unlock (kernel function {name})", "lock")
        if state.preempt_locks:
            if name == "bpf_preempt_disable":
                state.preempt_locks += 1
            elif name == "bpf_preempt_enable":
                state.preempt_locks -= 1
            elif sleepable:
                raise Reject(f"kernel func {name} is sleepable within non-preemptible region", "lock")
        elif name == "bpf_preempt_disable":
            state.preempt_locks = 1
        elif name == "bpf_preempt_enable":
            raise Reject(f"unmatched attempt to enable preemption (kernel function {name})", "lock")

    def _rcu_pointers_untrusted(self, state: State) -> None:
        """bpf_rcu_read_unlock(): MEM_RCU registers lose it (and PTR_MAYBE_NULL) for PTR_UNTRUSTED;
        the slots of an RCU-protected iterator become untrusted (its next use is refused)."""
        for frame in state.frames:
            regs = frame.regs
            for r in range(11):
                reg = regs[r]
                if reg.type == PTR_TO_BTF_ID and reg.btf_id & BTF_RCU:
                    regs[r] = reg.evolve(btf_id=reg.btf_id & ~BTF_RCU | BTF_UNTRUSTED, maybe_null=False)
            for slot, s in list(frame.stack.items()):
                sp = s.spilled
                if sp is None:
                    continue
                if sp.type == PTR_TO_BTF_ID and sp.btf_id & BTF_RCU:
                    frame.stack[slot] = Slot(s.kinds, sp.evolve(btf_id=sp.btf_id & ~BTF_RCU | BTF_UNTRUSTED, maybe_null=False))
                elif sp.type == STACK_ITER and sp.ref_obj_id and self.iter_rcu_protected(sp.btf_id):
                    frame.stack[slot] = Slot(s.kinds, sp.evolve(rdonly=True))

    def _kfunc_sleepable(self, name: str) -> None:
        """check_kfunc_call(): a KF_SLEEPABLE kfunc only in a sleepable program (6.1+)."""
        if not self.prog.sleepable:
            raise Reject(self.rules.message("kfunc_sleepable", name=name), "kfunc")

    def _kfunc_release(self, state: State, name: str) -> None:
        """check_kfunc_args() for a KF_RELEASE kfunc: the argument that carries a reference (the
        first one) must not be NULL and must be the acquired pointer itself; release_reference()."""
        regs = state.frames[-1].regs
        for regno in range(1, 6):
            reg = regs[regno]
            if reg.type == NOT_INIT or not reg.ref_obj_id:
                continue
            if reg.maybe_null:
                raise Reject(f"Possibly NULL pointer passed to trusted arg{regno - 1}", "reference", (regno,))
            meta = CallMeta()
            self._note_release(regno, reg, meta)
            self._release_reference(state, meta.release_ref)
            return
        raise Reject(f"release kernel function {name} expects refcounted PTR_TO_BTF_ID", "reference", (1,))

    def _kfunc_acquire(self, state: State, r0: Reg, idx: int) -> Reg:
        """A KF_ACQUIRE kfunc's result holds a new reference (acquire_reference()); without the
        target's BTF its type is an opaque kernel pointer that may be NULL."""
        if r0.type == SCALAR:
            r0 = pointer_reg(PTR_TO_BTF_ID, maybe_null=True)
        ref = self.new_id()
        state.refs = state.refs + (RefState(ref, idx, "kfunc"),)
        return r0.evolve(id=ref if r0.maybe_null else r0.id, ref_obj_id=ref)

    def do_may_goto(self, state: State, insn: Insn, idx: int) -> int:
        """check_cond_jmp_op() for may_goto: the path goes on at the jump target; the fall-through is
        queued one may_goto deeper, its imprecise scalars widened against the previous visit of this
        instruction on the path (find_prev_entry(), widen_imprecise_scalars())."""
        if self.replay is not None:
            taken = self.next_decision(idx)
            self.note_branch(state, idx, taken)
            if taken:
                return idx + 1 + insn.off
            state.may_goto_depth += 1
            return idx + 1
        queued = state.copy()
        queued.may_goto_depth += 1
        self._widen_before(queued, idx)
        self.note_branch(queued, idx, False)
        self.push_branch(queued, idx + 1)
        self.note_branch(state, idx, True)
        return idx + 1 + insn.off

    def do_ld_imm64(self, state: State, insn: Insn, idx: int) -> None:
        src = insn.src
        if insn.dst == op.BPF_REG_FP:
            raise Reject("frame pointer is read only", "fp-write")
        if src == 0:
            self.write_reg(state, insn.dst, const_reg(insn.imm64))
            return
        if src in (
            op.BPF_PSEUDO_MAP_FD,
            op.BPF_PSEUDO_MAP_IDX,
            op.BPF_PSEUDO_MAP_VALUE,
            op.BPF_PSEUDO_MAP_IDX_VALUE,
        ):
            ref = self.prog.map_refs.get(idx)
            if ref is None or not 0 <= ref.map_index < len(self.maps):
                raise Reject(f"fd {insn.imm} is not pointing to valid bpf_map", "load-error")
            m = self.maps[ref.map_index]
            if self.unprivileged and not creatable_unprivileged(m.type, m.flags):
                # map_create() refuses the map to this loader; libbpf (as the selftests' test_loader
                # runs it, the map left uncreated) poisons the instructions that load it
                raise Reject(f"BPF map '{m.name}' is referenced but wasn't created", "privileged-map")
            if src in (op.BPF_PSEUDO_MAP_FD, op.BPF_PSEUDO_MAP_IDX) and ref.pseudo == op.BPF_PSEUDO_MAP_FD:
                reg = pointer_reg(CONST_PTR_TO_MAP, map_index=ref.map_index)
            else:
                m = self.maps[ref.map_index]
                if ref.offset >= max(m.value_size, 1) and m.value_size:
                    raise Reject(
                        f"invalid access to map value pointer, value_size={m.value_size} off={ref.offset}",
                        "map-bounds",
                    )
                reg = Reg(PTR_TO_MAP_VALUE, Scalar.const(0), off=ref.offset, map_index=ref.map_index)
            self.write_reg(state, insn.dst, reg)
            return
        if src == op.BPF_PSEUDO_FUNC:
            if not self.prog.func_info:  # check_ld_imm(): the loader passed no .BTF.ext func_info
                raise Reject("missing btf func_info", "callback-btf")
            target = self.prog.func_refs.get(idx, idx + insn.imm + 1)
            self.write_reg(state, insn.dst, pointer_reg(PTR_TO_FUNC, subprog=target))
            return
        if src == op.BPF_PSEUDO_BTF_ID:
            typed = btf_ptr.ksym_func_reg(self, idx) or btf_ptr.ksym_var_reg(self, idx)
            self.write_reg(state, insn.dst, typed if typed is not None else pointer_reg(PTR_TO_BTF_ID))
            return
        raise Reject("invalid bpf_ld_imm64 insn", "invalid-insn")

    def _ld_abs_resource_checks(self, state: State) -> None:
        """check_ld_abs(): no reference held (check_reference_leak(): the main frame's only from 6.1),
        no lock, RCU section, preemption or IRQ flags. From 6.13 check_resource_leak() with the prefix
        "BPF_LD_[ABS|IND]" (lock first, then references); before, the references first with their own
        words (6.12.117 and older trees)."""
        refs = bool(state.refs) and self._tail_call_checks_refs(state)
        lock = "BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region"
        if self.feature("ld_abs_check_resource_leak"):
            if state.active_lock is not None:
                raise Reject(lock, "lock")
            if refs:
                raise Reject("BPF_LD_[ABS|IND] would lead to reference leak", "reference-leak")
            if state.irq_flags:
                raise Reject("BPF_LD_[ABS|IND] cannot be used inside bpf_local_irq_save-ed region", "lock")
        else:
            if refs:
                raise Reject("BPF_LD_[ABS|IND] cannot be mixed with socket references", "reference-leak")
            if state.active_lock is not None:
                raise Reject(lock, "lock")
        if state.active_rcu:
            raise Reject("BPF_LD_[ABS|IND] cannot be used inside bpf_rcu_read_lock-ed region", "lock")
        if state.preempt_locks:
            raise Reject("BPF_LD_[ABS|IND] cannot be used inside bpf_preempt_disable-ed region", "lock")

    def do_ld_abs(self, state: State, insn: Insn, idx: int) -> None:
        if not self.rules.ld_abs_allowed(self.prog_type):
            raise Reject(LD_ABS_TYPES_MSG, "invalid-insn")
        size = {op.BPF_B: 1, op.BPF_H: 2, op.BPF_W: 4, op.BPF_DW: 8}[insn.opcode & 0x18]
        if (
            size == 8
            or insn.dst != 0
            or insn.off != 0
            or ((insn.opcode & 0xE0) == op.BPF_ABS and insn.src != 0)
        ):
            raise Reject("BPF_LD_[ABS|IND] uses reserved fields", "invalid-insn")
        if self.feature("ld_abs_callback_refused") and any(f.in_callback >= 0 for f in state.frames[1:]):
            raise Reject("cannot use BPF_LD_[ABS|IND] within callback", "invalid-insn")
        r6 = self.read_reg(state, 6)  # check_reg_arg() of R6 comes first
        self._ld_abs_resource_checks(state)
        if (insn.opcode & 0xE0) == op.BPF_IND:
            self.read_reg(state, insn.src)
        if r6.type != PTR_TO_CTX:
            raise Reject("at the time of BPF_LD_ABS|IND R6 != pointer to skb", "invalid-insn", (6,))
        regs = state.frames[-1].regs
        for r in range(1, 6):
            regs[r] = not_init()
        for r in range(1, 6):
            state.written.add(state.frames[-1].frameno * 128 + r)
        if len(state.frames) > 1 and self.feature("ld_abs_subprog_exit"):
            if state.frames[-1].in_callback not in (-1, hs.TIMER_SET_CALLBACK) and self.feature(
                "ld_abs_callback_exit_walk_fails"
            ):
                # the hidden exit reaches the sync callback's return check, whose precision walk
                # meets the helper call with R0 still wanted (backtrack_insn(): a verifier bug)
                raise Reject("verifier bug: callback unexpected regs 1", "other")
            # a failed load returns 0 from the function (bpf_gen_ld_abs()'s hidden exit): the caller
            # also sees that return
            failed = state.copy()
            failed.frames[-1].regs[0] = const_reg(0)
            target = self.do_exit(failed, idx)
            failed.hist.append((idx, RETURNED))  # precision walks back into the function here
            self.push_branch(failed, target)
        self.write_reg(state, 0, Reg(1, Scalar.from_size(size)))

    # ---- after exploration -------------------------------------------------------------------

    def combined_stack_check(self) -> int:
        """check_max_stack_depth(): every chain of frames, each rounded as the kernel does, fits."""
        jit16 = self.feature("stack_round_16_jit")

        def rounded(d: int) -> int:
            return (d + 15) // 16 * 16 if jit16 else (max(d, 1) + 31) // 32 * 32

        callees: dict[int, list[int]] = {}
        for a, b in sorted(self.calls_made):
            callees.setdefault(a, []).append(b)
        limit = self.rules.limit("stack", self.unprivileged)
        if callees:
            subs = {0, *callees, *(c for cs in callees.values() for c in cs)}
            sizes = {sub: rounded(self.stack_depths.get(sub, 0)) for sub in subs}
            # bpf2bpf calls combined with tail calls: a subprogram holding a tail call may sit below
            # at most 256 bytes of its callers' stack (check_max_stack_depth_subprog(), since 5.10)
            with_tail_call = {
                self.subprog_index(i)
                for i, insn in enumerate(self.insns)
                if insn.opcode == op.BPF_JMP | op.BPF_CALL and insn.src == 0 and insn.imm == hs.TAIL_CALL
            }
            _walk_stack(callees, sizes, with_tail_call, limit, 0, 0, 1, (0,))
        return self.stack_depths.get(0, 0)


def _walk_stack(
    callees: dict[int, list[int]], sizes: dict[int, int], with_tail_call: set[int], limit: int, sub: int,
    total: int, frames: int, seen: tuple[int, ...],
) -> None:
    """combined_stack_check()'s walk down every chain of calls from `sub` (a module function: a
    recursive closure would keep the Verifier, and every state it explored, alive until the
    cyclic garbage collector finds it)."""
    if sub and sub in with_tail_call and total >= 256:
        raise Reject(
            f"tail_calls are not allowed when call stack of previous frames is {total} bytes. Too large",
            "stack-limit",
        )
    total += sizes[sub]
    if total > limit:
        raise Reject(f"combined stack size of {frames} calls is {total}. Too large", "stack-limit")
    for c in callees.get(sub, ()):
        if c not in seen:
            _walk_stack(callees, sizes, with_tail_call, limit, c, total, frames + 1, seen + (c,))
