"""Pointer arithmetic without root (adjust_ptr_min_max_vals(): sanitize_ptr_alu() and
sanitize_check_bounds()): near-miss pairs, each accepted with root."""

from __future__ import annotations

import pytest
from bpf_c import compile_c

from verifier.abstract import AnalysisOptions
from verifier.abstract.analyze import analyze_program
from verifier.pipeline import Stages, _verify
from verifier.rules import for_kernel

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
struct { __uint(type, 1); __uint(max_entries, 1); __type(key, int); __type(value, long long[2]); } vals SEC(".maps");
#define PROG(name, body) SEC("socket") __attribute__((naked)) int name(void) \
    { asm volatile (body "r0 = 0; exit;" :: [vals]"i"(&vals) : "memory"); }
#define LOOKUP "r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[vals] ll; call 1; " \
    "if r0 != 0 goto 1f; exit; 1: "

PROG(stack_low_edge, "r1 = r10; r1 += -512;")
PROG(stack_below_edge, "r1 = r10; r1 += -513;")
PROG(stack_at_fp, "r2 = 0; r2 += r10;")
PROG(ctx_plus_imm, "r1 += 4;")
PROG(ctx_plus_reg, "r2 = 4; r1 += r2;")
PROG(value_inside, LOOKUP "r1 = 15; r0 += r1;")
PROG(value_past_end, LOOKUP "r1 = 16; r0 += r1;")
PROG(value_plus_small, LOOKUP "r6 = r0; call 7; r0 &= 7; r6 += r0;")
PROG(value_plus_mixed_sign, LOOKUP "r6 = r0; call 7; r0 &= 7; r0 -= 4; r6 += r0;")
PROG(neg_scalar, "r1 = 5; r1 = -r1;")
PROG(neg_pointer, "r1 = -r1;")
PROG(ctx_below_start, "r1 += -4; r0 = *(u32 *)(r1 + 4);")
PROG(ctx_past_start, "r1 += 4; r0 = *(u32 *)(r1 + 0);")
PROG(counted_loop, "r1 = 0; 2: r1 += 1; if r1 < 4 goto 2b;")
char _license[] SEC("license") = "GPL";
"""

ERR = "pointer arithmetic with it prohibited for !root"
# program, the unprivileged verdict's kernel message ("" = accepted)
CASES = [
    ("stack_low_edge", ""),
    ("stack_below_edge", "R1 stack pointer arithmetic goes out of range, prohibited for !root; off=-513"),
    ("stack_at_fp", "R2 stack pointer arithmetic goes out of range, prohibited for !root; off=0"),
    ("ctx_plus_imm", ""),
    ("ctx_plus_reg", f"R1 has pointer with unsupported alu operation, {ERR}"),
    ("value_inside", ""),
    ("value_past_end", "R0 pointer arithmetic of map value goes out of range, prohibited for !root"),
    ("value_plus_small", ""),
    ("value_plus_mixed_sign", f"R0 has unknown scalar with mixed signed bounds, {ERR}"),
    ("neg_scalar", ""),
    ("neg_pointer", "R1 pointer arithmetic prohibited"),
]


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("unpriv_alu"))


def _message(obj, name: str, unprivileged: bool) -> str:
    prog = next(p for p in obj.programs if p.name == name)
    verdict = analyze_program(obj, prog, for_kernel((6, 18)), AnalysisOptions(unprivileged=unprivileged))
    return verdict.findings[0].kernel_message if verdict.verdict == "reject" else ""


@pytest.mark.parametrize("name,message", CASES, ids=[c[0] for c in CASES])
def test_unprivileged_pointer_arithmetic(obj, name: str, message: str) -> None:
    assert _message(obj, name, unprivileged=True) == message
    assert _message(obj, name, unprivileged=False) == ""


def test_unprivileged_loop_is_a_back_edge(obj) -> None:
    """check_cfg() through the whole pipeline: loops are for bpf_capable loaders only."""
    prog = next(p for p in obj.programs if p.name == "counted_loop")
    rules = for_kernel((6, 18))
    unpriv = _verify(obj, prog, "6.18", rules, AnalysisOptions(unprivileged=True), Stages.real())
    assert unpriv.verdict == "reject" and unpriv.findings[0].kernel_message.startswith("back-edge from insn")
    assert _verify(obj, prog, "6.18", rules, AnalysisOptions(), Stages.real()).verdict == "accept"


def test_ctx_pointer_moved_below_its_start(obj) -> None:
    """__check_ptr_off_reg(): a negative fixed offset has its own words from 5.17."""
    prog = next(p for p in obj.programs if p.name == "ctx_below_start")
    for kernel, words in (((6, 18), "negative offset ctx ptr"), ((5, 10), "dereference of modified ctx ptr")):
        v = analyze_program(obj, prog, for_kernel(kernel), AnalysisOptions())
        assert v.findings[0].kernel_message == f"{words} R1 off=-4 disallowed"
    prog = next(p for p in obj.programs if p.name == "ctx_past_start")
    v = analyze_program(obj, prog, for_kernel((6, 18)), AnalysisOptions())
    assert v.findings[0].kernel_message == "dereference of modified ctx ptr R1 off=4 disallowed"
