"""Program-side map access flags and the identity of a held bpf_spin_lock.

check_map_access_type() refuses program writes into a BPF_F_RDONLY_PROG map and program reads of
a BPF_F_WRONLY_PROG map, directly or through a helper's memory argument; record_func_map() refuses
the helpers that change a read-only map. A map value that may hold a bpf_spin_lock keeps its id
after the NULL check (reg_may_point_to_spin_lock()), so unlocking another element's lock is
'bpf_spin_unlock of different lock'. Verdicts and messages: the running 6.18.44 kernel.
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

struct locked { struct bpf_spin_lock lock; __u64 count; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32);
    __type(value, struct locked); } locks SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __uint(map_flags, BPF_F_RDONLY_PROG);
    __type(key, __u32); __type(value, __u64); } ro SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __uint(map_flags, BPF_F_WRONLY_PROG);
    __type(key, __u32); __type(value, __u64); } wo SEC(".maps");

SEC("tc") int ro_store(struct __sk_buff *skb)
{ __u32 k = 1; __u64 *v = bpf_map_lookup_elem(&ro, &k); if (!v) return 0; v[0] = skb->len; return 0; }
SEC("tc") int ro_load(struct __sk_buff *skb)
{ __u32 k = 1; __u64 *v = bpf_map_lookup_elem(&ro, &k); if (!v) return 0; return *v > 3; }
SEC("tc") int ro_delete(struct __sk_buff *skb)
{ __u32 k = 2; return bpf_map_delete_elem(&ro, &k); }
SEC("tc") int ro_helper_fills(struct __sk_buff *skb)
{ __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&ro, &k); if (!v) return 0; return bpf_skb_load_bytes(skb, 0, v, 8); }
SEC("tc") int wo_load(struct __sk_buff *skb)
{ __u32 k = 3; __u64 *v = bpf_map_lookup_elem(&wo, &k); if (!v) return 0; return *v > 3; }
SEC("tc") int wo_store(struct __sk_buff *skb)
{ __u32 k = 3; __u64 *v = bpf_map_lookup_elem(&wo, &k); if (!v) return 0; *v = skb->len; return 0; }
SEC("tc") int wo_value_as_key(struct __sk_buff *skb)
{ __u32 k = 3; __u64 *v = bpf_map_lookup_elem(&wo, &k); if (!v) return 0; return bpf_map_lookup_elem(&locks, v) != 0; }
SEC("tc") int unlock_other_element(struct __sk_buff *skb)
{
	__u32 k0 = 0, k1 = 1;
	struct locked *a = bpf_map_lookup_elem(&locks, &k0), *b = bpf_map_lookup_elem(&locks, &k1);
	if (!a || !b) return 0;
	bpf_spin_lock(&a->lock); a->count++; bpf_spin_unlock(&b->lock);
	return 0;
}
SEC("tc") int unlock_same_element(struct __sk_buff *skb)
{
	__u32 k0 = 0;
	struct locked *a = bpf_map_lookup_elem(&locks, &k0), *b;
	if (!a) return 0;
	b = a;
	bpf_spin_lock(&a->lock); a->count++; bpf_spin_unlock(&b->lock);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
"""

# what the 6.18.44 kernel answered (None: accepted)
EXPECTED = {
    "ro_store": "write into map forbidden, value_size=8 off=0 size=8",
    "ro_load": None,
    "ro_delete": "write into map forbidden",
    "ro_helper_fills": "write into map forbidden, value_size=8 off=0 size=8",
    "wo_load": "read from map forbidden, value_size=8 off=0 size=8",
    "wo_store": None,
    "wo_value_as_key": "read from map forbidden, value_size=8 off=0 size=4",
    "unlock_other_element": "bpf_spin_unlock of different lock",
    "unlock_same_element": None,
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("map_prog_flags"))


@pytest.mark.parametrize("kernel", ["6.18", "6.1"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_map_access_flags_and_lock_identity(obj, name: str, kernel: str) -> None:
    prog = next(p for p in obj.programs if p.name == name)
    verdict = check_program(obj, prog, kernel, for_kernel(kernel), AnalysisOptions(timeout=10), Stages.real())
    expected = EXPECTED[name]
    if expected is None:
        assert verdict.verdict == "accept", verdict.findings
    else:
        assert verdict.verdict == "reject"
        assert verdict.findings[0].kernel_message == expected
