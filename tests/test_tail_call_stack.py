"""bpf2bpf calls combined with tail calls: a subprogram that holds a tail call may sit below at most
256 bytes of its callers' stack (check_max_stack_depth_subprog(): 'tail_calls are not allowed when
call stack of previous frames is N bytes. Too large'). Verdicts and message: the running 6.18.44.
"""

from __future__ import annotations

import pytest
from bpf_c import compile_c

from verifier.abstract import AnalysisOptions
from verifier.pipeline import Stages, check_program
from verifier.rules import for_kernel

C_SOURCE = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 8); __type(key, __u32);
    __type(value, __u32); } jumps SEC(".maps");

static __attribute__((noinline)) int jump(struct __sk_buff *skb) { bpf_tail_call(skb, &jumps, 0); return 0; }
SEC("tc") int big_caller_frame(struct __sk_buff *skb)
{ volatile char b[300]; b[skb->len & 255] = 1; return jump(skb) + b[5]; }
SEC("tc") int small_caller_frame(struct __sk_buff *skb)
{ volatile char b[64]; b[skb->len & 63] = 1; return jump(skb) + b[5]; }
char LICENSE[] SEC("license") = "GPL";
"""


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("tail_call_stack"))


def _check(obj, name: str):
    prog = next(p for p in obj.programs if p.name == name)
    return check_program(obj, prog, "6.18", for_kernel("6.18"), AnalysisOptions(timeout=10), Stages.real())


def test_tail_call_below_a_big_frame_is_refused(obj) -> None:
    verdict = _check(obj, "big_caller_frame")
    assert verdict.verdict == "reject"
    assert verdict.findings[0].kernel_message == (
        "tail_calls are not allowed when call stack of previous frames is 304 bytes. Too large"
    )


def test_tail_call_below_a_small_frame_is_accepted(obj) -> None:
    assert _check(obj, "small_caller_frame").verdict == "accept"
