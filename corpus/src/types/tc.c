/* Accepted tc classifier: writes skb->mark (writable for tc). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int type_tc(struct __sk_buff *skb)
{
	skb->mark = skb->len;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
