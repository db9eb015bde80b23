"""Loads, stores and atomics (`check_mem_access` and the per-type access checks).

Messages are the kernel's (kernel/bpf/verifier.c, 6.x wording). Where the
kernel prints two lines (details, then the verdict), the Reject carries the
last one, which is what the load's error shows; the details go in `detail`.
"""

from __future__ import annotations

from typing import Final

from verifier.abstract import btf_ptr, dynptr, iters
from verifier.abstract.btf_ptr import FLAG_PERCPU
from verifier.abstract.explorer import mark_read
from verifier.abstract.regs import (
    BTF_RCU,
    BTF_UNTRUSTED,
    CONST_PTR_TO_MAP,
    NOT_INIT,
    PACKET_TYPES,
    PTR_TO_ARENA,
    PTR_TO_BTF_ID,
    PTR_TO_BUF,
    PTR_TO_CTX,
    PTR_TO_FLOW_KEYS,
    PTR_TO_MAP_KEY,
    PTR_TO_MAP_VALUE,
    PTR_TO_MEM,
    PTR_TO_PACKET,
    PTR_TO_PACKET_END,
    PTR_TO_PACKET_META,
    PTR_TO_SOCK_COMMON,
    PTR_TO_SOCKET,
    PTR_TO_STACK,
    PTR_TO_TCP_SOCK,
    PTR_TO_TP_BUFFER,
    PTR_TO_XDP_SOCK,
    SCALAR,
    SOCKET_TYPES,
    STACK_DYNPTR,
    STACK_ITER,
    STACK_OBJECTS,
    Reg,
    const_reg,
    pointer_reg,
    scalar_reg,
    unknown_reg,
)
from verifier.abstract.reject import Reject, negative_min
from verifier.abstract.scalar import MASK, SMAX, SMIN, VALUE, Scalar
from verifier.abstract.state import ALL_INVALID, INVALID, MISC, SPILL, ZERO, Frame, Slot, State
from verifier.elf import btf as B
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn
from verifier.rules import sock_fields
from verifier.rules.maps import prog_can_write

BPF_MAX_VAR_OFF: Final = 1 << 29
MAX_PACKET_OFF: Final = 0xFFFF
FLOW_KEYS_SIZE: Final = 56  # sizeof(struct bpf_flow_keys)
SOCK_SIZE: Final = 80  # sizeof(struct bpf_sock) (6.x)
SIZE_BYTES: Final = {op.BPF_B: 1, op.BPF_H: 2, op.BPF_W: 4, op.BPF_DW: 8}
_U64: Final = (1 << 64) - 1

# what a ctx field load yields (rules.ctx_access reg_type) -> register type
# ctx fields whose load is a packet pointer: a sign-extending load of one is refused (6.13+:
# bpf_skb_is_valid_access(), xdp_is_valid_access(), flow_dissector_is_valid_access() "if
# (info->is_ldsx ...) return false")
CTX_PKT_REG_TYPES: Final = frozenset({"pkt", "pkt_end", "pkt_meta"})
CTX_REG_TYPES: Final = {
    "pkt": (PTR_TO_PACKET, False),
    "pkt_end": (PTR_TO_PACKET_END, False),
    "pkt_meta": (PTR_TO_PACKET_META, False),
    "flow_keys": (PTR_TO_FLOW_KEYS, False),
    "sock": (PTR_TO_SOCKET, False),
    "sock_or_null": (PTR_TO_SOCKET, True),
    "sock_common": (PTR_TO_SOCK_COMMON, False),
    "sock_common_or_null": (PTR_TO_SOCK_COMMON, True),
    "tcp_sock": (PTR_TO_TCP_SOCK, False),
    "tcp_sock_or_null": (PTR_TO_TCP_SOCK, True),
    "btf_id": (PTR_TO_BTF_ID, False),
    "btf_id_or_null": (PTR_TO_BTF_ID, True),
    "tp_buffer": (PTR_TO_TP_BUFFER, False),
}


def tnum_text(var: Scalar, const_as_number: bool) -> str:
    """tnum_strn(): "(value; mask)"; from 6.8 a constant prints as a number (decimal up to 0xffff,
    else hex: is_unum_decimal() in kernel/bpf/log.c)."""
    if const_as_number and var.is_const:
        value = var.const_value
        return str(value) if value <= 0xFFFF else f"{value:#x}"
    return str(var.var_off)


def scrub_spilled_slot(kinds: str) -> str:
    """A plain store into a slot holding a spilled register (is_stack_slot_special(): its lowest
    byte is STACK_SPILL): scrub_spilled_slot() turns every byte that is not STACK_INVALID into
    STACK_MISC, the zero bytes beside a narrow spill included (check_stack_write_fixed_off(); before
    narrow spills, 5.16, a spill filled the slot and every byte became STACK_MISC)."""
    return "".join(INVALID if k == INVALID else MISC for k in kinds)


def _signed(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


# reg_type_mismatch_ok() in kernel/bpf/verifier.c (v6.18): the pointer types whose accesses the
# kernel rewrites per type, so one instruction may not see two of them
MISMATCH_SENSITIVE: Final = frozenset(
    {PTR_TO_CTX, PTR_TO_SOCKET, PTR_TO_SOCK_COMMON, PTR_TO_TCP_SOCK, PTR_TO_XDP_SOCK, PTR_TO_BTF_ID, PTR_TO_ARENA}
)


# bpf_jit_supports_insn(insn, in_arena=true) of arch/x86/net/bpf_jit_comp.c (6.9+, unchanged in 6.18.2):
# the atomics the x86-64 JIT cannot emit on arena memory
ARENA_ATOMICS_NOT_JITED: Final = frozenset(
    {op.BPF_AND | op.BPF_FETCH, op.BPF_OR | op.BPF_FETCH, op.BPF_XOR | op.BPF_FETCH}
)


# rcu_protected_types of kernel/bpf/verifier.c (v6.18.2): kernel objects a referenced kptr may point to
# that are freed only after an RCU grace period (rcu_safe_kptr())
RCU_PROTECTED_TYPES: Final = frozenset({"prog_test_ref_kfunc", "cgroup", "bpf_cpumask", "task_struct", "bpf_crypto_ctx"})

# check_ptr_alignment(): how a misaligned access names the pointer
ALIGN_DESC: Final = {
    PTR_TO_FLOW_KEYS: "flow keys ",
    PTR_TO_MAP_KEY: "key ",
    PTR_TO_MAP_VALUE: "value ",
    PTR_TO_CTX: "context ",
    PTR_TO_SOCKET: "sock ",
    PTR_TO_SOCK_COMMON: "sock_common ",
    PTR_TO_TCP_SOCK: "tcp_sock ",
    PTR_TO_XDP_SOCK: "xdp_sock ",
}

def align_desc(reg_type: int) -> str:
    """The pointer's name in a misaligned-access message ("stack " for the stack)."""
    return "stack " if reg_type == PTR_TO_STACK else ALIGN_DESC.get(reg_type, "")




class MemoryMixin:
    def _tnum_text(self, var: Scalar) -> str:
        return tnum_text(var, self.feature("tnum_strn_const"))

    # ---- entry points from step() ---------------------------------------------------

    def do_ldx(self, state: State, insn: Insn, idx: int) -> None:
        src = self.read_reg(state, insn.src)
        size = SIZE_BYTES[insn.opcode & 0x18]
        sx = (insn.opcode & 0xE0) == op.BPF_MEMSX
        if insn.dst == op.BPF_REG_FP:
            raise Reject("frame pointer is read only", "fp-write", (insn.dst,))
        value = self.mem_access(state, insn.src, src, insn.off, size, False, None, idx, sx)
        self.save_aux_ptr_type(idx, src.type, allow_trust_mismatch=True)
        self.write_reg(state, insn.dst, value)

    def do_stx(self, state: State, insn: Insn, idx: int) -> None:
        mode = insn.opcode & 0xE0
        if mode == op.BPF_ATOMIC:
            if insn.imm == op.BPF_LOAD_ACQ:
                self.do_load_acquire(state, insn, idx)
            elif insn.imm == op.BPF_STORE_REL:
                # check_atomic_store(): the store as a BPF_STX with strict alignment, then the pointer kind
                self.store_reg(state, insn, idx, strict=True)
                self.atomic_ptr_type_ok(state, insn.dst, "stores into")
            else:
                self.do_atomic(state, insn, idx)
            return
        self.store_reg(state, insn, idx, strict=False)

    def do_load_acquire(self, state: State, insn: Insn, idx: int) -> None:
        """check_atomic_load(): a BPF_LDX with strict alignment (check_load_mem()), refused from the
        pointer kinds atomic_ptr_type_ok() excludes; that check comes first from 7.2 (6.18.44 build),
        after the load before."""
        type_first = self.feature("atomic_load_type_first")
        if type_first:
            self.read_reg(state, insn.src)
            self.atomic_ptr_type_ok(state, insn.src, "loads from")
        src = self.read_reg(state, insn.src)
        if insn.dst == op.BPF_REG_FP:
            raise Reject("frame pointer is read only", "fp-write", (insn.dst,))
        size = SIZE_BYTES[insn.opcode & 0x18]
        value = self.mem_access(state, insn.src, src, insn.off, size, False, None, idx, False, atomic=True)
        self.save_aux_ptr_type(idx, src.type)
        self.write_reg(state, insn.dst, value)
        if not type_first:
            self.atomic_ptr_type_ok(state, insn.src, "loads from")

    def atomic_ptr_type_ok(self, state: State, regno: int, verb: str) -> None:
        """atomic_ptr_type_ok(): no atomic access to the context, packet, flow keys or a socket."""
        reg = state.frames[-1].regs[regno]
        if reg.type in (PTR_TO_CTX, PTR_TO_FLOW_KEYS) or reg.type in PACKET_TYPES or reg.type in SOCKET_TYPES:
            name = reg.type_name if reg.type != PTR_TO_CTX else "ctx"
            raise Reject(f"BPF_ATOMIC {verb} R{regno} {name} is not allowed", "invalid-insn", (regno,))

    def store_reg(self, state: State, insn: Insn, idx: int, strict: bool) -> None:
        """check_store_reg(): `strict` asks for strict alignment (a store-release)."""
        value = self.read_reg(state, insn.src)
        dst = self.read_reg(state, insn.dst)
        size = SIZE_BYTES[insn.opcode & 0x18]
        if (
            dst.type == PTR_TO_STACK and value.type == SCALAR and not self.unprivileged
            and (size == 8 or value.var.umax >> (8 * size) == 0) and self.feature("linked_scalar_ids_mov32")
            and dst.var.is_const and not (_signed(dst.var.const_value) + dst.off + insn.off) & 7
        ):
            # a spilled scalar stays linked to the register it came from (check_stack_write_fixed_off():
            # assign_scalar_id_before_mov() at an aligned fixed offset)
            value = self.id_before_mov(state, insn.src, value)
        # check_mem_access(): each pointer kind checks the leak in its own branch; a map pointer, a
        # possibly-NULL pointer and read-only memory are refused first with their own words
        refused_first = dst.type == CONST_PTR_TO_MAP or dst.maybe_null or (dst.type == PTR_TO_MEM and dst.rdonly)
        if self.unprivileged and value.type != SCALAR and dst.type != PTR_TO_STACK and not refused_first:
            what = {PTR_TO_CTX: "ctx", PTR_TO_MAP_VALUE: "map"}.get(dst.type, "mem")
            if dst.type in PACKET_TYPES:
                what = "packet"
            raise Reject(f"R{insn.src} leaks addr into {what}", "pointer-leak", (insn.src,))
        self.mem_access(state, insn.dst, dst, insn.off, size, True, value, idx, False, atomic=strict)
        self.save_aux_ptr_type(idx, dst.type)

    def do_st(self, state: State, insn: Insn, idx: int) -> None:
        dst = self.read_reg(state, insn.dst)
        size = SIZE_BYTES[insn.opcode & 0x18]
        imm = insn.imm & _U64
        if size < 8:
            imm &= (1 << (8 * size)) - 1
        if dst.type == PTR_TO_CTX and not self.feature("st_into_ctx"):
            raise Reject(f"BPF_ST stores into R{insn.dst} ctx is not allowed", "ctx-access", (insn.dst,))
        self.mem_access(state, insn.dst, dst, insn.off, size, True, None, idx, False, st_imm=imm)
        self.save_aux_ptr_type(idx, dst.type)

    def save_aux_ptr_type(self, idx: int, ptr_type: int, allow_trust_mismatch: bool = False) -> None:
        """save_aux_ptr_type(): an instruction is rewritten for the pointer type it accesses, so every
        path must bring the same type when either one is a type the rewrite depends on (ctx,
        sockets, BTF objects, arena); kept per instruction across all paths, as the kernel does."""
        prev = self.aux_ptr_types.setdefault(idx, ptr_type)
        if prev == ptr_type or (prev not in MISMATCH_SENSITIVE and ptr_type not in MISMATCH_SENSITIVE):
            return
        if allow_trust_mismatch and prev == PTR_TO_BTF_ID == ptr_type:
            return
        raise Reject("same insn cannot be used with different pointers", "pointer-type")

    def do_atomic(self, state: State, insn: Insn, idx: int) -> None:
        size_code = insn.opcode & 0x18
        if size_code not in (op.BPF_W, op.BPF_DW):
            raise Reject("invalid atomic operand size", "invalid-insn")
        size = SIZE_BYTES[size_code]
        src = self.read_reg(state, insn.src)
        dst = self.read_reg(state, insn.dst)
        aop = insn.imm
        if aop == op.BPF_CMPXCHG:
            self.read_reg(state, 0)
        if src.type != SCALAR and self.unprivileged:
            raise Reject(f"R{insn.src} leaks addr into mem", "pointer-leak", (insn.src,))
        if dst.type in (PTR_TO_CTX, PTR_TO_FLOW_KEYS) or dst.type in PACKET_TYPES or dst.type in SOCKET_TYPES:
            name = dst.type_name if dst.type != PTR_TO_CTX else "ctx"
            raise Reject(f"BPF_ATOMIC stores into R{insn.dst} {name} is not allowed", "invalid-insn", (insn.dst,))
        if dst.type == PTR_TO_ARENA and aop in ARENA_ATOMICS_NOT_JITED:
            # atomic_ptr_type_ok() -> bpf_jit_supports_insn(insn, true) of the x86-64 JIT
            raise Reject(f"BPF_ATOMIC stores into R{insn.dst} arena is not allowed", "invalid-insn", (insn.dst,))
        fetch = bool(aop & op.BPF_FETCH)
        # read then write, as the kernel checks it
        old = self.mem_access(state, insn.dst, dst, insn.off, size, False, None, idx, False, atomic=True)
        if self.unprivileged and dst.type == PTR_TO_STACK and old.type != SCALAR and dst.var.is_const:
            # check_stack_read_fixed_off() asked with dst_regno -1 (may the value serve as a scalar?):
            # never a spilled pointer without allow_ptr_leaks
            off = dst.off + insn.off + _signed(dst.var.const_value)
            raise Reject(f"leaking pointer from stack off {off}", "pointer-leak", (insn.dst,))
        self.mem_access(state, insn.dst, dst, insn.off, size, True, unknown_reg(), idx, False, atomic=True)
        if fetch:
            load_reg = 0 if aop == op.BPF_CMPXCHG else insn.src
            if old.type != SCALAR and aop != op.BPF_CMPXCHG and not self.unprivileged:
                self.write_reg(state, load_reg, old)
            else:
                self.write_reg(state, load_reg, scalar_reg(Scalar.from_size(size)))

    # ---- check_mem_access -----------------------------------------------------------

    def mem_access(
        self,
        state: State,
        regno: int,
        reg: Reg,
        off: int,
        size: int,
        write: bool,
        value: Reg | None,
        idx: int,
        sx: bool,
        st_imm: int | None = None,
        atomic: bool = False,
    ) -> Reg:
        """Returns the loaded value (for writes: the value, unused)."""
        t = reg.type
        if t != PTR_TO_STACK and not reg.maybe_null and (self.strict_alignment or atomic):
            # check_ptr_alignment(): strict under BPF_F_STRICT_ALIGNMENT, and always for atomics
            if t in PACKET_TYPES:
                self._check_alignment(reg, off, size, "packet ", strict=True, ip_align=2)
            elif t != PTR_TO_ARENA:
                self._check_alignment(reg, off, size, ALIGN_DESC.get(t, ""), strict=True)
        if t == PTR_TO_STACK:
            self._check_alignment(reg, off, size, "stack ", strict=True)
            result = self._stack_access(state, regno, reg, off + reg.off, size, write, value, st_imm)
        elif reg.maybe_null:
            raise Reject(f"R{regno} invalid mem access '{reg.type_name}'", "null-deref", (regno,))
        elif t == PTR_TO_MAP_VALUE:
            result = self._map_value_access(regno, reg, off + reg.off, size, write, sx)
        elif t == PTR_TO_CTX:
            result = self._ctx_access(state, regno, reg, off, size, write, sx)
        elif t in PACKET_TYPES:
            result = self._packet_access(regno, reg, off + reg.off, size, write, value)
        elif t == PTR_TO_MAP_KEY:
            if write and (value is not None or st_imm is not None):  # an instruction's store
                raise Reject(f"write to change key R{regno} not allowed", "read-only", (regno,))
            if write:  # check_helper_mem_access()
                raise Reject(f"R{regno} cannot write into map_key", "read-only", (regno,))
            m = self.maps[reg.map_index]
            self._region_access(regno, reg, off + reg.off, size, m.key_size, "map key", "map-bounds")
            result = unknown_reg()
        elif t == PTR_TO_MEM or t == PTR_TO_BUF:
            if write and reg.rdonly:
                raise Reject(f"R{regno} cannot write into {reg.type_name}", "read-only", (regno,))
            if reg.mem_size:
                self._region_access(regno, reg, off + reg.off, size, reg.mem_size, "memory", "mem-bounds")
            result = unknown_reg()
        elif t == PTR_TO_FLOW_KEYS:
            o = off + reg.off
            if o < 0 or o + size > FLOW_KEYS_SIZE or not reg.var.is_const:
                raise Reject(f"invalid access to flow keys off={o} size={size}", "ctx-access", (regno,))
            result = unknown_reg()
        elif t in SOCKET_TYPES:
            if write:
                raise Reject(f"R{regno} cannot write into {reg.type_name}", "sock-access", (regno,))
            if reg.var.smin < 0:
                raise negative_min(regno, "sock-access")
            o = off + reg.off
            if t == PTR_TO_TCP_SOCK:
                end = sock_fields.TCP_SOCK_END
                if not self.feature("tcp_sock_icsk_retransmits"):
                    end = sock_fields.TCP_SOCK_END_5_2
                ok = reg.var.is_const and sock_fields.tcp_sock_access_ok(o, size, end)
            elif t in (PTR_TO_SOCKET, PTR_TO_SOCK_COMMON):
                u16, per_field = self.feature("sock_dst_port_u16"), self.feature("sock_narrow_per_field")
                if t == PTR_TO_SOCKET:
                    ok = reg.var.is_const and sock_fields.sock_access_ok(o, size, u16, per_field)
                else:
                    ok = reg.var.is_const and sock_fields.sock_common_access_ok(o, size, u16, per_field)
            else:  # PTR_TO_XDP_SOCK
                ok = reg.var.is_const and sock_fields.xdp_sock_access_ok(o, size)
            if not ok:
                raise Reject(f"R{regno} invalid {reg.type_name} access off={o} size={size}", "sock-access", (regno,))
            if t == PTR_TO_TCP_SOCK and sock_fields.tcp_sock_half_u64(o, size):
                # passes the check, then convert_ctx_accesses() finds no conversion (after the walk)
                raise Reject(self.rules.message("ctx_conversion_bug"), "sock-access", (regno,))
            result = unknown_reg()
        elif t == PTR_TO_BTF_ID and reg.btf_id & btf_ptr.FLAG_ALLOC:
            # an object of the program's own type (bpf_obj_new()): writable (check_ptr_to_btf_access())
            result = btf_ptr.alloc_access(self, regno, reg, off, size)
        elif t == PTR_TO_BTF_ID:
            if write:
                raise Reject("only read is supported", "btf-access", (regno,))
            typed = btf_ptr.struct_load(self, regno, reg, off, size)
            # untyped (no target BTF): fields that are pointers stay typed (opaque), others are scalars
            result = typed or (pointer_reg(PTR_TO_BTF_ID) if size == 8 else unknown_reg())
        elif t == CONST_PTR_TO_MAP and self.feature("map_ptr_btf_access") and (
            loaded := btf_ptr.map_ptr_access(self, regno, reg, off + reg.off, size, write, self.unprivileged)
        ) is not None:
            result = loaded
        elif t == PTR_TO_ARENA:
            # check_mem_access(): any offset, any value; a load reads an unknown scalar
            result = unknown_reg()
        elif t == PTR_TO_TP_BUFFER:
            # check_tp_buffer_access() -> __check_buffer_access()
            o = off + reg.off
            if o < 0:
                raise Reject(
                    f"R{regno} invalid tracepoint buffer access: off={o}, size={size}", "ctx-access", (regno,)
                )
            if not reg.var.is_const or reg.var.const_value:
                raise Reject(
                    f"R{regno} invalid variable buffer offset: off={o}, var_off={self._tnum_text(reg.var)}",
                    "ctx-access",
                    (regno,),
                )
            result = unknown_reg()
        else:
            raise Reject(f"R{regno} invalid mem access '{self.type_label(reg)}'", "invalid-mem", (regno,))
        if write:
            return result
        if result.type == SCALAR and size < 8:
            var = (result.var.sext_load(size, self.feature("movsx_range_from_subreg")) if sx
                   else result.var.truncate(size))
            # coerce_reg_to_size() keeps the id a fill from the stack brought (the relation to the
            # spilled copy; a value wider than the load lost it already)
            result = result.evolve(var=var) if result.id and not sx else scalar_reg(var)
        return result

    def type_label(self, reg: Reg) -> str:
        if reg.type == SCALAR and self.feature("scalar_named_inv"):
            return "inv"
        return reg.type_name

    # ---- alignment -----------------------------------------------------------------

    def _check_alignment(
        self, reg: Reg, off: int, size: int, desc: str, strict: bool, ip_align: int | None = None
    ) -> None:
        """check_generic_ptr_alignment() / check_pkt_ptr_alignment() (with NET_IP_ALIGN 2)."""
        if not strict or size == 1:
            return
        var = reg.var
        v: tuple = var
        total = reg.off + off + (ip_align or 0)
        if not v[MASK]:
            aligned = (v[VALUE] + total) % size == 0
        else:
            aligned = ((v[VALUE] + total) | v[MASK]) % size == 0 and v[MASK] % size == 0
        if not aligned:
            var_text = self._tnum_text(var)
            lead = f"{ip_align}+" if ip_align is not None else ""
            raise Reject(
                f"misaligned {desc}access off {lead}{var_text}+{reg.off}+{off} size {size}", "misaligned", ()
            )

    # ---- generic bounded regions (map value / key / helper memory) -----------------------

    def _region_access(
        self, regno: int, reg: Reg, off: int, size: int, mem_size: int, what: str, category: str
    ) -> None:
        """check_mem_region_access()."""
        var = reg.var
        smin = var.smin
        if smin < 0 and (smin == -(1 << 63) or smin + off < 0 or not -(1 << 31) <= off + smin < 1 << 31):
            raise negative_min(regno, category)
        lo = smin + off
        if not (lo >= 0 and lo + size <= mem_size):
            raise Reject(
                f"R{regno} min value is outside of the allowed memory range",
                category,
                (regno,),
            ).with_detail(f"invalid access to {what}, {self._size_word(what)}={mem_size} off={lo} size={size}")
        if var.umax >= BPF_MAX_VAR_OFF:
            raise Reject(
                f"R{regno} unbounded memory access, make sure to bounds check any such access",
                category,
                (regno,),
            )
        hi = var.umax + off
        if not (hi >= 0 and hi + size <= mem_size):
            raise Reject(
                f"R{regno} max value is outside of the allowed memory range",
                category,
                (regno,),
            ).with_detail(f"invalid access to {what}, {self._size_word(what)}={mem_size} off={hi} size={size}")

    @staticmethod
    def _size_word(what: str) -> str:
        return {"map value": "value_size", "map key": "key_size"}.get(what, "mem_size")

    def _map_value_access(self, regno: int, reg: Reg, off: int, size: int, write: bool, sx: bool) -> Reg:
        m = self.maps[reg.map_index]
        # check_map_access_type(): the map's program-side capabilities (BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG)
        if write and (not prog_can_write(m) or reg.rdonly):
            raise Reject(
                f"write into map forbidden, value_size={m.value_size} off={off} size={size}", "read-only", (regno,)
            )
        if not write and not m.prog_can_read:
            raise Reject(
                f"read from map forbidden, value_size={m.value_size} off={off} size={size}", "write-only", (regno,)
            )
        self._region_access(regno, reg, off, size, m.value_size, "map value", "map-bounds")
        if m.kptr_fields and self.feature("kptrs"):
            fields = tuple((f[0], kind, f[2]) for f in m.kptr_fields if (kind := self._kptr_kind(f[1])))
            kptr = self._kptr_field_access(regno, reg, off, size, fields)
            if kptr is not None:
                return self._map_kptr_access(kptr)
        for special_off, special, sz in ((m.spin_lock_off, "bpf_spin_lock", 4), (m.timer_off, "bpf_timer", 16)):
            if special_off >= 0:
                lo = reg.var.smin + off
                hi = reg.var.umax + off + size
                if lo < special_off + sz and special_off < hi:
                    raise Reject(
                        f"{special} cannot be accessed directly by load/store", "map-special", (regno,)
                    )
        if write:
            return unknown_reg()
        if m.readonly and m.initial is not None and reg.var.is_const:
            start = reg.var.const_value + off
            data = m.initial[start : start + size]
            unknown = any(lo < start + size and start < hi for lo, hi in m.unknown_ranges)
            if len(data) == size and not unknown:
                val = int.from_bytes(data, "little")
                if sx and val >> (8 * size - 1):
                    val -= 1 << (8 * size)
                return const_reg(val & _U64)
        return unknown_reg()

    def _kptr_kind(self, tag: str) -> str:
        """btf_parse_kptr(): the field kind ("kptr" referenced, "kptr_untrusted", "percpu_kptr", "uptr")
        a type tag names in the target, "" for a tag it does not know (a plain field)."""
        if self.feature("kptr_untrusted_tag"):
            known = {"kptr", "kptr_untrusted"}
            if self.feature("percpu_kptr"):
                known.add("percpu_kptr")
            if self.feature("uptr"):
                known.add("uptr")
            return tag if tag in known else ""
        return {"kptr": "kptr_untrusted", "kptr_ref": "kptr"}.get(tag, "")

    def _kptr_field_access(
        self, regno: int, reg: Reg, off: int, size: int, fields: tuple[tuple[int, str, str], ...]
    ) -> tuple[int, str, str] | None:
        """check_map_access(): an access that touches a kptr field must be a direct load or store of
        all 8 bytes at its constant offset; the field accessed exactly, else None."""
        insn = self.insns[self.idx]
        for field in fields:
            p = field[0]
            if not (reg.var.smin + off < p + 8 and p < reg.var.umax + off + size):
                continue
            name = "uptr" if field[1] == "uptr" else "kptr"
            if insn.opcode & 7 not in (op.BPF_LDX, op.BPF_STX, op.BPF_ST):
                raise Reject(f"{name} cannot be accessed indirectly by helper", "map-special", (regno,))
            if not reg.var.is_const:
                raise Reject(f"{name} access cannot have variable offset", "map-special", (regno,))
            at = off + _signed(reg.var.const_value)
            if p != at:
                raise Reject(f"{name} access misaligned expected={p} off={at}", "map-special", (regno,))
            if size != 8:
                raise Reject(f"{name} access size must be BPF_DW", "map-special", (regno,))
            return field
        return None

    def _map_kptr_access(self, field: tuple[int, str, str]) -> Reg:
        """check_map_kptr_access(): BPF_MEM mode only; no store into a referenced (or percpu) kptr or a
        uptr, a BPF_ST only of 0; a load gives the pointee, possibly NULL, RCU-protected when the
        kernel may free it only after a grace period and the load is in an RCU section, else untrusted
        (btf_ld_kptr_type())."""
        insn = self.insns[self.idx]
        cls, kind = insn.opcode & 7, field[1]
        if insn.opcode & 0xE0 != op.BPF_MEM:
            raise Reject("kptr in map can only be accessed using BPF_MEM instruction mode", "map-special")
        if cls != op.BPF_LDX and kind in ("kptr", "percpu_kptr"):
            raise Reject("store to referenced kptr disallowed", "map-special")
        if cls != op.BPF_LDX and kind == "uptr":
            raise Reject("store to uptr disallowed", "map-special")
        if cls == op.BPF_ST and insn.imm:
            raise Reject(f"BPF_ST imm must be 0 when storing to kptr at off={field[0]}", "map-special")
        if cls != op.BPF_LDX:
            return unknown_reg()
        state = self.state
        in_rcu = state is not None and (state.active_rcu or state.active_lock is not None or not self.prog.sleepable)
        rcu_safe = kind == "percpu_kptr" or (kind == "kptr" and field[2] in RCU_PROTECTED_TYPES)
        flags = BTF_RCU if rcu_safe and in_rcu else BTF_UNTRUSTED
        if kind == "percpu_kptr" and in_rcu:
            flags |= FLAG_PERCPU
        kb = btf_ptr.kernel_btf_of(self)
        type_id = kb.find(field[2], B.KIND_STRUCT) if kb is not None and field[2] else None
        return pointer_reg(PTR_TO_BTF_ID, maybe_null=True, btf_id=(type_id or 0) | flags, id=self.new_id())

    # ---- ctx -----------------------------------------------------------------------

    def _ctx_access(
        self, state: State, regno: int, reg: Reg, off: int, size: int, write: bool, sx: bool = False
    ) -> Reg:
        if reg.off < 0:
            message = self.rules.message("ctx_negative_off", regno=regno, off=reg.off)
            raise Reject(message, "ctx-modified", (regno,))
        if reg.off:
            raise Reject(f"dereference of modified ctx ptr R{regno} off={reg.off} disallowed", "ctx-modified", (regno,))
        if not reg.var.is_const or reg.var.const_value:
            raise Reject(
                f"variable ctx access var_off={self._tnum_text(reg.var)} disallowed", "ctx-modified", (regno,)
            )
        acc = self.rules.ctx_access(
            self.prog_type, off, size, write, self.attach_type, not self.unprivileged
        )
        if not acc.ok or (sx and acc.reg_type in CTX_PKT_REG_TYPES and self.feature("ctx_ldsx_pkt_refused")):
            raise Reject(f"invalid bpf_context access off={off} size={size}", "ctx-access", (regno,))
        if not write and self.prog_type in btf_ptr.BTF_CTX_PROG_TYPES:
            typed = btf_ptr.ctx_arg(self, off, size)
            if typed is not None:
                return typed
        if write or acc.reg_type is None:
            return unknown_reg()
        kind = CTX_REG_TYPES.get(acc.reg_type)
        if kind is None:
            return unknown_reg()
        rtype, maybe_null = kind
        new = pointer_reg(rtype, maybe_null=maybe_null)
        if maybe_null:
            new = new.evolve(id=self.new_id())
        return new

    # ---- packet --------------------------------------------------------------------

    def _packet_access(self, regno: int, reg: Reg, off: int, size: int, write: bool, value: Reg | None) -> Reg:
        access = self.rules.packet_access(self.prog_type)
        if write and access != "rw":
            raise Reject("cannot write into packet", "read-only", (regno,))
        if write and value is not None and value.type != SCALAR and self.unprivileged:
            raise Reject(f"R{value} leaks addr into packet", "pointer-leak", (regno,))
        if reg.var.smin < 0:
            raise negative_min(regno, "packet-bounds")
        if reg.range < 0 or not (off >= 0 and off + size <= reg.range):
            raise Reject(f"R{regno} offset is outside of the packet", "packet-bounds", (regno,)).with_detail(
                f"invalid access to packet, off={off} size={size}, "
                f"R{regno}(id={reg.id},off={reg.off},r={max(reg.range, 0)})"
            )
        return unknown_reg()

    # ---- stack ---------------------------------------------------------------------

    def _stack_bounds(
        self, state: State, regno: int, reg: Reg, off: int, size: int, write: bool, helper: bool = False
    ) -> tuple[int, int]:
        """check_stack_access_within_bounds(): returns (min_off, max_off) relative to fp."""
        var = reg.var
        v: tuple = var
        # (before 6.14 a helper's access did not say whether it read or wrote)
        if helper and not self.feature("helper_stack_access_type"):
            extra = " indirect access to"
        else:
            extra = " write to" if write else " read from"
        if not v[MASK]:
            lo = _signed(v[VALUE]) + off
            hi = lo + size
        else:
            if not helper and not self.feature("var_off_stack_read"):
                raise Reject(
                    f"variable stack access var_off={self._tnum_text(var)} off={off} size={size}", "stack-bounds", (regno,)
                )
            if v[SMAX] >= BPF_MAX_VAR_OFF or v[SMIN] <= -BPF_MAX_VAR_OFF:
                raise Reject(f"invalid unbounded variable-offset{extra} stack R{regno}", "stack-bounds", (regno,))
            lo = v[SMIN] + off
            hi = v[SMAX] + off + size
        frame = state.frames[reg.frameno]
        # check_stack_slot_within_bounds(): without allow_uninit_stack (before 6.7: for every loader) a
        # read (a helper's too, once its access type is known) may not reach below the stack allocated
        # so far (grow_stack_state(): the deepest access, in 8-byte slots)
        min_valid = -512
        reads_bounded = self.unprivileged or not self.feature("uninit_stack_read_any_depth")
        if reads_bounded and not write and extra == " read from":
            min_valid = -((frame.depth + 7) & ~7)
        if lo < min_valid or hi > 0 or size <= 0:
            if not v[MASK]:
                msg = f"invalid{extra} stack R{regno} off={off} size={size}"
            else:
                msg = self.rules.message(
                    "stack_var_off_bounds", extra=extra, regno=regno, var_off=self._tnum_text(var), off=off, size=size
                )
            raise Reject(msg, "stack-bounds", (regno,))
        depth = -lo
        if depth > frame.depth:
            frame.depth = depth
            sub = frame.subprog
            if depth > self.stack_depths.get(sub, 0):
                self.stack_depths[sub] = depth
        return lo, hi

    def _stack_access(
        self,
        state: State,
        regno: int,
        reg: Reg,
        off: int,
        size: int,
        write: bool,
        value: Reg | None,
        st_imm: int | None,
    ) -> Reg:
        lo, hi = self._stack_bounds(state, regno, reg, off, size, write)
        frame = state.frames[reg.frameno]
        if reg.var.is_const:
            if write:
                self._stack_write_fixed(state, frame, lo, size, value, st_imm)
                return unknown_reg()
            return self._stack_read_fixed(state, frame, lo, size, off)
        if write:
            self._stack_write_var(state, frame, lo, hi, value, st_imm)
            return unknown_reg()
        return self._stack_read_range(state, frame, regno, reg, lo, hi, size, False, direct=True)

    def _mark_slot_read(self, state: State, frame: Frame, slot: int) -> None:
        if self.stack_liveness is not None:
            self.stack_liveness.read(state, frame.frameno, slot, self.idx)
        key = frame.frameno * 128 + 16 + slot
        if key not in state.written:
            mark_read(state, key)

    def _stack_write_fixed(self, state: State, frame: Frame, lo: int, size: int, value: Reg | None, st_imm: int | None) -> None:
        slot = (512 + lo) >> 3
        byte = (512 + lo) & 7
        stack = frame.stack
        old = stack.get(slot)
        if old is not None and old.spilled is not None and old.spilled.type == STACK_DYNPTR:
            dynptr.destroy(stack, slot)
            old = stack.get(slot)
        if old is not None and old.spilled is not None and old.spilled.type == STACK_ITER:
            iters.scrub_range(stack, lo, lo + size)
            old = stack.get(slot)
        okinds = old.kinds if old is not None else INVALID * 8
        if (
            self.unprivileged and size != 8 and old is not None and old.spilled is not None
            and old.spilled.type != SCALAR and okinds[0] == SPILL
        ):
            # check_stack_write_fixed_off(): without allow_ptr_leaks a spilled pointer is not overwritten in part
            raise Reject("attempt to corrupt spilled pointer on stack", "stack-spill", ())
        if value is None and st_imm is not None and byte == 0 and not self.unprivileged and self._st_imm_spills(st_imm):
            value = const_reg(st_imm)
        if value is not None and byte == 0 and (
            (value.type == SCALAR and not self.unprivileged and self._scalar_spills(value, size))
            or (value.type != SCALAR and value.type != NOT_INIT)
        ):
            if value.type != SCALAR and size != 8:
                raise Reject("invalid size of register spill", "stack-spill", ())
            if value.type == PTR_TO_STACK and value.frameno != frame.frameno and frame is not state.frames[-1]:
                raise Reject("cannot spill pointers to stack into stack frame of the caller", "stack-spill", ())
            spilled = value
            if size < 8:
                if spilled.id and spilled.var.umax >> (8 * size):
                    spilled = spilled.evolve(id=0)
                # the other bytes: scrub_spilled_slot() (before 6.8: STACK_ZERO -> MISC) or mark_stack_slot_misc()
                # (keeps STACK_ZERO); both keep STACK_INVALID for a privileged loader (only one spills scalars)
                keep_zero = self.feature("spill_zero_scalar")
                rest = "".join(k if (k == ZERO and keep_zero) or k == INVALID else MISC for k in okinds[size:])
                kinds = SPILL * size + rest
            else:
                kinds = SPILL * 8
            stack[slot] = Slot(kinds, spilled)
            self._hist_entry(state)
            if state.hist:
                state.hist[-1] = (self.idx, frame.frameno * 128 + 16 + slot)
        else:
            zero = (value is not None and value.is_const and value.var.const_value == 0) or (
                value is None and st_imm == 0
            )
            kind = ZERO if zero else MISC
            if zero and value is not None:
                self._zero_written(state)
            base = okinds
            if okinds[0] == SPILL:
                base = scrub_spilled_slot(okinds)
            kinds = base[:byte] + kind * size + base[byte + size :]
            stack[slot] = Slot(kinds, None)
        if size == 8:
            state.written.add(frame.frameno * 128 + 16 + slot)
            if self.stack_liveness is not None:
                self.stack_liveness.write(frame.frameno, slot)

    def _uninit_ok(self, frame: Frame, slot: int) -> bool:
        """May a privileged program read an uninitialised byte of this slot? Everywhere from 6.8 (6.1.191:
        reads grow the stack); from 6.3 (5.10.222, 6.1.100) only within the stack the frame has
        allocated by writes (check_stack_slot_within_bounds(): -allocated_stack for reads)."""
        if self.allow_uninit_stack:
            return True
        return self.uninit_within_allocated and bool(frame.stack) and slot >= min(frame.stack)

    def _st_imm_spills(self, imm: int) -> bool:
        """check_stack_write_fixed_off(): BPF_ST's immediate becomes a spilled constant (6.3, 5.10.186,
        6.1.36; an immediate 0 only from 6.8, before it is STACK_ZERO)."""
        return self.feature("st_imm_spill") and (imm != 0 or self.feature("spill_zero_scalar"))

    def _scalar_spills(self, value: Reg, size: int) -> bool:
        """A privileged scalar store to an aligned slot is a register spill (else STACK_MISC / STACK_ZERO
        bytes): <8 bytes from 5.16 (5.10.168); before 6.8 not a zero (register_is_null()), before 6.9 not
        an unbounded scalar (register_is_bounded())."""
        if size != 8 and not self.feature("spill_narrow_scalar"):
            return False
        if value.is_const and value.var.const_value == 0 and not self.feature("spill_zero_scalar"):
            return False
        return value.var != Scalar.unknown() or self.feature("spill_unbounded_scalar_id")

    def _hist_entry(self, state: State) -> bool:
        """push_jmp_history() for a stack spill or fill: True when it adds an entry to the state's
        history count (`jmp_history_cnt`, which forces a checkpoint past 40). The kernel keeps one
        entry per instruction (env->cur_hist_ent, 6.8+): an access at a jump point, or the second
        access of an atomic, only adds its flags to the entry already there."""
        hist = state.hist
        if self.idx in self.jmp_points or (hist and isinstance(hist[-1], tuple) and hist[-1][0] == self.idx):
            return False
        state.nhist += 1
        return True

    def _stack_read_fixed(self, state: State, frame: Frame, lo: int, size: int, off: int) -> Reg:
        slot = (512 + lo) >> 3
        byte = (512 + lo) & 7
        self._mark_slot_read(state, frame, slot)
        s = frame.stack.get(slot)
        kinds = s.kinds if s is not None else INVALID * 8
        if s is not None and s.spilled is not None and kinds[0] == SPILL:
            spilled = s.spilled
            if spilled.type in STACK_OBJECTS:  # STACK_DYNPTR/ITER bytes are neither misc nor zero
                raise Reject(f"invalid read from stack off {off}+0 size {size}", "stack-uninit")
            counted = self._hist_entry(state)
            if state.hist:
                state.hist[-1] = (self.idx, frame.frameno * 128 + 16 + slot)
            spill_size = len(kinds) - len(kinds.lstrip(SPILL))
            if size == 8 and spill_size == 8:
                return spilled
            if spilled.type != SCALAR:
                raise Reject("invalid size of register fill", "stack-spill", ())
            fill_ok = size <= spill_size if self.feature("narrowing_fill") else size == spill_size
            if byte == 0 and fill_ok:
                if spilled.id and spilled.var.umax >> (8 * size):
                    return spilled.evolve(id=0)
                return spilled
            spill_cnt = zero_cnt = 0
            for i in range(byte, byte + size):
                k = kinds[i]
                if k == SPILL:
                    spill_cnt += 1
                elif k == ZERO:
                    zero_cnt += 1
                elif k == INVALID and not self._uninit_ok(frame, slot):
                    raise Reject(
                        f"invalid read from stack off {off}+{i - byte} size {size}",
                        "stack-uninit",
                    )
            if not self.feature("spill_zero_scalar"):  # before 6.8 a partial fill is unknown
                return unknown_reg()
            if spill_cnt == size and spilled.is_const and spilled.var.const_value == 0:
                return const_reg(0)  # "this IS register fill"
            if self.feature("partial_read_not_fill"):
                # check_stack_read_fixed_off(): insn_flags = 0, "not restoring original register state":
                # no jmp_history entry, so precision backtracking does not follow the read to the slot
                if counted:
                    state.nhist -= 1
                if state.hist:
                    state.hist[-1] = self.idx
            if zero_cnt == size:
                return const_reg(0)
            return unknown_reg()
        zeros = 0
        for i in range(byte, byte + size):
            k = kinds[i]
            if k == MISC:
                continue
            if k == ZERO:
                zeros += 1
                continue
            if k == INVALID and self._uninit_ok(frame, slot):
                continue
            raise Reject(f"invalid read from stack off {off}+{i - byte} size {size}", "stack-uninit")
        if zeros == size:
            return const_reg(0)
        return unknown_reg()

    def _stack_write_var(self, state: State, frame: Frame, lo: int, hi: int, value: Reg | None, st_imm: int | None) -> None:
        dynptr.destroy_range(frame.stack, lo, hi)
        iters.scrub_range(frame.stack, lo, hi)
        zero = (value is not None and value.is_const and value.var.const_value == 0) or (value is None and st_imm == 0)
        zero_used = False
        stack = frame.stack
        for addr in range(lo, hi):
            slot = (512 + addr) >> 3
            byte = (512 + addr) & 7
            s = stack.get(slot)
            kinds = s.kinds if s is not None else INVALID * 8
            if s is not None and s.spilled is not None:
                kinds = kinds.replace(SPILL, MISC)
            k = kinds[byte]
            if k == INVALID and self.unprivileged:
                raise Reject(
                    f"uninit stack in range of var-offset write prohibited for !root; insn {self.idx}, off: {addr}",
                    "stack-uninit",
                )
            new = ZERO if (zero and k == ZERO) else MISC
            if new == ZERO and value is not None:
                zero_used = True
            stack[slot] = Slot(kinds[:byte] + new + kinds[byte + 1 :], None)
        if zero_used:
            self._zero_written(state)

    def _zero_written(self, state: State) -> None:
        """A register known to be zero stored as zero bytes: check_stack_write_fixed_off() and
        check_stack_write_var_off() mark it precise ("backtracking doesn't work for STACK_ZERO")."""
        insn = self.insns[self.idx]
        if insn.opcode & 7 == op.BPF_STX:
            self.precise_regs(state, insn.src)

    def _stack_read_range(
        self, state: State, frame: Frame, regno: int, reg: Reg, lo: int, hi: int, size: int, helper: bool, direct: bool
    ) -> Reg:
        """check_stack_range_initialized() for variable offsets and helper reads."""
        extra = " indirect" if helper and not self.feature("helper_stack_access_type") else ""
        zeros = 0
        total = hi - lo
        stack = frame.stack
        written = state.written
        key_base = frame.frameno * 128 + 16
        addr = lo
        while addr < hi:  # slot by slot: one liveness mark per slot, misc-only parts at once
            pos = 512 + addr
            first = pos & 7
            end = min(first + hi - addr, 8)  # past the range's last byte in this slot
            key = key_base + (pos >> 3)
            if self.stack_liveness is not None:
                self.stack_liveness.read(state, frame.frameno, pos >> 3, self.idx)
            if key not in written:
                mark_read(state, key)
            s = stack.get(pos >> 3)
            kinds = s.kinds if s is not None else ALL_INVALID
            n = end - first
            if kinds.count(MISC, first, end) != n:
                sp = s.spilled if s is not None else None
                if sp is not None and kinds.count(SPILL, first, end) == n and sp.type not in STACK_OBJECTS and (
                    sp.type == SCALAR or not self.unprivileged
                ):  # spilled-register bytes only: what the byte loop finds for each of them
                    if sp.is_const and sp.var.const_value == 0:
                        zeros += n
                    addr += n
                    continue
                for byte in range(first, end):
                    k = kinds[byte]
                    if k == MISC:
                        continue
                    if k == ZERO:
                        zeros += 1
                        continue
                    if k == SPILL and s is not None and s.spilled is not None and s.spilled.type not in STACK_OBJECTS:
                        if s.spilled.type == SCALAR or not self.unprivileged:
                            if s.spilled.is_const and s.spilled.var.const_value == 0:
                                zeros += 1
                            continue
                    if k == INVALID and self._uninit_ok(frame, pos >> 3):
                        continue
                    at = addr + byte - first - lo
                    if reg.var.is_const:
                        raise Reject(
                            f"invalid{extra} read from stack R{regno} off {lo}+{at} size {total}",
                            "stack-uninit",
                            (regno,),
                        )
                    raise Reject(
                        f"invalid{extra} read from stack R{regno} var_off {self._tnum_text(reg.var)}+{at} size {size}",
                        "stack-uninit",
                        (regno,),
                    )
            addr += n
        if direct and zeros == total:
            return const_reg(0)
        return unknown_reg()

    def stack_helper_access(
        self, state: State, regno: int, reg: Reg, size: int, write: bool, zero_ok: bool
    ) -> None:
        """Helper memory on the stack: bounds, then initialisation (reads) or marking (writes)."""
        if size == 0:
            if zero_ok:
                return
            raise Reject("invalid zero-sized read", "helper-arg", (regno,))  # check_stack_range_initialized()
        lo, hi = self._stack_bounds(state, regno, reg, reg.off, size, write, helper=True)
        frame = state.frames[reg.frameno]
        if write:
            self._stack_mark_written(frame, lo, hi, reg.var.is_const)
            return
        self._stack_read_range(state, frame, regno, reg, lo, hi, size, True, direct=False)
        if not self.feature("helper_read_keeps_stack"):
            stack_clobber(frame.stack, lo, hi)  # before 6.14 a helper may write whatever it reads

    def stack_arg_clobber(self, state: State, reg: Reg, size: int) -> None:
        """A BPF_WRITE check of initialised stack memory (a global function's memory argument,
        check_mem_reg(); a helper's MEM_WRITE argument): the callee may write anything there."""
        if reg.type != PTR_TO_STACK or size <= 0:
            return
        var = reg.var
        lo = reg.off + (var.smin if not var.is_const else var.const_value - ((var.const_value >> 63) << 64))
        hi = lo + (0 if var.is_const else var.smax - var.smin) + size
        stack_clobber(state.frames[reg.frameno].stack, max(lo, -512), min(hi, 0))

    def _stack_mark_written(self, frame: Frame, lo: int, hi: int, fixed: bool) -> None:
        """A helper's raw-mode write, byte by byte (check_helper_call() -> check_mem_access(BPF_B)):
        at a fixed offset each byte is a plain store, so a spill's slot is scrubbed
        (check_stack_write_fixed_off()); at a variable one only the spill is dropped."""
        stack = frame.stack
        dynptr.destroy_range(stack, lo, hi)
        iters.scrub_range(stack, lo, hi)
        for addr in range(lo, hi):
            slot = (512 + addr) >> 3
            byte = (512 + addr) & 7
            s = stack.get(slot)
            kinds = s.kinds if s is not None else INVALID * 8
            if fixed and kinds[0] == SPILL:
                kinds = scrub_spilled_slot(kinds)
            elif s is not None and s.spilled is not None:
                kinds = kinds.replace(SPILL, MISC)
            stack[slot] = Slot(kinds[:byte] + MISC + kinds[byte + 1 :], None)


def stack_clobber(stack: dict[int, Slot], lo: int, hi: int) -> None:
    """check_stack_range_initialized() with `clobber`: the bytes [lo, hi) a helper may write become
    misc (zero and readable uninitialised bytes too); a register spilled where a byte is read is
    forgotten and its whole slot scrubbed (scrub_spilled_slot(): every byte but uninitialised ones
    becomes misc). Misc bytes stay as they are."""
    for addr in range(lo, hi):
        pos = 512 + addr
        slot = pos >> 3
        byte = pos & 7
        s = stack.get(slot)
        kinds = s.kinds if s is not None else ALL_INVALID
        k = kinds[byte]
        if k == MISC:
            continue
        if k == SPILL and s is not None and s.spilled is not None:
            stack[slot] = Slot("".join(INVALID if c == INVALID else MISC for c in kinds), None)
            continue
        # zero bytes, and uninitialised ones the read allowed; a spill elsewhere in the slot stays
        stack[slot] = Slot(kinds[:byte] + MISC + kinds[byte + 1 :], s.spilled if s is not None else None)
