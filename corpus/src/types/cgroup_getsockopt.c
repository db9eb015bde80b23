/* Accepted cgroup/getsockopt program: checks the option buffer bounds, returns 1. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup/getsockopt")
int type_cgroup_getsockopt(struct bpf_sockopt *ctx)
{
	__u8 *optval = ctx->optval;
	__u8 *optval_end = ctx->optval_end;

	if (optval + 1 > optval_end)
		return 1;
	if (ctx->level == 1 && optval[0] == 0)
		ctx->retval = 0;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
