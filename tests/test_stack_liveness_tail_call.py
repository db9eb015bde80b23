"""6.18 stack liveness and functions that may end early: a tail call (or LD_ABS/LD_IND) may leave
the function, so a store after it is not a store on every path to the function's end. The caller's
slot stays live across the call, and the path with the other offset is not pruned into the first.
Verdict and message as the running 6.18.44 kernel gave them (with and without
BPF_F_TEST_STATE_FREQ)."""

from __future__ import annotations

import pytest
from bpf_c import compile_c

from verifier.abstract import AnalysisOptions
from verifier.abstract.analyze import analyze_program
from verifier.rules import for_kernel

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define NAKED __attribute__((naked))
struct { __uint(type, 3); __uint(max_entries, 1); __type(key, int); __type(value, int); } jmp SEC(".maps");
static __attribute__((used, noinline)) NAKED unsigned long maybe_tail_call(void)
{ asm volatile ("r6 = r2; r2 = %[jmp] ll; r3 = 0; call 12; *(u64 *)(r6 + 0) = -24; r0 = 0; exit;"
  :: [jmp]"i"(&jmp) : "memory"); }
SEC("socket") NAKED int offset_kept_over_tail_call(void)
{ asm volatile ("r6 = r1; *(u64 *)(r10 - 16) = -16; call 7; if r0 != 7 goto 1f; goto 2f; 1: *(u64 *)(r10 - 16) = -2048; 2:"
  "r1 = r6; r2 = r10; r2 += -16; call maybe_tail_call; r1 = *(u64 *)(r10 - 16); r2 = r10; r2 += r1;"
  "r0 = *(u64 *)(r2 + 0); exit;" ::: "memory"); }
char _license[] SEC("license") = "GPL";
"""

BPF_F_TEST_STATE_FREQ = 1 << 3


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("liveness_tail_call"))


@pytest.mark.parametrize("flags", [0, BPF_F_TEST_STATE_FREQ])
def test_as_the_6_18_kernel(obj, flags: int) -> None:
    prog = next(p for p in obj.programs if p.name == "offset_kept_over_tail_call")
    v = analyze_program(obj, prog, for_kernel((6, 18)), AnalysisOptions(prog_flags=flags))
    assert v.verdict == "reject"
    assert v.findings[0].kernel_message == "invalid read from stack R2 off=-2048 size=8"
