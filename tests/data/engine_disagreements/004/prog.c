#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

struct val64 {
	__u8 b[64];
};

SEC("cgroup_skb/egress")
int prog(struct __sk_buff *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 acc = 0;
	/* skb_load_bytes */
	{
	__u8 lb0[8] = {};
	if (bpf_skb_load_bytes(ctx, 0, lb0, 8)) return 0;
	acc += lb0[0];
	}
	return acc;
}

char LICENSE[] SEC("license") = "GPL";
