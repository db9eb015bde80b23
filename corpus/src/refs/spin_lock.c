/* bpf_spin_lock (5.1) in a map value: lock + unlock (accepted), lock held at
 * exit (rejected), a helper call while the lock is held (rejected). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct locked {
	struct bpf_spin_lock lock;
	__u64 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct locked);
} locked_map SEC(".maps");

SEC("tc")
int spin_lock_ok(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct locked *v = bpf_map_lookup_elem(&locked_map, &zero);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->count++;
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc")
int spin_lock_not_released(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct locked *v = bpf_map_lookup_elem(&locked_map, &zero);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->count++;
	return 0;
}

SEC("tc")
int spin_lock_helper_inside(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct locked *v = bpf_map_lookup_elem(&locked_map, &zero);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->count = bpf_ktime_get_ns();
	bpf_spin_unlock(&v->lock);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
