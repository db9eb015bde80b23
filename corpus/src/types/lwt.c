/* Accepted lightweight-tunnel programs: lwt_in and lwt_xmit. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("lwt_in")
int type_lwt_in(struct __sk_buff *skb)
{
	return skb->len ? BPF_OK : BPF_DROP;
}

SEC("lwt_xmit")
int type_lwt_xmit(struct __sk_buff *skb)
{
	return skb->protocol ? BPF_OK : BPF_DROP;
}

char LICENSE[] SEC("license") = "GPL";
