#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } arr SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } h SEC(".maps");

static long cb_ok(void *map, __u32 *key, __u64 *val, void *ctx) { *val += 1; return 0; }
static long cb_ret2(void *map, __u32 *key, __u64 *val, void *ctx) { return 2; }
static long cb_write_key(void *map, __u32 *key, __u64 *val, void *ctx) { *key = 1; return 0; }
static long cb_oob(void *map, __u32 *key, __u64 *val, void *ctx) { return val[1] & 1; }
SEC("tc") int each_ok(struct __sk_buff *skb) { return bpf_for_each_map_elem(&arr, cb_ok, 0, 0); }
SEC("tc") int each_ret2(struct __sk_buff *skb) { return bpf_for_each_map_elem(&arr, cb_ret2, 0, 0); }
SEC("tc") int each_write_key(struct __sk_buff *skb) { return bpf_for_each_map_elem(&h, cb_write_key, 0, 0); }
SEC("tc") int each_oob(struct __sk_buff *skb) { return bpf_for_each_map_elem(&arr, cb_oob, 0, 0); }
static int loop_ctx_cb(__u32 i, void *ctx) { __u64 *p = ctx; *p += i; return 0; }
SEC("tc") int loop_stack_ctx(struct __sk_buff *skb) { __u64 s = 0; bpf_loop(10, loop_ctx_cb, &s, 0); return s & 1; }
static int loop_idx_cb(__u32 i, void *ctx) { __u64 *p = ctx; p[i] = 1; return 0; }
SEC("tc") int loop_idx_oob(struct __sk_buff *skb) { __u64 s[4] = {}; bpf_loop(10, loop_idx_cb, s, 0); return s[0] & 1; }
SEC("tc") int loop_unbounded_cnt(struct __sk_buff *skb) { __u64 s = 0; bpf_loop(skb->len, loop_ctx_cb, &s, 0); return s & 1; }
SEC("tc") int while_bounded(struct __sk_buff *skb) { __u32 i = 0, s = 0; __u32 n = skb->len & 0x3f; while (i < n) { s += i * 3; i++; } return s; }
SEC("tc") int while_unbounded(struct __sk_buff *skb) { __u32 i = 0, s = 0; __u32 n = skb->len; while (i < n) { s += i * 3; i++; } return s; }
char LICENSE[] SEC("license") = "GPL";
