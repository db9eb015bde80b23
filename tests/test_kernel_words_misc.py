"""Messages as the kernel words them, for rejections bpfcheck already made: a helper size that may
be negative (check_mem_size_reg()), a context pointer with a variable offset passed to a helper
(__check_ptr_off_reg()), and a loop whose iterations come back to the same state, which the
kernel's next checkpoint on the loop finds ("infinite loop detected") rather than walking it to the
complexity limit. Verdicts and messages as the running 6.18.44 kernel gave them."""

from __future__ import annotations

import pytest
from bpf_c import compile_c

from verifier.abstract import AnalysisOptions
from verifier.abstract.analyze import analyze_program
from verifier.rules import for_kernel

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define NAKED __attribute__((naked))
SEC("socket") NAKED int same_state_loop(void)
{ asm volatile ("r6 = 7; r0 = 0; 1: r0 = 3; r6 = 7; r1 = 0; if r1 == 0 goto 1b; exit;" ::: "memory"); }
SEC("socket") NAKED int counting_loop(void)
{ asm volatile ("r0 = 0; 1: r0 += 1; r1 = r10; if r1 != 0 goto 1b; r0 = 0; exit;" ::: "memory"); }
SEC("tracepoint") NAKED int size_may_be_negative(void)
{ asm volatile ("call 5; r2 = r0; if r2 s> 8 goto 1f; r1 = r10; r1 += -16; r3 = 0; call 113; 1: r0 = 0; exit;" ::: "memory"); }
SEC("tc") NAKED int ctx_variable_offset(void)
{ asm volatile ("r3 = *(u32*)(r1 + 0); r3 &= 8; r1 += r3; call 34; r0 = 0; exit;" ::: "memory"); }
char _license[] SEC("license") = "GPL";
"""

KERNEL_6_18 = {
    "same_state_loop": "infinite loop detected at insn 2",
    "counting_loop": "BPF program is too large. Processed 1000001 insn",
    "size_may_be_negative": "R2 min value is negative, either use unsigned or 'var &= const'",
    "ctx_variable_offset": "variable ctx access var_off=(0x0; 0x8) disallowed",
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("kernel_words"))


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_as_the_6_18_kernel(obj, name: str) -> None:
    prog = next(p for p in obj.programs if p.name == name)
    v = analyze_program(obj, prog, for_kernel((6, 18)), AnalysisOptions())
    assert v.verdict == "reject"
    assert v.findings[0].kernel_message == KERNEL_6_18[name]
