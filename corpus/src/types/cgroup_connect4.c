/* Accepted cgroup/connect4 program: refuses connections to port 1. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("cgroup/connect4")
int type_cgroup_connect4(struct bpf_sock_addr *ctx)
{
	return ctx->user_port != bpf_htons(1);
}

char LICENSE[] SEC("license") = "GPL";
