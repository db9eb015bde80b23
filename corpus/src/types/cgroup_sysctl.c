/* Accepted cgroup/sysctl program: lets reads through, refuses writes. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup/sysctl")
int type_cgroup_sysctl(struct bpf_sysctl *ctx)
{
	return ctx->write == 0;
}

char LICENSE[] SEC("license") = "GPL";
