/* Reading stack that was never written: directly, through a helper (map key),
 * and the initialised counterpart. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u64);
	__type(value, __u64);
} seen SEC(".maps");

SEC("socket")
__attribute__((naked)) int stack_uninit_read(void)
{
	asm volatile("r0 = *(u64 *)(r10 - 8);"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int stack_init_read(void)
{
	asm volatile("r0 = 7;"
		     "*(u64 *)(r10 - 8) = r0;"
		     "r0 = *(u64 *)(r10 - 8);"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int stack_uninit_helper_key(void)
{
	asm volatile("r2 = r10;"
		     "r2 += -8;"
		     "r1 = %[seen] ll;"
		     "call %[lookup];"
		     "r0 = 0;"
		     "exit;"
		     :
		     : [seen] "i"(&seen), [lookup] "i"(BPF_FUNC_map_lookup_elem)
		     : "memory");
}

SEC("socket")
__attribute__((naked)) int stack_init_helper_key(void)
{
	asm volatile("r1 = 0;"
		     "*(u64 *)(r10 - 8) = r1;"
		     "r2 = r10;"
		     "r2 += -8;"
		     "r1 = %[seen] ll;"
		     "call %[lookup];"
		     "r0 = 0;"
		     "exit;"
		     :
		     : [seen] "i"(&seen), [lookup] "i"(BPF_FUNC_map_lookup_elem)
		     : "memory");
}

char LICENSE[] SEC("license") = "GPL";
