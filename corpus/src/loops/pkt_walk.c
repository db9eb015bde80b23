/* Found by scripts/diff_fuzz.py: walking packet bytes in a loop bounded by a checked random
 * limit; every iteration leaves a branch behind, and the kernel gives up on the jump sequence. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

struct val64 {
	__u8 b[64];
};

SEC("cgroup_skb/egress")
int loop_pkt_walk(struct __sk_buff *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 acc = 0;
	/* loop */
	{
	__u32 lim0 = bpf_get_prandom_u32();
	if (lim0 > 100) return 0;
	for (__u32 j0 = 0; j0 < lim0; j0++) { if (data + j0 + 1 > data_end) break; acc += *((__u8 *)data + j0); }
	}
	return acc & 1;
}

char LICENSE[] SEC("license") = "GPL";
