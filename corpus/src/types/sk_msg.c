/* Accepted sk_msg program: reads the message size. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("sk_msg")
int type_sk_msg(struct sk_msg_md *msg)
{
	return msg->size > 0 ? SK_PASS : SK_DROP;
}

char LICENSE[] SEC("license") = "GPL";
