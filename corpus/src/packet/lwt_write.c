/* Packet writes: lwt_in may only read the packet, lwt_xmit may write it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("lwt_in")
int pkt_write_lwt_in(struct __sk_buff *skb)
{
	__u8 *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	if ((void *)(data + 1) > data_end)
		return BPF_OK;
	data[0] = 0x45;
	return BPF_OK;
}

SEC("lwt_xmit")
int pkt_write_lwt_xmit(struct __sk_buff *skb)
{
	__u8 *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	if ((void *)(data + 1) > data_end)
		return BPF_OK;
	data[0] = 0x45;
	return BPF_OK;
}

char LICENSE[] SEC("license") = "GPL";
