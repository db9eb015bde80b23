"""The opcodes a kernel accepts at all: `bpf_opcode_in_insntable()` of kernel/bpf/core.c.

The table is `BPF_INSN_MAP` plus the cBPF carry-over LD_ABS/LD_IND loads (and, from 6.9,
`BPF_JMP | BPF_JCOND`). What each kernel version adds is taken from the commits that
extended the map: JMP32 (5.1), cpu v4 (6.6: ALU64|END, JMP32|JA, LDX|MEMSX), may_goto
(6.9), STX|ATOMIC B/H for load-acquire/store-release (see kernel_facts).
"""

from __future__ import annotations

from verifier.cfg.kernel_facts import KernelView
from verifier.isa import opcodes as op

_ALU_OPS = (op.BPF_ADD, op.BPF_SUB, op.BPF_MUL, op.BPF_DIV, op.BPF_OR, op.BPF_AND, op.BPF_LSH, op.BPF_RSH,
            op.BPF_MOD, op.BPF_XOR, op.BPF_MOV, op.BPF_ARSH)
_COND_JMP_OPS = (op.BPF_JEQ, op.BPF_JGT, op.BPF_JGE, op.BPF_JSET, op.BPF_JNE, op.BPF_JSGT, op.BPF_JSGE)
_COND_JMP_EXT_OPS = (op.BPF_JLT, op.BPF_JLE, op.BPF_JSLT, op.BPF_JSLE)  # ISA v2 (4.14)
_SIZES = (op.BPF_B, op.BPF_H, op.BPF_W, op.BPF_DW)


def _alu_class(cls: int) -> set[int]:
    codes = {cls | alu | src for alu in _ALU_OPS for src in (op.BPF_K, op.BPF_X)}
    codes.add(cls | op.BPF_NEG)
    return codes


def _cond_jumps(cls: int, view: KernelView) -> set[int]:
    ops = _COND_JMP_OPS + (_COND_JMP_EXT_OPS if view.has("jmp_ext") else ())
    return {cls | jmp | src for jmp in ops for src in (op.BPF_K, op.BPF_X)}


def public_opcodes(view: KernelView) -> frozenset[int]:
    """Every opcode byte the target kernel's table knows."""
    codes: set[int] = set()
    codes |= _alu_class(op.BPF_ALU) | _alu_class(op.BPF_ALU64)
    codes |= {op.BPF_ALU | op.BPF_END | op.BPF_TO_BE, op.BPF_ALU | op.BPF_END | op.BPF_TO_LE}
    codes |= {op.CALL, op.EXIT, op.BPF_JMP | op.BPF_JA}
    codes |= _cond_jumps(op.BPF_JMP, view)
    if view.has("jmp32"):
        codes |= _cond_jumps(op.BPF_JMP32, view)
    if view.has("cpu_v4"):
        codes |= {op.BPF_ALU64 | op.BPF_END | op.BPF_TO_LE, op.BPF_JMP32 | op.BPF_JA}
        codes |= {op.BPF_LDX | op.BPF_MEMSX | size for size in (op.BPF_B, op.BPF_H, op.BPF_W)}
    if view.has("may_goto"):
        codes.add(op.BPF_JMP | op.BPF_JCOND)
    atomic_sizes = _SIZES if view.behaves("atomic_acquire_release") else (op.BPF_W, op.BPF_DW)
    codes |= {op.BPF_STX | op.BPF_ATOMIC | size for size in atomic_sizes}
    codes |= {cls | op.BPF_MEM | size for cls in (op.BPF_STX, op.BPF_ST, op.BPF_LDX) for size in _SIZES}
    codes.add(op.LD_IMM64)
    codes |= {op.BPF_LD | mode | size for mode in (op.BPF_ABS, op.BPF_IND) for size in (op.BPF_B, op.BPF_H, op.BPF_W)}
    return frozenset(codes)
