"""A constant bpf_tail_call() index is precise (record_func_key(), 5.5+).

The kernel records a direct tail call's constant index for the JIT (map key tracking for prog array
pokes, commit d2e4c1e6c294, v5.5) and marks r3 precise for it, so a path reaching the call with another
index is not pruned against the first. Counts: the running 6.18.44 (uname -r 6.18.44-fc-v1045)
processes 21 instructions with 2 states; 5.4 has no record_func_key() (source), and prunes.
"""

from __future__ import annotations

import pytest
from bpf_c import compile_c

from verifier.abstract.analyze import analyze_program
from verifier.rules import for_kernel

C_SOURCE = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 4); __type(key, __u32);
    __type(value, __u32); } jmp_table SEC(".maps");

SEC("socket") __attribute__((naked)) int tail_call_index_precise(void)
{ asm volatile ("r6 = r1; call 7; r8 = 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1; if r0 > 5 goto 1f; r3 = 1; goto 2f;"
                "1: r3 = 2; 2: r1 = r6; r2 = %[jmp_table] ll; call 12; r0 = 0; exit;"
                :: [jmp_table]"i"(&jmp_table) : "memory"); }
char LICENSE[] SEC("license") = "GPL";
"""


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("tail_call_key"))


@pytest.mark.parametrize(("kernel", "counts"), [("6.18", (21, 2)), ("5.10", (21, 2)), ("5.4", (17, 1))])
def test_tail_call_index_is_precise(obj, kernel: str, counts: tuple[int, int]) -> None:
    prog = next(p for p in obj.programs if p.name == "tail_call_index_precise")
    v = analyze_program(obj, prog, for_kernel(kernel))
    assert v.verdict == "accept"
    assert (v.stats.processed, v.stats.states) == counts
