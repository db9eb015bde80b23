/* Pointer arithmetic the verifier refuses (pointer + pointer, bitwise ops on a
 * pointer, 32-bit ALU on a pointer) and what it allows (pointer + constant on the
 * stack, pointer - pointer into a scalar for privileged loaders). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
__attribute__((naked)) int ptr_add_ptr(void)
{
	asm volatile("r2 = r10;"
		     "r2 += r1;"
		     "r0 = 0;"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int ptr_and_const(void)
{
	asm volatile("r2 = r10;"
		     "r2 &= -8;"
		     "r0 = 0;"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int ptr_alu32(void)
{
	asm volatile("r2 = r10;"
		     "w2 += 8;"
		     "r0 = 0;"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int ptr_stack_plus_const(void)
{
	asm volatile("r2 = r10;"
		     "r2 += -16;"
		     "r3 = 5;"
		     "*(u64 *)(r2 + 0) = r3;"
		     "r0 = *(u64 *)(r2 + 0);"
		     "exit;" ::: "memory");
}

SEC("xdp")
__attribute__((naked)) int ptr_pkt_sub_pkt(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 4);"
		     "r3 = *(u32 *)(r1 + 0);"
		     "r2 -= r3;"
		     "r0 = 2;"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int ptr_deref_scalar(void)
{
	asm volatile("r2 = 4096;"
		     "r0 = *(u64 *)(r2 + 0);"
		     "exit;" ::: "memory");
}

char LICENSE[] SEC("license") = "GPL";
