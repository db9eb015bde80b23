/* Accepted cgroup_skb programs: ingress and egress, both return 1 (allow). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup_skb/ingress")
int type_cgroup_skb_ingress(struct __sk_buff *skb)
{
	return skb->len < 65536;
}

SEC("cgroup_skb/egress")
int type_cgroup_skb_egress(struct __sk_buff *skb)
{
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
