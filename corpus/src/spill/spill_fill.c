/* Spill and fill: a bounded scalar keeps its bounds through an 8-byte spill; a
 * pointer keeps its type; a pointer spill overwritten by a 4-byte store becomes
 * data, so the filled value is no longer a pointer. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[8]);
} spill_map SEC(".maps");

SEC("socket")
__attribute__((naked)) int spill_scalar_bounds(void)
{
	asm volatile("r6 = *(u32 *)(r1 + 0);"
		     "r6 &= 7;"
		     "*(u64 *)(r10 - 16) = r6;"
		     "r1 = 0;"
		     "*(u32 *)(r10 - 4) = r1;"
		     "r2 = r10;"
		     "r2 += -4;"
		     "r1 = %[map] ll;"
		     "call %[lookup];"
		     "if r0 == 0 goto out_%=;"
		     "r6 = *(u64 *)(r10 - 16);"
		     "r6 <<= 3;"
		     "r0 += r6;"
		     "r0 = *(u64 *)(r0 + 0);"
		     "exit;"
		     "out_%=:"
		     "r0 = 0;"
		     "exit;"
		     :: [map] "i"(&spill_map), [lookup] "i"(BPF_FUNC_map_lookup_elem) : "memory");
}

SEC("socket")
__attribute__((naked)) int spill_pointer_clobbered(void)
{
	asm volatile("*(u64 *)(r10 - 8) = r1;"
		     "r2 = 0;"
		     "*(u32 *)(r10 - 8) = r2;"
		     "r1 = *(u64 *)(r10 - 8);"
		     "r0 = *(u32 *)(r1 + 0);"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int spill_pointer_partial_fill(void)
{
	asm volatile("*(u64 *)(r10 - 8) = r1;"
		     "r1 = *(u32 *)(r10 - 8);"
		     "r0 = *(u32 *)(r1 + 0);"
		     "exit;" ::: "memory");
}

char LICENSE[] SEC("license") = "GPL";
