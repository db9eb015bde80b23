/* A loop with a constant trip count (kept as a loop by clang): accepted since 5.3
 * (bounded loops); before, any back-edge is refused. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int loop_bounded(struct __sk_buff *skb)
{
	__u32 sum = 0;

#pragma clang loop unroll(disable)
	for (int i = 0; i < 16; i++)
		sum += (skb->len >> i) & 1;
	return sum;
}

char LICENSE[] SEC("license") = "GPL";
