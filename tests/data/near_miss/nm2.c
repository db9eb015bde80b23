#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct tv { struct bpf_timer t; __u64 x; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct tv); } tmap SEC(".maps");

SEC("kprobe/do_nanosleep") int timer_in_kprobe(void *ctx) {
	__u32 k = 0; struct tv *v = bpf_map_lookup_elem(&tmap, &k);
	if (!v) return 0; bpf_timer_init(&v->t, &tmap, 1); return 0;
}
SEC("tc") int timer_in_tc(struct __sk_buff *skb) {
	__u32 k = 0; struct tv *v = bpf_map_lookup_elem(&tmap, &k);
	if (!v) return 0; bpf_timer_init(&v->t, &tmap, 1); return 0;
}
SEC("tc") int ctx_narrow_mark1(struct __sk_buff *skb) { return *((__u8 *)&skb->mark + 1); }
SEC("tc") int ctx_narrow_mark3(struct __sk_buff *skb) { return *((__u8 *)&skb->mark + 3); }
SEC("tc") int ctx_half_protocol(struct __sk_buff *skb) { return *((__u16 *)&skb->protocol); }
SEC("tc") int ctx_half_protocol_hi(struct __sk_buff *skb) { return *((__u16 *)&skb->protocol + 1); }
SEC("tc") int ctx_cb_byte(struct __sk_buff *skb) { return *((__u8 *)&skb->cb[2] + 3); }
SEC("tc") int ctx_cb_write_byte(struct __sk_buff *skb) { *((__u8 *)&skb->cb[2] + 3) = 1; return 0; }
SEC("tc") int ctx_data_narrow(struct __sk_buff *skb) { return *((__u16 *)&skb->data); }
SEC("tc") int ctx_tstamp_write(struct __sk_buff *skb) { skb->tstamp = 5; return 0; }
SEC("tc") int ctx_mark_write(struct __sk_buff *skb) { skb->mark = 5; return 0; }
SEC("tc") int ctx_len_write(struct __sk_buff *skb) { skb->len = 5; return 0; }
SEC("tc") int ctx_priority_write(struct __sk_buff *skb) { skb->priority = 5; return 0; }
SEC("tc") int ctx_tc_classid_write(struct __sk_buff *skb) { skb->tc_classid = 5; return 0; }
SEC("socket") int sock_tc_classid_write(struct __sk_buff *skb) { skb->tc_classid = 5; return 0; }
SEC("socket") int sock_mark_write(struct __sk_buff *skb) { skb->mark = 5; return 0; }
SEC("socket") int sock_cb_write(struct __sk_buff *skb) { skb->cb[0] = 5; return 0; }
SEC("socket") int sock_data_read(struct __sk_buff *skb) { return skb->data != 0; }
SEC("cgroup_skb/ingress") int cg_data_read(struct __sk_buff *skb) { void *d = (void*)(long)skb->data, *e = (void*)(long)skb->data_end; if (d + 1 > e) return 1; return *(char*)d == 4 ? 1 : 0; }
SEC("cgroup_skb/ingress") int cg_tstamp_read(struct __sk_buff *skb) { return skb->tstamp & 1; }
SEC("cgroup_skb/ingress") int cg_mark_write(struct __sk_buff *skb) { skb->mark = 1; return 1; }
SEC("cgroup_skb/ingress") int cg_sk_state(struct __sk_buff *skb) { struct bpf_sock *sk = skb->sk; if (!sk) return 1; return sk->state == 1; }
SEC("cgroup_skb/ingress") int cg_sk_nocheck(struct __sk_buff *skb) { struct bpf_sock *sk = skb->sk; return sk->state == 1; }
SEC("xdp") int xdp_rxq(struct xdp_md *x) { return x->rx_queue_index == 1 ? XDP_DROP : XDP_PASS; }
SEC("xdp") int xdp_egress(struct xdp_md *x) { return x->egress_ifindex == 1 ? XDP_DROP : XDP_PASS; }
SEC("xdp") int xdp_ingress_narrow(struct xdp_md *x) { return *(__u8*)&x->ingress_ifindex == 1 ? XDP_DROP : XDP_PASS; }
SEC("xdp") int xdp_write_data(struct xdp_md *x) { x->data = 0; return XDP_PASS; }
SEC("xdp") int xdp_past_end(struct xdp_md *x) { return *(__u32*)((char*)x + 24) ? XDP_DROP : XDP_PASS; }
SEC("tc") int ctx_var_off(struct __sk_buff *skb) { __u32 i = skb->len & 4; return *(__u32 *)((char *)&skb->cb[0] + i); }
SEC("tc") int ctx_neg_off(struct __sk_buff *skb) { return *(__u32 *)((char *)skb - 4); }
char LICENSE[] SEC("license") = "GPL";
