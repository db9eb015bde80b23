/* Variable index into an array inside a map value (16 x u64):
 * unbounded, masked, bounds-checked, off-by-one (<= 16) and possibly negative. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct table {
	__u64 slot[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct table);
} tables SEC(".maps");

static __always_inline struct table *get_table(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&tables, &zero);
}

SEC("socket")
int idx_unbounded(struct __sk_buff *skb)
{
	struct table *t = get_table();
	__u32 i = skb->len;

	if (!t)
		return 0;
	return t->slot[i];
}

SEC("socket")
int idx_masked(struct __sk_buff *skb)
{
	struct table *t = get_table();
	__u32 i = skb->len & 15;

	if (!t)
		return 0;
	return t->slot[i];
}

SEC("socket")
int idx_checked(struct __sk_buff *skb)
{
	struct table *t = get_table();
	__u32 i = skb->len;

	if (!t || i >= 16)
		return 0;
	return t->slot[i];
}

SEC("socket")
int idx_off_by_one(struct __sk_buff *skb)
{
	struct table *t = get_table();
	__u32 i = skb->len;

	if (!t || i > 16)
		return 0;
	return t->slot[i];
}

SEC("socket")
int idx_negative(struct __sk_buff *skb)
{
	struct table *t = get_table();
	int i = (int)skb->len;

	if (!t || i >= 16)
		return 0;
	return t->slot[i];
}

char LICENSE[] SEC("license") = "GPL";
