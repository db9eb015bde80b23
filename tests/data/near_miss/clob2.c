
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32);
    __type(value, __u64[4]); } arr SEC(".maps");
struct pair { __u64 a, b; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __uint(map_flags, BPF_F_RDONLY_PROG);
    __type(key, __u32); __type(value, struct pair); } ro SEC(".maps");

SEC("tc") int zero_key_read_back(struct __sk_buff *skb)
{
	volatile __u64 k = 0;
	__u64 *v = bpf_map_lookup_elem(&arr, (void *)&k);
	if (!v) return 0;
	return v[k] & 1;
}
SEC("tc") int buffer_read_back(struct __sk_buff *skb)
{
	volatile __u64 buf[2] = {1, 3};
	__u32 k = 0;
	bpf_csum_diff(0, 0, (void *)buf, 16, 0);
	__u64 *v = bpf_map_lookup_elem(&arr, &k);
	if (!v) return 0;
	return v[buf[1]] & 1;
}
__attribute__((noinline)) int set_b(struct pair *p) { if (!p) return 0; p->b = 300; return 0; }
SEC("tc") int struct_after_global(struct __sk_buff *skb)
{
	struct pair p = {0, 0}; __u32 k = 0;
	asm volatile("" ::: "memory");
	set_b(&p);
	__u64 *v = bpf_map_lookup_elem(&arr, &k);
	if (!v) return 0;
	return v[p.b] & 1;
}
SEC("tc") int struct_after_global_masked(struct __sk_buff *skb)
{
	struct pair p = {0, 0}; __u32 k = 0;
	asm volatile("" ::: "memory");
	set_b(&p);
	__u64 *v = bpf_map_lookup_elem(&arr, &k);
	if (!v) return 0;
	return v[p.b & 3] & 1;
}
SEC("tc") int readonly_value_to_global(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct pair *p = bpf_map_lookup_elem(&ro, &k);
	if (!p) return 0;
	return set_b(p);
}
SEC("xdp") int fib_params_written(struct xdp_md *ctx)
{
	struct bpf_fib_lookup params = {};
	__u32 k = 0;
	params.family = 2;
	params.ifindex = ctx->ingress_ifindex;
	asm volatile("" ::: "memory");
	bpf_fib_lookup(ctx, &params, sizeof(params), 0);
	__u64 *v = bpf_map_lookup_elem(&arr, &k);
	if (!v) return 0;
	return v[params.tot_len] & 1;
}
char LICENSE[] SEC("license") = "GPL";
