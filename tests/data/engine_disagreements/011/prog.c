#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

struct val64 {
	__u8 b[64];
};
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

SEC("kprobe/do_nanosleep")
int prog(struct pt_regs *ctx)
{
	void *data = 0;
	void *data_end = 0;
	__u64 acc = 0;
	/* ringbuf */
	{
	__u8 *r0 = bpf_ringbuf_reserve(&rb, 16, 0);
	if (!r0) return 0;
	*(__u64 *)(r0 + 0) = acc;
	
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
