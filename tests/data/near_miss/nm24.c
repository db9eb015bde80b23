#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64[4]); } arr SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } ph SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } lru SEC(".maps");

static int cb(__u32 i, void *ctx) { return 0; }
static long ecb(void *map, __u32 *key, __u64 *val, void *ctx) { return 0; }
SEC("tc") int uses_bpf_loop(struct __sk_buff *skb) { return bpf_loop(4, cb, 0, 0); }
SEC("tc") int uses_for_each(struct __sk_buff *skb) { return bpf_for_each_map_elem(&arr, ecb, 0, 0); }
SEC("tc") int atomic_fetch(struct __sk_buff *skb) { __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0; return __sync_fetch_and_add(v, 1) & 1; }
SEC("tc") int bounded_for(struct __sk_buff *skb) { int s = 0; for (int i = 0; i < 10; i++) s += i ^ skb->len; return s; }
SEC("tc") int percpu_lookup(struct __sk_buff *skb) { __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&ph, &k); return v ? *v & 1 : 0; }
SEC("tc") int lru_update(struct __sk_buff *skb) { __u32 k = skb->len; __u64 v = 1; return bpf_map_update_elem(&lru, &k, &v, BPF_NOEXIST); }
SEC("tc") int ctx_st_imm(struct __sk_buff *skb) { asm volatile("*(u32 *)(r1 + 8) = 7" ::: "memory"); return 0; }
__attribute__((noinline)) int g_scalar(int x) { return x * 3; }
SEC("tc") int global_scalar(struct __sk_buff *skb) { return g_scalar(skb->len) & 1; }
__attribute__((noinline)) int g_ctx(struct __sk_buff *s) { return s->len & 1; }
SEC("tc") int global_ctx(struct __sk_buff *skb) { return g_ctx(skb); }
SEC("tc") int get_ns(struct __sk_buff *skb) { return bpf_ktime_get_boot_ns() & 1; }
SEC("tc") int get_coarse(struct __sk_buff *skb) { return bpf_ktime_get_coarse_ns() & 1; }
SEC("tc") int skb_cgroup(struct __sk_buff *skb) { return bpf_skb_cgroup_classid(skb) & 1; }
SEC("xdp") int xdp_len(struct xdp_md *x) { return bpf_xdp_get_buff_len(x) > 10 ? XDP_DROP : XDP_PASS; }
SEC("tc") int narrow_spill(struct __sk_buff *skb) { __u32 k = 0; volatile __u32 idx = skb->len & 3; __u64 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0; return v[idx] & 1; }
SEC("tc") int jmp32(struct __sk_buff *skb) { __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0; __u32 i = skb->len; if (i < 4) return v[i] & 1; return 0; }
char LICENSE[] SEC("license") = "GPL";
