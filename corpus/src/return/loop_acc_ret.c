/* Found by scripts/diff_fuzz.py: the return value of a cgroup_skb program depends on a loop;
 * the kernel rejects its range at the first exit it reaches. Precision must reach the loop. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

struct val64 {
	__u8 b[64];
};
static __noinline int f1(__u32 x)
{
	__u8 b[16] = {}; asm volatile("" : : "r"(b) : "memory"); return b[x & 15];
}

SEC("cgroup_skb/egress")
int prog(struct __sk_buff *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 acc = 0;
	/* loop */
	{
	__u8 ls0[16];
	__builtin_memset(ls0, 2, 16);
	asm volatile("" : : "r"(ls0) : "memory");
	__u32 lim0 = bpf_get_prandom_u32();
	if (lim0 > 16) return 0;
	__u32 j0 = 0;
	while (1) { if (j0 >= lim0) break; acc += ls0[j0 & 15]; j0++; }
	}
	/* subprog */
	{
	acc += f1((__u32)acc);
	}
	return acc;
}

char LICENSE[] SEC("license") = "GPL";
