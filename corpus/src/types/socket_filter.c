/* Accepted socket filter: reads skb->len and keeps the whole packet. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int type_socket_filter(struct __sk_buff *skb)
{
	return skb->len > 0 ? -1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
