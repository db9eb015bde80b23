/* bpf_loop (5.17) with a static callback that sums its index into the context. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static int add_index(__u32 index, void *data)
{
	__u64 *sum = data;

	*sum += index;
	return 0;
}

static int bad_return(__u32 index, void *data)
{
	return 7;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int loop_helper_ok(void *ctx)
{
	__u64 sum = 0;

	bpf_loop(100, add_index, &sum, 0);
	return sum & 1;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int loop_helper_bad_callback_ret(void *ctx)
{
	__u64 sum = 0;

	bpf_loop(100, bad_return, &sum, 0);
	return sum & 1;
}

char LICENSE[] SEC("license") = "GPL";
