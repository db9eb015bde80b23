#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct pair { __u64 a, b; };
const volatile struct pair cfg = {1, 2};
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __uint(map_flags, BPF_F_RDONLY_PROG); __type(key, __u32); __type(value, struct pair); } ro SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __uint(map_flags, BPF_F_WRONLY_PROG); __type(key, __u32); __type(value, struct pair); } wo SEC(".maps");
__attribute__((noinline)) int g_read(struct pair *p) { if (!p) return 0; return p->b & 1; }
__attribute__((noinline)) int g_cread(const struct pair *p) { if (!p) return 0; return p->b & 1; }
SEC("tc") int rodata_to_global(struct __sk_buff *skb) { return g_read((struct pair *)&cfg); }
SEC("tc") int rodata_to_global_const(struct __sk_buff *skb) { return g_cread((const struct pair *)&cfg); }
SEC("tc") int romap_to_global(struct __sk_buff *skb) { __u32 k = 0; struct pair *p = bpf_map_lookup_elem(&ro, &k); if (!p) return 0; return g_read(p); }
SEC("tc") int romap_to_global_const(struct __sk_buff *skb) { __u32 k = 0; struct pair *p = bpf_map_lookup_elem(&ro, &k); if (!p) return 0; return g_cread(p); }
SEC("tc") int womap_to_global(struct __sk_buff *skb) { __u32 k = 0; struct pair *p = bpf_map_lookup_elem(&wo, &k); if (!p) return 0; return g_read(p); }
SEC("tc") int rodata_to_helper_src(struct __sk_buff *skb) { return bpf_skb_store_bytes(skb, 0, (void *)&cfg, 8, 0); }
SEC("tc") int rodata_to_helper_dst(struct __sk_buff *skb) { return bpf_skb_load_bytes(skb, 0, (void *)&cfg, 8); }
char LICENSE[] SEC("license") = "GPL";
