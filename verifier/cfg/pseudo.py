"""What kind of `ld_imm64` / call an instruction is, as the kernel will see it after libbpf.

The ELF reader records map and function relocations in `Program.map_refs` / `func_refs`
(libbpf writes the BPF_PSEUDO_* kind into src_reg when it loads the program); an
instruction not relocated keeps the src_reg found in the object.
"""

from __future__ import annotations

from verifier.elf.model import Program
from verifier.isa import opcodes as op


def ld_imm64_src(program: Program, idx: int) -> int:
    """The src_reg the kernel sees on the ld_imm64 at `idx` (BPF_PSEUDO_* or 0)."""
    ref = program.map_refs.get(idx)
    if ref is not None:
        return ref.pseudo
    if idx in program.func_refs:
        return op.BPF_PSEUDO_FUNC
    return program.insns[idx].src


def ld_imm64_tail_imm(program: Program, idx: int) -> int:
    """The imm of the second slot the kernel sees (the value offset of BPF_PSEUDO_MAP_VALUE)."""
    ref = program.map_refs.get(idx)
    if ref is not None:
        return ref.offset if ref.pseudo == op.BPF_PSEUDO_MAP_VALUE else 0
    if idx + 1 < len(program.insns):
        return program.insns[idx + 1].imm
    return 0


def func_ref_target(program: Program, idx: int) -> int:
    """Target instruction of a BPF_PSEUDO_FUNC ld_imm64 (pc + 1 + imm unless the reader resolved it)."""
    if idx in program.func_refs:
        return program.func_refs[idx]
    return idx + program.insns[idx].imm + 1


def is_pseudo_func(program: Program, idx: int) -> bool:
    return program.insns[idx].opcode == op.LD_IMM64 and ld_imm64_src(program, idx) == op.BPF_PSEUDO_FUNC


def is_pseudo_call_code(program: Program, idx: int) -> bool:
    insn = program.insns[idx]
    return insn.opcode == op.CALL and insn.src == op.BPF_PSEUDO_CALL


def is_kfunc_call_code(program: Program, idx: int) -> bool:
    insn = program.insns[idx]
    return insn.opcode == op.CALL and insn.src == op.BPF_PSEUDO_KFUNC_CALL
