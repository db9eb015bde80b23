/* The context pointer may not be moved before a load: r1 += 4, then read (rejected);
 * the same field read at its constant offset (accepted). Also the context pointer
 * copied through the stack (spill/fill keeps its type). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
__attribute__((naked)) int ctx_modified_ptr_read(void)
{
	asm volatile("r1 += 4;"
		     "r0 = *(u32 *)(r1 + 0);"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int ctx_const_offset_read(void)
{
	asm volatile("r0 = *(u32 *)(r1 + 4);"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int ctx_spilled_then_read(void)
{
	asm volatile("*(u64 *)(r10 - 8) = r1;"
		     "r2 = *(u64 *)(r10 - 8);"
		     "r0 = *(u32 *)(r2 + 0);"
		     "exit;" ::: "memory");
}

char LICENSE[] SEC("license") = "GPL";
