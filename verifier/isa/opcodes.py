"""BPF instruction encoding constants.

Source: include/uapi/linux/bpf.h and bpf_common.h (torvalds/linux), and
Documentation/bpf/standardization/instruction-set.rst for the cpu v4 forms.
"""

# instruction classes (low 3 bits of the opcode)
BPF_LD = 0x00
BPF_LDX = 0x01
BPF_ST = 0x02
BPF_STX = 0x03
BPF_ALU = 0x04
BPF_JMP = 0x05
BPF_JMP32 = 0x06
BPF_ALU64 = 0x07

# size (bits 3-4) for LD/LDX/ST/STX
BPF_W = 0x00
BPF_H = 0x08
BPF_B = 0x10
BPF_DW = 0x18
SIZE_BYTES = {BPF_W: 4, BPF_H: 2, BPF_B: 1, BPF_DW: 8}
SIZE_NAMES = {BPF_W: "u32", BPF_H: "u16", BPF_B: "u8", BPF_DW: "u64"}

# mode (bits 5-7) for LD/LDX/ST/STX
BPF_IMM = 0x00
BPF_ABS = 0x20
BPF_IND = 0x40
BPF_MEM = 0x60
BPF_MEMSX = 0x80  # cpu v4 sign-extending loads
BPF_ATOMIC = 0xC0  # formerly BPF_XADD

# source (bit 3) for ALU/JMP
BPF_K = 0x00
BPF_X = 0x08
# BPF_END direction, same bit as the source
BPF_TO_LE = 0x00
BPF_TO_BE = 0x08

# ALU operations (bits 4-7)
BPF_ADD = 0x00
BPF_SUB = 0x10
BPF_MUL = 0x20
BPF_DIV = 0x30
BPF_OR = 0x40
BPF_AND = 0x50
BPF_LSH = 0x60
BPF_RSH = 0x70
BPF_NEG = 0x80
BPF_MOD = 0x90
BPF_XOR = 0xA0
BPF_MOV = 0xB0
BPF_ARSH = 0xC0
BPF_END = 0xD0

# JMP operations (bits 4-7)
BPF_JA = 0x00
BPF_JEQ = 0x10
BPF_JGT = 0x20
BPF_JGE = 0x30
BPF_JSET = 0x40
BPF_JNE = 0x50
BPF_JSGT = 0x60
BPF_JSGE = 0x70
BPF_CALL = 0x80
BPF_EXIT = 0x90
BPF_JLT = 0xA0
BPF_JLE = 0xB0
BPF_JSLT = 0xC0
BPF_JSLE = 0xD0
BPF_JCOND = 0xE0  # may_goto (src_reg == BPF_MAY_GOTO)

# atomic operations (imm of BPF_STX|BPF_ATOMIC)
BPF_FETCH = 0x01
BPF_XCHG = 0xE0 | BPF_FETCH
BPF_CMPXCHG = 0xF0 | BPF_FETCH
BPF_LOAD_ACQ = 0x100
BPF_STORE_REL = 0x110

# src_reg values of ld_imm64 (BPF_LD|BPF_DW|BPF_IMM)
BPF_PSEUDO_MAP_FD = 1
BPF_PSEUDO_MAP_VALUE = 2
BPF_PSEUDO_BTF_ID = 3
BPF_PSEUDO_FUNC = 4
BPF_PSEUDO_MAP_IDX = 5
BPF_PSEUDO_MAP_IDX_VALUE = 6

# src_reg values of BPF_JMP|BPF_CALL
BPF_PSEUDO_CALL = 1
BPF_PSEUDO_KFUNC_CALL = 2

BPF_MAY_GOTO = 0

LD_IMM64 = BPF_LD | BPF_DW | BPF_IMM  # 0x18
CALL = BPF_JMP | BPF_CALL  # 0x85
EXIT = BPF_JMP | BPF_EXIT  # 0x95

MAX_BPF_REG = 11  # r0..r10
BPF_REG_FP = 10
INSN_SIZE = 8


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
