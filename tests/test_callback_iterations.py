"""Callbacks called an unknown number of times (6.7+, push_callback_call()): the path after
bpf_loop() / bpf_for_each_map_elem() is walked with the body run 0, 1, 2, ... times until the
states at the call repeat; bpf_loop stops after umax(R1) bodies. Before 6.7 the body was walked
once. Verdicts, messages and processed counts as the running 6.18.44 kernel gave them."""

from __future__ import annotations

import pytest
from bpf_c import compile_c

from verifier.abstract.analyze import analyze_program
from verifier.rules import for_kernel

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define NAKED __attribute__((naked))
#define KEEP __attribute__((naked, noinline, used)) static
struct { __uint(type, 2); __uint(max_entries, 4); __type(key, int); __type(value, long long); } arr SEC(".maps");
static long (*loop)(unsigned int nr, void *fn, void *ctx, unsigned long long flags) = (void *)181;
static long (*for_each)(void *map, void *fn, void *ctx, unsigned long long flags) = (void *)164;

/* the body uses a map pointer the caller left at *r2 and then overwrites it with a number */
KEEP int use_then_spoil(void)
{ asm volatile ("r6 = r2; r1 = *(u64 *)(r6 + 0); r2 = 0; *(u64 *)(r10 - 8) = r2; r2 = r10; r2 += -8;"
                "call 1; r1 = 5; *(u64 *)(r6 + 0) = r1; r0 = 0; exit;" ::: "memory"); }
SEC("socket") NAKED int stale_map_ptr(void)
{ asm volatile ("r1 = %[arr] ll; *(u64 *)(r10 - 8) = r1; r1 = 2; r2 = use_then_spoil ll; r3 = r10; r3 += -8;"
                "r4 = 0; call 181; r0 = 0; exit;" :: [arr]"i"(&arr) : "memory"); }
/* one iteration only: the pointer is never spoiled before it is used */
SEC("socket") NAKED int stale_map_ptr_once(void)
{ asm volatile ("r1 = %[arr] ll; *(u64 *)(r10 - 8) = r1; r1 = 1; r2 = use_then_spoil ll; r3 = r10; r3 += -8;"
                "r4 = 0; call 181; r0 = 0; exit;" :: [arr]"i"(&arr) : "memory"); }

/* a counter the body bumps; the caller indexes a 4-element stack array with it */
KEEP int bump(void)
{ asm volatile ("r1 = *(u64 *)(r2 + 0); r1 += 1; *(u64 *)(r2 + 0) = r1; r0 = 0; exit;" ::: "memory"); }
#define INDEX_AFTER(n, check) \
    "r1 = 0; *(u64 *)(r10 - 8) = r1; *(u64 *)(r10 - 16) = r1; *(u64 *)(r10 - 24) = r1;" \
    "*(u64 *)(r10 - 32) = r1; *(u64 *)(r10 - 40) = r1; r1 = " #n "; r2 = bump ll; r3 = r10; r3 += -8; r4 = 0;" \
    "call 181; r1 = *(u64 *)(r10 - 8); " check " r1 <<= 3; r2 = r10; r2 += -40; r2 += r1;" \
    "r0 = *(u64 *)(r2 + 0); 1: r0 = 0; exit;"
SEC("socket") NAKED int counter_3_unchecked(void) { asm volatile (INDEX_AFTER(3, "") ::: "memory"); }
SEC("socket") NAKED int counter_4_unchecked(void) { asm volatile (INDEX_AFTER(4, "") ::: "memory"); }
SEC("socket") NAKED int counter_5_unchecked(void) { asm volatile (INDEX_AFTER(5, "") ::: "memory"); }
SEC("socket") NAKED int counter_big_checked(void) { asm volatile (INDEX_AFTER(1000, "if r1 > 3 goto 1f;") ::: "memory"); }

/* for_each_map_elem: no bound on the number of calls */
KEEP int bump_each(void)
{ asm volatile ("r1 = *(u64 *)(r4 + 0); r1 += 1; *(u64 *)(r4 + 0) = r1; r0 = 0; exit;" ::: "memory"); }
#define EACH(check) \
    "r1 = 0; *(u64 *)(r10 - 8) = r1; *(u64 *)(r10 - 16) = r1; *(u64 *)(r10 - 24) = r1;" \
    "*(u64 *)(r10 - 32) = r1; *(u64 *)(r10 - 40) = r1; r1 = %[arr] ll; r2 = bump_each ll; r3 = r10; r3 += -8; r4 = 0;" \
    "call 164; r1 = *(u64 *)(r10 - 8); " check " r1 <<= 3; r2 = r10; r2 += -40; r2 += r1;" \
    "r0 = *(u64 *)(r2 + 0); 1: r0 = 0; exit;"
SEC("socket") NAKED int each_unchecked(void) { asm volatile (EACH("") :: [arr]"i"(&arr) : "memory"); }
SEC("socket") NAKED int each_checked(void) { asm volatile (EACH("if r1 > 3 goto 1f;") :: [arr]"i"(&arr) : "memory"); }

/* nr = 0: the body is never walked */
KEEP int bad_body(void) { asm volatile ("r0 = *(u64 *)(r10 - 8); r0 = 0; exit;" ::: "memory"); }
SEC("socket") NAKED int zero_iterations(void)
{ asm volatile ("r1 = 0; r2 = bad_body ll; r3 = 0; r4 = 0; call 181; r0 = 0; exit;" ::: "memory"); }
SEC("socket") NAKED int one_iteration_bad(void)
{ asm volatile ("r1 = 1; r2 = bad_body ll; r3 = 0; r4 = 0; call 181; r0 = 0; exit;" ::: "memory"); }
char _license[] SEC("license") = "GPL";
"""

# program -> (the 6.18 kernel's last log line, "" when accepted; its processed count)
KERNEL_6_18 = {
    "stale_map_ptr": ("R1 type=scalar expected=map_ptr", None),  # the 2nd body sees the number
    "stale_map_ptr_once": ("", None),
    "counter_3_unchecked": ("", 62),
    "counter_4_unchecked": ("", None),
    "counter_5_unchecked": ("invalid read from stack R2 off=0 size=8", 88),
    "counter_big_checked": ("", None),  # 6.18: 9036 processed (bpfcheck prunes a little more)
    "each_unchecked": ("invalid read from stack R2 off=0 size=8", None),  # no bound on the calls
    "zero_iterations": ("", None),  # nr = 0: the body is never walked
    "one_iteration_bad": ("", None),
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("callbacks"))


def _verdict(obj, name: str, kernel: tuple[int, int]):
    prog = next(p for p in obj.programs if p.name == name)
    return analyze_program(obj, prog, for_kernel(kernel))


def _message(verdict) -> str:
    return verdict.findings[0].kernel_message if verdict.verdict == "reject" else ""


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_as_the_6_18_kernel(obj, name: str) -> None:
    message, processed = KERNEL_6_18[name]
    verdict = _verdict(obj, name, (6, 18))
    assert _message(verdict) == message
    if processed is not None:
        assert verdict.stats.processed == processed


@pytest.mark.parametrize("name", ["stale_map_ptr", "counter_5_unchecked", "each_unchecked"])
def test_before_6_7_the_body_was_walked_once(obj, name: str) -> None:
    assert _message(_verdict(obj, name, (6, 6))) == ""
    assert _message(_verdict(obj, name, (6, 7))) != ""
