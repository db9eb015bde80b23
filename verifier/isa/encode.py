"""Build and encode BPF instructions: the inverse of `verifier.isa.decode`.

`encode(insns)` turns a list of `Insn` (as `decode` returns it: an `ld_imm64` head followed
by its tail) back into bytes. The small builders below (named after the kernel's
`BPF_*_INSN` macros in include/linux/filter.h) make hand-assembled programs readable in
tests and in the fuzzer; `ld_imm64` returns the two slots.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence

from verifier.errors import InputError
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn

_LE = struct.Struct("<BBhi")
_BE = struct.Struct(">BBhi")


def _check_fields(index: int, insn: Insn) -> None:
    if not 0 <= insn.opcode <= 0xFF:
        raise InputError(f"insn {index}: opcode {insn.opcode} does not fit in 8 bits")
    if not (0 <= insn.dst <= 0xF and 0 <= insn.src <= 0xF):
        raise InputError(f"insn {index}: register number does not fit in 4 bits (dst={insn.dst} src={insn.src})")
    if not -0x8000 <= insn.off <= 0x7FFF:
        raise InputError(f"insn {index}: off {insn.off} does not fit in a signed 16-bit field")
    if not -0x80000000 <= insn.imm <= 0x7FFFFFFF:
        raise InputError(f"insn {index}: imm {insn.imm} does not fit in a signed 32-bit field")


def encode(insns: Sequence[Insn], little_endian: bool = True) -> bytes:
    """Bytes of `insns`, one 8-byte record per `Insn`.

    Raises InputError for a field that does not fit its width, or an `ld_imm64` head that
    is not followed by its tail.
    """
    layout = _LE if little_endian else _BE
    out = bytearray()
    for index, insn in enumerate(insns):
        _check_fields(index, insn)
        if insn.is_ld_imm64 and (index + 1 >= len(insns) or not insns[index + 1].is_ld_imm64_tail):
            raise InputError(f"insn {index}: ld_imm64 is not followed by its second half")
        regs = (insn.src << 4) | insn.dst if little_endian else (insn.dst << 4) | insn.src
        out += layout.pack(insn.opcode, regs, insn.off, insn.imm)
    return bytes(out)


def _s32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


# ---------------------------------------------------------------------------
# Builders (include/linux/filter.h macro names, lower case)


def alu64_imm(operation: int, dst: int, imm: int, off: int = 0) -> Insn:
    return Insn(op.BPF_ALU64 | operation | op.BPF_K, dst, 0, off, imm)


def alu64_reg(operation: int, dst: int, src: int, off: int = 0) -> Insn:
    return Insn(op.BPF_ALU64 | operation | op.BPF_X, dst, src, off, 0)


def alu32_imm(operation: int, dst: int, imm: int, off: int = 0) -> Insn:
    return Insn(op.BPF_ALU | operation | op.BPF_K, dst, 0, off, imm)


def alu32_reg(operation: int, dst: int, src: int, off: int = 0) -> Insn:
    return Insn(op.BPF_ALU | operation | op.BPF_X, dst, src, off, 0)


def mov64_imm(dst: int, imm: int) -> Insn:
    return alu64_imm(op.BPF_MOV, dst, imm)


def mov64_reg(dst: int, src: int) -> Insn:
    return alu64_reg(op.BPF_MOV, dst, src)


def mov32_imm(dst: int, imm: int) -> Insn:
    return alu32_imm(op.BPF_MOV, dst, imm)


def ld_imm64(dst: int, value: int, src: int = 0) -> list[Insn]:
    """Both slots of `dst = value ll` (src: BPF_PSEUDO_* kind, 0 for a plain constant)."""
    value &= 0xFFFFFFFFFFFFFFFF
    low, high = _s32(value), _s32(value >> 32)
    head = Insn(op.LD_IMM64, dst, src, 0, low, imm64=value, next_imm=high)
    return [head, Insn(0, 0, 0, 0, high, is_ld_imm64_tail=True)]


def ld_map_value(dst: int, map_fd: int, offset: int) -> list[Insn]:
    """`dst = map[fd][0] + offset` (BPF_PSEUDO_MAP_VALUE): the map in imm, the offset in the tail."""
    low = _s32(map_fd)
    head = Insn(op.LD_IMM64, dst, op.BPF_PSEUDO_MAP_VALUE, 0, low,
                imm64=(map_fd & 0xFFFFFFFF) | ((offset & 0xFFFFFFFF) << 32), next_imm=_s32(offset))
    return [head, Insn(0, 0, 0, 0, _s32(offset), is_ld_imm64_tail=True)]


def ldx_mem(size: int, dst: int, src: int, off: int) -> Insn:
    return Insn(op.BPF_LDX | size | op.BPF_MEM, dst, src, off, 0)


def ldx_memsx(size: int, dst: int, src: int, off: int) -> Insn:
    return Insn(op.BPF_LDX | size | op.BPF_MEMSX, dst, src, off, 0)


def stx_mem(size: int, dst: int, src: int, off: int) -> Insn:
    return Insn(op.BPF_STX | size | op.BPF_MEM, dst, src, off, 0)


def st_mem(size: int, dst: int, off: int, imm: int) -> Insn:
    return Insn(op.BPF_ST | size | op.BPF_MEM, dst, 0, off, imm)


def atomic(size: int, operation: int, dst: int, src: int, off: int) -> Insn:
    """BPF_STX | BPF_ATOMIC: `operation` goes in imm (BPF_ADD, BPF_ADD | BPF_FETCH, BPF_XCHG, ...)."""
    return Insn(op.BPF_STX | size | op.BPF_ATOMIC, dst, src, off, operation)


def ld_abs(size: int, imm: int) -> Insn:
    return Insn(op.BPF_LD | size | op.BPF_ABS, 0, 0, 0, imm)


def ld_ind(size: int, src: int, imm: int) -> Insn:
    return Insn(op.BPF_LD | size | op.BPF_IND, 0, src, 0, imm)


def jmp_imm(operation: int, dst: int, imm: int, off: int) -> Insn:
    return Insn(op.BPF_JMP | operation | op.BPF_K, dst, 0, off, imm)


def jmp_reg(operation: int, dst: int, src: int, off: int) -> Insn:
    return Insn(op.BPF_JMP | operation | op.BPF_X, dst, src, off, 0)


def jmp32_imm(operation: int, dst: int, imm: int, off: int) -> Insn:
    return Insn(op.BPF_JMP32 | operation | op.BPF_K, dst, 0, off, imm)


def jmp32_reg(operation: int, dst: int, src: int, off: int) -> Insn:
    return Insn(op.BPF_JMP32 | operation | op.BPF_X, dst, src, off, 0)


def ja(off: int) -> Insn:
    return Insn(op.BPF_JMP | op.BPF_JA, 0, 0, off, 0)


def gotol(imm: int) -> Insn:
    return Insn(op.BPF_JMP32 | op.BPF_JA, 0, 0, 0, imm)


def may_goto(off: int) -> Insn:
    return Insn(op.BPF_JMP | op.BPF_JCOND, 0, op.BPF_MAY_GOTO, off, 0)


def call_helper(helper_id: int) -> Insn:
    return Insn(op.CALL, 0, 0, 0, helper_id)


def call_pseudo(relative: int) -> Insn:
    """bpf-to-bpf call: the callee starts at pc + 1 + relative."""
    return Insn(op.CALL, 0, op.BPF_PSEUDO_CALL, 0, relative)


def call_kfunc(btf_id: int, btf_fd_index: int = 0) -> Insn:
    return Insn(op.CALL, 0, op.BPF_PSEUDO_KFUNC_CALL, btf_fd_index, btf_id)


def exit_insn() -> Insn:
    return Insn(op.EXIT, 0, 0, 0, 0)


def program(*parts: Insn | Iterable[Insn]) -> list[Insn]:
    """Flatten single instructions and `ld_imm64` pairs into one list."""
    out: list[Insn] = []
    for part in parts:
        if isinstance(part, Insn):
            out.append(part)
        else:
            out.extend(part)
    return out
