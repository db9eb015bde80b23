/* Return-value ranges: cgroup_skb ingress allows [0,1]; egress allows [0,3] since
 * 5.3 (before: 0 or 1); cgroup/sock allows [0,1]; a socket filter returns anything. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup_skb/ingress")
int ret_cgroup_skb_ingress_2(struct __sk_buff *skb)
{
	return 2;
}

SEC("cgroup_skb/egress")
int ret_cgroup_skb_egress_2(struct __sk_buff *skb)
{
	return 2;
}

SEC("cgroup_skb/egress")
int ret_cgroup_skb_egress_4(struct __sk_buff *skb)
{
	return 4;
}

SEC("cgroup/sock_create")
int ret_cgroup_sock_2(struct bpf_sock *sk)
{
	return 2;
}

SEC("cgroup_skb/ingress")
int ret_cgroup_skb_unknown(struct __sk_buff *skb)
{
	return skb->len;
}

SEC("cgroup_skb/ingress")
int ret_cgroup_skb_masked(struct __sk_buff *skb)
{
	return skb->len & 1;
}

SEC("socket")
int ret_socket_any(struct __sk_buff *skb)
{
	return 12345;
}

char LICENSE[] SEC("license") = "GPL";
