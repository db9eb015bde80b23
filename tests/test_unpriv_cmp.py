"""Unprivileged loaders and comparisons of pointers (check_cond_jmp_op()): a pointer compared with
a number is refused, unless is_branch_taken() already knows the outcome (a pointer that cannot be
NULL, such as a map value the verifier found present, against 0). The stack and context pointers
are not among reg_not_null()'s types. Verdicts and messages as the running 6.18.44 kernel gave
them to a loader without CAP_PERFMON, CAP_SYS_ADMIN and CAP_NET_ADMIN."""

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
struct { __uint(type, 2); __uint(max_entries, 1); __type(key, int); __type(value, long long); } arr SEC(".maps");
SEC("socket") NAKED int cmp_fp(void) { asm volatile ("if r10 == 0 goto 1f; 1: r0 = 0; exit;" ::: "memory"); }
SEC("socket") NAKED int cmp_stack(void) { asm volatile ("r2 = r10; r2 += -8; if r2 == 0 goto 1f; 1: r0 = 0; exit;" ::: "memory"); }
SEC("socket") NAKED int cmp_ctx(void) { asm volatile ("if r1 == 0 goto 1f; 1: r0 = 0; exit;" ::: "memory"); }
SEC("socket") NAKED int cmp_value(void)
{ asm volatile ("r1 = 0; *(u64 *)(r10 - 8) = r1; r2 = r10; r2 += -8; r1 = %[arr] ll; call 1; if r0 == 0 goto 1f; r1 = 4; r0 += r1; r0 = *(u8 *)(r0 + 0); 1: r0 = 1; exit;" :: [arr]"i"(&arr) : "memory"); }
SEC("socket") NAKED int cmp_value_gt(void)
{ asm volatile ("r1 = 0; *(u64 *)(r10 - 8) = r1; r2 = r10; r2 += -8; r1 = %[arr] ll; call 1; if r0 > 0 goto 1f; 1: r0 = 1; exit;" :: [arr]"i"(&arr) : "memory"); }
char _license[] SEC("license") = "GPL";
"""

KERNEL_6_18 = {
    "cmp_fp": "R10 pointer comparison prohibited",
    "cmp_stack": "R2 pointer comparison prohibited",
    "cmp_ctx": "R1 pointer comparison prohibited",
    "cmp_value": "",  # the array value at a constant key is never NULL: the branch is decided
    "cmp_value_gt": "R0 pointer comparison prohibited",  # only == and != are decided
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("unpriv_cmp"))


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_as_the_6_18_kernel(obj, name: str) -> None:
    prog = next(p for p in obj.programs if p.name == name)
    v = analyze_program(obj, prog, for_kernel((6, 18)), AnalysisOptions(unprivileged=True))
    assert (v.findings[0].kernel_message if v.verdict == "reject" else "") == KERNEL_6_18[name]
