"""BPF instruction encoding constants.

Source: include/uapi/linux/bpf.h and bpf_common.h (torvalds/linux), and
Documentation/bpf/standardization/instruction-set.rst for the cpu v4 forms.
"""

from typing import Final

# instruction classes (low 3 bits of the opcode)
BPF_LD: Final = 0x00
BPF_LDX: Final = 0x01
BPF_ST: Final = 0x02
BPF_STX: Final = 0x03
BPF_ALU: Final = 0x04
BPF_JMP: Final = 0x05
BPF_JMP32: Final = 0x06
BPF_ALU64: Final = 0x07

# size (bits 3-4) for LD/LDX/ST/STX
BPF_W: Final = 0x00
BPF_H: Final = 0x08
BPF_B: Final = 0x10
BPF_DW: Final = 0x18
SIZE_BYTES: Final = {BPF_W: 4, BPF_H: 2, BPF_B: 1, BPF_DW: 8}
SIZE_NAMES: Final = {BPF_W: "u32", BPF_H: "u16", BPF_B: "u8", BPF_DW: "u64"}

# mode (bits 5-7) for LD/LDX/ST/STX
BPF_IMM: Final = 0x00
BPF_ABS: Final = 0x20
BPF_IND: Final = 0x40
BPF_MEM: Final = 0x60
BPF_MEMSX: Final = 0x80  # cpu v4 sign-extending loads
BPF_ATOMIC: Final = 0xC0  # formerly BPF_XADD

# source (bit 3) for ALU/JMP
BPF_K: Final = 0x00
BPF_X: Final = 0x08
# BPF_END direction, same bit as the source
BPF_TO_LE: Final = 0x00
BPF_TO_BE: Final = 0x08

# ALU operations (bits 4-7)
BPF_ADD: Final = 0x00
BPF_SUB: Final = 0x10
BPF_MUL: Final = 0x20
BPF_DIV: Final = 0x30
BPF_OR: Final = 0x40
BPF_AND: Final = 0x50
BPF_LSH: Final = 0x60
BPF_RSH: Final = 0x70
BPF_NEG: Final = 0x80
BPF_MOD: Final = 0x90
BPF_XOR: Final = 0xA0
BPF_MOV: Final = 0xB0
BPF_ARSH: Final = 0xC0
BPF_END: Final = 0xD0

# JMP operations (bits 4-7)
BPF_JA: Final = 0x00
BPF_JEQ: Final = 0x10
BPF_JGT: Final = 0x20
BPF_JGE: Final = 0x30
BPF_JSET: Final = 0x40
BPF_JNE: Final = 0x50
BPF_JSGT: Final = 0x60
BPF_JSGE: Final = 0x70
BPF_CALL: Final = 0x80
BPF_EXIT: Final = 0x90
BPF_JLT: Final = 0xA0
BPF_JLE: Final = 0xB0
BPF_JSLT: Final = 0xC0
BPF_JSLE: Final = 0xD0
BPF_JCOND: Final = 0xE0  # may_goto (src_reg == BPF_MAY_GOTO)

# atomic operations (imm of BPF_STX|BPF_ATOMIC)
BPF_FETCH: Final = 0x01
BPF_XCHG: Final = 0xE0 | BPF_FETCH
BPF_CMPXCHG: Final = 0xF0 | BPF_FETCH
BPF_LOAD_ACQ: Final = 0x100
BPF_STORE_REL: Final = 0x110

# src_reg values of ld_imm64 (BPF_LD|BPF_DW|BPF_IMM)
BPF_PSEUDO_MAP_FD: Final = 1
BPF_PSEUDO_MAP_VALUE: Final = 2
BPF_PSEUDO_BTF_ID: Final = 3
BPF_PSEUDO_FUNC: Final = 4
BPF_PSEUDO_MAP_IDX: Final = 5
BPF_PSEUDO_MAP_IDX_VALUE: Final = 6

# src_reg values of BPF_JMP|BPF_CALL
BPF_PSEUDO_CALL: Final = 1
BPF_PSEUDO_KFUNC_CALL: Final = 2

BPF_MAY_GOTO: Final = 0

LD_IMM64: Final = BPF_LD | BPF_DW | BPF_IMM  # 0x18
CALL: Final = BPF_JMP | BPF_CALL  # 0x85
EXIT: Final = BPF_JMP | BPF_EXIT  # 0x95

MAX_BPF_REG: Final = 11  # r0..r10
BPF_REG_FP: Final = 10
INSN_SIZE: Final = 8


def insn_class(opcode: int) -> int:
    return opcode & 0x07


def alu_op(opcode: int) -> int:
    return opcode & 0xF0


def jmp_op(opcode: int) -> int:
    return opcode & 0xF0


def src_bit(opcode: int) -> int:
    return opcode & 0x08


def mem_size(opcode: int) -> int:
    return opcode & 0x18


def mem_mode(opcode: int) -> int:
    return opcode & 0xE0
