/* A call to a helper id no kernel has. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
__attribute__((naked)) int helper_unknown_id(void)
{
	asm volatile("call 9999;"
		     "r0 = 0;"
		     "exit;" ::: "memory");
}

char LICENSE[] SEC("license") = "GPL";
