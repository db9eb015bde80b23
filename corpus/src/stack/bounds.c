/* The stack is 512 bytes: a store at fp-520 is outside it, fp-512 is the last slot. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
__attribute__((naked)) int stack_oob_520(void)
{
	asm volatile("r0 = 0;"
		     "*(u64 *)(r10 - 520) = r0;"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int stack_in_bounds_512(void)
{
	asm volatile("r0 = 0;"
		     "*(u64 *)(r10 - 512) = r0;"
		     "exit;" ::: "memory");
}

char LICENSE[] SEC("license") = "GPL";
