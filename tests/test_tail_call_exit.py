"""6.18: bpf_tail_call() in a subprogram may return to the caller at once (the called program
returns there), so what the function would have done after the call may not have happened.
Verdicts and messages as the running 6.18 kernel gave them."""

from __future__ import annotations

import pytest
from bpf_c import compile_c

from verifier.abstract.analyze import analyze_program
from verifier.rules import for_kernel

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
struct __sk_buff;
struct { __uint(type, 3); __uint(max_entries, 2); __type(key, int); __type(value, int); } jumps SEC(".maps");
static long (*loop)(unsigned int nr, void *fn, void *ctx, unsigned long long flags) = (void *)181;

/* r2: where to put a safe stack offset; it is put there only when the tail call fails */
__attribute__((naked, noinline, used)) static int jump_then_store(void)
{ asm volatile ("r6 = r2; r2 = %[jumps] ll; r3 = 1; call 12; r1 = -8; *(u64 *)(r6 + 0) = r1; r0 = 0; exit;"
  :: [jumps]"i"(&jumps) : "memory"); }
__attribute__((naked, noinline, used)) static int store_only(void)
{ asm volatile ("r1 = -8; *(u64 *)(r2 + 0) = r1; r0 = 0; exit;" ::: "memory"); }

#define CALLER(callee) \
    "r6 = r1; r1 = 0; *(u64 *)(r10 - 8) = r1; call 7; r1 = -600; if r0 > 5 goto 1f; r1 = -8;" \
    "1: *(u64 *)(r10 - 16) = r1; r1 = r6; r2 = r10; r2 += -16; call " callee ";" \
    "r1 = *(u64 *)(r10 - 16); r2 = r10; r2 += r1; r0 = *(u8 *)(r2 + 0); r0 = 0; exit;"
SEC("socket") __attribute__((naked)) int offset_after_tail_call(void)
{ asm volatile (CALLER("jump_then_store") ::: "memory"); }
SEC("socket") __attribute__((naked)) int offset_without_tail_call(void)
{ asm volatile (CALLER("store_only") ::: "memory"); }

__attribute__((naked, noinline, used)) static int cb_jumps(void)
{ asm volatile ("r1 = *(u64 *)(r2 + 0); r2 = %[jumps] ll; r3 = 0; call 12; r0 = 0; exit;"
  :: [jumps]"i"(&jumps) : "memory"); }
SEC("socket") int callback_tail_call(struct __sk_buff *skb) { loop(2, cb_jumps, &skb, 0); return 0; }
char _license[] SEC("license") = "GPL";
"""


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("tail_exit"))


def _message(obj, name: str, kernel: tuple[int, int] = (6, 18)) -> str:
    prog = next(p for p in obj.programs if p.name == name)
    v = analyze_program(obj, prog, for_kernel(kernel))
    return v.findings[0].kernel_message if v.verdict == "reject" else ""


def test_store_after_tail_call_may_not_have_happened(obj) -> None:
    assert _message(obj, "offset_after_tail_call") == "invalid read from stack R2 off=-600 size=1"
    assert _message(obj, "offset_without_tail_call") == ""


def test_tail_call_in_callback_body(obj) -> None:
    assert _message(obj, "callback_tail_call") == "verifier bug: callback unexpected regs 1"
