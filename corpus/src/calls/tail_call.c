/* Tail calls (4.2) need a BPF_MAP_TYPE_PROG_ARRAY map; a hash map is refused. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jump_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} not_progs SEC(".maps");

SEC("socket")
int tail_call_ok(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jump_table, 1);
	return 0;
}

SEC("socket")
int tail_call_wrong_map(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &not_progs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
