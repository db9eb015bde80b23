#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } arr SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } h SEC(".maps");

SEC("raw_tracepoint.w/bpf_test_finish") int rtw_write0(struct bpf_raw_tracepoint_args *ctx) {
	__u64 *p = (void *)ctx->args[0]; *p = 1; return 0;
}
SEC("tc") int atomic_two_ptrs(struct __sk_buff *skb) {
	__u64 x = 5; __u32 k = 0; __u64 *p;
	if (skb->len > 10) p = &x; else { p = bpf_map_lookup_elem(&arr, &k); if (!p) return 0; }
	__sync_fetch_and_add(p, 1);
	return x & 1;
}
SEC("tc") int null_check_one_of_two(struct __sk_buff *skb) {
	__u32 k = 0;
	__u64 *a = bpf_map_lookup_elem(&h, &k);
	__u64 *b = bpf_map_lookup_elem(&h, &k);
	if (!a) return 0;
	return *b & 1;
}
SEC("tc") int null_check_copy(struct __sk_buff *skb) {
	__u32 k = 0;
	__u64 *a = bpf_map_lookup_elem(&h, &k);
	__u64 *b = a;
	asm volatile("" : "+r"(b));
	if (!a) return 0;
	return *b & 1;
}
SEC("tc") int prune_maybe_null_ids(struct __sk_buff *skb) {
	__u32 k = 0;
	__u64 *a = bpf_map_lookup_elem(&h, &k);
	__u64 *b = bpf_map_lookup_elem(&h, &k);
	__u64 *p;
	if (skb->len > 10) p = a; else p = b;
	asm volatile("" : "+r"(p));
	if (!a) return 0;
	return *p & 1;
}
SEC("tc") int ptr_eq_null_infer(struct __sk_buff *skb) {
	__u32 k = 0;
	__u64 *a = bpf_map_lookup_elem(&h, &k);
	__u64 *b = bpf_map_lookup_elem(&arr, &k);
	if (!b) return 0;
	if (a == b) return *a & 1;
	return 0;
}
SEC("tc") int ptr_ne_null_infer_wrong(struct __sk_buff *skb) {
	__u32 k = 0;
	__u64 *a = bpf_map_lookup_elem(&h, &k);
	__u64 *b = bpf_map_lookup_elem(&arr, &k);
	if (!b) return 0;
	if (a != b) return *a & 1;
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
