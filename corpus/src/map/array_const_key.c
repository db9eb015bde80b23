/* Array map, constant in-range key, result used without a NULL check
 * (newer kernels know such a lookup cannot fail); and with an out-of-range key. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} slots SEC(".maps");

SEC("socket")
int array_const_key_no_check(struct __sk_buff *skb)
{
	__u32 key = 1;
	__u64 *value = bpf_map_lookup_elem(&slots, &key);

	return *value;
}

SEC("socket")
int array_const_key_out_of_range(struct __sk_buff *skb)
{
	__u32 key = 4;
	__u64 *value = bpf_map_lookup_elem(&slots, &key);

	return *value;
}

char LICENSE[] SEC("license") = "GPL";
