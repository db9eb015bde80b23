/* Helper argument types: a scalar where a map pointer is expected, a key pointer
 * that is NULL, and a size argument that is not bounded. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} lookup_map SEC(".maps");

SEC("socket")
__attribute__((naked)) int helper_scalar_as_map(void)
{
	asm volatile("r1 = 0;"
		     "*(u32 *)(r10 - 4) = r1;"
		     "r2 = r10;"
		     "r2 += -4;"
		     "r1 = 1;"
		     "call %[lookup];"
		     "r0 = 0;"
		     "exit;"
		     :: [lookup] "i"(BPF_FUNC_map_lookup_elem) : "memory");
}

SEC("socket")
__attribute__((naked)) int helper_null_key(void)
{
	asm volatile("r2 = 0;"
		     "r1 = %[map] ll;"
		     "call %[lookup];"
		     "r0 = 0;"
		     "exit;"
		     :: [map] "i"(&lookup_map), [lookup] "i"(BPF_FUNC_map_lookup_elem) : "memory");
}

SEC("socket")
int helper_unbounded_size(struct __sk_buff *skb)
{
	char buf[64];
	__u32 n = skb->len;

	bpf_skb_load_bytes(skb, 0, buf, n);
	return buf[0];
}

SEC("socket")
int helper_bounded_size(struct __sk_buff *skb)
{
	char buf[64];
	__u32 n = skb->len & 63;

	if (n == 0)
		return 0;
	bpf_skb_load_bytes(skb, 0, buf, n);
	return buf[0];
}

char LICENSE[] SEC("license") = "GPL";
