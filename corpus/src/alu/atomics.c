// bpfcheck-build: -mcpu=v3
/* Atomics: a plain atomic add (BPF_XADD, every version) and an atomic fetch-add
 * whose result is used (BPF_ATOMIC with BPF_FETCH, 5.12). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counter SEC(".maps");

SEC("socket")
int atomic_add(struct __sk_buff *skb)
{
	__u32 zero = 0;
	__u64 *c = bpf_map_lookup_elem(&counter, &zero);

	if (c)
		__sync_fetch_and_add(c, 1);
	return 0;
}

SEC("socket")
int atomic_fetch_add(struct __sk_buff *skb)
{
	__u32 zero = 0;
	__u64 *c = bpf_map_lookup_elem(&counter, &zero);

	if (!c)
		return 0;
	return __sync_fetch_and_add(c, 1) & 1;
}

SEC("socket")
int atomic_cmpxchg(struct __sk_buff *skb)
{
	__u32 zero = 0;
	__u64 *c = bpf_map_lookup_elem(&counter, &zero);

	if (!c)
		return 0;
	return __sync_val_compare_and_swap(c, 0, 1) & 1;
}

char LICENSE[] SEC("license") = "GPL";
