#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64[4]); } arr SEC(".maps");
SEC("tc") int sext_load(struct __sk_buff *skb) { __u32 k = 0; signed char *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0; long x = v[3]; return x > 0; }
SEC("tc") int sdiv(struct __sk_buff *skb) { long a = (long)skb->len - 100; return (a / 7) & 1; }
SEC("tc") int bswap(struct __sk_buff *skb) { return __builtin_bswap32(skb->len) & 1; }
SEC("tc") int movsx_idx(struct __sk_buff *skb) { __u32 k = 0; __u64 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0; signed char c = skb->len; long i = c; if (i < 0 || i > 3) return 0; return v[i] & 1; }
char LICENSE[] SEC("license") = "GPL";
