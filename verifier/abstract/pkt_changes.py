"""Which subprograms may change packet data (subprog_info.changes_pkt_data in kernel/bpf/verifier.c):
one that calls a helper listed by bpf_helper_changes_pkt_data() (tail calls included), a
pkt-changing kfunc, or a subprogram that does. A call to such a global function invalidates
the caller's packet pointers, as the helper itself would."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from verifier.abstract import helper_semantics as hs
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn


def subprogs_changing_pkt_data(
    insns: Sequence[Insn], starts: Sequence[int], extern_refs: dict[int, str], kfuncs_known: bool
) -> frozenset[int]:
    """Indices (into `starts`) of the subprograms that may change packet data."""
    changes: set[int] = set()
    callees: dict[int, set[int]] = {}
    for idx, insn in enumerate(insns):
        if insn.opcode != op.BPF_JMP | op.BPF_CALL or insn.is_ld_imm64_tail:
            continue
        sub = bisect.bisect_right(starts, idx) - 1
        if insn.src == 0 and (insn.imm in hs.CHANGES_PKT_DATA or insn.imm == hs.TAIL_CALL):
            changes.add(sub)
        elif insn.src == op.BPF_PSEUDO_CALL:
            target = idx + insn.imm + 1
            callees.setdefault(sub, set()).add(bisect.bisect_right(starts, target) - 1)
        elif kfuncs_known and extern_refs.get(idx) in hs.PKT_CHANGING_KFUNCS:
            changes.add(sub)
    grew = True
    while grew:  # transitive: a caller of a pkt-changing subprogram changes packet data too
        grew = False
        for caller, targets in callees.items():
            if caller not in changes and targets & changes:
                changes.add(caller)
                grew = True
    return frozenset(changes)
