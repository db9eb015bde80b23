"""disasm: the kernel verifier log's syntax (kernel/bpf/disasm.c) for every instruction form."""

from __future__ import annotations

import pytest

from verifier.elf.model import MapRef, Program
from verifier.isa import encode as asm
from verifier.isa import opcodes as op
from verifier.isa.disasm import disasm, disassemble, helper_display_name
from verifier.isa.insn import Insn

HELPERS = {1: "map_lookup_elem", 12: "BPF_FUNC_tail_call", 6: "bpf_trace_printk"}


@pytest.mark.parametrize(
    ("insn", "text"),
    [
        (asm.mov64_imm(0, 0), "r0 = 0"),
        (asm.mov64_imm(1, -1), "r1 = -1"),
        (asm.mov64_reg(2, 10), "r2 = r10"),
        (asm.mov32_imm(1, 5), "w1 = 5"),
        (asm.alu32_imm(op.BPF_ADD, 1, 2), "w1 += 2"),
        (asm.alu64_imm(op.BPF_ADD, 2, -4), "r2 += -4"),
        (asm.alu64_reg(op.BPF_SUB, 3, 4), "r3 -= r4"),
        (asm.alu64_imm(op.BPF_LSH, 1, 32), "r1 <<= 32"),
        (asm.alu64_imm(op.BPF_ARSH, 1, 32), "r1 s>>= 32"),
        (asm.alu32_reg(op.BPF_XOR, 1, 1), "w1 ^= w1"),
        (asm.alu64_imm(op.BPF_AND, 1, 255), "r1 &= 255"),
        (asm.alu64_imm(op.BPF_MOD, 1, 3), "r1 %= 3"),
        (Insn(op.BPF_ALU64 | op.BPF_NEG, 3, 0, 0, 0), "r3 = -r3"),
        (Insn(op.BPF_ALU | op.BPF_NEG, 3, 0, 0, 0), "w3 = -w3"),
        (Insn(op.BPF_ALU | op.BPF_END | op.BPF_TO_BE, 1, 0, 0, 16), "r1 = be16 r1"),
        (Insn(op.BPF_ALU | op.BPF_END | op.BPF_TO_LE, 1, 0, 0, 64), "r1 = le64 r1"),
        # cpu v4
        (Insn(op.BPF_ALU64 | op.BPF_END, 1, 0, 0, 16), "r1 = bswap16 r1"),
        (asm.alu64_reg(op.BPF_MOV, 1, 2, off=8), "r1 = (s8)r2"),
        (asm.alu64_reg(op.BPF_MOV, 1, 2, off=32), "r1 = (s32)r2"),
        (asm.alu32_reg(op.BPF_MOV, 1, 2, off=16), "w1 = (s16)w2"),
        (asm.alu64_reg(op.BPF_DIV, 1, 2, off=1), "r1 s/= r2"),
        (asm.alu32_imm(op.BPF_MOD, 1, 7, off=1), "w1 s%= 7"),
        (asm.alu64_reg(op.BPF_MOV, 1, 2, off=1), "r1 = addr_space_cast(r2, 0, 0)"),
        # memory
        (asm.ldx_mem(op.BPF_W, 1, 1, 76), "r1 = *(u32 *)(r1 +76)"),
        (asm.ldx_mem(op.BPF_DW, 0, 10, -8), "r0 = *(u64 *)(r10 -8)"),
        (asm.ldx_memsx(op.BPF_B, 1, 2, 0), "r1 = *(s8 *)(r2 +0)"),
        (asm.stx_mem(op.BPF_W, 10, 1, -4), "*(u32 *)(r10 -4) = r1"),
        (asm.st_mem(op.BPF_H, 10, -2, 7), "*(u16 *)(r10 -2) = 7"),
        (asm.atomic(op.BPF_DW, op.BPF_ADD, 1, 2, 0), "lock *(u64 *)(r1 +0) += r2"),
        (asm.atomic(op.BPF_W, op.BPF_OR, 1, 2, 8), "lock *(u32 *)(r1 +8) |= r2"),
        (asm.atomic(op.BPF_DW, op.BPF_ADD | op.BPF_FETCH, 1, 2, 0), "r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)"),
        (asm.atomic(op.BPF_W, op.BPF_XOR | op.BPF_FETCH, 1, 3, 4), "r3 = atomic_fetch_xor((u32 *)(r1 +4), r3)"),
        (asm.atomic(op.BPF_DW, op.BPF_XCHG, 1, 2, 0), "r2 = atomic64_xchg((u64 *)(r1 +0), r2)"),
        (asm.atomic(op.BPF_DW, op.BPF_CMPXCHG, 1, 2, 0), "r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)"),
        (asm.ld_abs(op.BPF_B, 23), "r0 = *(u8 *)skb[23]"),
        (asm.ld_ind(op.BPF_W, 3, 4), "r0 = *(u32 *)skb[r3 + 4]"),
        # jumps
        (asm.jmp_reg(op.BPF_JGT, 2, 3, 5), "if r2 > r3 goto pc+5"),
        (asm.jmp_imm(op.BPF_JEQ, 0, 0, 1), "if r0 == 0x0 goto pc+1"),
        (asm.jmp_imm(op.BPF_JNE, 1, -1, -3), "if r1 != 0xffffffff goto pc-3"),
        (asm.jmp_imm(op.BPF_JSLT, 1, 4, 2), "if r1 s< 0x4 goto pc+2"),
        (asm.jmp_imm(op.BPF_JSET, 1, 4, 2), "if r1 & 0x4 goto pc+2"),
        (asm.jmp32_reg(op.BPF_JLE, 1, 2, 2), "if w1 <= w2 goto pc+2"),
        (asm.jmp32_imm(op.BPF_JSGE, 1, 9, 2), "if w1 s>= 0x9 goto pc+2"),
        (asm.ja(-7), "goto pc-7"),
        (asm.gotol(100000), "gotol pc+100000"),
        (asm.may_goto(3), "may_goto pc+3"),
        (asm.call_helper(1), "call bpf_map_lookup_elem#1"),
        (asm.call_helper(12), "call bpf_tail_call#12"),
        (asm.call_helper(6), "call bpf_trace_printk#6"),
        (asm.call_helper(999), "call unknown#999"),
        (asm.call_pseudo(4), "call pc+4"),
        (asm.call_kfunc(1234), "call kernel-function#1234"),
        (asm.exit_insn(), "exit"),
    ],
)
def test_text(insn: Insn, text: str) -> None:
    assert disasm(insn, helper_names=HELPERS) == text


def test_line_with_index_has_opcode_column() -> None:
    assert disasm(asm.mov64_imm(0, 0), 3) == "3: (b7) r0 = 0"
    assert disasm(asm.ldx_mem(op.BPF_W, 1, 1, 76), 0) == "0: (61) r1 = *(u32 *)(r1 +76)"


def test_ld_imm64_forms() -> None:
    assert disasm(asm.ld_imm64(1, 0x1234_5678_9ABC)[0]) == "r1 = 0x123456789abc"
    assert disasm(asm.ld_imm64(1, 3, src=op.BPF_PSEUDO_MAP_FD)[0]) == "r1 = map[id:3]"
    assert disasm(asm.ld_map_value(2, 4, 16)[0]) == "r2 = map[id:4][0]+16"
    assert disasm(asm.ld_imm64(1, 0)[1]) == ""


def test_unknown_forms_do_not_crash() -> None:
    assert disasm(Insn(op.BPF_ALU | 0xE0, 1, 0, 0, 0)) == "BUG_alu_e4"
    assert disasm(Insn(op.BPF_LDX | 0x20, 1, 0, 0, 0)) == "BUG_ldx_21"
    assert disasm(Insn(op.BPF_JMP | 0xF0, 1, 0, 0, 0)) == "BUG_jmp_f5"
    assert disasm(Insn(op.BPF_STX | 0x20, 1, 0, 0, 0)) == "BUG_23"


def test_helper_display_name() -> None:
    assert helper_display_name(1, HELPERS) == "bpf_map_lookup_elem"
    assert helper_display_name(2, None) == "unknown"


def test_disassemble_program_uses_map_refs_and_skips_tails() -> None:
    insns = asm.program(
        asm.mov64_imm(1, 0),
        asm.ld_imm64(1, 0),
        asm.ld_imm64(2, 0),
        asm.call_helper(1),
        asm.exit_insn(),
    )
    prog = Program(
        "p", "xdp", "xdp", insns, map_refs={1: MapRef(0, op.BPF_PSEUDO_MAP_FD), 3: MapRef(2, op.BPF_PSEUDO_MAP_VALUE, 8)}
    )
    assert disassemble(prog, HELPERS) == [
        "0: (b7) r1 = 0",
        "1: (18) r1 = map[id:0]",
        "3: (18) r2 = map[id:2][0]+8",
        "5: (85) call bpf_map_lookup_elem#1",
        "6: (95) exit",
    ]
