/* Division by a register that may be zero is defined (result 0) and accepted; a
 * division by the constant 0 is refused; a shift by 64 or more is refused. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
__attribute__((naked)) int div_by_reg(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 0);"
		     "r0 = 100;"
		     "r0 /= r2;"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int div_by_zero_imm(void)
{
	asm volatile("r0 = 100;"
		     "r0 /= 0;"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int mod_by_zero_imm(void)
{
	asm volatile("r0 = 100;"
		     "r0 %%= 0;"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int shift_by_64(void)
{
	asm volatile("r0 = 1;"
		     "r0 <<= 64;"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int shift_by_63(void)
{
	asm volatile("r0 = 1;"
		     "r0 <<= 63;"
		     "r0 >>= 63;"
		     "exit;" ::: "memory");
}

char LICENSE[] SEC("license") = "GPL";
