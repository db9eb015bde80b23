#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

struct val64 {
	__u8 b[64];
};

SEC("socket")
int prog(struct __sk_buff *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 acc = 0;
	/* alu32 */
	{
	__u8 ab0[64];
	__builtin_memset(ab0, 3, sizeof(ab0));
	asm volatile("" : : "r"(ab0) : "memory");
	int x0 = (int)bpf_get_prandom_u32();
	x0 = x0 * 3;
	x0 = x0 >> 15;
	acc += ab0[x0];
	asm volatile("" : : "r"(ab0) : "memory");
	}
	return acc;
}

char LICENSE[] SEC("license") = "GPL";
