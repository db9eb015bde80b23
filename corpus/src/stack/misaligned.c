/* Stack accesses must be aligned to their size: 4-byte store at fp-6 vs fp-8. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
__attribute__((naked)) int stack_misaligned(void)
{
	asm volatile("r0 = 0;"
		     "*(u32 *)(r10 - 6) = r0;"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int stack_aligned(void)
{
	asm volatile("r0 = 0;"
		     "*(u32 *)(r10 - 8) = r0;"
		     "exit;" ::: "memory");
}

char LICENSE[] SEC("license") = "GPL";
