/* Accepted flow dissector: fills in the network header offset and stops. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("flow_dissector")
int type_flow_dissector(struct __sk_buff *skb)
{
	struct bpf_flow_keys *keys = skb->flow_keys;

	keys->thoff = keys->nhoff;
	return BPF_OK;
}

char LICENSE[] SEC("license") = "GPL";
