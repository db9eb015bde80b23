/* Global variables (.bss, .data, .rodata as array maps, BPF_PSEUDO_MAP_VALUE): 5.2. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 packets;
__u32 limit = 1500;
const volatile __u32 debug_level = 0;

SEC("socket")
int global_vars(struct __sk_buff *skb)
{
	packets++;
	if (debug_level > 1)
		return 0;
	return skb->len > limit;
}

char LICENSE[] SEC("license") = "GPL";
