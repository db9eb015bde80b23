// SPDX-License-Identifier: GPL-2.0
/*
 * The same XDP program with its bug left in: it reads the Ethernet header
 * without checking it against ctx->data_end, so the kernel rejects it.
 * `bpfcheck xdp_bad.o` shows the report.
 *
 * Build: ./build.sh (clang-19 -O2 -g -target bpf -c, see there).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_bad(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;

	/* Bug: no `if ((void *)(eth + 1) > data_end) return XDP_DROP;` first. */
	if (eth->h_source[0] & 1)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
