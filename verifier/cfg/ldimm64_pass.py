"""The kernel's first scan over every instruction: `resolve_pseudo_ldimm64()`
(before 5.10: `replace_map_fd_with_map_ptr()`) in kernel/bpf/verifier.c.

Per instruction, in this order: LDX reserved fields; STX reserved fields (until 5.11);
an ld_imm64 must have a clean second half and a src_reg the kernel knows; any other
opcode must be in the opcode table (4.16+). Map fds and value offsets are checked
against maps by the loader/engine, not here.
"""

from __future__ import annotations

from verifier.cfg.kernel_facts import KernelView
from verifier.cfg.opcode_table import public_opcodes
from verifier.cfg.problem import StructuralProblem
from verifier.cfg.pseudo import ld_imm64_src, ld_imm64_tail_imm
from verifier.elf.model import Program
from verifier.isa import opcodes as op


def _ldx_modes(view: KernelView) -> tuple[int, ...]:
    return (op.BPF_MEM, op.BPF_MEMSX) if view.has("cpu_v4") else (op.BPF_MEM,)


def _known_pseudo_srcs(view: KernelView) -> set[int]:
    srcs = {op.BPF_PSEUDO_MAP_FD}
    if view.has("global_data"):
        srcs.add(op.BPF_PSEUDO_MAP_VALUE)
    if view.behaves("map_idx"):
        srcs |= {op.BPF_PSEUDO_MAP_IDX, op.BPF_PSEUDO_MAP_IDX_VALUE}
    return srcs


def _check_ld_imm64(program: Program, i: int, view: KernelView) -> None:
    insns = program.insns
    if i == len(insns) - 1:
        raise StructuralProblem(i, "invalid bpf_ld_imm64 insn", "invalid-ldimm64",
                                "the last instruction is the first half of a 16-byte ld_imm64")
    tail = insns[i + 1]
    if tail.opcode != 0 or tail.dst != 0 or tail.src != 0 or tail.off != 0:
        raise StructuralProblem(i, "invalid bpf_ld_imm64 insn", "invalid-ldimm64",
                                "the second half of an ld_imm64 must have opcode, registers and off all 0")
    src = ld_imm64_src(program, i)
    if src == 0:
        return
    if src == op.BPF_PSEUDO_BTF_ID and view.has("btf_id_ld_imm64"):
        return  # ksym: resolved against kernel BTF by the loader
    if src == op.BPF_PSEUDO_FUNC and view.has("pseudo_func"):
        return
    if src not in _known_pseudo_srcs(view):
        raise StructuralProblem(i, "unrecognized bpf_ld_imm64 insn", "invalid-ldimm64",
                                f"ld_imm64 with src_reg {src} is not known to this kernel")
    if (view.has("global_data") and src in (op.BPF_PSEUDO_MAP_FD, op.BPF_PSEUDO_MAP_IDX)
            and ld_imm64_tail_imm(program, i) != 0):
        raise StructuralProblem(i, "unrecognized bpf_ld_imm64 insn", "invalid-ldimm64",
                                "a map-pointer ld_imm64 must have 0 in the second half's imm")


def check_ldimm64_pass(program: Program, view: KernelView) -> None:
    """Raise StructuralProblem for the first instruction this pass rejects."""
    insns = program.insns
    table = public_opcodes(view) if view.behaves("opcode_table") else None
    ldx_modes = _ldx_modes(view)
    stx_checked = not view.behaves("stx_fields_in_ldimm64_pass_removed")
    i = 0
    while i < len(insns):
        insn = insns[i]
        cls, mode = insn.opcode & 0x07, insn.opcode & 0xE0
        if cls == op.BPF_LDX and (mode not in ldx_modes or insn.imm != 0):
            raise StructuralProblem(i, "BPF_LDX uses reserved fields", "reserved-fields")
        if stx_checked and cls == op.BPF_STX and (mode not in (op.BPF_MEM, op.BPF_ATOMIC) or insn.imm != 0):
            raise StructuralProblem(i, "BPF_STX uses reserved fields", "reserved-fields")
        if insn.opcode == op.LD_IMM64:
            _check_ld_imm64(program, i, view)
            i += 2
            continue
        if table is not None and insn.opcode not in table:
            raise StructuralProblem(i, f"unknown opcode {insn.opcode:02x}", "unknown-opcode")
        i += 1
