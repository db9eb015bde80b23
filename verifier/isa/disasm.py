"""Print instructions in the syntax of the kernel verifier log.

The text follows `print_bpf_insn()` in kernel/bpf/disasm.c (6.x): `r1 = *(u32 *)(r1 +76)`,
`if r2 > r3 goto pc+5`, `w1 += 2`, `call bpf_map_lookup_elem#1`, `lock *(u64 *)(r1 +0) += r2`,
`r1 = (s8)r2`, `r1 s/= r2`, `r1 = bswap16 r1`, `gotol pc+100`, `may_goto pc+3`.

Where the kernel would print a kernel address (an `ld_imm64` of a map), bpftool's form is
used instead: `r1 = map[id:N]` and `r1 = map[id:N][0]+off`, N being the index of the map in
the object (the program knows no kernel map ids).

`disasm(insn)` gives the text alone; `disasm(insn, idx)` the whole log line
`idx: (opcode) text`; `disassemble(program)` every line of a program (tails of `ld_imm64`
are not printed, as in the kernel log).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from verifier.isa import opcodes as op
from verifier.isa.insn import Insn

if TYPE_CHECKING:
    from verifier.elf.model import Program

# bpf_alu_string[] in kernel/bpf/disasm.c, indexed by BPF_OP >> 4
_ALU_OPS = ("+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "endian")
_ATOMIC_ALU = {op.BPF_ADD: "add", op.BPF_AND: "and", op.BPF_OR: "or", op.BPF_XOR: "xor"}
# bpf_jmp_string[] indexed by BPF_OP >> 4
_JMP_OPS = ("jmp", "==", ">", ">=", "&", "!=", "s>", "s>=", "call", "exit", "<", "<=", "s<", "s<=", "may_goto")
_LDST = {op.BPF_W: "u32", op.BPF_H: "u16", op.BPF_B: "u8", op.BPF_DW: "u64"}
_LDSX = {op.BPF_W: "s32", op.BPF_H: "s16", op.BPF_B: "s8", op.BPF_DW: "s64"}
_MOVSX = {8: "(s8)", 16: "(s16)", 32: "(s32)"}
_CLASS_NAMES = ("ld", "ldx", "st", "stx", "alu", "jmp", "jmp32", "alu64")
_ADDR_SPACE_CAST = 1  # BPF_ADDR_SPACE_CAST: off of ALU64|MOV|X
_ADDR_PERCPU = -1  # BPF_ADDR_PERCPU


def helper_display_name(helper_id: int, helper_names: Mapping[int, str] | None) -> str:
    """The kernel's func_id_str[]: "bpf_" + the helper name; "unknown" when not known."""
    name = helper_names.get(helper_id) if helper_names else None
    if not name:
        return "unknown"
    if name.startswith("BPF_FUNC_"):
        name = name[len("BPF_FUNC_") :]
    return name if name.startswith("bpf_") else f"bpf_{name}"


def _reg(cls: int, number: int) -> str:
    return f"{'w' if cls in (op.BPF_ALU, op.BPF_JMP32) else 'r'}{number}"


def _mem(size_name: str, reg: int, off: int) -> str:
    return f"*({size_name} *)(r{reg} {off:+d})"


def _alu(insn: Insn) -> str:
    cls, operation = insn.cls, insn.opcode & 0xF0
    dst = _reg(cls, insn.dst)
    if operation == op.BPF_END:
        if cls == op.BPF_ALU64:
            return f"r{insn.dst} = bswap{insn.imm} r{insn.dst}"
        order = "be" if insn.opcode & op.BPF_TO_BE else "le"
        return f"r{insn.dst} = {order}{insn.imm} r{insn.dst}"
    if operation == op.BPF_NEG:
        return f"{dst} = -{dst}"
    is_reg = bool(insn.opcode & op.BPF_X)
    if cls == op.BPF_ALU64 and operation == op.BPF_MOV and is_reg:
        if insn.off == _ADDR_SPACE_CAST:
            return f"r{insn.dst} = addr_space_cast(r{insn.src}, {(insn.imm & 0xFFFFFFFF) >> 16}, {insn.imm & 0xFFFF})"
        if insn.off == _ADDR_PERCPU:
            return f"r{insn.dst} = &(void __percpu *)(r{insn.src})"
    if operation >> 4 >= len(_ALU_OPS):
        return f"BUG_alu_{insn.opcode:02x}"
    symbol = _ALU_OPS[operation >> 4]
    if operation in (op.BPF_DIV, op.BPF_MOD) and insn.off == 1:
        symbol = "s" + symbol
    if is_reg:
        cast = _MOVSX.get(insn.off, "") if operation == op.BPF_MOV else ""
        return f"{dst} {symbol} {cast}{_reg(cls, insn.src)}"
    return f"{dst} {symbol} {insn.imm}"


def _stx(insn: Insn) -> str:
    size = insn.opcode & 0x18
    mode = insn.opcode & 0xE0
    sz = _LDST[size]
    if mode == op.BPF_MEM:
        return f"{_mem(sz, insn.dst, insn.off)} = r{insn.src}"
    if mode != op.BPF_ATOMIC:
        return f"BUG_{insn.opcode:02x}"
    width = "64" if size == op.BPF_DW else ""
    target = f"({sz} *)(r{insn.dst} {insn.off:+d})"
    imm = insn.imm
    if imm in _ATOMIC_ALU:
        return f"lock {_mem(sz, insn.dst, insn.off)} {_ALU_OPS[imm >> 4]} r{insn.src}"
    if imm & op.BPF_FETCH and (imm & ~op.BPF_FETCH) in _ATOMIC_ALU:
        name = _ATOMIC_ALU[imm & ~op.BPF_FETCH]
        return f"r{insn.src} = atomic{width}_fetch_{name}({target}, r{insn.src})"
    if imm == op.BPF_CMPXCHG:
        return f"r0 = atomic{width}_cmpxchg({target}, r0, r{insn.src})"
    if imm == op.BPF_XCHG:
        return f"r{insn.src} = atomic{width}_xchg({target}, r{insn.src})"
    if imm == op.BPF_LOAD_ACQ:
        return f"r{insn.dst} = load_acquire(({sz} *)(r{insn.src} {insn.off:+d}))"
    if imm == op.BPF_STORE_REL:
        return f"store_release({target}, r{insn.src})"
    return f"BUG_{insn.opcode:02x}"


def _st(insn: Insn) -> str:
    if insn.opcode & 0xE0 == op.BPF_MEM:
        return f"{_mem(_LDST[insn.opcode & 0x18], insn.dst, insn.off)} = {insn.imm}"
    if insn.opcode & 0xE0 == 0xC0:  # BPF_NOSPEC (kernel-internal)
        return "nospec"
    return f"BUG_st_{insn.opcode:02x}"


def _ldx(insn: Insn) -> str:
    mode, size = insn.opcode & 0xE0, insn.opcode & 0x18
    if mode == op.BPF_MEM:
        return f"r{insn.dst} = {_mem(_LDST[size], insn.src, insn.off)}"
    if mode == op.BPF_MEMSX:
        return f"r{insn.dst} = {_mem(_LDSX[size], insn.src, insn.off)}"
    return f"BUG_ldx_{insn.opcode:02x}"


def _ld_imm64_value(insn: Insn, map_index: int | None) -> str:
    src = insn.src
    if src in (op.BPF_PSEUDO_MAP_FD, op.BPF_PSEUDO_MAP_IDX):
        return f"map[id:{insn.imm if map_index is None else map_index}]"
    if src in (op.BPF_PSEUDO_MAP_VALUE, op.BPF_PSEUDO_MAP_IDX_VALUE):
        return f"map[id:{insn.imm if map_index is None else map_index}][0]+{insn.next_imm & 0xFFFFFFFF}"
    if src == op.BPF_PSEUDO_FUNC:
        return f"pc{insn.imm:+d}"
    return f"0x{insn.imm64:x}"


def _ld(insn: Insn, map_index: int | None = None) -> str:
    mode, size = insn.opcode & 0xE0, insn.opcode & 0x18
    if mode == op.BPF_ABS:
        return f"r0 = *({_LDST[size]} *)skb[{insn.imm}]"
    if mode == op.BPF_IND:
        return f"r0 = *({_LDST[size]} *)skb[r{insn.src} + {insn.imm}]"
    if mode == op.BPF_IMM and size == op.BPF_DW:
        return f"r{insn.dst} = {_ld_imm64_value(insn, map_index)}"
    return f"BUG_ld_{insn.opcode:02x}"


def _jmp(insn: Insn, helper_names: Mapping[int, str] | None) -> str:
    cls, operation = insn.cls, insn.opcode & 0xF0
    if operation == op.BPF_CALL:
        if insn.src == op.BPF_PSEUDO_CALL:
            return f"call pc{insn.imm:+d}"
        if insn.src == op.BPF_PSEUDO_KFUNC_CALL:  # the kernel prints the BTF name, unknown here
            return f"call kernel-function#{insn.imm}"
        return f"call {helper_display_name(insn.imm, helper_names)}#{insn.imm}"
    if insn.opcode == op.BPF_JMP | op.BPF_JA:
        return f"goto pc{insn.off:+d}"
    if insn.opcode == op.BPF_JMP32 | op.BPF_JA:
        return f"gotol pc{insn.imm:+d}"
    if insn.opcode == op.BPF_JMP | op.BPF_JCOND and insn.src == op.BPF_MAY_GOTO:
        return f"may_goto pc{insn.off:+d}"
    if insn.opcode == op.EXIT:
        return "exit"
    if operation >> 4 >= len(_JMP_OPS) or operation in (op.BPF_JA, op.BPF_EXIT, op.BPF_JCOND):
        return f"BUG_jmp_{insn.opcode:02x}"
    symbol = _JMP_OPS[operation >> 4]
    if insn.opcode & op.BPF_X:
        return f"if {_reg(cls, insn.dst)} {symbol} {_reg(cls, insn.src)} goto pc{insn.off:+d}"
    return f"if {_reg(cls, insn.dst)} {symbol} 0x{insn.imm & 0xFFFFFFFF:x} goto pc{insn.off:+d}"


def insn_text(insn: Insn, helper_names: Mapping[int, str] | None = None, map_index: int | None = None) -> str:
    """The instruction part of a log line (no index, no opcode column); "" for an ld_imm64 tail."""
    if insn.is_ld_imm64_tail:
        return ""
    cls = insn.cls
    if cls in (op.BPF_ALU, op.BPF_ALU64):
        return _alu(insn)
    if cls == op.BPF_STX:
        return _stx(insn)
    if cls == op.BPF_ST:
        return _st(insn)
    if cls == op.BPF_LDX:
        return _ldx(insn)
    if cls == op.BPF_LD:
        return _ld(insn, map_index)
    if cls in (op.BPF_JMP, op.BPF_JMP32):
        return _jmp(insn, helper_names)
    return _CLASS_NAMES[cls]


def disasm(insn: Insn, idx: int | None = None, helper_names: Mapping[int, str] | None = None) -> str:
    """Kernel-log text of one instruction: `r0 = 0`, or with `idx` the line `3: (b7) r0 = 0`."""
    text = insn_text(insn, helper_names)
    if idx is None:
        return text
    return f"{idx}: ({insn.opcode:02x}) {text}"


def disassemble(program: Program, helper_names: Mapping[int, str] | None = None) -> list[str]:
    """Every instruction of `program` as a verifier-log line (`idx: (op) text`), ld_imm64 tails skipped."""
    lines: list[str] = []
    for idx, insn in enumerate(program.insns):
        if insn.is_ld_imm64_tail:
            continue
        ref = program.map_refs.get(idx)
        if ref is not None and insn.is_ld_imm64:
            shown = Insn(insn.opcode, insn.dst, ref.pseudo, insn.off, insn.imm, insn.imm64, ref.offset)
            text = insn_text(shown, helper_names, map_index=ref.map_index)
        elif idx in program.func_refs and insn.is_ld_imm64:
            text = f"r{insn.dst} = pc{program.func_refs[idx] - idx - 1:+d}"
        else:
            text = insn_text(insn, helper_names)
        lines.append(f"{idx}: ({insn.opcode:02x}) {text}")
    return lines
