"""Static register liveness (`compute_live_registers()`, kernel 6.15+; the only register liveness
the 6.18 verifier uses when it compares states).

A backward data-flow over the instructions: a register is live before an instruction when that
instruction uses it, or when it is live after it and the instruction does not define it. Calls
(helper, kfunc or bpf-to-bpf) have one successor, the next instruction; `exit` has none. Per
instruction, `compute_insn_live_regs()`:

* ALU: defines dst; uses dst (not for MOV) and src (for the register forms).
* LDX: defines dst, uses src. ST: uses dst. STX: uses dst and src; atomics with BPF_FETCH define
  src, CMPXCHG uses and defines R0.
* `ld_imm64`: defines dst. LD_ABS/LD_IND: the defaults (uses every register, defines none).
* Conditional jumps use dst (and src); `exit` uses R0; a call defines R0-R5 and uses the helper's
  declared arguments (R1-R5 when the prototype is not known: bpf-to-bpf calls, kfuncs).

clean_func_state() turns the registers that are not live before a state's instruction (for a
caller's frame: before its call instruction) into NOT_INIT, which any register then matches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from verifier.isa import opcodes as op
from verifier.isa.insn import Insn

ALL: Final = 0xFFFF
R0: Final = 1
CALLER_SAVED: Final = 0x3F  # R0-R5
ARGS: Final = 0x3E  # R1-R5


def _use_def(insn: Insn, helper_args: Callable[[int], int | None]) -> tuple[int, int]:
    cls = insn.opcode & 7
    code = insn.opcode & 0xF0
    mode = insn.opcode & 0xE0
    src = 1 << insn.src
    dst = 1 << insn.dst
    reg_form = bool(insn.opcode & op.BPF_X)
    if cls == op.BPF_LD:
        if insn.is_ld_imm64:
            return 0, dst
        return ALL, 0
    if cls == op.BPF_LDX:
        return src, dst
    if cls == op.BPF_ST:
        return dst, 0
    if cls == op.BPF_STX:
        if mode != op.BPF_ATOMIC:
            return dst | src, 0
        aop = insn.imm
        if aop == op.BPF_CMPXCHG:
            return R0 | dst | src, R0
        if aop == 0x100:  # BPF_LOAD_ACQ
            return src, dst
        if aop == 0x110:  # BPF_STORE_REL
            return dst | src, 0
        return dst | src, (src if aop & op.BPF_FETCH else 0)
    if cls in (op.BPF_ALU, op.BPF_ALU64):
        if code == op.BPF_END:
            return dst, dst
        if code == op.BPF_MOV:
            return (src if reg_form else 0), dst
        return (dst | src if reg_form else dst), dst
    # jumps
    if code == op.BPF_JA:
        return 0, 0
    if code == op.BPF_EXIT:
        return R0, 0
    if code == op.BPF_CALL:
        n = helper_args(insn.imm) if insn.src == 0 else None
        return (ARGS if n is None else ((1 << (n + 1)) - 2)), CALLER_SAVED
    return (dst | src if reg_form else dst), 0


def _successors(t: int, insn: Insn, n: int) -> tuple[int, ...]:
    cls = insn.opcode & 7
    if cls in (op.BPF_JMP, op.BPF_JMP32):
        code = insn.opcode & 0xF0
        if code == op.BPF_EXIT:
            return ()
        if code == op.BPF_CALL:
            return (t + 1,)
        if code == op.BPF_JA:
            return (t + 1 + (insn.imm if cls == op.BPF_JMP32 else insn.off),)
        return (t + 1, t + 1 + insn.off)
    return (t + 2,) if insn.is_ld_imm64 else (t + 1,)


def successors(insns: Sequence[Insn]) -> list[tuple[int, ...]]:
    """insn_successors() within a function, for every instruction (calls: the next one)."""
    n = len(insns)
    out: list[tuple[int, ...]] = [()] * n
    for t, insn in enumerate(insns):
        if insn.is_ld_imm64_tail:
            continue
        cls = insn.opcode & 7
        if cls != op.BPF_JMP and cls != op.BPF_JMP32:  # no jump: the next instruction
            nxt = t + 2 if insn.is_ld_imm64 else t + 1
            out[t] = (nxt,) if nxt < n else ()
        else:
            out[t] = tuple(s for s in _successors(t, insn, n) if 0 <= s < n)
    return out


def live_regs_before(insns: Sequence[Insn], helper_args: Callable[[int], int | None]) -> list[int]:
    """Per instruction, the bitmask of registers live before it (R0 = bit 0)."""
    n = len(insns)
    use = [0] * n
    dfn = [0] * n
    succ = successors(insns)
    counts: dict[int, int | None] = {}  # per helper id: its prototype is looked up once

    def args_of(helper_id: int) -> int | None:
        if helper_id not in counts:
            counts[helper_id] = helper_args(helper_id)
        return counts[helper_id]

    for t, insn in enumerate(insns):
        if insn.is_ld_imm64_tail:
            continue
        use[t], dfn[t] = _use_def(insn, args_of)
    live = [0] * n
    changed = True
    while changed:
        changed = False
        for t in range(n - 1, -1, -1):
            if insns[t].is_ld_imm64_tail:
                continue
            out = 0
            for s in succ[t]:
                out |= live[s]
            new = (out & ~dfn[t]) | use[t]
            if new != live[t]:
                live[t] = new
                changed = True
    return live
