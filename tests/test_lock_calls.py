"""Calls and exits while a bpf_spin_lock is held, by version.

From 6.9 a static subprogram may be called with the lock held and may return with it held;
a global one may not ('global function calls are not allowed while holding a lock,'). Before,
every call but bpf_spin_unlock was refused and every exit with the lock held was 'bpf_spin_unlock
is missing'; 6.13/6.14 name the exit ('BPF_EXIT instruction in main prog cannot be used inside
bpf_spin_lock-ed region'). 6.18 verdicts and messages: the running 6.18.44 kernel.
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

static __attribute__((noinline)) int bump(struct locked *v) { v->count++; return 0; }
__attribute__((noinline)) int bump_global(struct locked *v) { if (v) v->count++; return 0; }
static __attribute__((noinline)) int take(struct locked *v) { bpf_spin_lock(&v->lock); return 0; }

SEC("tc") int static_call_locked(struct __sk_buff *skb)
{
	__u32 k = 0; struct locked *v = bpf_map_lookup_elem(&locks, &k);
	if (!v) return 0;
	bpf_spin_lock(&v->lock); bump(v); bpf_spin_unlock(&v->lock);
	return 0;
}
SEC("tc") int global_call_locked(struct __sk_buff *skb)
{
	__u32 k = 0; struct locked *v = bpf_map_lookup_elem(&locks, &k);
	if (!v) return 0;
	bpf_spin_lock(&v->lock); bump_global(v); bpf_spin_unlock(&v->lock);
	return 0;
}
SEC("tc") int lock_in_subprog(struct __sk_buff *skb)
{
	__u32 k = 0; struct locked *v = bpf_map_lookup_elem(&locks, &k);
	if (!v) return 0;
	take(v); v->count++; bpf_spin_unlock(&v->lock);
	return 0;
}
SEC("tc") int exit_locked(struct __sk_buff *skb)
{
	__u32 k = 0; struct locked *v = bpf_map_lookup_elem(&locks, &k);
	if (!v) return 0;
	bpf_spin_lock(&v->lock);
	if (skb->len > 10) return 1;
	bpf_spin_unlock(&v->lock);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
"""

EXPECTED = {
    "6.18": {
        "static_call_locked": None,
        "global_call_locked": "global function calls are not allowed while holding a lock,",
        "lock_in_subprog": None,
        "exit_locked": "BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region",
    },
    "6.8": {
        "static_call_locked": "function calls are not allowed while holding a lock",
        "global_call_locked": "function calls are not allowed while holding a lock",
        "lock_in_subprog": "bpf_spin_unlock is missing",
        "exit_locked": "bpf_spin_unlock is missing",
    },
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("lock_calls"))


@pytest.mark.parametrize("kernel", sorted(EXPECTED))
@pytest.mark.parametrize("name", sorted(EXPECTED["6.18"]))
def test_calls_and_exits_under_a_lock(obj, name: str, kernel: str) -> None:
    prog = next(p for p in obj.programs if p.name == name)
    verdict = check_program(obj, prog, kernel, for_kernel(kernel), AnalysisOptions(timeout=10), Stages.real())
    expected = EXPECTED[kernel][name]
    if expected is None:
        assert verdict.verdict == "accept", verdict.findings
    else:
        assert verdict.verdict == "reject"
        assert verdict.findings[0].kernel_message == expected
