"""Conditional jumps (`check_cond_jmp_op`): decided branches, refinement on both
sides, NULL checks and packet range discovery."""

from __future__ import annotations

from typing import Final

from verifier.abstract import helper_semantics as hs
from verifier.abstract.alu import ADD_CONST, ADD_CONST32
from verifier.abstract.branch import branch_taken, ne_refines_nothing, refine
from verifier.abstract.precision import LINKED_REGS
from verifier.abstract.regs import (
    BTF_TRUSTED,
    BTF_UNTRUSTED,
    CONST_PTR_TO_MAP,
    PACKET_TYPES,
    PTR_TO_BTF_ID,
    PTR_TO_MAP_KEY,
    PTR_TO_MAP_VALUE,
    PTR_TO_MEM,
    PTR_TO_PACKET,
    PTR_TO_PACKET_END,
    PTR_TO_PACKET_META,
    PTR_TO_SOCK_COMMON,
    PTR_TO_SOCKET,
    PTR_TO_TCP_SOCK,
    PTR_TO_XDP_SOCK,
    SCALAR,
    Reg,
    const_reg,
)
from verifier.abstract.reject import Reject
from verifier.abstract.scalar import Scalar, refine_against_const_old
from verifier.abstract.state import SPILL, Slot, State, map_regs
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn

MAX_PACKET_OFF: Final = 0xFFFF
AT_PKT_END: Final = -1
BEYOND_PKT_END: Final = -2

JMP_OPS: Final = {
    op.BPF_JEQ: "jeq",
    op.BPF_JNE: "jne",
    op.BPF_JGT: "jgt",
    op.BPF_JGE: "jge",
    op.BPF_JLT: "jlt",
    op.BPF_JLE: "jle",
    op.BPF_JSGT: "jsgt",
    op.BPF_JSGE: "jsge",
    op.BPF_JSLT: "jslt",
    op.BPF_JSLE: "jsle",
    op.BPF_JSET: "jset",
}
# the operation with its operands swapped
FLIP: Final = {
    "jeq": "jeq", "jne": "jne", "jset": "jset",
    "jgt": "jlt", "jlt": "jgt", "jge": "jle", "jle": "jge",
    "jsgt": "jslt", "jslt": "jsgt", "jsge": "jsle", "jsle": "jsge",
}


# reg_not_null() in kernel/bpf/verifier.c (v6.18): the pointer types a comparison with 0 is
# decided for. ctx, stack and packet pointers are not among them: both branches are walked.
# (PTR_TO_BTF_ID counts only when trusted; treated as unknown here, which walks both.)
NOT_NULL_TYPES: Final = frozenset({PTR_TO_SOCKET, PTR_TO_TCP_SOCK, PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY, PTR_TO_SOCK_COMMON})
# reg_not_null() of later kernels also knows these: PTR_TO_MEM since 6.4 (feature reg_not_null_mem),
# CONST_PTR_TO_MAP later (feature reg_not_null_map_ptr_mem)
NOT_NULL_LATER: Final = {PTR_TO_MEM: "reg_not_null_mem", CONST_PTR_TO_MAP: "reg_not_null_map_ptr_mem"}


LINKED_REGS_MAX: Final = 6  # entries of one jump history record (struct linked_regs)


def collect_linked_regs(state: State, base_id: int, keys: list[int]) -> None:
    """collect_linked_regs(): the scalars (registers r0-r9, spilled registers) whose id is `base_id`
    (distance flags aside), from the innermost frame out, as liveness keys appended to `keys`; past
    LINKED_REGS_MAX entries a scalar loses its id instead."""
    flags = ADD_CONST | ADD_CONST32
    for frame in reversed(state.frames):
        base = frame.frameno * 128
        regs = frame.regs
        for r in range(10):
            reg = regs[r]
            if reg.type == SCALAR and reg.id and (reg.id & ~flags) == base_id:
                if len(keys) < LINKED_REGS_MAX:
                    keys.append(base + r)
                else:
                    regs[r] = reg.evolve(id=0)
        stack = frame.stack
        for slot in sorted(stack, reverse=True):  # spi 0 (fp-8) first
            s = stack[slot]
            sp = s.spilled
            if sp is not None and s.kinds[0] == SPILL and sp.type == SCALAR and sp.id and (sp.id & ~flags) == base_id:
                if len(keys) < LINKED_REGS_MAX:
                    keys.append(base + 16 + slot)
                else:
                    stack[slot] = Slot(s.kinds, sp.evolve(id=0))


def _either_const(dst: Reg, src: Reg, is32: bool) -> bool:
    """check_cond_jmp_op() before 6.8: is one side a constant (tnum_is_const(), or its subregister
    for a 32-bit jump)?"""
    return dst.var.is_const or src.var.is_const or is32 and (dst.var.subreg_is_const or src.var.subreg_is_const)


class JumpMixin:
    def do_cond_jmp(self, state: State, insn: Insn, idx: int) -> int:
        is32 = insn.cls == op.BPF_JMP32
        code = insn.opcode & 0xF0
        name = JMP_OPS.get(code)
        if name is None:
            raise Reject(f"invalid BPF_JMP/JMP32 opcode {code:x}", "invalid-insn")
        target = idx + 1 + insn.off
        dst = self.read_reg(state, insn.dst)
        if insn.opcode & op.BPF_X:
            src = self.read_reg(state, insn.src)
            src_regno = insn.src
        else:
            imm = insn.imm & 0xFFFFFFFF if is32 else insn.imm & ((1 << 64) - 1)
            src = const_reg(imm)
            src_regno = -1
        if self.unprivileged and src_regno >= 0 and src.type != SCALAR and not (
            dst.type in PACKET_TYPES or dst.type == PTR_TO_PACKET_END
        ):
            raise Reject(f"R{insn.src} pointer comparison prohibited", "pointer-leak", (insn.src,))
        pred = self._branch_taken(dst, src, name, is32)
        # check_cond_jmp_op(): a destination pointer is refused to unprivileged loaders only when
        # the outcome is not known (a non-NULL pointer against 0 decides the branch first)
        # (only `if rX == 0` / `if rX != 0` with an immediate, 64-bit, is the NULL check of a pointer
        # that may be NULL: any other comparison of it is refused too)
        null_check = (
            dst.maybe_null and src_regno < 0 and not is32 and name in ("jeq", "jne") and src.var.const_value == 0
        )
        if self.unprivileged and pred < 0 and dst.type != SCALAR and src.type == SCALAR and not null_check and (
            dst.type not in PACKET_TYPES
        ):
            raise Reject(f"R{insn.dst} pointer comparison prohibited", "pointer-leak", (insn.dst,))
        if self.replay is not None:
            return self._replay_branch(state, insn, idx, dst, src, src_regno, name, is32, target)
        if pred >= 0 and dst.type == SCALAR and src.type == SCALAR:
            if src_regno >= 0:
                self.precise_regs(state, insn.dst, src_regno)
            else:
                self.precise_regs(state, insn.dst)
        if pred == 1:
            self.note_branch(state, idx, True)
            return target
        if pred == 0:
            self.note_branch(state, idx, False)
            return idx + 1

        if self.linked_regs_history and (dst.id or src.id) and (dst.type == SCALAR or src.type == SCALAR):
            self._record_linked_regs(state, insn, dst, src, src_regno, idx)
            dst = state.frames[-1].regs[insn.dst]  # a copy past the sixth lost its id
            if src_regno >= 0:
                src = state.frames[-1].regs[src_regno]
        other = state.copy()  # the taken side
        ok_taken = self._refine_side(other, insn, dst, src, src_regno, name, is32, True)
        ok_fall = self._refine_side(state, insn, dst, src, src_regno, name, is32, False)
        if ok_taken:
            self.note_branch(other, idx, True)
            if ok_fall:
                self.push_branch(other, target)
            else:
                self.replace_state(state, other)
                return target
        if not ok_fall:
            return -1
        self.note_branch(state, idx, False)
        return idx + 1

    def _record_linked_regs(self, state: State, insn: Insn, dst: Reg, src: Reg, src_regno: int, idx: int) -> None:
        """check_cond_jmp_op() (6.12+): collect_linked_regs() of the source's id, then the
        destination's, into at most LINKED_REGS_MAX entries (a register past them loses its id), and
        the jump's history entry names them when there are two or more (bt_sync_linked_regs())."""
        keys: list[int] = []
        if src_regno >= 0 and src.type == SCALAR and src.id:
            collect_linked_regs(state, src.id & ~(ADD_CONST | ADD_CONST32), keys)
        if dst.type == SCALAR and dst.id:
            collect_linked_regs(state, dst.id & ~(ADD_CONST | ADD_CONST32), keys)
        if len(keys) > 1 and state.hist:
            state.hist[-1] = (idx, LINKED_REGS, tuple(keys))
            if idx not in self.jmp_points:
                state.nhist += 1

    def _replay_branch(self, state, insn, idx, dst, src, src_regno, name, is32, target) -> int:
        """Follow the recorded decision (re-running a failing path for --verbose)."""
        taken = self.next_decision(idx)
        log = self.sandbox_log
        if log is not None:
            log.append((idx, name, dst.var, src.var, self._branch_taken(dst, src, name, is32), is32))
        if not self._refine_side(state, insn, dst, src, src_regno, name, is32, taken):
            return -1
        self.note_branch(state, idx, taken)
        return target if taken else idx + 1

    def _never_null(self, reg: Reg) -> bool:
        """reg_not_null(): pointers that cannot be NULL."""
        if reg.maybe_null:
            return False
        if reg.type == PTR_TO_BTF_ID:  # is_trusted_reg(): referenced, or PTR_TRUSTED and not untrusted
            trusted = reg.ref_obj_id or (reg.btf_id & BTF_TRUSTED and not reg.btf_id & BTF_UNTRUSTED)
            return bool(trusted) and self.rules.has("reg_not_null_trusted_btf")
        feature = NOT_NULL_LATER.get(reg.type)
        return reg.type in NOT_NULL_TYPES or (feature is not None and self.rules.has(feature))

    def _branch_taken(self, dst: Reg, src: Reg, name: str, is32: bool) -> int:
        if dst.type == SCALAR and src.type == SCALAR:
            if not _either_const(dst, src, is32) and not self.feature("cmp_two_scalars"):
                return -1
            return branch_taken(dst.var, src.var, name, is32)
        if is32:
            return -1
        # pointer against the constant 0
        if src.type == SCALAR and src.is_const and src.var.const_value == 0 and self._never_null(dst):
            if name == "jeq":
                return 0
            if name == "jne":
                return 1
            return -1
        if dst.type == SCALAR and dst.is_const and dst.var.const_value == 0 and self._never_null(src):
            if name == "jeq":
                return 0
            if name == "jne":
                return 1
            return -1
        return self._pkt_branch_taken(dst, src, name)

    @staticmethod
    def _pkt_branch_taken(dst: Reg, src: Reg, name: str) -> int:
        """is_pkt_ptr_branch_taken(): comparisons already decided by an earlier one."""
        if src.type == PTR_TO_PACKET_END and dst.type == PTR_TO_PACKET:
            pkt, flipped = dst, False
        elif dst.type == PTR_TO_PACKET_END and src.type == PTR_TO_PACKET:
            pkt, flipped = src, True
        else:
            return -1
        if flipped:
            name = FLIP[name]
        if pkt.range == BEYOND_PKT_END:
            # pkt > pkt_end was established
            if name in ("jgt", "jge"):
                return 1
            if name in ("jlt", "jle"):
                return 0
        elif pkt.range == AT_PKT_END:
            # pkt >= pkt_end
            if name == "jge":
                return 1
            if name == "jlt":
                return 0
        return -1

    def _refine_side(
        self, state: State, insn: Insn, dst: Reg, src: Reg, src_regno: int, name: str, is32: bool, taken: bool
    ) -> bool:
        """Refine the registers of `state` for one side of the branch. False when it cannot happen."""
        regs = state.frames[-1].regs
        if dst.type == SCALAR and src.type == SCALAR:
            if not self.feature("cmp_two_scalars"):
                if not _either_const(dst, src, is32):
                    # before 6.8 two unknowns narrow each other only where they are equal (64-bit
                    # ==/!=: reg_combine_min_max(), the intersection refine() makes for that side)
                    if is32 or name not in ("jeq", "jne") or (name == "jne") == taken:
                        return True
                else:
                    return self._refine_against_const_old(state, insn, dst, src, src_regno, name, is32, taken)
            if name in ("jeq", "jne"):
                if (name == "jne") == taken:
                    if ne_refines_nothing(dst.var, src.var, is32) or not self.feature("jne_const_edge"):
                        return True
                elif not is32 and (dst.var.is_const or src.var.is_const):
                    # equal to a constant: both sides become that constant, if it is possible at all
                    c = dst.var if dst.var.is_const else src.var
                    other = src.var if c is dst.var else dst.var
                    if not other.contains_value(c.const_value):
                        regs[insn.dst] = dst.evolve(var=Scalar.unknown(), id=0)
                        if src_regno >= 0:
                            regs[src_regno] = regs[src_regno].evolve(var=Scalar.unknown(), id=0)
                        return True
                    self._set_scalars(state, insn.dst, dst, c, src_regno, c)
                    return True
            res = refine(dst.var, src.var, name, is32, taken)
            if res is None:
                # the bounds of this side are empty although is_branch_taken() did not decide the
                # branch: the kernel reports REG INVARIANTS VIOLATION, makes the registers unknown
                # and walks the side anyway (reg_bounds_sanity_check)
                regs[insn.dst] = dst.evolve(var=Scalar.unknown(), id=0)
                if src_regno >= 0:
                    regs[src_regno] = regs[src_regno].evolve(var=Scalar.unknown(), id=0)
                return True
            nd, ns = res
            self._set_scalars(state, insn.dst, dst, nd, src_regno, ns)
            return True
        if is32:
            return True
        # NULL checks: ptr == 0 / ptr != 0
        if name in ("jeq", "jne"):
            is_null_side = (name == "jeq") == taken
            # only the left operand is checked against NULL, and only by an immediate 0 (BPF_K): a register
            # holding 0 decides nothing (check_cond_jmp_op(); measured on 6.18.44: `r1 = 0; if r0 == r1`
            # leaves r0 possibly NULL)
            if dst.maybe_null and src_regno < 0 and src.is_const and src.var.const_value == 0:
                self._mark_ptr_or_null(state, dst, is_null_side)
                return True
            # two pointers, one maybe NULL: on the side where they are equal it is not NULL
            # (only that register, as mark_ptr_not_null_reg() on it alone)
            if (
                src_regno >= 0 and dst.type != SCALAR and src.type != SCALAR and dst.maybe_null != src.maybe_null
                and PTR_TO_BTF_ID not in (dst.type, src.type) and is_null_side  # the equal side
                and self.feature("ptr_eq_nullness")
            ):
                regno, reg = (insn.dst, dst) if dst.maybe_null else (src_regno, src)
                state.frames[-1].regs[regno] = self._not_null_reg(reg)
            return True
        if src_regno >= 0:
            self._pkt_pointers(state, insn.dst, src_regno, dst, src, name, taken)
        return True

    def _refine_against_const_old(
        self, state: State, insn: Insn, dst: Reg, src: Reg, src_regno: int, name: str, is32: bool, taken: bool
    ) -> bool:
        """check_cond_jmp_op() before 6.8: reg_set_min_max() narrows the register compared with a
        constant (the source's value, else the destination's with the comparison flipped:
        reg_set_min_max_inv()); the constant stays as it is."""
        src_const = src.var.is_const or is32 and src.var.subreg_is_const
        if src_const:
            var, val, cond, regno = dst.var, src.var.const_value, name, insn.dst
        else:
            var, val, cond, regno = src.var, dst.var.const_value, FLIP[name], src_regno
        if var.is_const if not is32 else var.subreg_is_const:
            return True  # both constants: is_branch_taken() decided, nothing to narrow
        new = refine_against_const_old(var, val, cond, is32, taken)
        regs = state.frames[-1].regs
        if new is None:
            regs[regno] = regs[regno].evolve(var=Scalar.unknown(), id=0)
            return True
        if regno == insn.dst:
            self._set_scalars(state, insn.dst, dst, new, src_regno, None)
        else:
            cur = regs[regno]
            regs[regno] = cur.evolve(var=new) if cur.var != new else cur
            self._sync_linked(state, regno)
            self._sync_linked(state, insn.dst)
        return True

    def _set_scalars(
        self, state: State, dst_regno: int, dst: Reg, dvar: Scalar, src_regno: int, svar: Scalar | None
    ) -> None:
        """reg_set_min_max() leaves the refined bounds in both registers, then check_cond_jmp_op()
        runs sync_linked_regs() for the source, then for the destination."""
        regs = state.frames[-1].regs
        if dst.type == SCALAR:
            regs[dst_regno] = dst.evolve(var=dvar) if dst.var != dvar else dst
        if src_regno >= 0 and svar is not None:
            cur = regs[src_regno]
            if cur.type == SCALAR:
                regs[src_regno] = cur.evolve(var=svar) if cur.var != svar else cur
            self._sync_linked(state, src_regno)
        self._sync_linked(state, dst_regno)

    def _sync_linked(self, state: State, regno: int) -> None:
        """sync_linked_regs(): every copy of the register gets its bounds, moved by its distance; a
        copy at the same distance becomes the register itself (copy_register_state(): id and
        distance too)."""
        known = state.frames[-1].regs[regno]
        if known.type != SCALAR or not known.id:
            return
        flags = ADD_CONST | ADD_CONST32
        base = known.id & ~flags
        known_off = known.off if known.id & flags else 0
        known32 = bool(known.id & ADD_CONST32)
        var = known.var

        def synced(r: Reg) -> Reg:
            if r is known:
                return r
            off = r.off if r.id & flags else 0
            if off == known_off:
                return known
            delta = (off - known_off) & ((1 << 64) - 1)
            moved = var.alu("add", Scalar.const(delta), True)
            return r.evolve(var=moved.zext32() if known32 else moved)

        map_regs(state, lambda r: r.type == SCALAR and r.id and (r.id & ~flags) == base, synced)

    def _mark_ptr_or_null(self, state: State, ptr: Reg, is_null: bool) -> None:
        """mark_ptr_or_null_regs()."""
        pid = ptr.id
        ref = ptr.ref_obj_id
        if not pid:
            return
        if is_null:
            map_regs(state, lambda r: r.id == pid and r.maybe_null, lambda r: const_reg(0))
            if ref and ref == pid:  # a cast of a referenced socket is NULL: the socket is still held
                state.refs = tuple(x for x in state.refs if x.id != ref)
            return

        map_regs(state, lambda r: r.id == pid and r.maybe_null, self._not_null_reg)

    def _not_null_reg(self, r: Reg) -> Reg:
        """mark_ptr_not_null_reg(): the register without PTR_MAYBE_NULL, in its checked type."""
        if r.type == PTR_TO_MAP_VALUE and r.map_index in self.inner_maps:
            return Reg(CONST_PTR_TO_MAP, Scalar.const(0), map_index=self.inner_maps[r.map_index])
        if r.type == PTR_TO_MAP_VALUE and 0 <= r.map_index < len(self.maps):
            # mark_ptr_not_null_reg(): a lookup in an xskmap / sockmap / sockhash yields a socket
            map_type = self.maps[r.map_index].type
            if map_type == hs.MAP_TYPE_XSKMAP and self.feature("xskmap_lookup"):
                r = Reg(PTR_TO_XDP_SOCK, Scalar.const(0), id=r.id, ref_obj_id=r.ref_obj_id)
            elif map_type in hs.SOCK_MAPS and self.feature("sockmap_lookup"):
                r = Reg(PTR_TO_SOCKET, Scalar.const(0), id=r.id, ref_obj_id=r.ref_obj_id)
        # ids stay only on references and on map values that may hold a bpf_spin_lock
        # (reg_may_point_to_spin_lock(): the id tells which lock bpf_spin_unlock() releases)
        keeps_lock_id = (
            r.type == PTR_TO_MAP_VALUE and 0 <= r.map_index < len(self.maps) and self.maps[r.map_index].spin_lock_off >= 0
        )
        keep_id = r.id if r.ref_obj_id or keeps_lock_id else 0
        return r.evolve(maybe_null=False, id=keep_id)

    def _pkt_pointers(self, state: State, dregno: int, sregno: int, dst: Reg, src: Reg, name: str, taken: bool) -> None:
        """try_match_pkt_pointers(): `taken` is the side we refine (other_branch in the kernel)."""
        dt, st = dst.type, src.type

        def pkt_vs_end(a: Reg, b: Reg) -> bool:
            return (a.type == PTR_TO_PACKET and b.type == PTR_TO_PACKET_END) or (
                a.type == PTR_TO_PACKET_META and b.type == PTR_TO_PACKET and b.off == 0 and b.var.is_const
                and b.var.const_value == 0
            )

        if dt == SCALAR or st == SCALAR:
            return
        fwd = pkt_vs_end(dst, src)  # dst is the data pointer
        rev = pkt_vs_end(src, dst)  # src is the data pointer
        if not fwd and not rev:
            return
        # (side on which the data pointer is known in range, right_open)
        if fwd:
            table = {"jgt": (False, False), "jlt": (True, True), "jge": (False, True), "jle": (True, False)}
        else:
            table = {"jgt": (True, True), "jlt": (False, False), "jge": (True, False), "jle": (False, True)}
        entry = table.get(name)
        if entry is None:
            return
        good_side, right_open = entry
        ptr, pregno = (dst, dregno) if fwd else (src, sregno)
        if taken == good_side:
            self._find_good_pkt_pointers(state, ptr, right_open)
        else:
            # the data pointer is at or beyond the end on this side
            regs = state.frames[-1].regs
            if regs[pregno].type == ptr.type:
                regs[pregno] = regs[pregno].evolve(range=BEYOND_PKT_END if not right_open else AT_PKT_END)

    def _find_good_pkt_pointers(self, state: State, ptr: Reg, right_open: bool) -> None:
        if ptr.off < 0 or (ptr.off == 0 and right_open):
            return
        if ptr.var.umax > MAX_PACKET_OFF or ptr.var.umax + ptr.off > MAX_PACKET_OFF:
            return
        new_range = ptr.off + (1 if right_open else 0)
        pid, ptype = ptr.id, ptr.type
        map_regs(
            state,
            lambda r: r.type == ptype and r.id == pid and r.range < new_range,
            lambda r: r.evolve(range=new_range),
        )

