/* Found by scripts/diff_fuzz.py: a static function whose result the caller never uses returns
 * without setting R0; the kernel only objects when the caller reads it. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

struct val64 {
	__u8 b[64];
};
static __noinline int f0(__u32 x)
{
	__u8 b[16] = {}; asm volatile("" : : "r"(b) : "memory"); return b[x & 15];
}

SEC("kprobe/do_nanosleep")
int static_ret_index(struct pt_regs *ctx)
{
	void *data = 0;
	void *data_end = 0;
	__u64 acc = 0;
	/* subprog */
	{
	{ __u8 rb0[8] = {}; asm volatile("" : : "r"(rb0) : "memory"); acc += rb0[f0((__u32)acc)]; }
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
