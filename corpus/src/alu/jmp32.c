// bpfcheck-build: -mcpu=v3
/* 32-bit conditional jumps (JMP32 class, 5.1): the bounds check on a 32-bit value
 * compiled with -mcpu=v3 uses `if w1 > 63`. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
__attribute__((naked)) int jmp32_bounds(void)
{
	asm volatile("r0 = *(u32 *)(r1 + 0);"
		     "if w0 > 63 goto big_%=;"
		     "exit;"
		     "big_%=:"
		     "r0 = 0;"
		     "exit;" ::: "memory");
}

char LICENSE[] SEC("license") = "GPL";
