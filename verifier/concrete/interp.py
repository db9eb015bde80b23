"""A concrete interpreter for linked BPF programs.

`run(program, obj, inputs)` executes `program.insns` from index 0 on the given inputs and
reports the exit value, the executed instruction indices, and the first memory fault (an
access outside its region, through NULL, or through something that is not a pointer).
Memory is a set of regions: ctx, packet, one 512-byte stack per call frame, map values,
global data; see `verifier.concrete.inputs` for the input dict.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from verifier.concrete.alu import alu, condition, endian
from verifier.concrete.ctx_layouts import CtxLayout, layout_for
from verifier.concrete.helpers import call_helper
from verifier.concrete.inputs import Inputs
from verifier.concrete.memory import Memory, MemoryFault
from verifier.concrete.values import MASK32, Ptr, Value, sign_extend, to_s64, to_u64
from verifier.elf.model import BpfObject, MapDef, Program
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn

STACK_SIZE = 512
MAX_CALL_DEPTH = 8
ARRAY_MAP_TYPES = frozenset({2, 6})  # BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY


@dataclass(frozen=True, slots=True)
class Fault:
    insn: int
    kind: str  # "out-of-bounds", "null", "not-a-pointer", "not-memory", "readonly", "bad-insn", ...
    region: str
    offset: int
    size: int

    def describe(self) -> str:
        if self.kind == "null":
            return f"the instruction at index {self.insn} dereferenced NULL"
        return (
            f"the instruction at index {self.insn} performed an {self.kind} access to region "
            f"{self.region} at offset {self.offset} size {self.size}"
        )


@dataclass(slots=True)
class ConcreteResult:
    exit_value: int | None
    trace: list[int] = field(default_factory=list)
    fault: Fault | None = None
    stopped: str | None = None  # "max-steps" when the run was cut short


@dataclass(slots=True)
class _Frame:
    return_pc: int
    saved: list[Value]  # r6..r9
    frame_pointer: Value


class _BadInsn(Exception):
    pass


class Machine:
    """The state of one run; helpers (verifier.concrete.helpers) read and change it."""

    def __init__(self, program: Program, obj: BpfObject, inputs: Inputs, layout: CtxLayout) -> None:
        self.program = program
        self.obj = obj
        self.inputs = inputs
        self.layout = layout
        self.memory = Memory()
        self.regs: list[Value] = [0] * op.MAX_BPF_REG
        self.frames: list[_Frame] = []
        self._occurrences: Counter[str] = Counter()
        self.memory.add("ctx", inputs.ctx_bytes(layout))
        self.memory.add("packet", inputs.packet)
        self.memory.add("stack#0", bytes(STACK_SIZE))
        self.regs[1] = Ptr("ctx", 0)
        self.regs[10] = Ptr("stack#0", STACK_SIZE)

    def next_occurrence(self, key: str) -> int:
        self._occurrences[key] += 1
        return self._occurrences[key] - 1

    @staticmethod
    def is_array_map(mdef: MapDef) -> bool:
        return mdef.type in ARRAY_MAP_TYPES

    # ---- values -------------------------------------------------------------------------
    def _operand(self, insn: Insn, is64: bool) -> Value:
        if insn.opcode & op.BPF_X:
            return self.regs[insn.src]
        return insn.imm & (0xFFFFFFFFFFFFFFFF if is64 else MASK32)

    def _ld_imm64(self, pc: int, insn: Insn) -> Value:
        ref = self.program.map_refs.get(pc)
        if ref is not None and 0 <= ref.map_index < len(self.obj.maps):
            mdef = self.obj.maps[ref.map_index]
            if ref.pseudo in (op.BPF_PSEUDO_MAP_VALUE, op.BPF_PSEUDO_MAP_IDX_VALUE):
                name = f"global {mdef.name}"
                if name not in self.memory.regions:
                    data = self.inputs.global_data(mdef.name)
                    if data is None:
                        data = mdef.initial or b""
                    data = (data + bytes(mdef.value_size))[: mdef.value_size]
                    self.memory.add(name, data, readonly=mdef.readonly)
                return Ptr(name, ref.offset)
            name = f"map {mdef.name}"
            if name not in self.memory.regions:
                self.memory.add(name, b"", addressable=False)
            return Ptr(name, 0)
        if insn.src == op.BPF_PSEUDO_FUNC:
            target = self.program.func_refs.get(pc, pc + 1 + insn.imm)
            self.memory.add(f"func {target}", b"", addressable=False)
            return Ptr(f"func {target}", 0)
        return insn.imm64

    # ---- instruction classes ------------------------------------------------------------
    def _alu(self, insn: Insn) -> None:
        is64 = insn.cls == op.BPF_ALU64
        operation = op.alu_op(insn.opcode)
        dst = self.regs[insn.dst]
        if operation == op.BPF_END:
            self.regs[insn.dst] = endian(to_u64(dst), insn.imm, bool(insn.opcode & op.BPF_TO_BE), is64)
            return
        src = self._operand(insn, is64)
        if is64 and operation == op.BPF_MOV and insn.off == 0:
            self.regs[insn.dst] = src
            return
        if is64 and operation in (op.BPF_ADD, op.BPF_SUB):
            moved = _pointer_arith(operation, dst, src)
            if moved is not None:
                self.regs[insn.dst] = moved
                return
        self.regs[insn.dst] = alu(operation, to_u64(dst), to_u64(src), is64, insn.off)

    def _load(self, insn: Insn) -> None:
        size = op.SIZE_BYTES[op.mem_size(insn.opcode)]
        base = self.regs[insn.src]
        ctx_field = None
        if isinstance(base, Ptr) and base.region == "ctx":
            ctx_field = self.layout.packet_fields.get(base.offset + insn.off)
        if ctx_field is not None and ctx_field[1] == size:
            self.memory.load(base, insn.off, size)  # bounds check only
            kind = ctx_field[0]
            self.regs[insn.dst] = Ptr("packet", len(self.inputs.packet) if kind == "data_end" else 0)
            return
        value = self.memory.load(base, insn.off, size)
        if op.mem_mode(insn.opcode) == op.BPF_MEMSX and not isinstance(value, Ptr):
            value = sign_extend(value, 8 * size)
        self.regs[insn.dst] = value

    def _store(self, insn: Insn) -> None:
        size = op.SIZE_BYTES[op.mem_size(insn.opcode)]
        if insn.cls == op.BPF_ST:
            self.memory.store(self.regs[insn.dst], insn.off, size, insn.imm & ((1 << 64) - 1))
        elif op.mem_mode(insn.opcode) == op.BPF_ATOMIC:
            self._atomic(insn, size)
        elif op.mem_mode(insn.opcode) == op.BPF_MEM:
            self.memory.store(self.regs[insn.dst], insn.off, size, self.regs[insn.src])
        else:
            raise _BadInsn()

    def _atomic(self, insn: Insn, size: int) -> None:
        if insn.imm == op.BPF_LOAD_ACQ:
            self.regs[insn.dst] = self.memory.load(self.regs[insn.src], insn.off, size)
            return
        if insn.imm == op.BPF_STORE_REL:
            self.memory.store(self.regs[insn.dst], insn.off, size, self.regs[insn.src])
            return
        if size not in (4, 8):
            raise _BadInsn()
        mask = (1 << (8 * size)) - 1
        old = to_u64(self.memory.load(self.regs[insn.dst], insn.off, size)) & mask
        src = to_u64(self.regs[insn.src]) & mask
        if insn.imm == op.BPF_XCHG:
            self.memory.store(self.regs[insn.dst], insn.off, size, src)
            self.regs[insn.src] = old
            return
        if insn.imm == op.BPF_CMPXCHG:
            if old == to_u64(self.regs[0]) & mask:
                self.memory.store(self.regs[insn.dst], insn.off, size, src)
            self.regs[0] = old
            return
        operation = insn.imm & ~op.BPF_FETCH
        if operation not in (op.BPF_ADD, op.BPF_OR, op.BPF_AND, op.BPF_XOR):
            raise _BadInsn()
        self.memory.store(self.regs[insn.dst], insn.off, size, alu(operation, old, src, True) & mask)
        if insn.imm & op.BPF_FETCH:
            self.regs[insn.src] = old

    def _legacy_packet_load(self, insn: Insn) -> bool:
        """LD_ABS / LD_IND: big-endian packet read; out of range ends the program with 0."""
        size = op.SIZE_BYTES[op.mem_size(insn.opcode)]
        offset = insn.imm
        if op.mem_mode(insn.opcode) == op.BPF_IND:
            offset = to_s64(to_u64(self.regs[insn.src]) + insn.imm)
        packet = self.inputs.packet
        for r in range(1, 6):
            self.regs[r] = 0
        if offset < 0 or offset + size > len(packet):
            self.regs[0] = 0
            return False
        self.regs[0] = int.from_bytes(packet[offset:offset + size], "big")
        return True

    def step(self, pc: int) -> int | None:
        """Execute the instruction at pc; return the next pc (None: the program exited)."""
        insn = self.program.insns[pc]
        cls = insn.cls
        if insn.is_ld_imm64_tail or insn.dst > op.BPF_REG_FP or insn.src > op.BPF_REG_FP:
            raise _BadInsn()
        if cls in (op.BPF_ALU, op.BPF_ALU64):
            self._alu(insn)
        elif insn.is_ld_imm64:
            self.regs[insn.dst] = self._ld_imm64(pc, insn)
            return pc + 2
        elif cls == op.BPF_LD:
            if op.mem_mode(insn.opcode) not in (op.BPF_ABS, op.BPF_IND):
                raise _BadInsn()
            return pc + 1 if self._legacy_packet_load(insn) else None
        elif cls == op.BPF_LDX:
            self._load(insn)
        elif cls in (op.BPF_ST, op.BPF_STX):
            self._store(insn)
        elif cls in (op.BPF_JMP, op.BPF_JMP32):
            return self._jump(pc, insn)
        else:
            raise _BadInsn()
        return pc + 1

    def _jump(self, pc: int, insn: Insn) -> int | None:
        if insn.is_ja:
            return pc + 1 + insn.jump_offset()
        if insn.is_exit:
            if not self.frames:
                return None
            frame = self.frames.pop()
            self.regs[6:10] = frame.saved
            self.regs[10] = frame.frame_pointer
            return frame.return_pc
        if insn.is_pseudo_call:
            if len(self.frames) + 1 >= MAX_CALL_DEPTH:
                raise MemoryFault("call-depth", "stack", len(self.frames), 0)
            self.frames.append(_Frame(pc + 1, self.regs[6:10], self.regs[10]))
            name = f"stack#{len(self.frames)}"
            self.memory.add(name, bytes(STACK_SIZE))
            self.regs[10] = Ptr(name, STACK_SIZE)
            return pc + 1 + insn.imm
        if insn.is_call:
            self.regs[0] = call_helper(self, insn.imm, pc) if insn.is_helper_call else (
                self.inputs.helper_return(pc) or 0)
            for r in range(1, 6):
                self.regs[r] = 0
            return pc + 1
        if insn.is_may_goto:
            return pc + 1
        is64 = insn.cls == op.BPF_JMP
        taken = condition(op.jmp_op(insn.opcode), to_u64(self.regs[insn.dst]),
                          to_u64(self._operand(insn, True)), is64)
        return pc + 1 + insn.off if taken else pc + 1


def _pointer_arith(operation: int, dst: Value, src: Value) -> Value | None:
    if isinstance(dst, Ptr) and not isinstance(src, Ptr):
        delta = to_s64(src) if operation == op.BPF_ADD else -to_s64(src)
        return Ptr(dst.region, to_s64(dst.offset + delta))
    if operation == op.BPF_ADD and isinstance(src, Ptr) and not isinstance(dst, Ptr):
        return Ptr(src.region, to_s64(src.offset + to_s64(dst)))
    return None


def run(program: Program, obj: BpfObject, inputs: dict[str, object] | None = None,
        max_steps: int = 100000, prog_type: str | None = None) -> ConcreteResult:
    """Execute `program` on `inputs` (see verifier.concrete.inputs) for at most max_steps insns."""
    machine = Machine(program, obj, Inputs(inputs), layout_for(prog_type or program.prog_type))
    trace: list[int] = []
    pc: int | None = 0
    while pc is not None:
        if len(trace) >= max_steps:
            return ConcreteResult(None, trace, None, "max-steps")
        if not 0 <= pc < len(program.insns):
            return ConcreteResult(None, trace, Fault(trace[-1] if trace else -1, "bad-jump", "code", pc, 0))
        trace.append(pc)
        try:
            pc = machine.step(pc)
        except MemoryFault as fault:
            return ConcreteResult(None, trace, Fault(trace[-1], fault.kind, fault.region, fault.offset, fault.size))
        except (_BadInsn, KeyError, ValueError, IndexError):
            return ConcreteResult(None, trace, Fault(trace[-1], "bad-insn", "code", trace[-1], 0))
    return ConcreteResult(to_u64(machine.regs[0]), trace)
