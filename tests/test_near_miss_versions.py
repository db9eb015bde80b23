"""Near-miss programs the real 5.10, 6.1 and 6.12 kernels (qemu, scripts/kernel_vm.py: 5.10.0-46,
6.1.0-57, 6.12.117+deb13) and the running 6.18.44 answered differently.

- bpf_ringbuf_submit() of a moved record pointer: accepted by 5.10 (the zero-offset check of a
  released ALLOC_MEM pointer arrived in 5.17), refused by 6.1 and later;
- a tracepoint record read at offset 4096: accepted everywhere measured (PERF_MAX_TRACE_SIZE 8192
  from 5.16, backported to 5.10.216);
- bpf_skb_load_bytes() into an uninitialised stack buffer at a variable offset: raw mode is off
  for a variable offset, so the bytes must be readable: 5.10 refuses (nothing allocated there),
  6.1 and later accept (privileged uninitialised reads).
"""

from __future__ import annotations

import pytest
from bpf_c import compile_c, verdict_of

C_SOURCE = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");

SEC("tc") int submit_moved(struct __sk_buff *skb)
{ char *p = bpf_ringbuf_reserve(&rb, 16, 0); if (!p) return 0; p[0] = 1; bpf_ringbuf_submit(p + 8, 0); return 0; }
SEC("tracepoint/syscalls/sys_enter_nanosleep") int tracepoint_far(void *c)
{ return *(__u64 *)((char *)c + 4096) & 1; }
SEC("tc") int var_offset_raw_buffer(struct __sk_buff *skb)
{ char buf[16]; __u32 off = skb->len & 7; return bpf_skb_load_bytes(skb, 0, buf + off, 8); }
char LICENSE[] SEC("license") = "GPL";
"""

VERDICTS = {
    "5.10": {"submit_moved": "accept", "tracepoint_far": "accept", "var_offset_raw_buffer": "reject"},
    "5.10.215": {"submit_moved": "accept", "tracepoint_far": "reject", "var_offset_raw_buffer": "reject"},
    "6.1": {"submit_moved": "reject", "tracepoint_far": "accept", "var_offset_raw_buffer": "accept"},
    "6.12": {"submit_moved": "reject", "tracepoint_far": "accept", "var_offset_raw_buffer": "accept"},
    "6.18": {"submit_moved": "reject", "tracepoint_far": "accept", "var_offset_raw_buffer": "accept"},
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("near_miss_versions"))


@pytest.mark.parametrize("kernel", sorted(VERDICTS))
def test_near_miss_verdicts_by_version(obj, kernel: str) -> None:
    assert {name: verdict_of(obj, name, kernel) for name in VERDICTS[kernel]} == VERDICTS[kernel]
