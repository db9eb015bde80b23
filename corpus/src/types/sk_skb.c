/* Accepted sk_skb stream verdict program: redirects nothing, passes everything. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("sk_skb/stream_verdict")
int type_sk_skb(struct __sk_buff *skb)
{
	return skb->len ? SK_PASS : SK_DROP;
}

char LICENSE[] SEC("license") = "GPL";
