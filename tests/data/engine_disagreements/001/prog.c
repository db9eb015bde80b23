#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

struct val64 {
	__u8 b[64];
};

SEC("kprobe/do_nanosleep")
int prog(struct pt_regs *ctx)
{
	void *data = 0;
	void *data_end = 0;
	__u64 acc = 0;
	/* probe_read */
	{
	__u8 pb0[8] = {};
	bpf_probe_read_kernel(pb0, 9, *(void **)((char *)ctx + 112));
	acc += pb0[1];
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
