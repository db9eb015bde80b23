/* Packet pointers die after a call to a global function that may move the packet: one that
 * (itself or through a function it calls) uses a helper that changes packet data, or makes a
 * tail call. A global function that leaves the packet alone keeps them alive, and so does a
 * tail call made directly (when it returns, nothing ran). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} next_progs SEC(".maps");

__noinline int pull_inner(struct __sk_buff *skb)
{
	return bpf_skb_pull_data(skb, 0);
}

__noinline int pull_outer(struct __sk_buff *skb)
{
	return pull_inner(skb) + 1;
}

__noinline int tail_in_global(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &next_progs, 0);
	return 0;
}

__noinline int only_reads_mark(struct __sk_buff *skb)
{
	return skb->mark + 1;
}

SEC("tc")
int write_after_global_pull(struct __sk_buff *skb)
{
	__u8 *p = (void *)(long)skb->data;

	if ((void *)(p + 1) > (void *)(long)skb->data_end)
		return 0;
	pull_outer(skb);
	*p = 1;
	return 0;
}

SEC("tc")
int write_after_global_read(struct __sk_buff *skb)
{
	__u8 *p = (void *)(long)skb->data;

	if ((void *)(p + 1) > (void *)(long)skb->data_end)
		return 0;
	only_reads_mark(skb);
	*p = 1;
	return 0;
}

SEC("tc")
int write_after_tail_call(struct __sk_buff *skb)
{
	__u8 *p = (void *)(long)skb->data;

	if ((void *)(p + 1) > (void *)(long)skb->data_end)
		return 0;
	bpf_tail_call(skb, &next_progs, 0);
	*p = 1;
	return 0;
}

SEC("tc")
int write_after_global_tail_call(struct __sk_buff *skb)
{
	__u8 *p = (void *)(long)skb->data;

	if ((void *)(p + 1) > (void *)(long)skb->data_end)
		return 0;
	tail_in_global(skb);
	*p = 1;
	return 0;
}

SEC("tc")
int reload_after_tail_call(struct __sk_buff *skb)
{
	__u8 *p;

	bpf_tail_call(skb, &next_progs, 0);
	p = (void *)(long)skb->data;
	if ((void *)(p + 1) > (void *)(long)skb->data_end)
		return 0;
	*p = 1;
	return 0;
}

char _license[] SEC("license") = "GPL";
