"""bpf_tail_call() and held references: from 6.1 check_reference_leak() skips a subprogram (the
caller still holds its references) and in a callback checks only those the callback took, from
6.13 it skips callbacks too; the main program's are always checked. Verdicts and messages as the
running 6.18.44 kernel and the real 5.10.0-46, 6.1.0-57 and 6.12.117 kernels (qemu,
scripts/kernel_vm.py) gave them."""

from __future__ import annotations

import pytest
from bpf_c import compile_c, verdict_and_message

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
struct __sk_buff;
struct { __uint(type, 3); __uint(max_entries, 2); __type(key, int); __type(value, int); } jumps SEC(".maps");
struct { __uint(type, 27); __uint(max_entries, 4096); } rb SEC(".maps");
static void *(*ringbuf_reserve)(void *rb, unsigned long long size, unsigned long long flags) = (void *)131;
static void (*ringbuf_submit)(void *data, unsigned long long flags) = (void *)132;
static long (*tail_call)(void *ctx, void *map, unsigned int idx) = (void *)12;
static long (*loop)(unsigned int nr, void *fn, void *ctx, unsigned long long flags) = (void *)181;

static __attribute__((noinline)) int jump(void *ctx) { tail_call(ctx, &jumps, 0); return 0; }

SEC("socket") int held_across_subprog_tail_call(struct __sk_buff *skb)
{
    int *e = ringbuf_reserve(&rb, 8, 0);
    if (!e) return 0;
    *e = jump(skb);
    ringbuf_submit(e, 0);
    return 0;
}

SEC("socket") int held_across_main_tail_call(struct __sk_buff *skb)
{
    int *e = ringbuf_reserve(&rb, 8, 0);
    if (!e) return 0;
    tail_call(skb, &jumps, 0);
    *e = 1;
    ringbuf_submit(e, 0);
    return 0;
}

static int cb_jump(unsigned int i, void *ctx) { tail_call(*(void **)ctx, &jumps, 0); return 0; }

SEC("socket") int held_across_callback_tail_call(struct __sk_buff *skb)
{
    int *e = ringbuf_reserve(&rb, 8, 0);
    if (!e) return 0;
    loop(1, cb_jump, &skb, 0);
    *e = 1;
    ringbuf_submit(e, 0);
    return 0;
}
static int cb_reserve_jump(unsigned int i, void *ctx)
{
    int *e = ringbuf_reserve(&rb, 8, 0);
    if (!e) return 0;
    tail_call(*(void **)ctx, &jumps, 0);
    ringbuf_submit(e, 0);
    return 0;
}

SEC("socket") int callback_holds_own_ref(struct __sk_buff *skb) { loop(1, cb_reserve_jump, &skb, 0); return 0; }
char _license[] SEC("license") = "GPL";
"""

LEAK = "tail_call would lead to reference leak"


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("tail_refs"))


def test_subprogram_tail_call_keeps_caller_refs(obj) -> None:
    # 6.18.44, 6.12.117, 6.1.0-57: accepted; 5.10.0-46: the leak
    for kernel in ("6.1", "6.12", "6.18"):
        assert verdict_and_message(obj, "held_across_subprog_tail_call", kernel) == ("accept", "")
    assert verdict_and_message(obj, "held_across_subprog_tail_call", "5.10") == ("reject", LEAK)


def test_main_program_tail_call_checks_refs(obj) -> None:
    # every kernel: "tail_call would lead to reference leak"
    for kernel in ("5.10", "6.1", "6.12", "6.18"):
        assert verdict_and_message(obj, "held_across_main_tail_call", kernel) == ("reject", LEAK)


def test_callback_tail_call(obj) -> None:
    # 6.1.0-57 and 6.12.117: the caller's reservation is not the callback's (callback_ref): accepted
    for kernel in ("6.1", "6.12"):
        assert verdict_and_message(obj, "held_across_callback_tail_call", kernel) == ("accept", "")
        assert verdict_and_message(obj, "callback_holds_own_ref", kernel) == ("reject", LEAK)
    # 6.18.44: no reference check in a callback; "verifier bug: callback unexpected regs 1"
    assert verdict_and_message(obj, "held_across_callback_tail_call", "6.18") == (
        "reject",
        "verifier bug: callback unexpected regs 1",
    )
    # 6.18.44 says "At callback return the register R0 has unknown scalar value should have been in
    # [0, 1]": the verdict agrees, not the message
    assert verdict_and_message(obj, "callback_holds_own_ref", "6.18")[0] == "reject"
