#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64[4]); } arr SEC(".maps");

SEC("tc") int atomic_ctx(struct __sk_buff *skb) { __sync_fetch_and_add(&skb->mark, 1); return 0; }
SEC("tc") int atomic_pkt(struct __sk_buff *skb) { void *d = (void *)(long)skb->data, *e = (void *)(long)skb->data_end; if (d + 8 > e) return 0; __sync_fetch_and_add((__u64 *)d, 1); return 0; }
SEC("tc") int atomic_map_fetch(struct __sk_buff *skb) { __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0; return __sync_fetch_and_add(v, 1) & 1; }
SEC("tc") int atomic_map_fetch_idx(struct __sk_buff *skb) { __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0; __u64 i = __sync_fetch_and_add(v, 1); return v[i] & 1; }
SEC("tc") int atomic_stack_uninit(struct __sk_buff *skb) { __u64 x; __sync_fetch_and_add(&x, 1); return 0; }
SEC("tc") int atomic_cmpxchg_map(struct __sk_buff *skb) { __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0; return __sync_val_compare_and_swap(v, 0, 1) & 1; }
SEC("tc") int atomic_stack_then_idx(struct __sk_buff *skb) { __u64 x = 0; __u32 k = 0; __sync_fetch_and_add(&x, 1); __u64 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0; return v[x] & 1; }
SEC("tc") int atomic_xchg_stack_idx(struct __sk_buff *skb) { __u64 x = 0; __u32 k = 0; __sync_lock_test_and_set(&x, 2); __u64 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0; return v[x] & 1; }
SEC("tc") int atomic_32_map(struct __sk_buff *skb) { __u32 k = 0; __u32 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0; return __sync_fetch_and_or(v + 1, 4) & 1; }
SEC("tc") int atomic_map_oob(struct __sk_buff *skb) { __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0; __sync_fetch_and_add(v + 4, 1); return 0; }
char LICENSE[] SEC("license") = "GPL";
