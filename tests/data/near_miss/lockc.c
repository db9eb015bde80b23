
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct locked { struct bpf_spin_lock lock; __u64 count; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32);
    __type(value, struct locked); } locks SEC(".maps");

static __attribute__((noinline)) int bump(struct locked *v) { v->count++; return 0; }
__attribute__((noinline)) int bump_global(struct locked *v) { if (v) v->count++; return 0; }
static __attribute__((noinline)) int take(struct locked *v) { bpf_spin_lock(&v->lock); return 0; }

SEC("tc") int static_call_locked(struct __sk_buff *skb)
{
	__u32 k = 0; struct locked *v = bpf_map_lookup_elem(&locks, &k);
	if (!v) return 0;
	bpf_spin_lock(&v->lock); bump(v); bpf_spin_unlock(&v->lock);
	return 0;
}
SEC("tc") int global_call_locked(struct __sk_buff *skb)
{
	__u32 k = 0; struct locked *v = bpf_map_lookup_elem(&locks, &k);
	if (!v) return 0;
	bpf_spin_lock(&v->lock); bump_global(v); bpf_spin_unlock(&v->lock);
	return 0;
}
SEC("tc") int lock_in_subprog(struct __sk_buff *skb)
{
	__u32 k = 0; struct locked *v = bpf_map_lookup_elem(&locks, &k);
	if (!v) return 0;
	take(v); v->count++; bpf_spin_unlock(&v->lock);
	return 0;
}
SEC("tc") int exit_locked(struct __sk_buff *skb)
{
	__u32 k = 0; struct locked *v = bpf_map_lookup_elem(&locks, &k);
	if (!v) return 0;
	bpf_spin_lock(&v->lock);
	if (skb->len > 10) return 1;
	bpf_spin_unlock(&v->lock);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
