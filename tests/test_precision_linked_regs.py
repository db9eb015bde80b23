"""Precision of copies: when a scalar is needed precisely, so are the registers linked to it (same id).

A branch on r7 bounds its copy r6 too (sync_linked_regs()); when r6 then has to be precise, r7 has to
be as well, or a path where r6 and r7 are not copies is pruned against one where they were (with the
same ranges), although there the branch on r7 does not bound r6 (a false accept). The kernel:
- 6.12+: the jump records the linked registers in the jump history (collect_linked_regs(), at most 6;
  the rest lose their id) and backtracking marks all of them (bt_sync_linked_regs());
- 6.4-6.11: at the start of each state's walk every register sharing an id with a marked one joins
  (mark_precise_scalar_ids());
- before 6.4 neither, and regsafe() compared no scalar ids: 6.1 prunes and accepts (6.1.192 source).

Kernel answers: the running 6.18.44 (uname -r 6.18.44-fc-v1045) refuses `linked_copy_precise` ('invalid
variable-offset write to stack R3 var_off=(0x0; 0xff) ...', 32 processed instructions, 2 states);
6.12, 6.11 and 6.4 from their sources (6.12.117, 6.11.11, 6.4.6).
"""

from __future__ import annotations

import pytest
from bpf_c import compile_c, verdict_of

from verifier.abstract.analyze import analyze_program
from verifier.rules import for_kernel

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define PROG(name) SEC("socket") __attribute__((naked)) int name(void)
/* path 1: r7 = r6 (linked), path 2: r6 and r7 independent in [0, 255]; the merge keeps a state */
PROG(linked_copy_precise)
{ asm volatile ("call 7; r6 = r0; r7 = r0; r6 &= 0xff; r7 >>= 8; r7 &= 0xff; if r0 > 5 goto 1f; r7 = r6;"
                "1: r8 = 1; r8 += 1; r8 += 1; r8 += 1; if r7 > 10 goto 2f;"
                "r3 = r10; r3 += -16; r3 += r6; r4 = 0; *(u8 *)(r3 + 0) = r4; 2: r0 = 0; exit;" ::: "memory"); }
char _license[] SEC("license") = "GPL";
"""

VERDICTS = {"6.18": "reject", "6.12": "reject", "6.11": "reject", "6.4": "reject", "6.1": "accept"}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("linked_precision"))


@pytest.mark.parametrize("kernel", sorted(VERDICTS))
def test_linked_registers_become_precise_together(obj, kernel: str) -> None:
    assert verdict_of(obj, "linked_copy_precise", kernel) == VERDICTS[kernel]


def test_counts_as_the_kernel(obj) -> None:
    prog = next(p for p in obj.programs if p.name == "linked_copy_precise")
    stats = analyze_program(obj, prog, for_kernel("6.18")).stats
    assert (stats.processed, stats.states) == (32, 2)
