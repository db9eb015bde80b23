/* bpf_for_each_map_elem(map, callback, callback_ctx, flags): the callback's fourth argument is
 * callback_ctx, the helper's third (set_map_elem_callback_state(): callee R4 = caller R3), a
 * pointer to the caller's stack here, so the callback may read through it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} values SEC(".maps");

static long add_value(struct bpf_map *map, __u32 *key, __u64 *value, void *ctx)
{
	__u64 *sum = ctx;

	*sum += *value;
	return 0;
}

SEC("tc")
int for_each_reads_ctx(struct __sk_buff *skb)
{
	__u64 sum = 0;

	bpf_for_each_map_elem(&values, add_value, &sum, 0);
	return sum ? 1 : 0;
}

SEC("tc")
int for_each_null_ctx(struct __sk_buff *skb)
{
	bpf_for_each_map_elem(&values, add_value, 0, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
