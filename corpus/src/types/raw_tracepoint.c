/* Accepted raw tracepoint: reads the syscall id from the raw arguments. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("raw_tracepoint/sys_enter")
int type_raw_tracepoint(struct bpf_raw_tracepoint_args *ctx)
{
	return ctx->args[1] == 0;
}

char LICENSE[] SEC("license") = "GPL";
