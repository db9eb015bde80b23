"""Precision backtracking through `if dst <op> src`: when either register is needed precisely, both are.

backtrack_insn() (kernel/bpf/verifier.c, every version with precision tracking, 5.3+; read in 5.10.262,
6.1.192 and 6.18.2): "dreg <cond> sreg: Both dreg and sreg need precision before this insn". The
branch bounded r6 by r7, so a precise r6 needs a precise r7: bpfcheck left r7 imprecise and pruned
the second path at the merge against a state where r7 was at most 3, although its r7 goes to 255
(a false accept).

The kernel's answer: the running 6.18.44 (uname -r 6.18.44-fc-v1045) refuses `jump_operands_precise`
('invalid variable-offset write to stack R3 var_off=(0x0; 0xff) ...') after 31 processed
instructions, and accepts `jump_operands_bounded` (r7 at most 15 on both paths) after 36.
"""

from __future__ import annotations

import pytest
from bpf_c import compile_c, verdict_of

from verifier.abstract.analyze import analyze_program
from verifier.rules import for_kernel

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define PROG(name) SEC("socket") __attribute__((naked)) int name(void)
PROG(jump_operands_precise)
{ asm volatile ("call 7; r7 = r0; r7 &= 0xff; r8 = 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1; if r7 > 3 goto 1f; r8 += 1;"
                "1: call 7; r6 = r0; r6 &= 0xff; if r6 > r7 goto 2f;"
                "r3 = r10; r3 += -16; r3 += r6; r4 = 0; *(u8 *)(r3 + 0) = r4; 2: r0 = 0; exit;" ::: "memory"); }
PROG(jump_operands_bounded)
{ asm volatile ("call 7; r7 = r0; r7 &= 0xf; r8 = 1; r8 += 1; r8 += 1; call 7; if r0 > 5 goto 1f; r7 &= 3; 1:"
                "r8 += 1; r8 += 1; call 7; r6 = r0; r6 &= 0xff; if r6 > r7 goto 2f;"
                "r3 = r10; r3 += -16; r3 += r6; r4 = 0; *(u8 *)(r3 + 0) = r4; 2: r0 = 0; exit;" ::: "memory"); }
char _license[] SEC("license") = "GPL";
"""


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("precision_jumps"))


@pytest.mark.parametrize("kernel", ["5.10", "6.1", "6.12", "6.18"])
def test_both_jump_operands_become_precise(obj, kernel: str) -> None:
    assert verdict_of(obj, "jump_operands_precise", kernel) == "reject"
    # before 6.8 `if r6 > r7` with neither a constant narrows neither register (cmp_two_scalars):
    # measured, 5.10.0-46 and 6.1.0-57 under qemu refuse jump_operands_bounded too ('invalid
    # variable-offset write to stack R3 var_off=(0x0; 0xff) size=1')
    bounded = "accept" if kernel in ("6.12", "6.18") else "reject"
    assert verdict_of(obj, "jump_operands_bounded", kernel) == bounded


def test_counts_as_the_kernel(obj) -> None:
    for name, processed in (("jump_operands_precise", 31), ("jump_operands_bounded", 36)):
        prog = next(p for p in obj.programs if p.name == name)
        assert analyze_program(obj, prog, for_kernel("6.18")).stats.processed == processed
