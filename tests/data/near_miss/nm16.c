#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64[4]); } arr SEC(".maps");

SEC("tc") int ptr_spill_32(struct __sk_buff *skb) { asm volatile("*(u32 *)(r10 - 8) = r1; r0 = *(u32 *)(r10 - 8)" ::: "r0", "memory"); return 0; }
SEC("tc") int ptr_spill_fill_32(struct __sk_buff *skb) { asm volatile("*(u64 *)(r10 - 8) = r1; r0 = *(u32 *)(r10 - 8)" ::: "r0", "memory"); return 0; }
SEC("tc") int ptr_spill_fill_64(struct __sk_buff *skb) { asm volatile("*(u64 *)(r10 - 8) = r1; r2 = *(u64 *)(r10 - 8); r0 = *(u32 *)(r2 + 0)" ::: "r0", "r2", "memory"); return 0; }
SEC("tc") int ptr_partial_overwrite(struct __sk_buff *skb) { asm volatile("*(u64 *)(r10 - 8) = r1; *(u8 *)(r10 - 6) = 0; r2 = *(u64 *)(r10 - 8); r0 = *(u32 *)(r2 + 0)" ::: "r0", "r2", "memory"); return 0; }
static __attribute__((noinline)) __u64 *get_slot(__u32 i) { __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0; return v + (i & 3); }
SEC("tc") int static_returns_ptr(struct __sk_buff *skb) { __u64 *p = get_slot(skb->len); if (!p) return 0; return *p & 1; }
SEC("tc") int static_returns_ptr_nocheck(struct __sk_buff *skb) { __u64 *p = get_slot(skb->len); return *p & 1; }
static __attribute__((noinline)) int check_pkt(void *d, void *e) { if (d + 8 > e) return 0; return *(__u64 *)d & 1; }
SEC("tc") int pkt_to_static(struct __sk_buff *skb) { return check_pkt((void *)(long)skb->data, (void *)(long)skb->data_end); }
static __attribute__((noinline)) int read_pkt(void *d) { return *(__u64 *)d & 1; }
SEC("tc") int pkt_checked_then_static(struct __sk_buff *skb) { void *d = (void *)(long)skb->data, *e = (void *)(long)skb->data_end; if (d + 8 > e) return 0; return read_pkt(d); }
SEC("tc") int pkt_short_then_static(struct __sk_buff *skb) { void *d = (void *)(long)skb->data, *e = (void *)(long)skb->data_end; if (d + 4 > e) return 0; return read_pkt(d); }
static __attribute__((noinline)) int write_stack(__u64 *p) { p[1] = 5; return 0; }
SEC("tc") int static_writes_caller_stack(struct __sk_buff *skb) { __u64 b[2] = {}; write_stack(b); __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0; return v[b[1]] & 1; }
SEC("tc") int static_writes_caller_stack_ok(struct __sk_buff *skb) { __u64 b[2] = {}; write_stack(b); __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0; return v[b[1] & 3] & 1; }
char LICENSE[] SEC("license") = "GPL";
