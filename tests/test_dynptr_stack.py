"""struct bpf_dynptr on the stack: built by a helper, used, released, overwritten.

A ring buffer dynptr holds a reference from bpf_ringbuf_reserve_dynptr() (even a failed one) until
bpf_ringbuf_submit/discard_dynptr(); its slices die with it; a dynptr holding a reference cannot
be overwritten; its bytes cannot be read; bpf_dynptr_from_mem() takes map values only. Verdicts and
messages: the running 6.18.44 kernel (the reservation, leak, overwrite and slice cases also on the
real 6.12.117).
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

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, char[16]); } arr SEC(".maps");

SEC("tc") int reserve_submit(struct __sk_buff *skb)
{ struct bpf_dynptr d; bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d); bpf_ringbuf_submit_dynptr(&d, 0); return 0; }
SEC("tc") int reserve_leak(struct __sk_buff *skb)
{ struct bpf_dynptr d; bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d); return 0; }
SEC("tc") int reserve_overwrite(struct __sk_buff *skb)
{ struct bpf_dynptr d; bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d); *(volatile __u64 *)&d = 0;
  bpf_ringbuf_submit_dynptr(&d, 0); return 0; }
SEC("tc") int reserve_twice(struct __sk_buff *skb)
{ struct bpf_dynptr d; bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d); bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d);
  bpf_ringbuf_discard_dynptr(&d, 0); return 0; }
SEC("tc") int use_after_submit(struct __sk_buff *skb)
{ struct bpf_dynptr d; char o[4]; bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d); bpf_ringbuf_submit_dynptr(&d, 0);
  return bpf_dynptr_read(o, 4, &d, 0, 0); }
SEC("tc") int slice_after_submit(struct __sk_buff *skb)
{ struct bpf_dynptr d; bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d); __u64 *p = bpf_dynptr_data(&d, 0, 8);
  if (!p) { bpf_ringbuf_discard_dynptr(&d, 0); return 0; } bpf_ringbuf_submit_dynptr(&d, 0); return *p & 1; }
SEC("tc") int uninit_use(struct __sk_buff *skb)
{ struct bpf_dynptr d; char o[4]; return bpf_dynptr_read(o, 4, &d, 0, 0); }
SEC("tc") int local_from_map(struct __sk_buff *skb)
{ __u32 k = 0; char *buf = bpf_map_lookup_elem(&arr, &k); if (!buf) return 0; struct bpf_dynptr d; char o[4];
  bpf_dynptr_from_mem(buf, 16, 0, &d); return bpf_dynptr_read(o, 4, &d, 0, 0); }
SEC("tc") int local_from_stack(struct __sk_buff *skb)
{ char buf[16] = {}; struct bpf_dynptr d; bpf_dynptr_from_mem(buf, 16, 0, &d); return 0; }
SEC("tc") int local_released(struct __sk_buff *skb)
{ __u32 k = 0; char *buf = bpf_map_lookup_elem(&arr, &k); if (!buf) return 0; struct bpf_dynptr d;
  bpf_dynptr_from_mem(buf, 16, 0, &d); bpf_ringbuf_submit_dynptr(&d, 0); return 0; }
SEC("tc") int read_dynptr_bytes(struct __sk_buff *skb)
{ __u32 k = 0; char *buf = bpf_map_lookup_elem(&arr, &k); if (!buf) return 0; struct bpf_dynptr d;
  bpf_dynptr_from_mem(buf, 16, 0, &d); return *(volatile __u32 *)&d; }
char LICENSE[] SEC("license") = "GPL";
"""

EXPECTED = {
    "reserve_submit": None,
    "reserve_leak": "BPF_EXIT instruction in main prog would lead to reference leak",
    "reserve_overwrite": "cannot overwrite referenced dynptr",
    "reserve_twice": "cannot overwrite referenced dynptr",
    "use_after_submit": "Expected an initialized dynptr as arg #2",
    "slice_after_submit": "R7 invalid mem access 'scalar'",
    "uninit_use": "Expected an initialized dynptr as arg #2",
    "local_from_map": None,
    "local_from_stack": "Unsupported reg type fp for bpf_dynptr_from_mem data",
    "local_released": "arg 1 is an unacquired reference",
    "read_dynptr_bytes": "invalid read from stack off -24+0 size 4",
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("dynptr_stack"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_dynptr_on_the_stack(obj, name: str) -> None:
    prog = next(p for p in obj.programs if p.name == name)
    verdict = check_program(obj, prog, "6.18", for_kernel("6.18"), AnalysisOptions(timeout=10), Stages.real())
    expected = EXPECTED[name]
    if expected is None:
        assert verdict.verdict == "accept", verdict.findings
    else:
        assert verdict.verdict == "reject"
        assert verdict.findings[0].kernel_message == expected
