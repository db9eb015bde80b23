/* Program size: 4096 instructions is the limit before 5.2 (then 1M for root).
 * big_4100 has 4100 instructions, big_4000 has 4000. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
__attribute__((naked)) int big_4100(void)
{
	asm volatile("r0 = 0;"
		     ".rept 4098\n"
		     "r0 += 1\n"
		     ".endr\n"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int big_4000(void)
{
	asm volatile("r0 = 0;"
		     ".rept 3998\n"
		     "r0 += 1\n"
		     ".endr\n"
		     "exit;" ::: "memory");
}

char LICENSE[] SEC("license") = "GPL";
