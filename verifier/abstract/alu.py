"""ALU and ALU64 instructions (`check_alu_op`, `adjust_reg_min_max_vals`,
`adjust_ptr_min_max_vals`)."""

from __future__ import annotations

from typing import Final

from verifier.abstract.explorer import mark_read
from verifier.abstract.regs import (
    CONST_PTR_TO_MAP,
    NOT_INIT,
    PACKET_TYPES,
    PTR_TO_ARENA,
    PTR_TO_FLOW_KEYS,
    PTR_TO_MAP_VALUE,
    PTR_TO_PACKET_END,
    PTR_TO_SOCK_COMMON,
    PTR_TO_SOCKET,
    PTR_TO_STACK,
    PTR_TO_TCP_SOCK,
    PTR_TO_XDP_SOCK,
    SCALAR,
    Reg,
    const_reg,
    pointer_reg,
    scalar_reg,
    unknown_reg,
)
from verifier.abstract.reject import Reject
from verifier.abstract.scalar import MASK, SMIN, VALUE, Scalar
from verifier.abstract.state import State
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn

BPF_MAX_VAR_OFF: Final = 1 << 29
# enum bpf_alu_state flags (include/linux/bpf_verifier.h): what a sanitized ALU insn does
ALU_SANITIZE_SRC, ALU_SANITIZE_DST, ALU_NEG_VALUE, ALU_NON_POINTER, ALU_IMMEDIATE = 1, 2, 4, 8, 16
ADD_CONST: Final = 1 << 31  # id flag of a scalar linked to its copies at distance `off` (BPF_ADD_CONST)
ADD_CONST32: Final = 1 << 30  # the same after a 32-bit add: the copy is the low 32 bits (BPF_ADD_CONST32)

ALU_STRING: Final = {
    op.BPF_ADD: "+=",
    op.BPF_SUB: "-=",
    op.BPF_MUL: "*=",
    op.BPF_DIV: "/=",
    op.BPF_OR: "|=",
    op.BPF_AND: "&=",
    op.BPF_LSH: "<<=",
    op.BPF_RSH: ">>=",
    op.BPF_NEG: "neg",
    op.BPF_MOD: "%=",
    op.BPF_XOR: "^=",
    op.BPF_MOV: "=",
    op.BPF_ARSH: "s>>=",
    op.BPF_END: "endian",
}

NO_ARITH_TYPES: Final = frozenset(
    {PTR_TO_PACKET_END, PTR_TO_SOCKET, PTR_TO_SOCK_COMMON, PTR_TO_TCP_SOCK, PTR_TO_XDP_SOCK, PTR_TO_ARENA}
)
ADDR_SPACE_CAST: Final = 1  # BPF_ADDR_SPACE_CAST: the off of `r = addr_space_cast(r', dst_as, src_as)`

_U64: Final = (1 << 64) - 1


def _sext32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


def _drop_pkt_end_mark(reg: Reg) -> Reg:
    """A pointer moved by a constant is no longer "at" or "beyond" the packet end: those marks
    (negative ranges from a comparison with pkt_end) do not survive arithmetic; a proven range
    does (it counts from the packet's start)."""
    if reg.type in PACKET_TYPES and reg.range < 0:
        return reg.evolve(range=0)
    return reg


_TRACKED_ANY_SRC: Final = (op.BPF_ADD, op.BPF_SUB, op.BPF_AND)
_SHIFTS: Final = (op.BPF_LSH, op.BPF_RSH, op.BPF_ARSH)


def _alu_before_6_10(code: int, dst: Scalar, src: Scalar, is64: bool) -> Scalar:
    """adjust_scalar_min_max_vals() before is_safe_to_compute_dst_reg_range() (6.10): a source that
    is not a constant (its tnum, or its subregister's for ALU32) leaves only ADD, SUB and AND
    tracked, anything else a fully unknown 64-bit scalar; with a constant source, the operations the
    switch does not track (DIV, MOD, a shift by the width or more) mark the register unknown and an
    ALU32 one is then zero-extended (zext_32_to_64() at the end), which 6.10+ skips."""
    known = src.is_const if is64 else src.subreg_is_const
    if not known and code not in _TRACKED_ANY_SRC:
        return Scalar.unknown()
    if known and (code in (op.BPF_DIV, op.BPF_MOD) or code in _SHIFTS and src.umax >= (64 if is64 else 32)):
        return Scalar.unknown() if is64 else Scalar.unknown().zext32()
    return dst.alu(code, src, is64)


class AluMixin:
    def read_reg(self, state: State, regno: int) -> Reg:
        """check_reg_arg(SRC_OP): the register must hold a value; marks it live."""
        frame = state.frames[-1]
        reg = frame.regs[regno]
        if reg.type == NOT_INIT:
            raise Reject(f"R{regno} !read_ok", "uninit-reg", (regno,))
        key = frame.frameno * 128 + regno
        if key not in state.written:
            mark_read(state, key)
        return reg

    def write_reg(self, state: State, regno: int, reg: Reg) -> None:
        frame = state.frames[-1]
        frame.regs[regno] = reg
        state.written.add(frame.frameno * 128 + regno)

    def do_alu(self, state: State, insn: Insn, idx: int) -> int:
        is64 = insn.cls == op.BPF_ALU64
        code = insn.opcode & 0xF0
        dst = insn.dst
        if dst == op.BPF_REG_FP:
            raise Reject("frame pointer is read only", "fp-write", (dst,))
        if code == op.BPF_MOV:
            self._do_mov(state, insn, is64)
            return idx + 1
        dreg = self.read_reg(state, dst)
        if code == op.BPF_NEG or code == op.BPF_END:
            if dreg.type != SCALAR:
                if self.unprivileged:  # is_pointer_value() without allow_ptr_leaks
                    raise Reject(f"R{dst} pointer arithmetic prohibited", "pointer-arith", (dst,))
                # root may turn a pointer into a meaningless scalar
                self.write_reg(state, dst, unknown_reg())
                return idx + 1
            if code == op.BPF_NEG:
                if not self.feature("neg_tracking"):
                    self.write_reg(state, dst, unknown_reg())
                    return idx + 1
                val = dreg.var.neg(is64)
            else:
                to_be = None if is64 else bool(insn.opcode & op.BPF_TO_BE)
                val = dreg.var.bswap(insn.imm, to_be, is64, self.feature("bswap_tracking"))
            self.write_reg(state, dst, scalar_reg(val))
            return idx + 1
        if insn.opcode & op.BPF_X:
            sreg = self.read_reg(state, insn.src)
        else:
            imm = insn.imm if is64 else insn.imm & 0xFFFFFFFF
            sreg = const_reg(imm)
        if dreg.type == PTR_TO_ARENA or (
            sreg.type == PTR_TO_ARENA and insn.opcode & op.BPF_X and self.feature("arena_alu_either_operand")
        ):
            # adjust_reg_min_max_vals(): any arithmetic on an arena pointer gives one (32-bit); from
            # 7.2 an arena source operand makes the result its copy too
            if dreg.type != PTR_TO_ARENA:
                self.write_reg(state, dst, sreg)
            return idx + 1
        if dreg.type != SCALAR or sreg.type != SCALAR:
            if insn.opcode & op.BPF_X and (dreg.type == SCALAR) != (sreg.type == SCALAR):
                self.precise_regs(state, insn.src if sreg.type == SCALAR else dst)
            self.write_reg(state, dst, self._ptr_alu(insn, code, is64, dreg, sreg))
            return idx + 1
        if code in (op.BPF_AND, op.BPF_OR) and not sreg.var[1] and self.feature("fork_scalars_and_or"):
            dreg = self._maybe_fork_scalars(state, dreg, dst, idx)
        if self.unprivileged and insn.opcode & op.BPF_X and code in (op.BPF_ADD, op.BPF_SUB):
            self._update_alu_sanitation(insn, idx, ALU_NON_POINTER, 0)  # sanitize_val_alu()
        if insn.off == 1 and code in (op.BPF_DIV, op.BPF_MOD):
            val = dreg.var.alu_signed_divmod(code, sreg.var, is64)
        elif not self.feature("alu_safe_dst_range"):
            val = _alu_before_6_10(code, dreg.var, sreg.var, is64)
        else:
            val = dreg.var.alu(code, sreg.var, is64)
        if dreg.id and not self.unprivileged and sreg.var.is_const and code in (op.BPF_ADD, op.BPF_SUB):
            linked = self._linked_add(dreg, sreg.var.const_value, code == op.BPF_SUB, is64)
            if linked is not None:
                self.write_reg(state, dst, Reg(SCALAR, val, off=linked[0], id=linked[1]))
                return idx + 1
        self.write_reg(state, dst, scalar_reg(val))
        return idx + 1

    def _maybe_fork_scalars(self, state: State, dreg: Reg, dst: int, idx: int) -> Reg:
        """maybe_fork_scalars(): a destination whose signed range is [-1, 0] (64-bit first, else the
        32-bit one) is split. The queued path re-executes this instruction with the register (or its
        low 32 bits) 0; this one goes on with it -1. The kernel does not mark the register precise."""
        var = dreg.var
        if var.smin == -1 and var.smax == 0:  # __mark_reg_known() also clears the id
            zero = dreg.evolve(var=Scalar.const(0), id=0)
            minus_one = dreg.evolve(var=Scalar.const(-1), id=0)
        elif var.s32min == -1 and var.s32max == 0:  # __mark_reg32_known() keeps it
            zero = dreg.evolve(var=var.subreg_known(0))
            minus_one = dreg.evolve(var=var.subreg_known(-1))
        else:
            return dreg
        other = state.copy()
        other.frames[-1].regs[dst] = zero
        self.push_branch(other, idx)
        self.write_reg(state, dst, minus_one)
        return minus_one

    def _linked_add(self, dreg: Reg, k: int, sub: bool, is64: bool) -> tuple[int, int] | None:
        """rX += const keeps rX linked to its copies at a known distance (BPF_ADD_CONST): the
        (off, id) it keeps, or None when the link breaks."""
        wide = self.feature("linked_regs_add_const_any")  # sub, negative, 32-bit (6.17)
        if not self.feature("linked_regs_add_const") or dreg.id & (ADD_CONST | ADD_CONST32):
            return None
        if not wide:
            if sub or not is64 or k > 0x7FFFFFFF:
                return None
            return k, dreg.id | ADD_CONST
        off = _signed(k) if is64 else _sext32(k)
        if is64 and not -(1 << 31) <= off < 1 << 31:
            return None
        if sub:
            if off == -(1 << 31):
                return None
            off = -off
        return off, dreg.id | (ADD_CONST if is64 else ADD_CONST32)

    def id_before_mov(self, state: State, regno: int, sreg: Reg) -> Reg:
        """assign_scalar_id_before_mov(): the scalar in `regno` of the current frame, about to be
        copied (a mov, a spill), gets an id its copy shares; one linked at a distance (BPF_ADD_CONST)
        loses that link first, as only one rX += const is tracked (6.11+). Returns the register."""
        new = sreg
        if sreg.id & (ADD_CONST | ADD_CONST32) and self.feature("linked_regs_add_const"):
            new = sreg.evolve(id=0, off=0)
        if not new.id and not new.var.is_const:
            new = new.evolve(id=self.new_id())
        if new is not sreg:
            state.frames[-1].regs[regno] = new
        return new

    def _do_mov(self, state: State, insn: Insn, is64: bool) -> None:
        dst = insn.dst
        if not insn.opcode & op.BPF_X:
            imm = insn.imm if is64 else insn.imm & 0xFFFFFFFF
            self.write_reg(state, dst, const_reg(imm & _U64))
            return
        sreg = self.read_reg(state, insn.src)
        if is64 and insn.off == ADDR_SPACE_CAST and self.feature("arena"):
            # check_alu_op(): r = addr_space_cast(r', 0, 1) makes an arena pointer, the cast the other
            # way an unknown scalar; only in a program that uses an arena map
            if not self.has_arena:
                raise Reject(
                    "addr_space_cast insn can only be used in a program that has an associated arena", "arena"
                )
            self.write_reg(state, dst, pointer_reg(PTR_TO_ARENA) if insn.imm == 1 else unknown_reg())
            return
        if insn.off:  # cpu v4 movsx
            if sreg.type != SCALAR:
                self.write_reg(state, dst, unknown_reg())
                return
            val = (sreg.var.sext(insn.off, self.feature("movsx_range_from_subreg")) if is64
                   else sreg.var.sext32(insn.off))
            self.write_reg(state, dst, scalar_reg(val))
            return
        if is64:
            if sreg.type == SCALAR:
                sreg = self.id_before_mov(state, insn.src, sreg)
            self.write_reg(state, dst, sreg)
            return
        if sreg.type != SCALAR:
            # w1 = w2 where r2 is a pointer: a partial copy, a scalar for root
            if self.unprivileged:
                raise Reject(f"R{insn.src} partial copy of pointer", "pointer-leak", (insn.src,))
            self.write_reg(state, dst, unknown_reg())
            return
        if sreg.var.umax <= 0xFFFFFFFF and self.feature("linked_scalar_ids_mov32"):
            # the value fits in 32 bits: w1 = w2 is a plain copy, linked like a 64-bit one
            sreg = self.id_before_mov(state, insn.src, sreg)
            self.write_reg(state, dst, sreg)
            return
        self.write_reg(state, dst, scalar_reg(sreg.var.zext32()))

    def _ptr_alu(self, insn: Insn, code: int, is64: bool, dreg: Reg, sreg: Reg) -> Reg:
        """adjust_reg_min_max_vals() / adjust_ptr_min_max_vals() when a pointer is involved."""
        dst = insn.dst
        opstr = ALU_STRING.get(code, "?")
        if dreg.type != SCALAR and sreg.type != SCALAR:
            if code == op.BPF_SUB and not self.unprivileged:
                return unknown_reg()
            raise Reject(f"R{dst} pointer {opstr} pointer prohibited", "pointer-arith", (dst, insn.src))
        if dreg.type != SCALAR:
            ptr, off, scalar_is_dst = dreg, sreg, False
        else:
            ptr, off, scalar_is_dst = sreg, dreg, True
        if not is64:
            if code == op.BPF_SUB and not self.unprivileged:
                return unknown_reg()
            raise Reject(f"R{dst} 32-bit pointer arithmetic prohibited", "pointer-arith", (dst,))
        name = ptr.type_name
        if ptr.maybe_null:
            raise Reject(
                f"R{dst} pointer arithmetic on {name} prohibited, null-check it first", "pointer-arith", (dst,)
            )
        ov = off.var
        known = ov.is_const
        if ptr.type == CONST_PTR_TO_MAP:
            if not (known and ov.const_value == 0 and code == op.BPF_ADD):
                raise Reject(f"R{dst} pointer arithmetic on {name} prohibited", "pointer-arith", (dst,))
        elif ptr.type == PTR_TO_FLOW_KEYS:
            if not known:
                raise Reject(f"R{dst} pointer arithmetic on {name} prohibited", "pointer-arith", (dst,))
        elif ptr.type in NO_ARITH_TYPES:
            raise Reject(f"R{dst} pointer arithmetic on {name} prohibited", "pointer-arith", (dst,))
        # a 64-bit link keeps its distance in off, checked where the build does (sane_offset_checks_linked_delta)
        checks = self.feature("sane_offset_checks_linked_delta") and not self.feature("sane_offset_skips_linked_delta")
        linked_off = off.off if off.id & ADD_CONST and checks else 0
        _check_sane_offset(off.var, linked_off, name, dst)
        split = self.feature("sane_offset_ptr_split")
        _check_sane_offset(ptr.var, ptr.off, name, dst, split)
        sanitize = self.unprivileged and bool(insn.opcode & op.BPF_X) and code in (op.BPF_ADD, op.BPF_SUB)
        mask_to_left = (code == op.BPF_ADD) == (ov.smin < 0)
        if sanitize:
            limit_before = self._sanitize_ptr_alu(insn, code, ptr, off, scalar_is_dst, mask_to_left, commit=False)
        new = self._ptr_move(insn, code, known, ptr, off, scalar_is_dst)
        if self.unprivileged:
            self._sanitize_check_bounds(dst, new)
        if sanitize:
            limit_after = self._sanitize_ptr_alu(insn, code, new, off, scalar_is_dst, mask_to_left, commit=True)
            # the commit window: the state of the first phase, the limit narrowed by the move
            alu_state = (ALU_NEG_VALUE if ov.smin < 0 else 0) | (ALU_IMMEDIATE if known else 0)
            alu_state |= ALU_SANITIZE_DST if scalar_is_dst else ALU_SANITIZE_SRC
            if not known:
                self.explore_alu_limits = True  # pruning then wants the same scalars
            self._update_alu_sanitation(insn, self.idx, alu_state, abs(limit_before - limit_after))
        return new

    def _update_alu_sanitation(self, insn: Insn, idx: int, alu_state: int, alu_limit: int) -> None:
        """update_alu_sanitation_state(): one masking per instruction, so every path that reaches
        it must agree on what it masks (REASON_PATHS otherwise)."""
        seen = self.alu_aux.get(idx)
        if seen is not None and seen != (alu_state, alu_limit):
            opname = "add" if insn.opcode & 0xF0 == op.BPF_ADD else "sub"
            raise Reject(
                f"R{insn.dst} tried to {opname} from different maps, paths or scalars, pointer arithmetic "
                "with it prohibited for !root",
                "pointer-arith",
                (insn.dst,),
            )
        self.alu_aux[idx] = (alu_state, alu_limit)

    def _sanitize_ptr_alu(
        self, insn: Insn, code: int, ptr: Reg, off: Reg, scalar_is_dst: bool, mask_to_left: bool, commit: bool
    ) -> int:
        """sanitize_ptr_alu() for !root (BPF_X add/sub): the offset's signed bounds must not straddle 0
        and retrieve_ptr_limit() must find a limit (stack and map values only); sanitize_err()'s words.
        Returns that limit (the caller compares the instruction's masking across paths)."""
        err = "pointer arithmetic with it prohibited for !root"
        opname = "add" if code == op.BPF_ADD else "sub"
        # sanitize_err() names a register by `off_reg == dst_reg`; from sanitize_err_names_by_copy it is
        # never true (the scalar reaches it as a copy), also for scalar += pointer
        off_is_dst = scalar_is_dst and not self.feature("sanitize_err_names_by_copy")
        if not commit and not off.var.is_const and (off.var.smin < 0) != (off.var.smax < 0):
            regno = insn.dst if off_is_dst else insn.src
            raise Reject(
                f"R{regno} has unknown scalar with mixed signed bounds, {err}", "pointer-arith", (regno,)
            )
        if ptr.type == PTR_TO_STACK:
            limit_max = 512 + mask_to_left
            ptr_limit = -(ptr.var.var_off.value + ptr.off) & 0xFFFFFFFF
        elif ptr.type == PTR_TO_MAP_VALUE and 0 <= ptr.map_index < len(self.maps):
            limit_max = self.maps[ptr.map_index].value_size
            ptr_limit = ((ptr.var.smin if mask_to_left else ptr.var.umax) + ptr.off) & 0xFFFFFFFF
        else:
            regno = insn.src if off_is_dst else insn.dst
            raise Reject(
                f"R{regno} has pointer with unsupported alu operation, {err}", "pointer-arith", (regno,)
            )
        if ptr_limit >= limit_max:
            raise Reject(
                f"R{insn.dst} tried to {opname} beyond pointer bounds, {err}", "pointer-arith", (insn.dst,)
            )
        return ptr_limit

    def _sanitize_check_bounds(self, dst: int, reg: Reg) -> None:
        """sanitize_check_bounds(): for !root a moved stack or map value pointer must stay in bounds."""
        if reg.type == PTR_TO_STACK:
            if not reg.var.is_const:
                tn = reg.var.var_off
                off = _s32(reg.off + tn.value)  # the kernel prints off + var_off.value as an int
                raise Reject(
                    f"R{dst} variable stack access prohibited for !root, var_off={tn} off={off}",
                    "pointer-arith",
                    (dst,),
                )
            off = reg.off + _signed(reg.var.const_value)
            if off >= 0 or off < -512:
                raise Reject(
                    f"R{dst} stack pointer arithmetic goes out of range, prohibited for !root; off={off}",
                    "pointer-arith",
                    (dst,),
                )
        elif reg.type == PTR_TO_MAP_VALUE and 0 <= reg.map_index < len(self.maps):
            m = self.maps[reg.map_index]
            lo, hi = reg.var.smin + reg.off, reg.var.umax + reg.off
            bad = lo < 0 or hi + 1 > m.value_size
            for special_off, size in ((m.spin_lock_off, 4), (m.timer_off, 16)):
                if special_off >= 0 and lo < special_off + size and special_off < hi + 1:
                    bad = True
            if bad:
                raise Reject(
                    f"R{dst} pointer arithmetic of map value goes out of range, prohibited for !root",
                    "pointer-arith",
                    (dst,),
                )

    def _ptr_move(self, insn: Insn, code: int, known: bool, ptr: Reg, off: Reg, scalar_is_dst: bool) -> Reg:
        """The pointer after `ptr op= off` (the opcode switch of adjust_ptr_min_max_vals())."""
        dst = insn.dst
        name = ptr.type_name
        opstr = ALU_STRING.get(code, "?")
        ov = off.var
        split = self.feature("sane_offset_ptr_split")
        if code == op.BPF_ADD:
            if known:
                new = ptr.evolve(off=ptr.off + _signed(ov.const_value))
                _check_sane_offset(new.var, new.off, name, dst, split)
                return _drop_pkt_end_mark(new)
            var = ptr.var.alu(op.BPF_ADD, ov, True)
            new = ptr.evolve(var=var)
            if ptr.type in PACKET_TYPES:
                new = new.evolve(id=self.new_id(), range=0)
        elif code == op.BPF_SUB:
            if scalar_is_dst:
                raise Reject(f"R{dst} tried to subtract pointer from scalar", "pointer-arith", (dst,))
            if ptr.type == PTR_TO_STACK:
                raise Reject(f"R{dst} subtraction from stack pointer prohibited", "pointer-arith", (dst,))
            if known:
                new = ptr.evolve(off=ptr.off - _signed(ov.const_value))
                _check_sane_offset(new.var, new.off, name, dst, split)
                return _drop_pkt_end_mark(new)
            var = ptr.var.alu(op.BPF_SUB, ov, True)
            new = ptr.evolve(var=var)
            if ptr.type in PACKET_TYPES:
                new = new.evolve(id=self.new_id(), range=0 if ov.smin < 0 else ptr.range)
        elif code in (op.BPF_AND, op.BPF_OR, op.BPF_XOR):
            raise Reject(f"R{dst} bitwise operator {opstr} on pointer prohibited", "pointer-arith", (dst,))
        else:
            raise Reject(f"R{dst} pointer arithmetic with {opstr} operator prohibited", "pointer-arith", (dst,))
        _check_sane_offset(new.var, new.off, name, dst, split)
        return new


def _signed(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


def _s32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= 1 << 31 else v


def _check_sane_offset(var: Scalar, fixed_off: int, type_name: str, dst: int, ptr_split: bool = False) -> None:
    """check_reg_sane_offset(); `ptr_split`: check_reg_sane_offset_ptr() of a pointer (feature
    sane_offset_ptr_split), whose constant or minimum offset beyond 1<<29 is 'pointer offset N'."""
    v: tuple = var
    if ptr_split:
        if not v[MASK]:
            val = _signed(v[VALUE])
            if val >= BPF_MAX_VAR_OFF or val <= -BPF_MAX_VAR_OFF:
                raise Reject(f"{type_name} pointer offset {val} is not allowed", "pointer-arith", (dst,))
        if fixed_off >= BPF_MAX_VAR_OFF or fixed_off <= -BPF_MAX_VAR_OFF:
            raise Reject(f"{type_name} pointer offset {fixed_off} is not allowed", "pointer-arith", (dst,))
        if v[SMIN] >= BPF_MAX_VAR_OFF or v[SMIN] <= -BPF_MAX_VAR_OFF:
            raise Reject(f"{type_name} pointer offset {v[SMIN]} is not allowed", "pointer-arith", (dst,))
        return
    if not v[MASK]:
        val = _signed(v[VALUE])
        if val >= BPF_MAX_VAR_OFF or val <= -BPF_MAX_VAR_OFF:
            raise Reject(f"math between {type_name} pointer and {val} is not allowed", "pointer-arith", (dst,))
    if fixed_off >= BPF_MAX_VAR_OFF or fixed_off <= -BPF_MAX_VAR_OFF:
        raise Reject(f"{type_name} pointer offset {fixed_off} is not allowed", "pointer-arith", (dst,))
    if v[SMIN] == -(1 << 63):
        raise Reject(
            f"math between {type_name} pointer and register with unbounded min value is not allowed",
            "pointer-arith",
            (dst,),
        )
    if v[SMIN] >= BPF_MAX_VAR_OFF or v[SMIN] <= -BPF_MAX_VAR_OFF:
        raise Reject(f"value {v[SMIN]} makes {type_name} pointer be out of bounds", "pointer-arith", (dst,))
