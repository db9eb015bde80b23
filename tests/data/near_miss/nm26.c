#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } pa SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_DEVMAP); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } dm SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_XSKMAP); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } xm SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_CPUMAP); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } cm SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } arr SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_STACK); __uint(max_entries, 4); __type(value, __u64); } stk SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_BLOOM_FILTER); __uint(max_entries, 4); __type(value, __u64); } bf SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_SOCKMAP); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } sm SEC(".maps");

SEC("xdp") int pa_lookup(struct xdp_md *x) { __u32 k = 0; return bpf_map_lookup_elem(&pa, &k) != 0; }
SEC("xdp") int pa_update(struct xdp_md *x) { __u32 k = 0, v = 0; return bpf_map_update_elem(&pa, &k, &v, 0); }
SEC("xdp") int dm_lookup(struct xdp_md *x) { __u32 k = 0; __u32 *v = bpf_map_lookup_elem(&dm, &k); return v ? *v & 1 : 0; }
SEC("xdp") int dm_update(struct xdp_md *x) { __u32 k = 0, v = 0; return bpf_map_update_elem(&dm, &k, &v, 0); }
SEC("xdp") int xm_lookup(struct xdp_md *x) { __u32 k = 0; return bpf_map_lookup_elem(&xm, &k) != 0; }
SEC("xdp") int cm_lookup(struct xdp_md *x) { __u32 k = 0; return bpf_map_lookup_elem(&cm, &k) != 0; }
SEC("xdp") int cm_redirect(struct xdp_md *x) { return bpf_redirect_map(&cm, 0, 0); }
SEC("xdp") int arr_redirect(struct xdp_md *x) { return bpf_redirect_map(&arr, 0, 0); }
SEC("xdp") int arr_delete(struct xdp_md *x) { __u32 k = 0; return bpf_map_delete_elem(&arr, &k); }
SEC("xdp") int stk_push(struct xdp_md *x) { __u64 v = 1; return bpf_map_push_elem(&stk, &v, 0); }
SEC("xdp") int stk_update(struct xdp_md *x) { __u32 k = 0; __u64 v = 1; return bpf_map_update_elem(&stk, &k, &v, 0); }
SEC("xdp") int bf_peek(struct xdp_md *x) { __u64 v = 1; return bpf_map_peek_elem(&bf, &v); }
SEC("xdp") int bf_push(struct xdp_md *x) { __u64 v = 1; return bpf_map_push_elem(&bf, &v, 0); }
SEC("xdp") int bf_lookup(struct xdp_md *x) { __u64 v = 1; return bpf_map_lookup_elem(&bf, &v) != 0; }
SEC("tc") int sm_update_tc(struct __sk_buff *s) { __u32 k = 0; struct bpf_sock *sk = s->sk; if (!sk) return 0; sk = bpf_sk_fullsock(sk); if (!sk) return 0; return bpf_map_update_elem(&sm, &k, sk, 0); }
SEC("xdp") int sm_delete_xdp(struct xdp_md *x) { __u32 k = 0; return bpf_map_delete_elem(&sm, &k); }
SEC("tc") int pa_tail_wrong_idx(struct __sk_buff *s) { bpf_tail_call(s, &pa, s->len); return 0; }
char LICENSE[] SEC("license") = "GPL";
