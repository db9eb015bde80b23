#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

struct val64 {
	__u8 b[64];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, 4);
	__uint(value_size, 4);
} pe SEC(".maps");

SEC("kprobe/do_nanosleep")
int prog(struct pt_regs *ctx)
{
	void *data = 0;
	void *data_end = 0;
	__u64 acc = 0;
	/* perf_output */
	{
	__u64 eb0[1] = {};
	eb0[0] = acc;
	bpf_perf_event_output(ctx, &pe, BPF_F_CURRENT_CPU, eb0, sizeof(eb0) + 8);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
