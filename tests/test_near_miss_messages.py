"""The kernel's own words for rejections found by near-miss programs (running 6.18.44 kernel).

- a map callback storing through its key pointer: 'write to change key R2 not allowed'
  (check_mem_access(); a helper writing there is 'R2 cannot write into map_key');
- a lookup in a queue map (key_size 0): 'invalid zero-sized read' (check_stack_range_initialized());
- a store through an inner map pointer: 'only read from bpf_array is supported'
  (check_ptr_to_map_access(), also without the target kernel's BTF).
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

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } h SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_QUEUE); __uint(max_entries, 8); __type(value, __u64); } q SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __uint(max_entries, 2); __type(key, __u32);
    __array(values, struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32);
    __type(value, __u64); }); } outer SEC(".maps");

static long set_key(void *map, __u32 *key, __u64 *val, void *ctx) { *key = 1; return 0; }
SEC("tc") int callback_writes_key(struct __sk_buff *skb) { return bpf_for_each_map_elem(&h, set_key, 0, 0); }
SEC("tc") int queue_lookup(struct __sk_buff *skb) { __u32 k = 0; return bpf_map_lookup_elem(&q, &k) != 0; }
SEC("tc") int inner_map_store(struct __sk_buff *skb)
{ __u32 k = 0; __u64 *in = bpf_map_lookup_elem(&outer, &k); if (!in) return 0; *in = 1; return 0; }
char LICENSE[] SEC("license") = "GPL";
"""

EXPECTED = {
    "callback_writes_key": "write to change key R2 not allowed",
    "queue_lookup": "invalid zero-sized read",
    "inner_map_store": "only read from bpf_array is supported",
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("near_miss_messages"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_kernel_message(obj, name: str) -> None:
    prog = next(p for p in obj.programs if p.name == name)
    verdict = check_program(obj, prog, "6.18", for_kernel("6.18"), AnalysisOptions(timeout=10), Stages.real())
    assert verdict.verdict == "reject"
    assert verdict.findings[0].kernel_message == EXPECTED[name]
