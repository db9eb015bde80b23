"""Argument rules of particular helpers that check_helper_call() enforces beyond the prototypes.

bpf_get_local_storage() cannot fail, so its flags must be a known zero ('get_local_storage()
doesn't support non-zero flags', since 4.19). A bpf_timer argument must sit at the map value's
`struct bpf_timer`, and bpf_timer_init() must name the map of that value (process_timer_func()).
Verdicts and messages: the running 6.18.44 kernel.
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

struct { __uint(type, BPF_MAP_TYPE_CGROUP_STORAGE); __type(key, struct bpf_cgroup_storage_key);
    __type(value, __u64); } storage SEC(".maps");

SEC("cgroup_skb/egress") int storage_flags_one(struct __sk_buff *skb)
{ __u64 *v = bpf_get_local_storage(&storage, 1); *v += 1; return 1; }
SEC("cgroup_skb/egress") int storage_flags_unknown(struct __sk_buff *skb)
{ __u64 *v = bpf_get_local_storage(&storage, skb->len & 1); *v += 1; return 1; }
SEC("cgroup_skb/egress") int storage_flags_zero(struct __sk_buff *skb)
{ __u64 *v = bpf_get_local_storage(&storage, 0); *v += 1; return 1; }
struct tv { struct bpf_timer t; __u64 x; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct tv); } timers SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1); __type(key, __u32); __type(value, struct tv); } other SEC(".maps");
SEC("tc") int timer_other_map(struct __sk_buff *skb)
{ __u32 k = 0; struct tv *v = bpf_map_lookup_elem(&timers, &k); if (!v) return 0; bpf_timer_init(&v->t, &other, 1); return 0; }
SEC("tc") int timer_wrong_offset(struct __sk_buff *skb)
{ __u32 k = 0; struct tv *v = bpf_map_lookup_elem(&timers, &k); if (!v) return 0;
  bpf_timer_init((struct bpf_timer *)&v->x, &timers, 1); return 0; }
SEC("tc") int timer_same_map(struct __sk_buff *skb)
{ __u32 k = 0; struct tv *v = bpf_map_lookup_elem(&timers, &k); if (!v) return 0; bpf_timer_init(&v->t, &timers, 1); return 0; }
char LICENSE[] SEC("license") = "GPL";
"""

EXPECTED = {
    "storage_flags_one": "get_local_storage() doesn't support non-zero flags",
    "storage_flags_unknown": "get_local_storage() doesn't support non-zero flags",
    "storage_flags_zero": None,
    "timer_other_map": "timer pointer in R1 map_uid=0 doesn't match map pointer in R2 map_uid=0",
    "timer_wrong_offset": "off 16 doesn't point to 'struct bpf_timer' that is at 0",
    "timer_same_map": None,
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("helper_arg_rules"))


# bpf_timer arrived in 5.15: its cases are checked at 6.18 only
CASES = [
    (name, kernel)
    for name in sorted(EXPECTED)
    for kernel in ("6.18", "5.10")
    if kernel == "6.18" or not name.startswith("timer")
]


@pytest.mark.parametrize(("name", "kernel"), CASES)
def test_helper_specific_argument_rules(obj, name: str, kernel: str) -> None:
    prog = next(p for p in obj.programs if p.name == name)
    verdict = check_program(obj, prog, kernel, for_kernel(kernel), AnalysisOptions(timeout=10), Stages.real())
    expected = EXPECTED[name]
    if expected is None:
        assert verdict.verdict == "accept", verdict.findings
    else:
        assert verdict.verdict == "reject"
        assert verdict.findings[0].kernel_message == expected
