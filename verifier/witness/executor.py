"""Symbolic execution of single BPF instructions with z3, mirroring verifier.concrete.interp.

The executor follows one path at a time (branch decisions are taken by verifier.witness.search).
Inputs are symbolic: packet length and bytes, ctx bytes, map lookup results (NULL or not) and
value bytes, helper return values, writable global data. Every memory access that is executed
adds "this access does not fault" to the path constraints; the access under suspicion is not
executed but asked for its fault condition (`fault_condition`).
"""

from __future__ import annotations

import z3

from verifier.concrete.ctx_layouts import CtxLayout
from verifier.concrete.helpers import (
    LOOKUP_HELPERS,
    MAP_DELETE_ELEM,
    MAP_UPDATE_ELEM,
    RINGBUF_RESERVE,
    U32_RESULT_HELPERS,
    ZERO_FILL_HELPERS,
)
from verifier.concrete.inputs import MAX_PACKET_LEN
from verifier.concrete.interp import ARRAY_MAP_TYPES, MAX_CALL_DEPTH, STACK_SIZE
from verifier.elf.model import BpfObject, MapDef, Program
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn
from verifier.witness import sym_alu
from verifier.witness.state import (
    Frame,
    LookupRecord,
    SymPtr,
    SymRegion,
    SymState,
    SymValue,
    Unsupported,
    as_bits,
)
from verifier.witness.sym_alu import bv

BYTE = z3.BitVecSort(8)
INDEX = z3.BitVecSort(64)
MAX_GLOBAL_SYMBOLIC = 4096  # larger global sections keep their initial contents (not an input)
MAX_PACKET_WITNESS = 0xFFFF


def constant(expr: z3.BitVecRef) -> int | None:
    """The signed value of a 64-bit expression when it simplifies to a constant."""
    simple = z3.simplify(expr)
    return simple.as_signed_long() if z3.is_bv_value(simple) else None


def _zero_array() -> z3.ArrayRef:
    return z3.K(INDEX, z3.BitVecVal(0, 8))


def _array_of(data: bytes) -> z3.ArrayRef:
    array = _zero_array()
    for i, byte in enumerate(data):
        if byte:
            array = z3.Store(array, bv(i), z3.BitVecVal(byte, 8))
    return array


class Executor:
    def __init__(self, program: Program, obj: BpfObject, layout: CtxLayout) -> None:
        self.program = program
        self.obj = obj
        self.layout = layout
        self.packet_len = z3.BitVec("packet_len", 64)

    # ---- start ---------------------------------------------------------------------------
    def initial_state(self) -> SymState:
        regions = {
            "ctx": SymRegion(z3.Array("ctx", INDEX, BYTE), bv(self.layout.size)),
            "packet": SymRegion(z3.Array("packet", INDEX, BYTE), self.packet_len),
            "stack#0": SymRegion(_zero_array(), bv(STACK_SIZE)),
        }
        regs: list[SymValue] = [bv(0) for _ in range(op.MAX_BPF_REG)]
        regs[1] = SymPtr("ctx", bv(0))
        regs[10] = SymPtr("stack#0", bv(STACK_SIZE))
        limit = min(MAX_PACKET_LEN, MAX_PACKET_WITNESS)
        return SymState(0, regs, regions, constraints=[z3.ULE(self.packet_len, bv(limit))])

    # ---- memory --------------------------------------------------------------------------
    def _access(self, state: SymState, base: SymValue, off: int, size: int,
                write: bool) -> tuple[SymRegion | None, z3.BitVecRef | None, z3.BoolRef]:
        """(region, first byte offset, fault condition) of an access through `base`."""
        if not isinstance(base, SymPtr):
            return None, None, z3.BoolVal(True)
        region = state.regions.get(base.region)
        if region is None or region.size is None:
            return None, None, z3.BoolVal(True)
        start = base.offset + bv(off)
        wide = z3.SignExt(8, start)
        fault = z3.Or(wide < 0, wide + size > z3.SignExt(8, region.size))
        if write and region.readonly:
            fault = z3.BoolVal(True)
        if base.null is not None:
            fault = z3.Or(base.null, fault)
        return region, start, fault

    def _checked(self, state: SymState, base: SymValue, off: int, size: int,
                 write: bool) -> tuple[SymRegion, z3.BitVecRef]:
        region, start, fault = self._access(state, base, off, size, write)
        state.constraints.append(z3.Not(fault))
        if region is None or start is None:
            raise Unsupported("access through a value that is not a pointer to memory")
        return region, start

    def read(self, state: SymState, base: SymValue, off: int, size: int) -> SymValue:
        region, start = self._checked(state, base, off, size, write=False)
        assert isinstance(base, SymPtr)
        fixed = constant(start)
        if fixed is None and region.spills:
            raise Unsupported("variable-offset read of memory that holds spilled pointers")
        if size == 8 and fixed in region.spills:
            return region.spills[fixed]
        if base.region == "ctx":
            if fixed is None:
                raise Unsupported("variable-offset ctx read")
            state.ctx_reads.append((fixed, size))
        parts = [z3.Select(region.array, start + bv(i)) for i in reversed(range(size))]
        value = z3.Concat(*parts) if size > 1 else parts[0]
        return z3.ZeroExt(64 - 8 * size, value) if size < 8 else value

    def write(self, state: SymState, base: SymValue, off: int, size: int, value: SymValue) -> None:
        region, start = self._checked(state, base, off, size, write=True)
        fixed = constant(start)
        if fixed is None and region.spills:
            raise Unsupported("variable-offset write to memory that holds spilled pointers")
        if fixed is not None:
            for slot in [s for s in region.spills if s < fixed + size and fixed < s + 8]:
                del region.spills[slot]
            if isinstance(value, SymPtr) and size == 8:
                region.spills[fixed] = value
        bits = as_bits(value)
        array = region.array
        for i in range(size):
            array = z3.Store(array, start + bv(i), z3.Extract(8 * i + 7, 8 * i, bits))
        region.array = array

    def fault_condition(self, state: SymState, insn: Insn) -> z3.BoolRef:
        """When does the memory access of `insn` fault (in `state`, before executing it)?"""
        size = op.SIZE_BYTES.get(op.mem_size(insn.opcode), 0)
        if insn.cls == op.BPF_LDX:
            base, write = state.regs[insn.src], False
        elif insn.cls in (op.BPF_ST, op.BPF_STX):
            atomic_load = op.mem_mode(insn.opcode) == op.BPF_ATOMIC and insn.imm == op.BPF_LOAD_ACQ
            base, write = (state.regs[insn.src], False) if atomic_load else (state.regs[insn.dst], True)
        else:
            raise Unsupported("the failing instruction is not a memory access")
        return self._access(state, base, insn.off, size, write)[2]

    # ---- instructions ---------------------------------------------------------------------
    def _operand(self, state: SymState, insn: Insn, is64: bool) -> SymValue:
        if insn.opcode & op.BPF_X:
            return state.regs[insn.src]
        return bv(insn.imm) if is64 else bv(insn.imm & 0xFFFFFFFF)

    def branch_condition(self, state: SymState, insn: Insn) -> z3.BoolRef:
        a = as_bits(state.regs[insn.dst])
        b = as_bits(state.regs[insn.src]) if insn.opcode & op.BPF_X else bv(insn.imm)
        return sym_alu.condition(op.jmp_op(insn.opcode), a, b, insn.cls == op.BPF_JMP)

    def mark_null_check(self, state: SymState, insn: Insn, taken: bool) -> None:
        """After `if rX == 0` / `if rX != 0` on a maybe-NULL pointer, every copy becomes NULL or non-NULL."""
        jop = op.jmp_op(insn.opcode)
        ptr = state.regs[insn.dst]
        if jop not in (op.BPF_JEQ, op.BPF_JNE) or not isinstance(ptr, SymPtr) or ptr.null is None:
            return
        other = state.regs[insn.src] if insn.opcode & op.BPF_X else bv(insn.imm)
        if isinstance(other, SymPtr) or constant(other) != 0 or insn.cls != op.BPF_JMP:
            return
        is_null = taken if jop == op.BPF_JEQ else not taken
        null = ptr.null

        def resolve(value: SymValue) -> SymValue:
            if isinstance(value, SymPtr) and value.null is not None and value.null.eq(null):
                return bv(0) if is_null else SymPtr(value.region, value.offset)
            return value

        state.regs = [resolve(v) for v in state.regs]
        for frame in state.frames:
            frame.saved = [resolve(v) for v in frame.saved]
            frame.frame_pointer = resolve(frame.frame_pointer)
        for region in state.regions.values():
            for slot, value in list(region.spills.items()):
                resolved = resolve(value)
                if isinstance(resolved, SymPtr):
                    region.spills[slot] = resolved
                else:
                    del region.spills[slot]

    def step(self, state: SymState) -> bool:
        """Execute the (non-branch) instruction at state.pc; False when the program exited."""
        pc = state.pc
        insn = self.program.insns[pc]
        state.steps += 1
        cls = insn.cls
        if insn.is_ld_imm64_tail:
            raise Unsupported("jump into the middle of ld_imm64")
        if insn.dst > op.BPF_REG_FP or insn.src > op.BPF_REG_FP:
            raise Unsupported("register number out of range")
        if cls in (op.BPF_ALU, op.BPF_ALU64):
            self._alu(state, insn)
        elif insn.is_ld_imm64:
            state.regs[insn.dst] = self._ld_imm64(state, pc, insn)
            state.pc = pc + 2
            return True
        elif cls == op.BPF_LDX:
            self._load(state, insn)
        elif cls == op.BPF_ST:
            size = op.SIZE_BYTES[op.mem_size(insn.opcode)]
            self.write(state, state.regs[insn.dst], insn.off, size, bv(insn.imm))
        elif cls == op.BPF_STX:
            self._store(state, insn)
        elif cls in (op.BPF_JMP, op.BPF_JMP32):
            return self._jump(state, pc, insn)
        elif cls == op.BPF_LD and op.mem_mode(insn.opcode) in (op.BPF_ABS, op.BPF_IND):
            self._legacy_packet_load(state, insn)
        else:
            raise Unsupported(f"instruction {insn.opcode:#x} is not modelled")
        state.pc = pc + 1
        return True

    def _legacy_packet_load(self, state: SymState, insn: Insn) -> None:
        """LD_ABS / LD_IND: a big-endian packet read; out of range the program ends (returns 0), so the
        paths that go on are those where the read is in range."""
        size = op.SIZE_BYTES[op.mem_size(insn.opcode)]
        offset = bv(insn.imm)
        if op.mem_mode(insn.opcode) == op.BPF_IND:
            offset = as_bits(state.regs[insn.src]) + offset
        wide = z3.SignExt(8, offset)
        state.constraints.append(z3.And(wide >= 0, wide + size <= z3.SignExt(8, self.packet_len)))
        state.uses_packet = True
        packet = state.regions["packet"].array
        parts = [z3.Select(packet, offset + bv(i)) for i in range(size)]
        value = z3.Concat(*parts) if size > 1 else parts[0]
        state.regs[0] = z3.ZeroExt(64 - 8 * size, value) if size < 8 else value
        for r in range(1, 6):
            state.regs[r] = bv(0)

    def _alu(self, state: SymState, insn: Insn) -> None:
        is64 = insn.cls == op.BPF_ALU64
        operation = op.alu_op(insn.opcode)
        dst = state.regs[insn.dst]
        if operation == op.BPF_END:
            to_be = bool(insn.opcode & op.BPF_TO_BE)
            state.regs[insn.dst] = sym_alu.endian(as_bits(dst), insn.imm, to_be, is64)
            return
        src = self._operand(state, insn, is64)
        if is64 and operation == op.BPF_MOV and insn.off == 0:
            state.regs[insn.dst] = src
            return
        if is64 and operation in (op.BPF_ADD, op.BPF_SUB):
            if isinstance(dst, SymPtr) and not isinstance(src, SymPtr):
                if dst.null is not None:
                    raise Unsupported("arithmetic on a pointer that may be NULL")
                delta = src if operation == op.BPF_ADD else -src
                state.regs[insn.dst] = SymPtr(dst.region, dst.offset + delta)
                return
            if operation == op.BPF_ADD and isinstance(src, SymPtr) and not isinstance(dst, SymPtr):
                if src.null is not None:
                    raise Unsupported("arithmetic on a pointer that may be NULL")
                state.regs[insn.dst] = SymPtr(src.region, src.offset + dst)
                return
        state.regs[insn.dst] = sym_alu.alu(operation, as_bits(dst), as_bits(src), is64, insn.off)

    def _load(self, state: SymState, insn: Insn) -> None:
        size = op.SIZE_BYTES[op.mem_size(insn.opcode)]
        base = state.regs[insn.src]
        if isinstance(base, SymPtr) and base.region == "ctx" and base.null is None:
            start = constant(base.offset + bv(insn.off))
            field = self.layout.packet_fields.get(start) if start is not None else None
            if field is not None and field[1] == size:
                self._checked(state, base, insn.off, size, write=False)
                offset = self.packet_len if field[0] == "data_end" else bv(0)
                state.regs[insn.dst] = SymPtr("packet", offset)
                state.uses_packet = True
                return
        value = self.read(state, base, insn.off, size)
        if op.mem_mode(insn.opcode) == op.BPF_MEMSX and not isinstance(value, SymPtr):
            value = z3.SignExt(64 - 8 * size, z3.Extract(8 * size - 1, 0, value))
        state.regs[insn.dst] = value

    def _store(self, state: SymState, insn: Insn) -> None:
        size = op.SIZE_BYTES[op.mem_size(insn.opcode)]
        mode = op.mem_mode(insn.opcode)
        if mode == op.BPF_MEM:
            self.write(state, state.regs[insn.dst], insn.off, size, state.regs[insn.src])
        elif mode == op.BPF_ATOMIC:
            self._atomic(state, insn, size)
        else:
            raise Unsupported(f"store mode {mode:#x}")

    def _atomic(self, state: SymState, insn: Insn, size: int) -> None:
        if insn.imm == op.BPF_LOAD_ACQ:
            state.regs[insn.dst] = self.read(state, state.regs[insn.src], insn.off, size)
            return
        if insn.imm == op.BPF_STORE_REL:
            self.write(state, state.regs[insn.dst], insn.off, size, state.regs[insn.src])
            return
        if size not in (4, 8):
            raise Unsupported("atomic operation of this size")
        old = as_bits(self.read(state, state.regs[insn.dst], insn.off, size))
        src = as_bits(state.regs[insn.src])
        if size == 4:
            src = z3.ZeroExt(32, z3.Extract(31, 0, src))
        if insn.imm == op.BPF_XCHG:
            self.write(state, state.regs[insn.dst], insn.off, size, src)
            state.regs[insn.src] = old
            return
        if insn.imm == op.BPF_CMPXCHG:
            r0 = as_bits(state.regs[0])
            if size == 4:
                r0 = z3.ZeroExt(32, z3.Extract(31, 0, r0))
            self.write(state, state.regs[insn.dst], insn.off, size, z3.If(old == r0, src, old))
            state.regs[0] = old
            return
        operation = insn.imm & ~op.BPF_FETCH
        if operation not in (op.BPF_ADD, op.BPF_OR, op.BPF_AND, op.BPF_XOR):
            raise Unsupported(f"atomic operation {insn.imm:#x}")
        self.write(state, state.regs[insn.dst], insn.off, size, sym_alu.alu(operation, old, src, True))
        if insn.imm & op.BPF_FETCH:
            state.regs[insn.src] = old

    def _global_region(self, state: SymState, mdef: MapDef) -> str:
        name = f"global {mdef.name}"
        if name in state.regions:
            return name
        initial = ((mdef.initial or b"") + bytes(mdef.value_size))[: mdef.value_size]
        if mdef.readonly or mdef.value_size > MAX_GLOBAL_SYMBOLIC:
            array = _array_of(initial)
        else:
            array = z3.Array(name, INDEX, BYTE)
            state.globals_read.append(mdef.name)
        state.regions[name] = SymRegion(array, bv(mdef.value_size), readonly=mdef.readonly)
        return name

    def _ld_imm64(self, state: SymState, pc: int, insn: Insn) -> SymValue:
        ref = self.program.map_refs.get(pc)
        if ref is not None and 0 <= ref.map_index < len(self.obj.maps):
            mdef = self.obj.maps[ref.map_index]
            if ref.pseudo in (op.BPF_PSEUDO_MAP_VALUE, op.BPF_PSEUDO_MAP_IDX_VALUE):
                return SymPtr(self._global_region(state, mdef), bv(ref.offset))
            name = f"map {mdef.name}"
            state.regions.setdefault(name, SymRegion(_zero_array(), None))
            return SymPtr(name, bv(0))
        if insn.src == op.BPF_PSEUDO_FUNC:
            target = self.program.func_refs.get(pc, pc + 1 + insn.imm)
            state.regions.setdefault(f"func {target}", SymRegion(_zero_array(), None))
            return SymPtr(f"func {target}", bv(0))
        return bv(insn.imm64)

    # ---- jumps and calls ----------------------------------------------------------------
    def _jump(self, state: SymState, pc: int, insn: Insn) -> bool:
        if insn.is_ja:
            state.pc = pc + 1 + insn.jump_offset()
        elif insn.is_exit:
            if not state.frames:
                return False
            frame = state.frames.pop()
            state.regs[6:10] = frame.saved
            state.regs[10] = frame.frame_pointer
            state.pc = frame.return_pc
        elif insn.is_pseudo_call:
            if len(state.frames) + 1 >= MAX_CALL_DEPTH:
                raise Unsupported("call depth")
            state.frames.append(Frame(pc + 1, state.regs[6:10], state.regs[10]))
            name = f"stack#{len(state.frames)}"
            state.regions[name] = SymRegion(_zero_array(), bv(STACK_SIZE))
            state.regs[10] = SymPtr(name, bv(STACK_SIZE))
            state.pc = pc + 1 + insn.imm
        elif insn.is_call:
            state.regs[0] = self._helper(state, pc, insn) if insn.is_helper_call else self._fresh(state, pc)
            for r in range(1, 6):
                state.regs[r] = bv(0)
            state.pc = pc + 1
        elif insn.is_may_goto:
            state.pc = pc + 1
        else:
            raise Unsupported("conditional jumps are decided by the search")
        return True

    def _fresh(self, state: SymState, pc: int) -> z3.BitVecRef:
        key = f"helper at insn {pc}"
        value = z3.BitVec(f"{key} #{state.next_occurrence(key)}", 64)
        state.helpers.append((key, value))
        return value

    def _map_of(self, state: SymState) -> MapDef:
        ptr = state.regs[1]
        if isinstance(ptr, SymPtr) and ptr.region.startswith("map "):
            for mdef in self.obj.maps:
                if mdef.name == ptr.region[4:]:
                    return mdef
        raise Unsupported("helper called without a known map in r1")

    def _helper(self, state: SymState, pc: int, insn: Insn) -> SymValue:
        helper = insn.imm
        if helper in LOOKUP_HELPERS:
            return self._lookup(state, pc)
        value = self._fresh(state, pc)
        if helper in U32_RESULT_HELPERS:
            state.constraints.append(z3.ULT(value, bv(1 << 32)))
        if helper in ZERO_FILL_HELPERS:
            buf_reg, size_reg = ZERO_FILL_HELPERS[helper]
            size = constant(as_bits(state.regs[size_reg]))
            if size is None:
                raise Unsupported("helper writes a buffer of variable size")
            if 0 < size <= 1 << 16:
                for i in range(size):
                    self.write(state, state.regs[buf_reg], i, 1, bv(0))
        if helper in (MAP_UPDATE_ELEM, MAP_DELETE_ELEM):
            mdef = self._map_of(state)
            self._checked(state, state.regs[2], 0, mdef.key_size, write=False)
            if helper == MAP_UPDATE_ELEM:
                self._checked(state, state.regs[3], 0, mdef.value_size, write=False)
        if helper == RINGBUF_RESERVE:
            size = constant(as_bits(state.regs[2]))
            if size is None:
                raise Unsupported("ringbuf_reserve of variable size")
            occurrence = state.next_occurrence(f"ringbuf at insn {pc}")
            region = f"ringbuf at insn {pc}" + (f" #{occurrence + 1}" if occurrence else "")
            if not 0 <= size <= 1 << 24:
                state.constraints.append(value == 0)
                return bv(0)
            state.regions[region] = SymRegion(_zero_array(), bv(size))
            return SymPtr(region, bv(0), value == bv(0))
        return value

    def _lookup(self, state: SymState, pc: int) -> SymValue:
        mdef = self._map_of(state)
        key_region, key_start = self._checked(state, state.regs[2], 0, mdef.key_size, write=False)
        occurrence = state.next_occurrence(f"map value at insn {pc}")
        region = f"map value at insn {pc}" + (f" #{occurrence + 1}" if occurrence else "")
        null = z3.Bool(f"{region} is NULL")
        if mdef.type in ARRAY_MAP_TYPES and mdef.key_size == 4:
            key = z3.Concat(*[z3.Select(key_region.array, key_start + bv(i)) for i in reversed(range(4))])
            state.constraints.append(null == z3.UGE(key, z3.BitVecVal(mdef.max_entries, 32)))
        state.regions[region] = SymRegion(z3.Array(f"{region} bytes", INDEX, BYTE), bv(mdef.value_size))
        state.lookups.append(LookupRecord(f"map lookup at insn {pc}", null, region, mdef.value_size))
        return SymPtr(region, bv(0), null)
