#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct locked { struct bpf_spin_lock lock; __u64 count; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, struct locked); } lmap SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, struct locked); } lmap2 SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __uint(map_flags, BPF_F_RDONLY_PROG); __type(key, __u32); __type(value, __u64); } romap SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __uint(map_flags, BPF_F_WRONLY_PROG); __type(key, __u32); __type(value, __u64); } womap SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");

SEC("tc") int lock_two_elems(struct __sk_buff *skb) {
	__u32 k0 = 0, k1 = 1;
	struct locked *a = bpf_map_lookup_elem(&lmap, &k0);
	struct locked *b = bpf_map_lookup_elem(&lmap, &k1);
	if (!a || !b) return 0;
	bpf_spin_lock(&a->lock); a->count++; bpf_spin_unlock(&b->lock);
	return 0;
}
SEC("tc") int lock_two_maps(struct __sk_buff *skb) {
	__u32 k0 = 0;
	struct locked *a = bpf_map_lookup_elem(&lmap, &k0);
	struct locked *b = bpf_map_lookup_elem(&lmap2, &k0);
	if (!a || !b) return 0;
	bpf_spin_lock(&a->lock); a->count++; bpf_spin_unlock(&b->lock);
	return 0;
}
SEC("tc") int lock_same_elem_twice_lookup(struct __sk_buff *skb) {
	__u32 k0 = 0;
	struct locked *a = bpf_map_lookup_elem(&lmap, &k0);
	if (!a) return 0;
	struct locked *b = a;
	bpf_spin_lock(&a->lock); a->count++; bpf_spin_unlock(&b->lock);
	return 0;
}
SEC("tc") int ro_write(struct __sk_buff *skb) {
	__u32 k = 0; __u64 *v = bpf_map_lookup_elem(&romap, &k);
	if (!v) return 0; *v = 1; return 0;
}
SEC("tc") int ro_read(struct __sk_buff *skb) {
	__u32 k = 0; __u64 *v = bpf_map_lookup_elem(&romap, &k);
	if (!v) return 0; return *v & 1;
}
SEC("tc") int ro_update_helper(struct __sk_buff *skb) {
	__u32 k = 0; __u64 val = 1;
	return bpf_map_update_elem(&romap, &k, &val, 0);
}
SEC("tc") int ro_as_helper_dst(struct __sk_buff *skb) {
	__u32 k = 0; __u64 *v = bpf_map_lookup_elem(&romap, &k);
	if (!v) return 0; return bpf_skb_load_bytes(skb, 0, v, 8);
}
SEC("tc") int wo_read(struct __sk_buff *skb) {
	__u32 k = 0; __u64 *v = bpf_map_lookup_elem(&womap, &k);
	if (!v) return 0; return *v & 1;
}
SEC("tc") int wo_write(struct __sk_buff *skb) {
	__u32 k = 0; __u64 *v = bpf_map_lookup_elem(&womap, &k);
	if (!v) return 0; *v = 7; return 0;
}
SEC("tc") int wo_lookup_helper(struct __sk_buff *skb) {
	__u32 k = 0; __u64 val = 1;
	return bpf_map_lookup_elem(&womap, &k) != 0;
}
SEC("tc") int wo_as_helper_src(struct __sk_buff *skb) {
	__u32 k = 0; __u64 *v = bpf_map_lookup_elem(&womap, &k);
	if (!v) return 0; return bpf_skb_store_bytes(skb, 0, v, 8, 0);
}
SEC("tc") int atomic_misaligned(struct __sk_buff *skb) {
	__u32 k = 0; struct locked *v = bpf_map_lookup_elem(&lmap, &k);
	if (!v) return 0; __sync_fetch_and_add((__u32 *)((char *)&v->count + 2), 1); return 0;
}
SEC("tc") int atomic_aligned4(struct __sk_buff *skb) {
	__u32 k = 0; struct locked *v = bpf_map_lookup_elem(&lmap, &k);
	if (!v) return 0; __sync_fetch_and_add((__u32 *)((char *)&v->count + 4), 1); return 0;
}
SEC("tc") int rb_submit_moved(struct __sk_buff *skb) {
	char *p = bpf_ringbuf_reserve(&rb, 16, 0);
	if (!p) return 0; p[0] = 1; bpf_ringbuf_submit(p + 8, 0); return 0;
}
SEC("tc") int rb_discard_ok(struct __sk_buff *skb) {
	char *p = bpf_ringbuf_reserve(&rb, 16, 0);
	if (!p) return 0; p[15] = 1; bpf_ringbuf_discard(p, 0); return 0;
}
SEC("tc") int rb_write_past(struct __sk_buff *skb) {
	char *p = bpf_ringbuf_reserve(&rb, 16, 0);
	if (!p) return 0; p[16] = 1; bpf_ringbuf_discard(p, 0); return 0;
}
SEC("tc") int rb_leak_on_path(struct __sk_buff *skb) {
	char *p = bpf_ringbuf_reserve(&rb, 16, 0);
	if (!p) return 0; if (skb->len > 100) return 1; bpf_ringbuf_discard(p, 0); return 0;
}
char LICENSE[] SEC("license") = "GPL";
