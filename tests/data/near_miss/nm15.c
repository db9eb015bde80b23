#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int xdp_meta_ok(struct xdp_md *x) {
	if (bpf_xdp_adjust_meta(x, -4)) return XDP_PASS;
	void *m = (void *)(long)x->data_meta, *d = (void *)(long)x->data;
	if (m + 4 > d) return XDP_PASS; *(__u32 *)m = 1; return XDP_PASS;
}
SEC("xdp") int xdp_meta_nocheck(struct xdp_md *x) {
	if (bpf_xdp_adjust_meta(x, -4)) return XDP_PASS;
	void *m = (void *)(long)x->data_meta; *(__u32 *)m = 1; return XDP_PASS;
}
SEC("xdp") int xdp_stale_after_adjust(struct xdp_md *x) {
	void *d = (void *)(long)x->data, *e = (void *)(long)x->data_end;
	if (d + 14 > e) return XDP_PASS;
	bpf_xdp_adjust_head(x, 4);
	return *(char *)d ? XDP_DROP : XDP_PASS;
}
SEC("sk_msg") int msg_data(struct sk_msg_md *m) {
	void *d = m->data, *e = m->data_end; if (d + 4 > e) return SK_PASS; return *(__u32 *)d ? SK_DROP : SK_PASS;
}
SEC("sk_msg") int msg_data_nocheck(struct sk_msg_md *m) { return *(__u32 *)m->data ? SK_DROP : SK_PASS; }
SEC("sk_msg") int msg_size_write(struct sk_msg_md *m) { m->size = 3; return SK_PASS; }
SEC("sk_lookup") int lookup_fields(struct bpf_sk_lookup *c) { return c->local_port == 80 ? SK_PASS : SK_DROP; }
SEC("sk_lookup") int lookup_narrow_port(struct bpf_sk_lookup *c) { return *(__u16 *)&c->local_port == 80 ? SK_PASS : SK_DROP; }
SEC("sk_lookup") int lookup_remote_port_hi(struct bpf_sk_lookup *c) { return *((__u16 *)&c->remote_port + 1) == 80 ? SK_PASS : SK_DROP; }
SEC("sk_lookup") int lookup_bad_ret(struct bpf_sk_lookup *c) { return 2; }
SEC("sockops") int sockops_reply(struct bpf_sock_ops *s) { s->reply = 1; return 1; }
SEC("sockops") int sockops_op_write(struct bpf_sock_ops *s) { s->op = 1; return 1; }
SEC("sockops") int sockops_sk(struct bpf_sock_ops *s) { struct bpf_sock *sk = s->sk; if (!sk) return 1; return sk->family == 2; }
SEC("cgroup/sysctl") int sysctl_write(struct bpf_sysctl *c) { return c->write; }
SEC("cgroup/sysctl") int sysctl_pos_write(struct bpf_sysctl *c) { c->file_pos = 0; return 1; }
SEC("cgroup/sysctl") int sysctl_write_write(struct bpf_sysctl *c) { c->write = 0; return 1; }
SEC("cgroup/getsockopt") int gso_optval(struct bpf_sockopt *c) {
	__u8 *v = c->optval, *e = c->optval_end; if (v + 1 > e) return 1; c->retval = 0; return v[0] ? 1 : 0;
}
SEC("cgroup/getsockopt") int gso_optval_nocheck(struct bpf_sockopt *c) { __u8 *v = c->optval; return v[0] ? 1 : 0; }
SEC("cgroup/setsockopt") int sso_retval_write(struct bpf_sockopt *c) { c->retval = 0; return 1; }
SEC("flow_dissector") int fd_keys(struct __sk_buff *skb) { struct bpf_flow_keys *k = skb->flow_keys; k->nhoff = 0; return BPF_OK; }
SEC("flow_dissector") int fd_mark(struct __sk_buff *skb) { return skb->mark ? BPF_OK : BPF_DROP; }
char LICENSE[] SEC("license") = "GPL";
