#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct bpf_iter_num { __u64 __opaque[1]; } __attribute__((aligned(8)));
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64[4]); } arr SEC(".maps");

SEC("tc") int iter_ok(struct __sk_buff *skb) {
	struct bpf_iter_num it; int *v; int s = 0;
	bpf_iter_num_new(&it, 0, 10);
	while ((v = bpf_iter_num_next(&it))) s += *v;
	bpf_iter_num_destroy(&it);
	return s;
}
SEC("tc") int iter_leak(struct __sk_buff *skb) {
	struct bpf_iter_num it; int *v; int s = 0;
	bpf_iter_num_new(&it, 0, 10);
	while ((v = bpf_iter_num_next(&it))) s += *v;
	return s;
}
SEC("tc") int iter_idx(struct __sk_buff *skb) {
	struct bpf_iter_num it; int *v; __u32 k = 0; int s = 0;
	__u64 *m = bpf_map_lookup_elem(&arr, &k); if (!m) return 0;
	bpf_iter_num_new(&it, 0, 4);
	while ((v = bpf_iter_num_next(&it))) s += m[*v];
	bpf_iter_num_destroy(&it);
	return s;
}
SEC("tc") int iter_nocheck(struct __sk_buff *skb) {
	struct bpf_iter_num it; int s = 0;
	bpf_iter_num_new(&it, 0, 4);
	s = *bpf_iter_num_next(&it);
	bpf_iter_num_destroy(&it);
	return s;
}
SEC("tc") int iter_uninit_next(struct __sk_buff *skb) {
	struct bpf_iter_num it; int *v = bpf_iter_num_next(&it); return v ? *v : 0;
}
char LICENSE[] SEC("license") = "GPL";
