/* A loop whose exit depends only on a value the verifier cannot bound: rejected at
 * every version (back-edge before 5.3, too many instructions to explore after). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
__attribute__((naked)) int loop_unbounded(void)
{
	asm volatile("r6 = *(u32 *)(r1 + 0);"
		     "r0 = 0;"
		     "l0_%=:"
		     "r0 += 1;"
		     "if r0 != r6 goto l0_%=;"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int loop_infinite(void)
{
	asm volatile("r0 = 0;"
		     "l0_%=:"
		     "goto l0_%=;" ::: "memory");
}

char LICENSE[] SEC("license") = "GPL";
