#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64[4]); } arr SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u32); } jt SEC(".maps");

SEC("tc") int st_into_ctx(struct __sk_buff *skb) { asm volatile("*(u32 *)(r1 + 8) = 5" ::: "memory"); return 0; }
SEC("tc") int ptr_and(struct __sk_buff *skb) { __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0; v = (__u64 *)((long)v & ~7L); return *v & 1; }
SEC("tc") int ptr_sub_ptr(struct __sk_buff *skb) { __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0; __u64 *w = v + 2; return (long)w - (long)v; }
SEC("tc") int pkt_sub_pkt(struct __sk_buff *skb) { void *d = (void *)(long)skb->data, *e = (void *)(long)skb->data_end; return (e - d) > 10; }
SEC("tc") int ptr_32bit_add(struct __sk_buff *skb) { __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0; asm volatile("w1 = w1; %0 = r1" : "=r"(v) : "r"(v) : "r1"); return 0; }
SEC("tc") int ptr_leak_ret(struct __sk_buff *skb) { __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0; return (long)v; }
static __attribute__((noinline)) int big_frame(int x) { volatile char b[300]; b[x & 255] = 1; return b[3]; }
SEC("tc") int combined_stack(struct __sk_buff *skb) { volatile char b[300]; b[skb->len & 255] = 1; return big_frame(skb->len) + b[5]; }
static __attribute__((noinline)) int tail_in_sub(struct __sk_buff *skb) { bpf_tail_call(skb, &jt, 0); return 0; }
SEC("tc") int tailcall_big_stack(struct __sk_buff *skb) { volatile char b[300]; b[skb->len & 255] = 1; return tail_in_sub(skb) + b[5]; }
SEC("tc") int tailcall_small_stack(struct __sk_buff *skb) { volatile char b[64]; b[skb->len & 63] = 1; return tail_in_sub(skb) + b[5]; }
SEC("tc") int sdiv_zero(struct __sk_buff *skb) { long a = skb->len, b = skb->mark; long r; asm volatile("%0 = %1; %0 s/= %2" : "=&r"(r) : "r"(a), "r"(b)); return r; }
SEC("tc") int bounded_loop(struct __sk_buff *skb) { int s = 0; for (int i = 0; i < (skb->len & 15); i++) s += i; return s; }
char LICENSE[] SEC("license") = "GPL";
