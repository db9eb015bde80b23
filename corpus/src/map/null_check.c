/* A hash-map lookup may return NULL: dereference without / with the NULL check. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

SEC("socket")
int map_no_null_check(struct __sk_buff *skb)
{
	__u32 key = skb->protocol;
	__u64 *value = bpf_map_lookup_elem(&counters, &key);

	return *value;
}

SEC("socket")
int map_null_checked(struct __sk_buff *skb)
{
	__u32 key = skb->protocol;
	__u64 *value = bpf_map_lookup_elem(&counters, &key);

	if (!value)
		return 0;
	return *value;
}

char LICENSE[] SEC("license") = "GPL";
