"""The analysis makes no reference cycles, and pauses the cyclic garbage collector while it runs.

Its explored states are freed by reference counting when the analysis ends; a cycle through the
Verifier (a recursive closure once did it) would keep every state of a program alive until the
collector runs, and with the collector paused during analyses, memory would grow program after
program.
"""

from __future__ import annotations

import gc

import pytest
from bpf_c import compile_c

from verifier.abstract.analyze import analyze_program
from verifier.rules import for_kernel

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define PROG(name) SEC("socket") __attribute__((naked)) int name(void)
#define SUB(name) __attribute__((naked, noinline, used)) static int name(void)

SUB(callee)
{ asm volatile ("r0 = r1; if r0 > 3 goto 1f; r0 = 0; 1: exit;" ::: "memory"); }

/* a call (the combined stack check walks the call chains) and a few branches and states */
PROG(calls_and_branches)
{ asm volatile ("call 7; r6 = r0; r1 = r0; call callee; if r6 > 9 goto 1f; r1 = 1; call callee;"
                "goto 2f; 1: r1 = 2; call callee; 2: r0 = 0; exit;" ::: "memory"); }
"""


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("analysis_gc"))


def test_no_cyclic_garbage(obj) -> None:
    prog = next(p for p in obj.programs if p.name == "calls_and_branches")
    rules = for_kernel("6.18")
    analyze_program(obj, prog, rules)  # warm caches (memoised tables are not garbage)
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        verdict = analyze_program(obj, prog, rules)
        assert verdict.verdict == "accept"
        assert verdict.stats.states > 0
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()


def test_collector_restored(obj) -> None:
    prog = next(p for p in obj.programs if p.name == "calls_and_branches")
    assert gc.isenabled()
    analyze_program(obj, prog, for_kernel("6.18"))
    assert gc.isenabled()
    gc.disable()
    try:
        analyze_program(obj, prog, for_kernel("6.18"))
        assert not gc.isenabled()
    finally:
        gc.enable()
