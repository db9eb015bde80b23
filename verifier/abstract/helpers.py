"""Helper calls (`check_helper_call`, `check_func_arg`), driven by the prototypes
of the rule tables."""

from __future__ import annotations

from typing import Final

from verifier.abstract import btf_ptr, dynptr
from verifier.abstract import helper_semantics as hs
from verifier.abstract.memory import align_desc
from verifier.abstract.precision import RETURNED
from verifier.abstract.regs import (
    BTF_TRUSTED,
    BTF_UNTRUSTED,
    CONST_PTR_TO_DYNPTR,
    CONST_PTR_TO_MAP,
    PACKET_TYPES,
    PTR_TO_BTF_ID,
    PTR_TO_BUF,
    PTR_TO_CTX,
    PTR_TO_FUNC,
    PTR_TO_MAP_KEY,
    PTR_TO_MAP_VALUE,
    PTR_TO_MEM,
    PTR_TO_PACKET_END,
    PTR_TO_SOCK_COMMON,
    PTR_TO_SOCKET,
    PTR_TO_STACK,
    PTR_TO_TCP_SOCK,
    SCALAR,
    SOCKET_TYPES,
    Reg,
    not_init,
    pointer_reg,
    unknown_reg,
)
from verifier.abstract.reject import Reject
from verifier.abstract.scalar import Scalar
from verifier.abstract.state import SPILL, RefState, State, map_regs
from verifier.elf import btf as B
from verifier.isa.insn import Insn
from verifier.rules.maps import prog_can_write

BPF_MAX_VAR_SIZ: Final = 1 << 29


def split_arg(arg: str | None) -> tuple[str, frozenset[str]]:
    """'ARG_PTR_TO_MEM|PTR_MAYBE_NULL|MEM_RDONLY' -> ('ARG_PTR_TO_MEM', {'PTR_MAYBE_NULL', 'MEM_RDONLY'})."""
    if not arg:
        return "", frozenset()
    parts = [p.strip() for p in str(arg).split("|")]
    if parts[0] == "ARG_PTR_TO_FIXED_SIZE_MEM":  # include/linux/bpf.h: MEM_FIXED_SIZE | ARG_PTR_TO_MEM
        return "ARG_PTR_TO_MEM", frozenset(parts[1:] + ["MEM_FIXED_SIZE"])
    return parts[0], frozenset(parts[1:])


def proto_args(proto: object) -> list[str]:
    args = getattr(proto, "args", None)
    if args is None:
        args = [getattr(proto, f"arg{i}", "") for i in range(1, 6)]
    out = [str(getattr(a, "raw", a) or "") if a else "" for a in args]
    return (out + [""] * 5)[:5]


def proto_ret(proto: object) -> str:
    return str(getattr(proto, "ret", "RET_INTEGER") or "RET_INTEGER")


# a PTR_TO_MEM's btf_id flag: a slice of an skb or xdp dynptr (the kernel's DYNPTR_TYPE_SKB/XDP type flag
# on PTR_TO_MEM, reg_is_dynptr_slice_pkt()), which a packet change invalidates (6.4+)
PKT_SLICE: Final = 1 << 41

class CallMeta:
    """struct bpf_call_arg_meta: what earlier arguments tell about later ones."""

    __slots__ = (
        "map_index", "raw_mem", "mem_regno", "mem_reg", "release_ref", "const_size", "func", "key_const", "null_mem",
        "ref_obj_id", "mem_write", "timer_map", "release_dynptr", "percpu", "pkt_ok", "kptr_field",
    )

    def __init__(self) -> None:
        self.map_index = -1
        self.raw_mem = False
        self.mem_regno = -1
        self.mem_reg: Reg | None = None
        self.release_ref = 0
        self.const_size: int | None = None
        self.func = -1
        self.key_const: int | None = None
        self.null_mem = False  # a NULL passed for ARG_PTR_TO_MEM_OR_NULL: only a zero size may follow
        self.ref_obj_id = 0  # the reference an argument carries (a cast's result carries it on)
        self.mem_write = False  # the memory argument is written though it must be initialised (MEM_WRITE)
        self.timer_map = -1  # the map whose value holds the bpf_timer argument (process_timer_func())
        self.release_dynptr: tuple[int, int] | None = None  # (frame, first slot) of a dynptr released
        self.percpu: Reg | None = None  # the per-CPU variable of ARG_PTR_TO_PERCPU_BTF_ID (meta->ret_btf_id)
        self.pkt_ok = True  # may_access_direct_pkt_data(env, meta, BPF_READ): packet pointers as arguments
        self.kptr_field: tuple[int, str, str] | None = None  # bpf_kptr_xchg's destination (offset, kind, pointee)


class HelperMixin:
    def do_helper_call(self, state: State, insn: Insn, idx: int) -> int:
        fid = insn.imm
        if state.active_lock is not None and fid != hs.SPIN_UNLOCK:
            # do_check(), before check_helper_call(): under a lock only bpf_spin_unlock (so a second
            # bpf_spin_lock is refused here, not as 'Locking two bpf_spin_locks are not allowed')
            raise Reject("function calls are not allowed while holding a lock", "lock")
        rules = self.rules
        known = self._helper_calls.get(fid)
        if known is None:
            known = self._helper_calls[fid] = self._helper_facts(fid)
        info, name, allowed, proto, args = known
        if info is None:
            raise Reject(f"invalid func unknown#{fid}", "helper-unknown")
        if not allowed:
            raise Reject(self.rules.message("helper_not_allowed", name=name, id=fid), "helper-not-allowed")
        # an object without a license section gets its license from the loader (iproute2,
        # bpf_load, falco's loader pass "GPL"); only a license the object states is held against it
        if getattr(info, "gpl_only", False) and self.obj.license and not self.obj.gpl_compatible:
            raise Reject(self.rules.message("gpl_only"), "helper-gpl")
        if not rules.helper_allowed_here(name, self.prog_type, self.attach_type, self.prog.attach_to):
            raise Reject("helper call is not allowed in probe", "helper-not-allowed")
        if fid in hs.MIGHT_SLEEP and not self.prog.sleepable:
            if self.feature("helper_might_sleep"):
                raise Reject("helper call might sleep in a non-sleepable prog", "helper-not-allowed")
            raise Reject(f"unknown func {name}#{fid}", "helper-not-allowed")
        if fid in hs.MIGHT_SLEEP and state.irq_flags:  # 6.14+
            raise Reject(f"sleepable helper {name}#{fid} in IRQ-disabled region", "lock")
        if fid in hs.MIGHT_SLEEP and state.active_rcu:  # check_helper_call(), 6.2+
            raise Reject(f"sleepable helper {name}#{fid} in rcu_read_lock region", "lock")
        if fid in hs.MIGHT_SLEEP and state.preempt_locks:  # 6.10+
            raise Reject(f"sleepable helper {name}#{fid} in non-preemptible region", "lock")
        meta = CallMeta()
        # a prototype not in the tables (a permissive stand-in) does not say pkt_access: let it pass
        meta.pkt_ok = not getattr(proto, "known", False) or rules.helper_pkt_allowed(
            self.prog_type, bool(getattr(proto, "pkt_access", False))
        )
        regs = state.frames[-1].regs
        for i, base, flags in args:
            self._check_arg(state, fid, name, i + 1, base, flags, meta, regs)

        if fid == hs.TAIL_CALL:
            m = self.maps[meta.map_index] if meta.map_index >= 0 else None
            if m is None or m.type != hs.MAP_TYPE_PROG_ARRAY:
                if self.feature("tail_call_map_msg") or m is None:
                    raise Reject("expected prog array map for tail call", "map-type")
                raise Reject(f"cannot pass map_type {m.type} into func {name}#{fid}", "map-type")
            key = regs[3]
            if self.feature("tail_call_key_precise") and key.type == SCALAR and key.var.is_const and (
                key.var.const_value < m.max_entries
            ):
                self.precise_regs(state, 3)  # record_func_key(): the index of a direct tail call
            if len(self.subprog_starts) > 1 and not self.feature("tail_call_in_subprogs"):
                raise Reject("tail_calls are not allowed in programs with bpf-to-bpf calls", "tail-call")
            if state.refs and self._tail_call_checks_refs(state):
                raise Reject("tail_call would lead to reference leak", "reference-leak")
            if self.feature("tail_call_region_checks"):
                for held, region in (
                    (bool(state.irq_flags), "bpf_local_irq_save"),
                    (state.active_rcu, "bpf_rcu_read_lock"),
                    (bool(state.preempt_locks), "bpf_preempt_disable"),
                ):
                    if held:
                        raise Reject(f"tail_call cannot be used inside {region}-ed region", "lock")
            self.tail_call_seen = True
            if len(state.frames) > 1 and self.feature("tail_call_subprog_exit"):
                self._tail_call_exit(state, idx)
        elif meta.map_index >= 0:
            m = self.maps[meta.map_index]
            if not prog_can_write(m) and fid in hs.MAP_WRITING_HELPERS:
                raise Reject("write into map forbidden", "read-only")  # record_func_map()
            if not rules.map_compatible(m.type, fid):
                raise Reject(f"cannot pass map_type {m.type} into func {name}#{fid}", "map-type")

        if fid == hs.GET_LOCAL_STORAGE:
            flags_reg = regs[2]  # check_helper_call(): the helper cannot fail, so it takes no flags
            if flags_reg.type != SCALAR or not flags_reg.var.is_const or flags_reg.var.const_value != 0:
                raise Reject("get_local_storage() doesn't support non-zero flags", "helper-arg", (2,))
        if fid == hs.DYNPTR_FROM_MEM and regs[1].type != PTR_TO_MAP_VALUE:  # check_helper_call()
            raise Reject(
                f"Unsupported reg type {self.type_label(regs[1])} for bpf_dynptr_from_mem data", "helper-arg", (1,)
            )
        if fid == hs.SPIN_LOCK:
            if state.active_lock is not None:
                raise Reject("Locking two bpf_spin_locks are not allowed", "lock")
            r1 = regs[1]
            state.active_lock = (r1.map_index, r1.id)
        elif fid == hs.SPIN_UNLOCK:
            if state.active_lock is None:
                raise Reject("bpf_spin_unlock without taking a lock", "lock")
            r1 = regs[1]
            if state.active_lock != (r1.map_index, r1.id):
                raise Reject("bpf_spin_unlock of different lock", "lock")
            state.active_lock = None

        # raw (uninitialised) memory the helper fills in: mark it written
        if meta.raw_mem and meta.mem_reg is not None and meta.mem_reg.type == PTR_TO_STACK and meta.const_size:
            self.stack_helper_access(state, meta.mem_regno, meta.mem_reg, meta.const_size, True, True)

        if meta.release_dynptr is not None:
            frameno, lo = meta.release_dynptr
            dynptr.unmark_with_clones(state.frames[frameno].stack, lo, meta.release_ref)
        if meta.release_ref:
            self._release_reference(state, meta.release_ref)

        callback = hs.CALLBACK_HELPERS.get(fid)
        if callback is not None and meta.func >= 0:
            if idx not in self.callback_callsites:
                return self.enter_callback(state, insn, idx, fid, meta)
            self.queue_callback(state, idx, fid, meta)

        if fid in hs.CHANGES_PKT_DATA or (fid == hs.TAIL_CALL and self.feature("tail_call_changes_pkt_data")):
            self._clear_packet_pointers(state)

        # clobber caller-saved registers, then type R0
        for r in range(1, 6):
            regs[r] = not_init()
        for r in range(0, 6):
            state.written.add(state.frames[-1].frameno * 128 + r)
        regs[0] = self._ret_reg(state, fid, proto, meta, idx)
        return idx + 1

    def _helper_facts(self, fid: int) -> tuple:
        """What the rule tables say of helper `fid` for this program (the same on every call, so
        do_helper_call() asks once): info, name, allowed, prototype, and the arguments to check."""
        rules = self.rules
        info = rules.helper(fid)
        if info is None:
            return None, "", False, None, ()
        name = f"bpf_{info.name}" if not info.name.startswith("bpf_") else info.name
        # bpf_base_func_proto(): some helpers need CAP_BPF or CAP_PERFMON (NULL proto without them)
        allowed = rules.helper_allowed(fid, self.prog_type, self.attach_type, not self.unprivileged)
        proto = rules.helper_proto(fid, self.prog_type)
        args = []
        for i, arg in enumerate(proto_args(proto) if proto is not None else []):
            base, flags = split_arg(arg)
            if base and base != "ARG_DONTCARE":
                args.append((i, base, flags))
        return info, name, allowed, proto, tuple(args)

    def _tail_call_checks_refs(self, state: State) -> bool:
        """check_reference_leak() for bpf_tail_call() finds a reference it checks: the main program's
        always; from 6.1 none in a subprogram (the caller still holds them); in a callback from 6.1
        only those the callback's own body took (callback_ref), from 6.13 none."""
        if len(state.frames) == 1:
            return True
        frame = state.frames[-1]
        if not self.feature("tail_call_refs_main_frame"):
            return True  # the callee's copy of every reference
        if frame.in_callback < 0 or self.feature("tail_call_refs_main_only"):
            return False
        starts = self.subprog_starts
        lo = starts[frame.subprog]
        hi = starts[frame.subprog + 1] if frame.subprog + 1 < len(starts) else len(self.insns)
        return any(lo <= ref.insn < hi for ref in state.refs)

    def _tail_call_exit(self, state: State, idx: int) -> None:
        """A tail call made in a subprogram: the called program's exit returns to this function's
        caller, so the function may return here with any R0; in a synchronous callback the kernel's
        precision walk then fails (as for LD_ABS)."""
        if state.frames[-1].in_callback not in (-1, hs.TIMER_SET_CALLBACK):
            raise Reject("verifier bug: callback unexpected regs 1", "other")
        done = state.copy()
        # check_helper_call(): the fall-through is pushed first, then clear_all_pkt_pointers() for the
        # path that returns (the caller's packet pointers too)
        self._clear_packet_pointers(done)
        regs = done.frames[-1].regs
        for r in range(1, 6):
            regs[r] = not_init()
        regs[0] = unknown_reg()
        target = self.do_exit(done, idx)
        done.hist.append((idx, RETURNED))  # precision walks back into the function here
        self.push_branch(done, target)

    # ---- arguments -----------------------------------------------------------------

    def _check_arg(
        self, state: State, fid: int, name: str, argno: int, base: str, flags: frozenset[str], meta: CallMeta,
        regs: list[Reg],
    ) -> None:
        regno = argno
        reg = self.read_reg(state, regno)
        t = reg.type
        if reg.ref_obj_id:
            meta.ref_obj_id = reg.ref_obj_id
        maybe_null_ok = "PTR_MAYBE_NULL" in flags
        if base == "ARG_PTR_TO_CTX_OR_NULL":  # ARG_PTR_TO_CTX | PTR_MAYBE_NULL
            base, maybe_null_ok = "ARG_PTR_TO_CTX", True
        if base in hs.VALUE_ARGS:
            if self.unprivileged and t != SCALAR:
                raise Reject(f"R{regno} leaks addr into helper function", "pointer-leak", (regno,))
            return
        if t in PACKET_TYPES and not meta.pkt_ok:  # check_func_arg()
            raise Reject("helper access to the packet is not allowed", "helper-arg", (regno,))
        if base == "ARG_CONST_MAP_PTR":
            if t != CONST_PTR_TO_MAP:
                raise Reject(f"R{regno} type={self.type_label(reg)} expected=map_ptr", "helper-arg", (regno,))
            if meta.timer_map >= 0 and meta.timer_map != reg.map_index:
                # map_uid tells inner maps apart; the maps here are outer-level ones (uid 0)
                raise Reject(
                    f"timer pointer in R{regno - 1} map_uid=0 doesn't match map pointer in R{regno} map_uid=0",
                    "helper-arg",
                    (regno,),
                )
            meta.map_index = reg.map_index
            return
        if (
            base in ("ARG_PTR_TO_MAP_VALUE", "ARG_PTR_TO_UNINIT_MAP_VALUE")
            and meta.map_index >= 0
            and self.maps[meta.map_index].type in hs.SOCK_MAPS
        ):
            # resolve_map_arg_type() (5.10+, when programs may update sockmaps): the value of a
            # sockmap/sockhash is a socket, not memory
            if base != "ARG_PTR_TO_MAP_VALUE" or flags:
                raise Reject("invalid arg_type for sockmap/sockhash", "helper-arg", (regno,))
            if t not in SOCKET_TYPES and t != PTR_TO_BTF_ID or reg.maybe_null:
                raise Reject(
                    f"R{regno} type={self.type_label(reg)} expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, "
                    "trusted_ptr_",
                    "helper-arg",
                    (regno,),
                )
            return
        if base in ("ARG_PTR_TO_MAP_KEY", "ARG_PTR_TO_MAP_VALUE", "ARG_PTR_TO_UNINIT_MAP_VALUE"):
            if meta.map_index < 0:
                raise Reject(f"invalid map_ptr to access map->{'key' if 'KEY' in base else 'value'}", "helper-arg")
            if maybe_null_ok and t == SCALAR and reg.is_const and reg.var.const_value == 0:
                return  # check_func_arg(): a NULL for an argument that may be NULL skips the checks
            m = self.maps[meta.map_index]
            if t != PTR_TO_STACK and t not in PACKET_TYPES and not self.feature("map_value_helper_args"):
                raise Reject(f"R{regno} type={self.type_label(reg)} expected=fp", "helper-arg", (regno,))
            size = m.key_size if base == "ARG_PTR_TO_MAP_KEY" else m.value_size
            write = base == "ARG_PTR_TO_UNINIT_MAP_VALUE" or "MEM_UNINIT" in flags
            self._check_mem_arg(state, regno, reg, size, write, False, base, flags)
            if base == "ARG_PTR_TO_MAP_KEY" and t == PTR_TO_STACK and reg.var.is_const:
                meta.key_const = self._stack_const_key(state, reg, size)
                if (
                    meta.key_const is not None and m.type in hs.ARRAY_LIKE_MAPS
                    and self.rules.has("const_array_lookup_nonnull")
                ):
                    self._precise_const_key(state, reg)
            return
        if base in hs.MEM_ARGS:
            if maybe_null_ok and t == SCALAR and reg.is_const and reg.var.const_value == 0:
                meta.mem_regno, meta.mem_reg, meta.null_mem = regno, None, True
                return
            meta.mem_regno, meta.mem_reg, meta.null_mem = regno, reg, False
            meta.raw_mem = base == "ARG_PTR_TO_UNINIT_MEM" or "MEM_UNINIT" in flags
            meta.mem_write = (fid, argno) in hs.MEM_WRITE_ARGS
            fixed = "MEM_FIXED_SIZE" in flags
            if fixed:
                proto = self.rules.helper_proto(fid, self.prog_type)
                arg_rows = getattr(proto, "args", ()) or ()
                size = getattr(arg_rows[argno - 1], "fixed_size", 0) if argno <= len(arg_rows) else 0
                try:
                    size = int(size)
                except (TypeError, ValueError):
                    size = 0
                if size:
                    self._check_mem_arg(state, regno, reg, size, meta.raw_mem, False, base, flags)
                    if meta.mem_write and not meta.raw_mem and t == PTR_TO_STACK:
                        self.stack_arg_clobber(state, reg, size)
                    if "MEM_ALIGNED" in flags:
                        self._check_alignment(reg, 0, size, align_desc(reg.type), strict=True)
                    if meta.raw_mem and t == PTR_TO_STACK:
                        self.stack_helper_access(state, regno, reg, size, True, False)
                    meta.mem_reg = None
            else:
                self._check_mem_type(regno, reg, base, flags)
            return
        if base in hs.SIZE_ARGS:
            zero_ok = base == "ARG_CONST_SIZE_OR_ZERO"
            self._check_size_arg(state, regno, reg, zero_ok, meta)
            return
        if base in hs.FIXED_MEM_ARGS:
            size = hs.FIXED_MEM_ARGS[base]
            self._check_mem_arg(state, regno, reg, size, True, False, base, flags)
            # ARG_PTR_TO_LONG / ARG_PTR_TO_INT (later MEM_ALIGNED): aligned, always strictly
            self._check_alignment(reg, 0, size, align_desc(reg.type), strict=True)
            if t == PTR_TO_STACK:
                self.stack_helper_access(state, regno, reg, size, True, False)
            return
        if base == "ARG_PTR_TO_CTX":
            if maybe_null_ok and t == SCALAR and reg.is_const and reg.var.const_value == 0:
                return
            if t != PTR_TO_CTX:
                raise Reject(f"R{regno} type={self.type_label(reg)} expected=ctx", "helper-arg", (regno,))
            if reg.off < 0:
                message = self.rules.message("ctx_negative_off", regno=regno, off=reg.off)
                raise Reject(message, "ctx-modified", (regno,))
            if reg.off:
                raise Reject(
                    f"dereference of modified ctx ptr R{regno} off={reg.off} disallowed", "ctx-modified", (regno,)
                )
            if not reg.var.is_const or reg.var.const_value:  # __check_ptr_off_reg()
                raise Reject(f"variable ctx access var_off={reg.var.var_off} disallowed", "ctx-modified", (regno,))
            return
        if base in hs.SOCK_ARGS:
            ok = t in SOCKET_TYPES or (t == PTR_TO_BTF_ID and "BTF_ID" in base)
            if base == "ARG_PTR_TO_SOCKET":
                ok = t == PTR_TO_SOCKET
            if not ok or reg.maybe_null:
                # compatible_reg_types: sock_types, btf_id_sock_common_types (also BTF pointers)
                expected = {
                    "ARG_PTR_TO_SOCKET": "sock",
                    "ARG_PTR_TO_TCP_SOCK": "tcp_sock",
                    "ARG_PTR_TO_SOCK_COMMON": "sock_common, sock, tcp_sock, xdp_sock",
                }.get(base, "sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_")
                raise Reject(
                    f"R{regno} type={self.type_label(reg)} expected={expected}", "helper-arg", (regno,)
                )
            if fid in hs.RELEASE_HELPERS or "OBJ_RELEASE" in flags or self._releases(fid, argno):
                self._note_release(regno, reg, meta)
            return
        if base in ("ARG_PTR_TO_ALLOC_MEM", "ARG_PTR_TO_RINGBUF_MEM"):
            if t != PTR_TO_MEM or reg.maybe_null:
                raise Reject(
                    f"R{regno} type={self.type_label(reg)} expected=ringbuf_mem", "helper-arg", (regno,)
                )
            self._note_release(regno, reg, meta)
            return
        if base == "ARG_CONST_ALLOC_SIZE_OR_ZERO":
            if t != SCALAR:
                raise Reject(f"R{regno} type={self.type_label(reg)} expected=scalar", "helper-arg", (regno,))
            self.precise_regs(state, regno)
            if not reg.var.is_const:
                raise Reject(f"R{regno} is not a known constant'", "helper-arg", (regno,))
            meta.const_size = reg.var.const_value
            return
        if base == "ARG_PTR_TO_SPIN_LOCK":
            if t != PTR_TO_MAP_VALUE or reg.maybe_null:
                raise Reject(
                    f"R{regno} type={self.type_label(reg)} expected=map_value", "helper-arg", (regno,)
                )
            m = self.maps[reg.map_index]
            if m.spin_lock_off < 0:
                raise Reject(
                    f"map '{m.name}' has no valid bpf_spin_lock", "lock", (regno,)
                )
            if not reg.var.is_const or reg.var.const_value + reg.off != m.spin_lock_off:
                raise Reject(
                    f"off {reg.var.const_value + reg.off if reg.var.is_const else '?'} doesn't point to "
                    f"'struct bpf_spin_lock' that is at {m.spin_lock_off}",
                    "lock",
                    (regno,),
                )
            return
        if base == "ARG_PTR_TO_TIMER":
            if t != PTR_TO_MAP_VALUE or reg.maybe_null:
                raise Reject(
                    f"R{regno} type={self.type_label(reg)} expected=map_value", "helper-arg", (regno,)
                )
            # process_timer_func()
            m = self.maps[reg.map_index]
            if not reg.var.is_const:
                raise Reject(
                    f"R{regno} doesn't have constant offset. bpf_timer has to be at the constant offset",
                    "helper-arg",
                    (regno,),
                )
            if m.timer_off < 0:
                raise Reject(f"map '{m.name}' has no valid bpf_timer", "helper-arg", (regno,))
            off = reg.var.const_value + reg.off
            if off != m.timer_off:
                raise Reject(
                    f"off {off} doesn't point to 'struct bpf_timer' that is at {m.timer_off}", "helper-arg", (regno,)
                )
            meta.timer_map = reg.map_index
            return
        if base == "ARG_PTR_TO_FUNC":
            if t != PTR_TO_FUNC:
                raise Reject(f"R{regno} type={self.type_label(reg)} expected=func", "helper-arg", (regno,))
            meta.func = reg.subprog
            return
        if base == "ARG_PTR_TO_STACK" or base == "ARG_PTR_TO_STACK_OR_NULL":
            if t == SCALAR and reg.is_const and reg.var.const_value == 0:
                return
            if t != PTR_TO_STACK:
                raise Reject(f"R{regno} type={self.type_label(reg)} expected=fp", "helper-arg", (regno,))
            return
        if base == "ARG_PTR_TO_CONST_STR":
            if t != PTR_TO_MAP_VALUE or reg.maybe_null:
                raise Reject(
                    f"R{regno} type={self.type_label(reg)} expected=map_value", "helper-arg", (regno,)
                )
            m = self.maps[reg.map_index]
            if not m.readonly:
                raise Reject(f"R{regno} does not point to a readonly map'", "helper-arg", (regno,))
            return
        if base == "ARG_PTR_TO_BTF_ID" and maybe_null_ok and t == SCALAR and reg.is_const and reg.var.const_value == 0:
            return  # check_func_arg(): a NULL for an argument that may be NULL skips the type checks
        if base == "ARG_PTR_TO_BTF_ID" and "OBJ_RELEASE" in flags and fid == hs.KPTR_XCHG and t == PTR_TO_BTF_ID:
            # check_func_arg(): bpf_kptr_xchg() moves the reference of its second argument into the map
            # (check_helper_call(): released, its copies invalid)
            if not reg.btf_id & BTF_UNTRUSTED:  # (an untrusted one is refused below, as any other)
                self._kptr_match_type(regno, reg, meta.kptr_field)
            if not reg.ref_obj_id:
                raise Reject(f"R{regno} must be referenced when passed to release function", "reference", (regno,))
            self._note_release(regno, reg, meta)
            return
        if base in ("ARG_KPTR_XCHG_DEST", "ARG_PTR_TO_KPTR") and t == PTR_TO_MAP_VALUE and not reg.maybe_null:
            meta.kptr_field = self._kptr_xchg_dest(regno, reg)
            return
        if base == "ARG_PTR_TO_BTF_ID" and (t != PTR_TO_BTF_ID or reg.btf_id & BTF_UNTRUSTED):
            # btf_ptr_types: a BTF pointer, plain, trusted or RCU (6.2+), never an untrusted one nor any
            # other pointer (a context, stack or packet pointer is refused as a scalar is)
            expected = "ptr_, trusted_ptr_, rcu_ptr_" if self.feature("btf_arg_trusted_rcu") else "ptr_"
            raise Reject(f"R{regno} type={self.type_label(reg)} expected={expected}", "helper-arg", (regno,))
        if base == "ARG_PTR_TO_DYNPTR":
            self._check_dynptr_arg(state, regno, reg, flags, meta)
            return
        if base == "ARG_PTR_TO_PERCPU_BTF_ID":
            if t != PTR_TO_BTF_ID or not reg.btf_id & btf_ptr.FLAG_PERCPU or reg.maybe_null:
                expected = "percpu_ptr_"
                if self.feature("percpu_arg_rcu"):
                    expected += ", percpu_rcu_ptr_"
                if self.feature("percpu_arg_trusted"):
                    expected += ", percpu_trusted_ptr_"
                raise Reject(f"R{regno} type={self.type_label(reg)} expected={expected}", "helper-arg", (regno,))
            meta.percpu = reg
            return
        # other argument kinds (kptrs, ...): any initialised register
        return

    def _kptr_xchg_dest(self, regno: int, reg: Reg) -> tuple[int, str, str]:
        """process_kptr_func() for a map value: a referenced (or percpu) kptr field at a constant offset."""
        m = self.maps[reg.map_index]
        if not reg.var.is_const:
            raise Reject(
                f"R{regno} doesn't have constant offset. kptr has to be at the constant offset", "helper-arg", (regno,)
            )
        kinds = {f[0]: self._kptr_kind(f[1]) for f in m.kptr_fields}
        if not any(kind and kind != "uptr" for kind in kinds.values()):
            raise Reject(f"R{regno} has no valid kptr", "helper-arg", (regno,))
        off = reg.off + reg.var.const_value - ((reg.var.const_value >> 63) << 64)
        kind = kinds.get(off, "")
        if kind in ("", "uptr"):
            raise Reject(f"off={off} doesn't point to kptr", "helper-arg", (regno,))
        if kind not in ("kptr", "percpu_kptr"):
            raise Reject(f"off={off} kptr isn't referenced kptr", "helper-arg", (regno,))
        return next((off, kind, f[2]) for f in m.kptr_fields if f[0] == off)

    def _kptr_match_type(self, regno: int, reg: Reg, field: tuple[int, str, str] | None) -> None:
        """check_reg_type() for bpf_kptr_xchg()'s pointer (map_kptr_match_type()): a kernel object
        (trusted, RCU or plain; possibly NULL) of the field's kernel type, or an object of the
        program's own type (MEM_ALLOC; per-CPU for a percpu_kptr field) of the field's local type,
        the very type (strict: no first-member walk). A per-CPU kernel pointer is not checked."""
        if field is None or reg.btf_id & btf_ptr.FLAG_USER:
            return
        alloc = bool(reg.btf_id & btf_ptr.FLAG_ALLOC)
        if not alloc and reg.btf_id & btf_ptr.FLAG_PERCPU:
            return  # PTR_TO_BTF_ID | MEM_PERCPU: "handled by helper specific checks"
        if not alloc and reg.maybe_null:
            raise Reject(f"Possibly NULL pointer passed to helper arg{regno}", "helper-arg", (regno,))
        kb = btf_ptr.kernel_btf_of(self)
        field_kernel_id = kb.find(field[2], B.KIND_STRUCT) if kb is not None and field[2] else None
        if alloc:
            local = btf_ptr.local_type(self, reg)
            bad = (
                reg.btf_id & btf_ptr.FLAG_PERCPU and field[1] != "percpu_kptr"
            ) or field_kernel_id is not None or local is None or local.name != field[2]
            reg_name = local.name if local is not None else ""
        else:
            type_id = reg.btf_id & btf_ptr.ID_MASK
            if not type_id or kb is None:
                return  # an opaque kernel pointer: its type is not known
            bad = type_id != field_kernel_id
            reg_name = btf_ptr.type_name(self, reg)
        if bad:
            raise Reject(
                f"invalid kptr access, R{regno} type={reg.type_name}{reg_name} expected=ptr_{field[2]}",
                "helper-arg",
                (regno,),
            )

    def _dynptr_at(self, state: State, regno: int) -> Reg | None:
        """The initialised dynptr on the stack that register `regno` points to (its first slot's
        register: mem_size the type, ref_obj_id the reference), else None."""
        reg = state.frames[-1].regs[regno]
        if reg.type != PTR_TO_STACK or not reg.var.is_const or reg.frameno >= len(state.frames):
            return None
        addr = reg.off + reg.var.const_value - ((reg.var.const_value >> 63) << 64)
        if addr % 8 or addr < -512 or addr + 16 > 0:
            return None
        return dynptr.is_initialized(state.frames[reg.frameno].stack, (512 + addr) >> 3)

    def dynptr_slice_result(self, state: State, name: str, parent: Reg | None = None) -> Reg:
        """R0 of bpf_dynptr_slice(ptr, offset, buffer__opt, buffer__szk) and its _rdwr twin
        (check_kfunc_args() KF_ARG_PTR_TO_MEM_SIZE, then check_kfunc_call()): the size must be a
        constant; a buffer that is not NULL is checked for that many bytes, read and written
        (check_kfunc_mem_size_reg()); the result is memory of that size, or NULL."""
        size_reg = self.read_reg(state, 4)
        if size_reg.type != SCALAR or not size_reg.var.is_const:
            raise Reject("R4 must be a known constant", "kfunc-arg", (4,))
        size = size_reg.var.const_value
        buf = self.read_reg(state, 3)
        if size and not (buf.type == SCALAR and buf.is_const and buf.var.const_value == 0):
            if buf.type == PTR_TO_STACK:
                self.stack_helper_access(state, 3, buf, size, False, True)
                self.stack_helper_access(state, 3, buf, size, True, True)
            else:
                self.mem_access(state, 3, buf, 0, size, False, None, self.idx, False)
                self.mem_access(state, 3, buf, 0, size, True, None, self.idx, False)
        if name == "bpf_dynptr_slice_rdwr" and self.rules.packet_access(self.prog_type) != "rw":
            # check_kfunc_call(): may_access_direct_pkt_data(BPF_WRITE), whatever the dynptr's type
            raise Reject("the prog does not allow writes to packet data", "kfunc")
        # a slice of an skb or xdp dynptr (DYNPTR_TYPE_SKB/XDP) is a packet pointer for clear_all_pkt_pointers();
        # one of a ringbuf dynptr dies when the reservation is released (unmark_stack_slots_dynptr() invalidates
        # the slices of the dynptr and of its clones)
        pkt = parent is not None and parent.mem_size in (dynptr.DYNPTR_SKB, dynptr.DYNPTR_XDP)
        return pointer_reg(
            PTR_TO_MEM, maybe_null=True, mem_size=size, rdonly=name == "bpf_dynptr_slice", id=self.new_id(),
            btf_id=PKT_SLICE if pkt else 0, ref_obj_id=parent.ref_obj_id if parent is not None else 0,
        )

    def _check_dynptr_arg(
        self, state: State, regno: int, reg: Reg, flags: frozenset[str], meta: CallMeta, clone_of: Reg | None = None
    ) -> None:
        """process_dynptr_func(): a struct bpf_dynptr on the stack, to build (MEM_UNINIT) or to use."""
        if reg.type == CONST_PTR_TO_DYNPTR:  # a global function's argument: a local dynptr, read-only
            if "MEM_UNINIT" in flags:
                raise Reject("cannot pass pointer to const bpf_dynptr, the helper mutates it", "helper-arg", (regno,))
            if "OBJ_RELEASE" in flags:
                raise Reject("cannot release unowned const bpf_dynptr", "helper-arg", (regno,))
            wanted = next((dynptr.ARG_DYNPTR_TYPES[f] for f in flags if f in dynptr.ARG_DYNPTR_TYPES), 0)
            if wanted and wanted != dynptr.DYNPTR_LOCAL:
                raise Reject(
                    f"Expected a dynptr of type {dynptr.DYNPTR_TYPE_NAMES[wanted]} as arg #{regno - 1}",
                    "helper-arg",
                    (regno,),
                )
            return
        if reg.type != PTR_TO_STACK:
            raise Reject(
                f"arg#{regno - 1} expected pointer to stack or const struct bpf_dynptr", "helper-arg", (regno,)
            )
        if not reg.var.is_const:
            raise Reject("dynptr has to be at a constant offset", "helper-arg", (regno,))
        addr = reg.off + reg.var.const_value - ((reg.var.const_value >> 63) << 64)
        stack = state.frames[reg.frameno].stack
        wanted = next((dynptr.ARG_DYNPTR_TYPES[f] for f in flags if f in dynptr.ARG_DYNPTR_TYPES), 0)
        if "MEM_UNINIT" in flags:
            lo = dynptr.first_slot(stack, addr, regno, uninit_ok=True)
            self._stack_bounds(state, regno, reg, reg.off, 16, True, helper=True)
            ref = 0
            if clone_of is not None:  # bpf_dynptr_clone(): the parent's type, and its reference if any
                wanted, ref = clone_of.mem_size, clone_of.ref_obj_id
            elif wanted in dynptr.REFCOUNTED:  # the reservation is a reference, even when it failed
                ref = self.new_id()
                state.refs = state.refs + (RefState(ref, self.idx, "dynptr"),)
            dynptr.mark(stack, lo, wanted or dynptr.DYNPTR_LOCAL, ref)
            return
        lo = dynptr.first_slot(stack, addr, regno, uninit_ok=False)
        if "OBJ_RELEASE" in flags:  # check_func_arg(): only a dynptr holding a reference is released
            first = dynptr.dynptr_slot(stack, lo)
            if first is None or not first.ref_obj_id:
                raise Reject(f"arg {regno} is an unacquired reference", "reference", (regno,))
        held = dynptr.is_initialized(stack, lo)
        if held is None:
            raise Reject(f"Expected an initialized dynptr as arg #{regno - 1}", "helper-arg", (regno,))
        if wanted and held.mem_size != wanted:
            raise Reject(
                f"Expected a dynptr of type {dynptr.DYNPTR_TYPE_NAMES[wanted]} as arg #{regno - 1}",
                "helper-arg",
                (regno,),
            )
        for slot in (lo, lo + 1):
            self._mark_slot_read(state, state.frames[reg.frameno], slot)
        if held.ref_obj_id:
            meta.ref_obj_id = held.ref_obj_id
        if "OBJ_RELEASE" in flags:
            meta.release_ref = held.ref_obj_id
            meta.release_dynptr = (reg.frameno, lo)

    def _releases(self, fid: int, argno: int) -> bool:
        proto = self.rules.helper_proto(fid, self.prog_type)
        rel = getattr(proto, "releases", None)
        return rel is not None and rel not in (False, 0) and (rel is True or rel == argno or rel == str(argno))

    def _note_release(self, regno: int, reg: Reg, meta: CallMeta) -> None:
        if not reg.ref_obj_id:
            raise Reject(
                f"R{regno} must be referenced when passed to release function", "reference", (regno,)
            )
        if reg.off and (reg.type != PTR_TO_MEM or self.feature("release_mem_zero_off")):
            # check_func_arg_reg_off(): the released pointer must be the one acquired
            if reg.type == PTR_TO_MEM and not self.feature("release_zero_off_wording"):
                raise Reject(f"dereference of modified alloc_mem ptr R{regno} off={reg.off} disallowed",
                             "reference", (regno,))
            raise Reject(
                f"R{regno} must have zero offset when passed to release func or trusted arg to kfunc",
                "reference",
                (regno,),
            )
        meta.release_ref = reg.ref_obj_id

    def _check_mem_type(self, regno: int, reg: Reg, base: str, flags: frozenset[str]) -> None:
        t = reg.type
        ok = t in (PTR_TO_STACK, PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY, PTR_TO_MEM, PTR_TO_BUF, PTR_TO_BTF_ID) or (
            t in PACKET_TYPES
        )
        if t == PTR_TO_BTF_ID and reg.btf_id & btf_ptr.FLAG_ALLOC:
            ok = False  # mem_types: an object of the program's own type (MEM_ALLOC) is no helper memory
        if not ok or reg.maybe_null:
            raise Reject(
                f"R{regno} type={self.type_label(reg)} expected={hs.MEM_TYPES_TEXT}", "helper-arg", (regno,)
            )

    def _check_mem_arg(
        self, state: State, regno: int, reg: Reg, size: int, write: bool, zero_ok: bool, base: str,
        flags: frozenset[str],
    ) -> None:
        """check_helper_mem_access() for a known size."""
        self._check_mem_type(regno, reg, base, flags)
        t = reg.type
        if t == PTR_TO_STACK:
            if write:
                self.stack_helper_access(state, regno, reg, size, True, zero_ok)
            else:
                self.stack_helper_access(state, regno, reg, size, False, zero_ok)
        elif size or not zero_ok:
            self.mem_access(state, regno, reg, 0, max(size, 1), write and t != PTR_TO_STACK, None, self.idx,
                            False)

    def _check_size_arg(self, state: State, regno: int, reg: Reg, zero_ok: bool, meta: CallMeta) -> None:
        """check_mem_size_reg()."""
        if reg.type != SCALAR:
            raise Reject(f"R{regno} type={self.type_label(reg)} expected=scalar", "helper-arg", (regno,))
        var = reg.var
        mem_reg = meta.mem_reg
        self.precise_regs(state, regno)
        if var.smin < 0:
            raise Reject(
                f"R{regno} min value is negative, either use unsigned or 'var &= const'", "helper-arg", (regno,)
            )
        if var.umin == 0 and not zero_ok:
            raise Reject(
                f"R{regno} invalid zero-sized read: u64=[{var.umin},{var.umax}]", "helper-arg", (regno,)
            )
        if var.umax >= BPF_MAX_VAR_SIZ:
            raise Reject(
                f"R{regno} unbounded memory access, use 'var &= const' or 'if (var < const)'",
                "helper-arg",
                (regno,),
            )
        meta.const_size = var.umax
        null_mem, meta.null_mem = meta.null_mem, False  # each size belongs to the memory argument before it
        if null_mem and var.umax > 0:
            # check_helper_mem_access() on the NULL: only a zero-byte access is allowed
            mregno = meta.mem_regno
            raise Reject(f"R{mregno} type=scalar expected=fp", "helper-arg", (mregno,))
        if mem_reg is None:
            return
        size = var.umax
        if size == 0:
            return
        mregno = meta.mem_regno
        if mem_reg.type == PTR_TO_STACK:
            if meta.raw_mem and (not var.is_const or not mem_reg.var.is_const):
                # check_mem_size_reg(): a size that is not a constant turns raw mode off (meta = NULL),
                # and so does a variable stack offset (check_stack_range_initialized()): every byte the
                # helper may write must be initialised already (or readable uninitialised: privileged
                # loaders from 6.3, and within the allocated stack before); the bytes are then written.
                # The bounds are the helper's (a write), the initialisation check a read's.
                lo, hi = self._stack_bounds(state, mregno, mem_reg, mem_reg.off, size, True, helper=True)
                frame = state.frames[mem_reg.frameno]
                self._stack_read_range(state, frame, mregno, mem_reg, lo, hi, size, True, direct=False)
            elif meta.raw_mem:
                # bounds only; the bytes are marked written after the call's checks
                self._stack_bounds(state, mregno, mem_reg, mem_reg.off, size, True, helper=True)
            else:
                self.stack_helper_access(state, mregno, mem_reg, size, False, zero_ok)
                if meta.mem_write:
                    self.stack_arg_clobber(state, mem_reg, size)
        else:
            self.mem_access(state, mregno, mem_reg, 0, size, meta.raw_mem, None, self.idx, False)

    def _stack_const_key(self, state: State, reg: Reg, size: int) -> int | None:
        """The constant a stack key holds, when it is one (for array lookups): get_constant_map_key(),
        which answers only bpf_capable loaders; zeroed bytes over the whole key, or a constant scalar
        spilled with exactly the key's size (the spill's whole value counts, not its low bytes)."""
        if self.unprivileged:
            return None
        frame = state.frames[reg.frameno]
        lo = reg.off + (reg.var.const_value if reg.var.const_value < 1 << 63 else reg.var.const_value - (1 << 64))
        slot = (512 + lo) >> 3
        byte = (512 + lo) & 7
        s = frame.stack.get(slot)
        if s is None or size > 8 or byte + size > 8:
            return None
        if s.kinds[byte : byte + size] == "z" * size:
            return 0  # zeroed stack bytes: the key is 0
        spill_size = len(s.kinds) - len(s.kinds[byte:].lstrip("s")) - byte if s.kinds[byte:].startswith("s") else 0
        if byte == 0 and s.spilled is not None and s.spilled.is_const and spill_size == size:
            return s.spilled.var.const_value
        return None

    def _precise_const_key(self, state: State, reg: Reg) -> None:
        """get_constant_map_key() (can_elide_value_nullness() maps): a key read from a spilled
        constant is relied on, so the slot is marked precise (zeroed bytes are precise already)."""
        lo = reg.off + (reg.var.const_value if reg.var.const_value < 1 << 63 else reg.var.const_value - (1 << 64))
        slot = (512 + lo) >> 3
        s = state.frames[reg.frameno].stack.get(slot)
        if s is not None and s.spilled is not None and s.kinds[0] == SPILL:
            self.precise_key(state, reg.frameno * 128 + 16 + slot)

    # ---- the result --------------------------------------------------------------------

    def _ret_reg(self, state: State, fid: int, proto: object, meta: CallMeta, idx: int) -> Reg:
        ret = proto_ret(proto) if proto is not None else "RET_INTEGER"
        base, flags = split_arg(ret)
        maybe_null = base.endswith("_OR_NULL") or "PTR_MAYBE_NULL" in flags
        base = base.removesuffix("_OR_NULL")
        acquires = bool(getattr(proto, "acquires", False)) if proto is not None else False
        if isinstance(getattr(proto, "acquires", None), str):
            acquires = proto.acquires.lower() in ("true", "1", "yes")  # type: ignore[attr-defined,union-attr]
        if base == "RET_VOID":
            return not_init()
        if base == "RET_INTEGER":
            if fid in hs.SIZE_BOUNDED_RESULT and meta.const_size is not None:
                return Reg(SCALAR, Scalar.from_srange(-hs.MAX_ERRNO, meta.const_size))
            return unknown_reg()
        if base == "RET_PTR_TO_MAP_VALUE":
            if meta.map_index < 0:
                return unknown_reg()
            m = self.maps[meta.map_index]
            if (
                maybe_null
                and fid == hs.MAP_LOOKUP_ELEM
                and m.type in hs.ARRAY_LIKE_MAPS
                and meta.key_const is not None
                and meta.key_const < m.max_entries
                and self.rules.has("const_array_lookup_nonnull")
            ):
                maybe_null = False
            reg = pointer_reg(PTR_TO_MAP_VALUE, map_index=meta.map_index, maybe_null=maybe_null)
            if not maybe_null and m.spin_lock_off >= 0:
                reg = reg.evolve(id=self.new_id())  # a value that holds a lock keeps an id: the lock's identity
            if fid == hs.MAP_LOOKUP_ELEM and m.type in hs.SOCK_MAPS and self.feature("sockmap_lookup"):
                acquires = True  # is_acquire_function(): the socket found is a reference to release
        elif base in ("RET_PTR_TO_SOCKET", "RET_PTR_TO_SOCK_COMMON", "RET_PTR_TO_TCP_SOCK"):
            rtype = {"RET_PTR_TO_SOCKET": PTR_TO_SOCKET, "RET_PTR_TO_SOCK_COMMON": PTR_TO_SOCK_COMMON}.get(
                base, PTR_TO_TCP_SOCK
            )
            reg = pointer_reg(rtype, maybe_null=maybe_null)
        elif base in ("RET_PTR_TO_ALLOC_MEM", "RET_PTR_TO_MEM", "RET_PTR_TO_RINGBUF_MEM", "RET_PTR_TO_DYNPTR_MEM"):
            size = meta.const_size or 0
            ringbuf = meta.map_index if base == "RET_PTR_TO_RINGBUF_MEM" else -1
            reg = pointer_reg(
                PTR_TO_MEM, maybe_null=maybe_null, mem_size=size, rdonly="MEM_RDONLY" in flags, map_index=ringbuf
            )
        elif base == "RET_PTR_TO_MEM_OR_BTF_ID" and meta.percpu is not None:
            reg = btf_ptr.percpu_ptr_result(self, meta.percpu, maybe_null) or pointer_reg(
                PTR_TO_BTF_ID, maybe_null=maybe_null
            )
        elif base.startswith("RET_PTR_TO_BTF_ID") or base.startswith("RET_PTR_TO_MEM_OR_BTF_ID"):
            info = self.rules.helper(fid)
            name = f"bpf_{info.name}" if info is not None else ""
            reg = btf_ptr.helper_result(self, name, maybe_null) or pointer_reg(PTR_TO_BTF_ID, maybe_null=maybe_null)
            if base == "RET_PTR_TO_BTF_ID_TRUSTED" and self.feature("trusted_btf_ptrs"):
                reg = reg.evolve(btf_id=reg.btf_id | BTF_TRUSTED)
        else:
            return unknown_reg()
        if maybe_null or acquires:
            reg = reg.evolve(id=self.new_id())
        if fid in hs.PTR_CAST_HELPERS or fid == hs.DYNPTR_DATA:  # is_dynptr_ref_function() too
            reg = reg.evolve(ref_obj_id=meta.ref_obj_id)
        elif acquires:
            reg = reg.evolve(ref_obj_id=reg.id)
            state.refs = state.refs + (RefState(reg.id, idx, base),)
        return reg

    def _clear_packet_pointers(self, state: State) -> None:
        """clear_all_pkt_pointers(): the helper may have moved the packet; old pointers are dead."""
        map_regs(
            state,
            lambda r: r.type in PACKET_TYPES or r.type == PTR_TO_PACKET_END or (r.type == PTR_TO_MEM and r.btf_id == PKT_SLICE),
            lambda r: unknown_reg(),
        )

    def _release_reference(self, state: State, ref_id: int) -> None:
        """release_reference(): the reference is gone, and so is every pointer that carried it."""
        if not any(r.id == ref_id for r in state.refs):
            raise Reject(f"release reference id={ref_id} not found", "reference")
        state.refs = tuple(r for r in state.refs if r.id != ref_id)
        map_regs(state, lambda r: r.ref_obj_id == ref_id, lambda r: unknown_reg())

