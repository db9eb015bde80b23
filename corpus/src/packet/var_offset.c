/* Packet access at a variable offset: bounded by a mask then checked against
 * data_end (accepted), and the same offset used without a new data_end check
 * after adding it (rejected). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int pkt_var_off_checked(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *data_end = (void *)(long)ctx->data_end;
	__u32 off;

	if (data + 1 > data_end)
		return XDP_PASS;
	off = data[0] & 31;
	if (data + off + 1 > data_end)
		return XDP_PASS;
	return data[off] ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int pkt_var_off_unchecked(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *data_end = (void *)(long)ctx->data_end;
	__u32 off;

	if (data + 32 > data_end)
		return XDP_PASS;
	off = data[0] & 63;
	return data[off] ? XDP_DROP : XDP_PASS;
}

SEC("tc")
int pkt_tc_checked(struct __sk_buff *skb)
{
	__u8 *data = (void *)(long)skb->data;
	__u8 *data_end = (void *)(long)skb->data_end;

	if (data + 14 > data_end)
		return 0;
	return data[13];
}

SEC("socket")
int pkt_socket_direct(struct __sk_buff *skb)
{
	__u8 *data = (void *)(long)skb->data;
	__u8 *data_end = (void *)(long)skb->data_end;

	if (data + 14 > data_end)
		return 0;
	return data[13];
}

char LICENSE[] SEC("license") = "GPL";
