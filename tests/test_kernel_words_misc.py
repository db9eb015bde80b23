"""Messages as the kernel words them, for rejections bpfcheck already made: a helper size that may
be negative (check_mem_size_reg()), a context pointer with a variable offset passed to a helper
(__check_ptr_off_reg()), helper stack accesses (6.14 words them by access type), and a loop whose iterations come back to the same state, which the
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
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
struct { __uint(type, 2); __uint(max_entries, 1); __type(key, int); __type(value, long long); } arr SEC(".maps");
SEC("tracepoint") NAKED int helper_writes_past_stack(void)
{ asm volatile ("r3 = 0; r1 = r10; r1 += -8; r2 = 9; call 113; r0 = 0; exit;" ::: "memory"); }
SEC("socket") NAKED int helper_reads_uninit(void)
{ asm volatile ("r1 = 0; *(u64*)(r10 - 16) = r1; r2 = r10; r2 += -8; r1 = %[arr] ll; call 1; r0 = 0; exit;"
  :: [arr]"i"(&arr) : "memory"); }
char _license[] SEC("license") = "GPL";
"""

KERNEL_6_18 = {
    "same_state_loop": "infinite loop detected at insn 2",
    "counting_loop": "BPF program is too large. Processed 1000001 insn",
    "size_may_be_negative": "R2 min value is negative, either use unsigned or 'var &= const'",
    "ctx_variable_offset": "variable ctx access var_off=(0x0; 0x8) disallowed",
    "helper_writes_past_stack": "invalid write to stack R1 off=-8 size=9",  # 6.14+: the access type
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


# helper stack accesses before 6.14 (the real 6.12.117 kernel words the first one so,
# tests/data/kernels/6.12.117+deb13-amd64/fuzz.jsonl; the 6.12.117 source has the second)
BEFORE_6_14 = {
    "helper_writes_past_stack": (
        "invalid indirect access to stack R1 off=-8 size=9",
        "invalid write to stack R1 off=-8 size=9",
    ),
    "helper_reads_uninit": (
        "invalid indirect read from stack R2 off -8+0 size 4",
        "invalid read from stack R2 off -8+0 size 4",  # the running 6.18.44, CAP_BPF only
    ),
}


@pytest.mark.parametrize("name", sorted(BEFORE_6_14))
def test_helper_stack_words_by_version(obj, name: str) -> None:
    prog = next(p for p in obj.programs if p.name == name)
    unprivileged = name == "helper_reads_uninit"  # privileged loaders may read uninitialised stack
    for kernel, expected in zip(((6, 12), (6, 18)), BEFORE_6_14[name], strict=True):
        v = analyze_program(obj, prog, for_kernel(kernel), AnalysisOptions(unprivileged=unprivileged))
        assert v.verdict == "reject"
        assert v.findings[0].kernel_message == expected
