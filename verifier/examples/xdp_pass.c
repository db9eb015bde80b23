// SPDX-License-Identifier: GPL-2.0
/*
 * A tiny XDP program the kernel accepts: it reads the Ethernet header only
 * after checking that the header lies inside the packet.
 *
 * Build: ./build.sh (clang-19 -O2 -g -target bpf -c, see there).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	/* A source address with the group bit set is never valid. */
	if (eth->h_source[0] & 1)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
