/* Scalar bounds used as a map-value offset: signed compares, 32-bit ALU wrap,
 * and a value shifted right into range. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct table {
	__u8 bytes[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct table);
} bytes_map SEC(".maps");

static __always_inline struct table *table(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&bytes_map, &zero);
}

SEC("socket")
int signed_both_bounds(struct __sk_buff *skb)
{
	struct table *t = table();
	int i = (int)skb->len;

	if (!t || i < 0 || i >= 64)
		return 0;
	return t->bytes[i];
}

SEC("socket")
int signed_upper_only(struct __sk_buff *skb)
{
	struct table *t = table();
	int i = (int)skb->len - 8;

	if (!t || i >= 64)
		return 0;
	return t->bytes[i];
}

SEC("socket")
int shift_into_range(struct __sk_buff *skb)
{
	struct table *t = table();
	__u32 i = skb->len >> 26;

	if (!t)
		return 0;
	return t->bytes[i];
}

SEC("socket")
int shift_not_enough(struct __sk_buff *skb)
{
	struct table *t = table();
	__u32 i = skb->len >> 25;

	if (!t)
		return 0;
	return t->bytes[i];
}

SEC("socket")
__attribute__((naked)) int alu32_wrap_unbounded(void)
{
	asm volatile("r6 = *(u32 *)(r1 + 0);"
		     "r1 = 0;"
		     "*(u32 *)(r10 - 4) = r1;"
		     "r2 = r10;"
		     "r2 += -4;"
		     "r1 = %[map] ll;"
		     "call %[lookup];"
		     "if r0 == 0 goto out_%=;"
		     "r6 &= 63;"
		     "w6 -= 1;"
		     "r0 += r6;"
		     "r0 = *(u8 *)(r0 + 0);"
		     "exit;"
		     "out_%=:"
		     "r0 = 0;"
		     "exit;"
		     :: [map] "i"(&bytes_map), [lookup] "i"(BPF_FUNC_map_lookup_elem) : "memory");
}

char LICENSE[] SEC("license") = "GPL";
