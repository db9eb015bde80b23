"""Prune points: the instructions at which the kernel looks for an equivalent explored state.

check_cfg() marks them while it walks the control-flow graph (kernel/bpf/verifier.c,
`visit_insn()` / `visit_func_call_insn()` / `push_insn()`); do_check() calls
is_state_visited() only there. Two layouts:

* every version: each conditional jump (checked before it branches) and the target of its
  branch edge (push_insn() marks every BRANCH edge's target: jump targets, callees' first
  instructions), the target of an unconditional jump, the instruction after every call, a
  bpf-to-bpf call (and an `ld_imm64` of a function).
* up to 6.2 (`init_explored_state()`) also the instruction after an unconditional jump; since
  6.3 (commit 618945fbed52, "bpf: remove unnecessary prune and jump points") no longer, but
  calls of helpers that take a callback and an open-coded iterator's `_next` kfunc are.

Some prune points force a new checkpoint whatever the heuristics say (`mark_force_checkpoint()`):
calls of helpers that call a callback synchronously, iterator `_next` calls and `may_goto`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from typing import NamedTuple

from verifier.abstract import helper_semantics as hs
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn

# helpers whose callback runs later, in another context (is_async_callback_calling_insn())
ASYNC_CALLBACK_HELPERS = frozenset({hs.TIMER_SET_CALLBACK})


def is_iter_next_kfunc(name: str | None) -> bool:
    """is_iter_next_kfunc(): the `_next` method of an open-coded iterator (KF_ITER_NEXT)."""
    return bool(name) and name.startswith("bpf_iter_") and name.endswith("_next")


class PrunePoints(NamedTuple):
    points: set[int]  # is_state_visited() runs here
    force: set[int]  # ... and always adds a checkpoint
    jmp_points: set[int]  # the kernel records the instruction in its history (mark_jmp_point())


def prune_points(
    insns: Sequence[Insn], extern_refs: Mapping[int, str], reduced: bool, callback_calls: Set[int] = frozenset()
) -> PrunePoints:
    """The prune points of a program; `reduced`: the 6.3+ layout; `callback_calls`: calls of helpers
    that call a callback synchronously, where the callback's iterations meet (6.7+:
    mark_calls_callback(), mark_force_checkpoint())."""
    points: set[int] = set()
    force: set[int] = set()
    jmp: set[int] = set()
    n = len(insns)

    def mark(i: int, jmp_point: bool = True) -> None:
        if 0 <= i < n:
            points.add(i)
            if jmp_point:
                jmp.add(i)

    for t, insn in enumerate(insns):
        if insn.is_ld_imm64_tail:
            continue
        cls = insn.opcode & 7
        if insn.is_ld_imm64 and insn.src == op.BPF_PSEUDO_FUNC:
            mark(t + 2 if reduced else t + 1)
            mark(t, False)
            mark(t + insn.imm + 1)
            continue
        if cls not in (op.BPF_JMP, op.BPF_JMP32):
            continue
        code = insn.opcode & 0xF0
        if code == op.BPF_EXIT:
            continue
        if code == op.BPF_CALL:
            if reduced and insn.src == 0:
                if insn.imm in ASYNC_CALLBACK_HELPERS:
                    mark(t, False)
                if t in callback_calls:
                    mark(t)
                    force.add(t)
            if reduced and insn.src == op.BPF_PSEUDO_KFUNC_CALL and is_iter_next_kfunc(extern_refs.get(t)):
                mark(t, False)
                force.add(t)
            mark(t + 1)
            if insn.src == op.BPF_PSEUDO_CALL:
                mark(t, False)
                mark(t + insn.imm + 1)
            continue
        if code == op.BPF_JA:
            off = insn.imm if cls == op.BPF_JMP32 else insn.off
            mark(t + off + 1)
            if not reduced:
                mark(t + 1)
            continue
        # conditional jump (and may_goto, BPF_JCOND)
        mark(t, False)
        if code == op.BPF_JCOND and reduced:
            force.add(t)
        mark(t + insn.off + 1)
    return PrunePoints(points, force, jmp)
