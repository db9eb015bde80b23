/* Loops whose trip count is a constant: the verifier walks every iteration, so the
 * verdict depends on how many instructions that takes (1,000,000 from 5.2). Before
 * 5.3 every back-edge is refused. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* 100000 iterations of 3 instructions: about 300k processed, accepted from 5.3 */
SEC("socket")
__attribute__((naked)) int loop_until_const(void)
{
	asm volatile("r0 = 0;"
		     "l0_%=:"
		     "r0 += 1;"
		     "if r0 != 100000 goto l0_%=;"
		     "r0 = 0;"
		     "exit;" ::: "memory");
}

/* 400000 iterations of 3 instructions: over the 1M limit */
SEC("socket")
__attribute__((naked)) int loop_const_too_long(void)
{
	asm volatile("r0 = 0;"
		     "l0_%=:"
		     "r0 += 1;"
		     "if r0 < 400000 goto l0_%=;"
		     "r0 = 0;"
		     "exit;" ::: "memory");
}

/* counts down from an unknown value: never bounded, too large */
SEC("socket")
__attribute__((naked)) int loop_down_unknown(void)
{
	asm volatile("r6 = *(u32 *)(r1 + 0);"
		     "r0 = 0;"
		     "r7 = 0;"
		     "l0_%=:"
		     "r7 += 2;"
		     "r0 += 1;"
		     "if r0 > r6 goto l1_%=;"
		     "goto l0_%=;"
		     "l1_%=:"
		     "r0 = 0;"
		     "exit;" ::: "memory");
}

/* writes buf[i] for an unknown count: out of the 64-byte buffer at i == 64 */
SEC("socket")
__attribute__((naked)) int loop_stack_overflow(void)
{
	asm volatile("r6 = *(u32 *)(r1 + 0);"
		     "r1 = 0;"
		     "r2 = r10;"
		     "r2 += -64;"
		     "l0_%=:"
		     "*(u8 *)(r2 + 0) = r1;"
		     "r2 += 1;"
		     "r1 += 1;"
		     "if r1 != r6 goto l0_%=;"
		     "r0 = 0;"
		     "exit;" ::: "memory");
}

char LICENSE[] SEC("license") = "GPL";
