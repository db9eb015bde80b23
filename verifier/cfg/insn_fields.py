"""Field checks that `do_check()` makes on each instruction before simulating it.

They depend only on the instruction (and the kernel version); the kernel makes them when
do_check() reaches the instruction (`checks.reach_field_findings` for the engine,
`check_insn_fields` for a static pass over every instruction): reserved fields (`check_alu_op`, the JMP/STX/ST branches of
`do_check`, `check_cond_jmp_op`, `check_atomic` / `check_xadd`, `check_ld_abs`,
`check_ld_imm`), register numbers ("R%d is invalid"), writes to r10, division by a zero
constant and out-of-range constant shifts. Before 4.16 (no opcode table) do_check is also
where unknown opcodes are refused, with its own words.
"""

from __future__ import annotations

from verifier.cfg.kernel_facts import KernelView
from verifier.cfg.problem import StructuralProblem
from verifier.cfg.subprogs import jump_target
from verifier.elf.model import Program
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn

_ATOMIC_ALU = (op.BPF_ADD, op.BPF_AND, op.BPF_OR, op.BPF_XOR)
_ADDR_SPACE_CAST = 1


def _reserved(kind: str) -> str:
    return f"{kind} uses reserved fields"


def _alu_problem(insn: Insn, view: KernelView) -> str | None:
    cls, operation = insn.cls, insn.opcode & 0xF0
    is_reg = bool(insn.opcode & op.BPF_X)
    v4 = view.has("cpu_v4")
    if operation == op.BPF_NEG:
        if is_reg or insn.src or insn.off or insn.imm:
            return _reserved("BPF_NEG")
        return None
    if operation == op.BPF_END:
        bad_class = cls == op.BPF_ALU64 and (not v4 or is_reg)
        if insn.src or insn.off or insn.imm not in (16, 32, 64) or bad_class:
            return _reserved("BPF_END")
        return None
    if operation == op.BPF_MOV:
        if not is_reg:
            return _reserved("BPF_MOV") if insn.src or insn.off else None
        if cls == op.BPF_ALU64 and insn.off == _ADDR_SPACE_CAST and view.has("arena"):
            if insn.imm not in (1, 1 << 16):
                return "addr_space_cast insn can only convert between address space 1 and 0"
            return None
        offs = ((0, 8, 16) if cls == op.BPF_ALU else (0, 8, 16, 32)) if v4 else (0,)
        return _reserved("BPF_MOV") if insn.off not in offs or insn.imm else None
    if operation > op.BPF_END:
        return f"invalid BPF_ALU opcode {operation:x}"
    signed_ok = v4 and operation in (op.BPF_DIV, op.BPF_MOD)
    if insn.off not in ((0, 1) if signed_ok else (0,)):
        return _reserved("BPF_ALU")
    if (insn.imm if is_reg else insn.src) != 0:
        return _reserved("BPF_ALU")
    return None


def _alu_value_problem(insn: Insn) -> str | None:
    """Checks after the register checks in check_alu_op: constant divisor and shift amount."""
    operation = insn.opcode & 0xF0
    if insn.opcode & op.BPF_X:
        return None
    if operation in (op.BPF_DIV, op.BPF_MOD) and insn.imm == 0:
        return "div by zero"
    if operation in (op.BPF_LSH, op.BPF_RSH, op.BPF_ARSH):
        bits = 64 if insn.cls == op.BPF_ALU64 else 32
        if not 0 <= insn.imm < bits:
            return f"invalid shift {insn.imm}"
    return None


def _jmp_problem(insn: Insn, view: KernelView) -> str | None:
    cls, operation = insn.cls, insn.opcode & 0xF0
    is_reg = bool(insn.opcode & op.BPF_X)
    if operation == op.BPF_CALL:
        allowed_src = {0}
        if view.has("bpf_to_bpf_calls"):
            allowed_src.add(op.BPF_PSEUDO_CALL)
        if view.has("kfuncs"):
            allowed_src.add(op.BPF_PSEUDO_KFUNC_CALL)
        off_ok = insn.off == 0 or insn.src == op.BPF_PSEUDO_KFUNC_CALL and view.has("kfuncs")
        if is_reg or not off_ok or insn.src not in allowed_src or insn.dst or cls == op.BPF_JMP32:
            return _reserved("BPF_CALL")
        return None
    if operation == op.BPF_JA:
        gotol_ok = view.has("cpu_v4")
        if cls == op.BPF_JMP32 and gotol_ok:
            bad = insn.off != 0
        else:
            bad = insn.imm != 0
        if is_reg or insn.src or insn.dst or bad:
            return _reserved("BPF_JA")
        return None
    if operation == op.BPF_EXIT:
        if is_reg or insn.imm or insn.src or insn.dst or cls == op.BPF_JMP32:
            return _reserved("BPF_EXIT")
        return None
    last_op = op.BPF_JSLE if view.has("jmp_ext") else op.BPF_JSGE
    if operation == op.BPF_JCOND and view.has("may_goto"):
        return _may_goto_problem(insn, view)
    if operation > last_op or (op.BPF_JSGE < operation < op.BPF_JLT):
        name = "BPF_JMP/JMP32" if view.has("jmp32") else "BPF_JMP"
        return f"invalid {name} opcode {operation:x}"
    name = "BPF_JMP/JMP32" if view.has("jmp32") else "BPF_JMP"
    if (insn.imm if is_reg else insn.src) != 0:
        return _reserved(name)
    return None


def _may_goto_problem(insn: Insn, view: KernelView) -> str | None:
    zero_ok = view.behaves("may_goto_zero")
    bad = insn.opcode != op.BPF_JMP | op.BPF_JCOND or insn.src != op.BPF_MAY_GOTO or insn.dst or insn.imm
    if zero_ok:
        return f"invalid may_goto imm {insn.imm}" if bad else None
    if bad or insn.off == 0:
        return f"invalid may_goto off {insn.off} imm {insn.imm}"
    return None


def _stx_problem(insn: Insn, view: KernelView) -> str | None:
    mode, size = insn.opcode & 0xE0, insn.opcode & 0x18
    if mode == op.BPF_MEM:
        return _reserved("BPF_STX") if insn.imm else None
    if mode != op.BPF_ATOMIC:
        return _reserved("BPF_STX")
    if not view.has("atomics"):
        if size not in (op.BPF_W, op.BPF_DW) or insn.imm != 0:
            return _reserved("BPF_XADD")
        return None
    allowed = set(_ATOMIC_ALU) | {a | op.BPF_FETCH for a in _ATOMIC_ALU} | {op.BPF_XCHG, op.BPF_CMPXCHG}
    acq_rel = view.behaves("atomic_acquire_release")
    if acq_rel:
        allowed |= {op.BPF_LOAD_ACQ, op.BPF_STORE_REL}
    if insn.imm not in allowed:
        return f"BPF_ATOMIC uses invalid atomic opcode {insn.imm & 0xFFFFFFFF:02x}"
    if size not in (op.BPF_W, op.BPF_DW) and not (acq_rel and insn.imm in (op.BPF_LOAD_ACQ, op.BPF_STORE_REL)):
        return "invalid atomic operand size"
    return None


def _ld_problem(insn: Insn) -> str | None:
    mode, size = insn.opcode & 0xE0, insn.opcode & 0x18
    if mode in (op.BPF_ABS, op.BPF_IND):
        if insn.dst or insn.off or size == op.BPF_DW or (mode == op.BPF_ABS and insn.src):
            return "BPF_LD_[ABS|IND] uses reserved fields"
        return None
    if mode != op.BPF_IMM:
        return "invalid BPF_LD mode"
    if size != op.BPF_DW:
        return "invalid BPF_LD_IMM insn"
    if insn.off != 0:
        return "BPF_LD_IMM64 uses reserved fields"
    return None


def _class_problem(insn: Insn, view: KernelView) -> str | None:
    cls = insn.cls
    if cls in (op.BPF_ALU, op.BPF_ALU64):
        return _alu_problem(insn, view)
    if cls == op.BPF_JMP or (cls == op.BPF_JMP32 and view.has("jmp32")):
        return _jmp_problem(insn, view)
    if cls == op.BPF_JMP32:
        return f"unknown insn class {cls}"
    if cls == op.BPF_STX:
        return _stx_problem(insn, view)
    if cls == op.BPF_ST:
        return _reserved("BPF_ST") if insn.opcode & 0xE0 != op.BPF_MEM or insn.src else None
    if cls == op.BPF_LDX:
        return None  # checked by the ld_imm64 pass
    return _ld_problem(insn)


def _used_registers(insn: Insn) -> tuple[int, ...]:
    cls, operation = insn.cls, insn.opcode & 0xF0
    if cls in (op.BPF_JMP, op.BPF_JMP32) and operation in (op.BPF_CALL, op.BPF_EXIT, op.BPF_JA):
        return ()
    if cls == op.BPF_LD:
        mode = insn.opcode & 0xE0
        return (insn.src,) if mode == op.BPF_IND else (insn.dst,) if mode == op.BPF_IMM else ()
    uses_src = bool(insn.opcode & op.BPF_X) if cls in (op.BPF_ALU, op.BPF_ALU64, op.BPF_JMP, op.BPF_JMP32) \
        else cls in (op.BPF_LDX, op.BPF_STX)
    return (insn.src, insn.dst) if uses_src else (insn.dst,)


def _writes_dst(insn: Insn) -> bool:
    cls = insn.cls
    return cls in (op.BPF_ALU, op.BPF_ALU64, op.BPF_LDX) or insn.opcode == op.LD_IMM64


def _is_cond_jump(insn: Insn) -> bool:
    if insn.cls not in (op.BPF_JMP, op.BPF_JMP32):
        return False
    return insn.opcode & 0xF0 not in (op.BPF_CALL, op.BPF_EXIT, op.BPF_JA, op.BPF_JCOND)


def field_problem(insn: Insn, view: KernelView) -> str | None:
    """The kernel's complaint about this instruction's fields, or None."""
    if view.behaves("cond_jmp_dst_first") and _is_cond_jump(insn) and insn.dst >= op.MAX_BPF_REG:
        return f"R{insn.dst} is invalid"
    problem = _class_problem(insn, view)
    if problem:
        return problem
    for reg in _used_registers(insn):
        if reg >= op.MAX_BPF_REG:
            return f"R{reg} is invalid"
    if insn.cls in (op.BPF_ALU, op.BPF_ALU64):
        problem = _alu_value_problem(insn)
        if problem:
            return problem
    if _writes_dst(insn) and insn.dst == op.BPF_REG_FP:
        return "frame pointer is read only"
    return None


def field_category(message: str) -> str:
    if "reserved fields" in message:
        return "reserved-fields"
    if message.startswith("R") and message.endswith("is invalid"):
        return "invalid-register"
    return {
        "div by zero": "div-by-zero",
        "frame pointer is read only": "frame-pointer-write",
    }.get(message, "invalid-shift" if message.startswith("invalid shift") else "unknown-opcode")


def jump_targets(program: Program, view: KernelView) -> set[int]:
    """Every instruction a jump (not a fall-through) leads to."""
    targets: set[int] = set()
    for idx, insn in enumerate(program.insns):
        if insn.is_ld_imm64_tail or not insn.is_jmp or insn.opcode & 0xF0 in (op.BPF_CALL, op.BPF_EXIT):
            continue
        targets.add(jump_target(program, idx, view))
    return targets


def check_insn_fields(program: Program, view: KernelView, fields: bool = True) -> None:
    """Raise StructuralProblem for the first instruction (by index) do_check would refuse on sight.

    With `fields` False only jumps into the second half of an ld_imm64 are checked (before 6.7
    do_check meets the tail; kept static, the stricter side, as the jump is rarely dead).
    """
    insns = program.insns
    landing = set() if view.behaves("cfg_ldimm64_stride") else jump_targets(program, view)
    i = 0
    while i < len(insns):
        insn = insns[i]
        problem = field_problem(insn, view) if fields else None
        if problem:
            raise StructuralProblem(i, problem, field_category(problem))
        if insn.opcode == op.LD_IMM64:
            if i + 1 in landing:  # before 6.7 a jump into the second half reaches do_check
                raise StructuralProblem(i + 1, "invalid BPF_LD_IMM insn", "ldimm64-middle",
                                        "a jump lands on the second half of a 16-byte ld_imm64")
            i += 2
            continue
        i += 1


def check_ldimm64_landing(program: Program, view: KernelView) -> None:
    """Only the ld_imm64-tail landing check of `check_insn_fields` (the field checks happen on reach)."""
    check_insn_fields(program, view, fields=False)
