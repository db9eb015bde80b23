// bpfcheck-build: -mcpu=v4
/* cpu v4 instructions (6.6): a sign-extending load and a sign-extending move. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
__attribute__((naked)) int cpuv4_movsx(void)
{
	asm volatile("r0 = *(u32 *)(r1 + 0);"
		     "r0 = (s8)r0;"
		     "r0 &= 1;"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int cpuv4_ldsx(void)
{
	asm volatile("r2 = 5;"
		     "*(u64 *)(r10 - 8) = r2;"
		     "r0 = *(s8 *)(r10 - 8);"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int cpuv4_sdiv(void)
{
	asm volatile("r0 = -100;"
		     "r0 s/= 7;"
		     "exit;" ::: "memory");
}

char LICENSE[] SEC("license") = "GPL";
