/* Helpers that may move packet data (bpf_xdp_adjust_head, ...) invalidate every packet
 * pointer: using one taken before the call is refused, re-reading ctx->data is fine. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int adjust_head_stale_ptr(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	unsigned char *p = data;
	if (data + 16 > data_end)
		return XDP_DROP;
	if (bpf_xdp_adjust_head(ctx, 4))
		return XDP_DROP;
	return p[0];
}
SEC("xdp")
int adjust_head_reload(struct xdp_md *ctx)
{
	if (bpf_xdp_adjust_head(ctx, 4))
		return XDP_DROP;
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	unsigned char *p = data;
	if (data + 16 > data_end)
		return XDP_DROP;
	return p[0];
}
char LICENSE[] SEC("license") = "GPL";
