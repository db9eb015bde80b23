/* A map value used as the key of another lookup (4.18: "Pass map values to map helpers"). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} first SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} second SEC(".maps");

SEC("socket")
int map_value_as_key(struct __sk_buff *skb)
{
	__u32 zero = 0;
	__u32 *key = bpf_map_lookup_elem(&first, &zero);
	__u64 *v;

	if (!key)
		return 0;
	v = bpf_map_lookup_elem(&second, key);
	return v ? *v & 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
