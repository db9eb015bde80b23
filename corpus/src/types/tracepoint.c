/* Accepted tracepoint program: reads a field of the raw tracepoint record (the syscall nr). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sys_enter_args {
	__u64 common; /* common_type, flags, preempt_count, pid */
	long nr;
	unsigned long args[6];
};

SEC("tracepoint/syscalls/sys_enter_write")
int type_tracepoint(struct sys_enter_args *ctx)
{
	return ctx->nr == 1;
}

char LICENSE[] SEC("license") = "GPL";
