"""check_btf_func() in kernel/bpf/verifier.c: a subprogram (not the main program) that uses
LD_ABS/LD_IND, or makes a tail call, must return a scalar (a small int or an enum) by its BTF
prototype. Checked from the .BTF.ext func_info before any instruction is simulated."""

from __future__ import annotations

import bisect
from typing import Final

from verifier.abstract import helper_semantics as hs
from verifier.elf import btf as B
from verifier.isa import opcodes as op

MSG_LD_ABS: Final = "LD_ABS is only allowed in functions that return 'int'."
MSG_TAIL_CALL: Final = "tail_call is only allowed in functions that return 'int'."


def _scalar_return(btf, func_type_id: int) -> bool | None:
    func = btf.get(func_type_id)
    if func is None or func.kind != B.KIND_FUNC:
        return None
    proto = btf.resolve(func.size_or_type)
    if proto is None or proto.kind != B.KIND_FUNC_PROTO:
        return None
    ret = btf.resolve(proto.size_or_type)
    if ret is None:  # void
        return False
    if ret.kind == B.KIND_INT:
        return ret.size_or_type <= 8  # btf_type_is_small_int()
    return ret.kind in (B.KIND_ENUM, B.KIND_ENUM64)


def non_int_subprog_problem(obj, prog, starts: list[int]) -> str | None:
    """The kernel's message for the first subprogram (in func_info order) that breaks the rule."""
    btf = getattr(obj, "btf", None)
    func_info = getattr(prog, "func_info", None) or {}
    if btf is None or not func_info:
        return None
    has_ld_abs: set[int] = set()
    has_tail_call: set[int] = set()
    for idx, insn in enumerate(prog.insns):
        if insn.is_ld_imm64_tail:
            continue
        sub = bisect.bisect_right(starts, idx) - 1
        cls, mode = insn.opcode & 0x07, insn.opcode & 0xE0
        if cls == op.BPF_LD and mode in (op.BPF_ABS, op.BPF_IND):
            has_ld_abs.add(sub)
        elif insn.opcode == op.BPF_JMP | op.BPF_CALL and insn.src == 0 and insn.imm == hs.TAIL_CALL:
            has_tail_call.add(sub)
    for i, start in enumerate(starts):
        if i == 0 or (i not in has_ld_abs and i not in has_tail_call):
            continue
        type_id = func_info.get(start)
        if type_id is None or _scalar_return(btf, type_id) is not False:
            continue
        return MSG_LD_ABS if i in has_ld_abs else MSG_TAIL_CALL
    return None
