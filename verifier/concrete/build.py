"""Small constructors of `Insn` lists, for tests and hand-written programs.

`ld_imm64` returns two instructions (the kernel's two slots); use `flatten` on a list that
mixes single instructions and such pairs.
"""

from __future__ import annotations

from verifier.isa import opcodes as op
from verifier.isa.insn import Insn

SIZE = {1: op.BPF_B, 2: op.BPF_H, 4: op.BPF_W, 8: op.BPF_DW}
ALU_OPS = {
    "+": op.BPF_ADD, "-": op.BPF_SUB, "*": op.BPF_MUL, "/": op.BPF_DIV, "|": op.BPF_OR, "&": op.BPF_AND,
    "<<": op.BPF_LSH, ">>": op.BPF_RSH, "neg": op.BPF_NEG, "%": op.BPF_MOD, "^": op.BPF_XOR,
    "=": op.BPF_MOV, "s>>": op.BPF_ARSH,
}
JMP_OPS = {
    "==": op.BPF_JEQ, ">": op.BPF_JGT, ">=": op.BPF_JGE, "&": op.BPF_JSET, "!=": op.BPF_JNE,
    "s>": op.BPF_JSGT, "s>=": op.BPF_JSGE, "<": op.BPF_JLT, "<=": op.BPF_JLE, "s<": op.BPF_JSLT,
    "s<=": op.BPF_JSLE,
}


def alu(dst: int, operator: str, src: int | None = None, imm: int = 0, is64: bool = True,
        off: int = 0) -> Insn:
    """`dst <operator>= src` (register) or `dst <operator>= imm` when src is None."""
    cls = op.BPF_ALU64 if is64 else op.BPF_ALU
    source = op.BPF_K if src is None else op.BPF_X
    return Insn(cls | ALU_OPS[operator] | source, dst, src or 0, off, imm)


def mov(dst: int, src: int | None = None, imm: int = 0) -> Insn:
    return alu(dst, "=", src, imm)


def ldx(dst: int, src: int, off: int, size: int) -> Insn:
    return Insn(op.BPF_LDX | op.BPF_MEM | SIZE[size], dst, src, off, 0)


def stx(dst: int, off: int, src: int, size: int) -> Insn:
    return Insn(op.BPF_STX | op.BPF_MEM | SIZE[size], dst, src, off, 0)


def st(dst: int, off: int, imm: int, size: int) -> Insn:
    return Insn(op.BPF_ST | op.BPF_MEM | SIZE[size], dst, 0, off, imm)


def jmp(dst: int, operator: str, off: int, src: int | None = None, imm: int = 0, is64: bool = True) -> Insn:
    cls = op.BPF_JMP if is64 else op.BPF_JMP32
    source = op.BPF_K if src is None else op.BPF_X
    return Insn(cls | JMP_OPS[operator] | source, dst, src or 0, off, imm)


def ja(off: int) -> Insn:
    return Insn(op.BPF_JMP | op.BPF_JA, 0, 0, off, 0)


def call(helper: int) -> Insn:
    return Insn(op.CALL, 0, 0, 0, helper)


def call_local(offset: int) -> Insn:
    return Insn(op.CALL, 0, op.BPF_PSEUDO_CALL, 0, offset)


def exit_() -> Insn:
    return Insn(op.EXIT, 0, 0, 0, 0)


def ld_imm64(dst: int, value: int, src: int = 0, next_imm: int = 0) -> list[Insn]:
    value &= (1 << 64) - 1
    low = value & 0xFFFFFFFF
    high = value >> 32
    first = Insn(op.LD_IMM64, dst, src, 0, low - (1 << 32) if low >> 31 else low, imm64=value,
                 next_imm=next_imm or (high - (1 << 32) if high >> 31 else high))
    tail = Insn(0, 0, 0, 0, first.next_imm, is_ld_imm64_tail=True)
    return [first, tail]


def flatten(parts: list[Insn | list[Insn]]) -> list[Insn]:
    out: list[Insn] = []
    for part in parts:
        out.extend(part if isinstance(part, list) else [part])
    return out
