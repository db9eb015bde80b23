#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_CGROUP_STORAGE); __type(key, struct bpf_cgroup_storage_key); __type(value, __u64); } cgs SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } arr SEC(".maps");

SEC("cgroup_skb/egress") int local_storage_flags(struct __sk_buff *skb) {
	__u64 *v = bpf_get_local_storage(&cgs, 1); *v += 1; return 1;
}
SEC("cgroup_skb/egress") int local_storage_ok(struct __sk_buff *skb) {
	__u64 *v = bpf_get_local_storage(&cgs, 0); *v += 1; return 1;
}
SEC("cgroup_skb/egress") int cg_skb_store_bytes(struct __sk_buff *skb) {
	char b = 1; return bpf_skb_store_bytes(skb, 0, &b, 1, 0) == 0;
}
SEC("socket") int sock_pull(struct __sk_buff *skb) { return bpf_skb_pull_data(skb, 10); }
SEC("tc") int same_insn_two_ptrs(struct __sk_buff *skb) {
	__u64 x = 5; __u32 k = 0;
	__u64 *p;
	if (skb->len > 10) p = &x; else { p = bpf_map_lookup_elem(&arr, &k); if (!p) return 0; }
	return *p & 1;
}
SEC("tc") int same_insn_ctx_stack(struct __sk_buff *skb) {
	__u32 x[24] = {};
	__u32 *p;
	if (skb->len > 10) p = (__u32 *)skb; else p = x;
	asm volatile("" : "+r"(p));
	return p[2];
}
SEC("tc") int same_insn_ctx_stack_store(struct __sk_buff *skb) {
	__u32 x[24] = {};
	__u32 *p;
	if (skb->len > 10) p = (__u32 *)skb; else p = x;
	asm volatile("" : "+r"(p));
	p[2] = 7;
	return x[2];
}
static int cb(__u32 i, void *ctx) { return i > 5; }
static int outer_cb(__u32 i, void *ctx) { bpf_loop(4, cb, ctx, 0); return 0; }
SEC("tc") int nested_loop(struct __sk_buff *skb) { bpf_loop(4, outer_cb, 0, 0); return 0; }
SEC("tc") int loop_flags(struct __sk_buff *skb) { bpf_loop(4, cb, 0, 1); return 0; }
SEC("tc") int loop_bad_cb_ret(struct __sk_buff *skb) { return bpf_loop(4, cb, 0, 0); }
SEC("tc") int csum_diff_null(struct __sk_buff *skb) { __u32 a = 1; return bpf_csum_diff(0, 0, &a, 4, 0); }
SEC("tc") int csum_diff_null_size(struct __sk_buff *skb) { __u32 a = 1; return bpf_csum_diff(0, 4, &a, 4, 0); }
SEC("tc") int csum_diff_odd(struct __sk_buff *skb) { __u32 a[2] = {1,2}; return bpf_csum_diff(0, 0, a, 6, 0); }
char LICENSE[] SEC("license") = "GPL";
