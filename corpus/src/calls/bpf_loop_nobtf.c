// bpfcheck-build: -g0
/* bpf_loop with a static callback, built without -g: the object has no .BTF.ext, so the loader
 * passes no func_info, and the kernel refuses the callback's address (check_ld_imm(),
 * BPF_PSEUDO_FUNC: 'missing btf func_info'). The same program with BTF is calls/bpf_loop.o. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static int add_index(__u32 index, void *data)
{
	__u64 *sum = data;

	*sum += index;
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int loop_no_btf(void *ctx)
{
	__u64 sum = 0;

	bpf_loop(100, add_index, &sum, 0);
	return sum & 1;
}

char LICENSE[] SEC("license") = "GPL";
