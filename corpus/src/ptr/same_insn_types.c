/* One load or store instruction reached with two pointer types. The kernel rewrites context and
 * socket accesses per type, so it refuses an instruction that sees a ctx pointer on one path and
 * a stack pointer on another; a stack pointer on one path and a map value on the other is fine.
 * Also: comparing a ctx pointer with 0 decides nothing (both branches are walked), comparing a
 * checked map value pointer with 0 does. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} cells SEC(".maps");

SEC("tc")
__attribute__((naked)) int store_ctx_or_stack(void)
{
	asm volatile (
	"r6 = r10;"
	"r6 += -8;"
	"r2 = r10;"
	"r2 += -16;"
	"*(u64 *)(r6 + 0) = r2;"
	"if r1 != 0 goto 1f;"
	"*(u64 *)(r6 + 0) = r1;"
	"1:"
	"r1 = *(u64 *)(r6 + 0);"
	"r3 = 7;"
	"*(u32 *)(r1 + 8) = r3;"
	"r0 = 0;"
	"exit;"
	::: "memory");
}

SEC("tc")
__attribute__((naked)) int store_map_or_stack(void)
{
	asm volatile (
	"r6 = r1;"
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r2 = r10;"
	"r2 += -8;"
	"r1 = %[cells] ll;"
	"call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto 2f;"
	"r1 = r10;"
	"r1 += -16;"
	"r7 = *(u32 *)(r6 + 0);"
	"if r7 == 0 goto 1f;"
	"r1 = r0;"
	"1:"
	"r3 = 7;"
	"*(u32 *)(r1 + 0) = r3;"
	"2:"
	"r0 = 0;"
	"exit;"
	:: [cells]"i"(&cells), [bpf_map_lookup_elem]"i"(BPF_FUNC_map_lookup_elem) : "memory");
}

SEC("tc")
__attribute__((naked)) int ctx_compared_with_zero(void)
{
	asm volatile (
	"if r1 != 0 goto 1f;"
	"r0 = r9;"
	"exit;"
	"1:"
	"r0 = 0;"
	"exit;"
	::: "memory");
}

SEC("tc")
__attribute__((naked)) int map_value_compared_with_zero(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r2 = r10;"
	"r2 += -8;"
	"r1 = %[cells] ll;"
	"call %[bpf_map_lookup_elem];"
	"if r0 == 0 goto 2f;"
	"if r0 != 0 goto 1f;"
	"r0 = r9;"
	"exit;"
	"1:"
	"2:"
	"r0 = 0;"
	"exit;"
	:: [cells]"i"(&cells), [bpf_map_lookup_elem]"i"(BPF_FUNC_map_lookup_elem) : "memory");
}

char _license[] SEC("license") = "GPL";
