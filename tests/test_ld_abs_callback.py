"""LD_ABS in a bpf_loop callback body (6.18): the load's hidden exit reaches the callback's
return check and the kernel's precision walk fails; one static call deeper it is accepted."""

from __future__ import annotations

import pytest
from bpf_c import compile_c

from verifier.abstract.analyze import analyze_program
from verifier.rules import for_kernel

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
struct __sk_buff;
static long (*loop)(unsigned int nr, void *fn, void *ctx, unsigned long long flags) = (void *)181;

/* r2 points at the caller's saved skb pointer; .8byte 0x20 is ld_abs w, [0] */
__attribute__((naked, noinline, used)) static int load_in_body(void)
{ asm volatile ("r6 = *(u64 *)(r2 + 0); .8byte 0x20; r0 = 1; exit;" ::: "memory"); }

__attribute__((naked, noinline, used)) static int load_helper(void)
{ asm volatile ("r6 = r1; .8byte 0x20; r0 = 0; exit;" ::: "memory"); }
__attribute__((naked, noinline, used)) static int load_one_deeper(void)
{ asm volatile ("r1 = *(u64 *)(r2 + 0); call load_helper; r0 = 0; exit;" ::: "memory"); }

SEC("socket") int body_loads(struct __sk_buff *skb) { loop(4, load_in_body, &skb, 0); return 0; }
SEC("socket") int deeper_loads(struct __sk_buff *skb) { loop(4, load_one_deeper, &skb, 0); return 0; }
char _license[] SEC("license") = "GPL";
"""


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("ld_abs_cb"))


def _verdict(obj, name: str, kernel: tuple[int, int]):
    prog = next(p for p in obj.programs if p.name == name)
    return analyze_program(obj, prog, for_kernel(kernel))


def test_ld_abs_in_callback_body_is_rejected_by_618(obj) -> None:
    v = _verdict(obj, "body_loads", (6, 18))
    assert v.verdict == "reject"
    assert v.findings[0].kernel_message == "verifier bug: callback unexpected regs 1"
    # measured: 6.1.0-57 accepts both programs, 6.12.117 refuses both in check_ld_abs()
    assert _verdict(obj, "body_loads", (6, 1)).verdict == "accept"
    v = _verdict(obj, "body_loads", (6, 12))
    assert (v.verdict, v.findings[0].kernel_message) == (
        "reject",
        "cannot use BPF_LD_[ABS|IND] within callback",
    )


def test_ld_abs_one_call_below_the_callback_is_accepted(obj) -> None:
    assert _verdict(obj, "deeper_loads", (6, 18)).verdict == "accept"
    assert _verdict(obj, "deeper_loads", (6, 1)).verdict == "accept"
    assert _verdict(obj, "deeper_loads", (6, 12)).verdict == "reject"
