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
	/* loop */
	{
	__u32 lim0 = bpf_get_prandom_u32();
	if (lim0 > 4) return 0;
	for (__u32 j0 = 0; j0 < lim0; j0++) { acc = acc * 3 + j0; }
	}
	return acc & 1;
}

char LICENSE[] SEC("license") = "GPL";
