#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct pair { __u64 a, b; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64[8]); } arr SEC(".maps");
__attribute__((noinline)) int g_write(struct pair *p) { if (!p) return 0; p->b = 300; return 0; }
SEC("tc") int after_global_write(struct __sk_buff *skb) {
	struct pair p = {0, 0}; __u32 k = 0;
	asm volatile("" ::: "memory");
	g_write(&p);
	__u64 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0;
	return v[p.b] & 1;
}
SEC("tc") int after_global_write_masked(struct __sk_buff *skb) {
	struct pair p = {0, 0}; __u32 k = 0;
	asm volatile("" ::: "memory");
	g_write(&p);
	__u64 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0;
	return v[p.b & 7] & 1;
}
__attribute__((noinline)) int g_ptrs(struct pair *p) { if (!p) return 0; return p->a & 1; }
SEC("tc") int spilled_ptr_after_global(struct __sk_buff *skb) {
	struct pair p; __u32 k = 0;
	p.a = (__u64)skb; p.b = 0;
	asm volatile("" ::: "memory");
	g_ptrs(&p);
	return ((struct __sk_buff *)p.a)->len;
}
char LICENSE[] SEC("license") = "GPL";
