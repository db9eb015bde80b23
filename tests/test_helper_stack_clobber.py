"""Stack memory a helper or a global function is given, after the call.

Before 6.14 check_stack_range_initialized() clobbered every byte a helper accessed on the stack,
reads included: zero and readable uninitialised bytes became misc and a spilled scalar became
unknown, so a constant key read back after bpf_map_lookup_elem() is unknown. From 6.14 only
writes clobber. A global function's memory argument is checked as a read and then as a write
(check_mem_reg()), so what it points to is clobbered at every version, and a read-only map value
cannot be passed. From 6.14 a helper argument the helper writes although it must be
initialised (MEM_WRITE, e.g. bpf_fib_lookup's params) is still clobbered. Verdicts: the running 6.18.44 and the real 6.1.0-57 and 6.12.117 (qemu, scripts/kernel_vm.py;
fib_params_written only on 6.18.44).
"""

from __future__ import annotations

import pytest
from bpf_c import compile_c, verdict_of

C_SOURCE = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32);
    __type(value, __u64[4]); } arr SEC(".maps");
struct pair { __u64 a, b; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __uint(map_flags, BPF_F_RDONLY_PROG);
    __type(key, __u32); __type(value, struct pair); } ro SEC(".maps");

SEC("tc") int zero_key_read_back(struct __sk_buff *skb)
{
	volatile __u64 k = 0;
	__u64 *v = bpf_map_lookup_elem(&arr, (void *)&k);
	if (!v) return 0;
	return v[k] & 1;
}
SEC("tc") int buffer_read_back(struct __sk_buff *skb)
{
	volatile __u64 buf[2] = {1, 3};
	__u32 k = 0;
	bpf_csum_diff(0, 0, (void *)buf, 16, 0);
	__u64 *v = bpf_map_lookup_elem(&arr, &k);
	if (!v) return 0;
	return v[buf[1]] & 1;
}
__attribute__((noinline)) int set_b(struct pair *p) { if (!p) return 0; p->b = 300; return 0; }
SEC("tc") int struct_after_global(struct __sk_buff *skb)
{
	struct pair p = {0, 0}; __u32 k = 0;
	asm volatile("" ::: "memory");
	set_b(&p);
	__u64 *v = bpf_map_lookup_elem(&arr, &k);
	if (!v) return 0;
	return v[p.b] & 1;
}
SEC("tc") int struct_after_global_masked(struct __sk_buff *skb)
{
	struct pair p = {0, 0}; __u32 k = 0;
	asm volatile("" ::: "memory");
	set_b(&p);
	__u64 *v = bpf_map_lookup_elem(&arr, &k);
	if (!v) return 0;
	return v[p.b & 3] & 1;
}
SEC("tc") int readonly_value_to_global(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct pair *p = bpf_map_lookup_elem(&ro, &k);
	if (!p) return 0;
	return set_b(p);
}
SEC("xdp") int fib_params_written(struct xdp_md *ctx)
{
	struct bpf_fib_lookup params = {};
	__u32 k = 0;
	params.family = 2;
	params.ifindex = ctx->ingress_ifindex;
	asm volatile("" ::: "memory");
	bpf_fib_lookup(ctx, &params, sizeof(params), 0);
	__u64 *v = bpf_map_lookup_elem(&arr, &k);
	if (!v) return 0;
	return v[params.tot_len] & 1;
}
char LICENSE[] SEC("license") = "GPL";
"""

VERDICTS = {
    "6.18": {
        "fib_params_written": "reject",
        "zero_key_read_back": "accept",
        "buffer_read_back": "accept",
        "struct_after_global": "reject",
        "struct_after_global_masked": "accept",
        "readonly_value_to_global": "reject",
    },
    "6.1": {
        "fib_params_written": "reject",
        "zero_key_read_back": "reject",
        "buffer_read_back": "reject",
        "struct_after_global": "reject",
        "struct_after_global_masked": "accept",
        "readonly_value_to_global": "reject",
    },
}
VERDICTS["6.12"] = VERDICTS["6.1"]  # measured on 6.12.117+deb13 too
# the feature's boundaries (sources, not run): 6.13 still clobbers, 6.14 does not
VERDICTS["6.13"] = VERDICTS["6.1"]
VERDICTS["6.14"] = VERDICTS["6.18"]


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("helper_stack_clobber"))


@pytest.mark.parametrize("kernel", sorted(VERDICTS))
def test_helper_and_global_function_stack_clobber(obj, kernel: str) -> None:
    assert {name: verdict_of(obj, name, kernel) for name in VERDICTS[kernel]} == VERDICTS[kernel]
