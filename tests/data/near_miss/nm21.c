#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup_skb/egress") int cg_ret2(struct __sk_buff *s) { return 2; }
SEC("cgroup_skb/egress") int cg_ret3(struct __sk_buff *s) { return 3; }
SEC("cgroup_skb/egress") int cg_ret_var(struct __sk_buff *s) { return s->len & 1; }
SEC("cgroup_skb/egress") int cg_ret_var3(struct __sk_buff *s) { return s->len & 3; }
SEC("cgroup/connect4") int conn_ret2(struct bpf_sock_addr *c) { return 2; }
SEC("cgroup/bind4") int bind_ret3(struct bpf_sock_addr *c) { return 3; }
SEC("cgroup/bind4") int bind_ret4(struct bpf_sock_addr *c) { return 4; }
SEC("cgroup/sock_create") int sock_ret2(struct bpf_sock *c) { return 2; }
SEC("sk_skb/stream_verdict") int skskb_ret(struct __sk_buff *s) { return 7; }
SEC("sockops") int sockops_ret(struct bpf_sock_ops *s) { return 7; }
SEC("cgroup/dev") int dev_ret2(struct bpf_cgroup_dev_ctx *c) { return 2; }
SEC("cgroup/dev") int dev_major(struct bpf_cgroup_dev_ctx *c) { return c->major == 1; }
SEC("cgroup/dev") int dev_write(struct bpf_cgroup_dev_ctx *c) { c->major = 1; return 1; }
SEC("sk_reuseport") int reuse_ret2(struct sk_reuseport_md *c) { return 2; }
SEC("sk_reuseport") int reuse_len(struct sk_reuseport_md *c) { return c->len > 10 ? SK_PASS : SK_DROP; }
SEC("lwt_in") int lwt_ret(struct __sk_buff *s) { return 100; }
SEC("lwt_xmit") int lwt_write_mark(struct __sk_buff *s) { s->mark = 1; return 0; }
SEC("lwt_in") int lwt_in_write_mark(struct __sk_buff *s) { s->mark = 1; return 0; }
SEC("lwt_in") int lwt_data(struct __sk_buff *s) { void *d = (void *)(long)s->data, *e = (void *)(long)s->data_end; if (d + 1 > e) return 0; return *(char *)d; }
SEC("lwt_in") int lwt_data_write(struct __sk_buff *s) { void *d = (void *)(long)s->data, *e = (void *)(long)s->data_end; if (d + 1 > e) return 0; *(char *)d = 1; return 0; }
SEC("socket") int sock_ret_any(struct __sk_buff *s) { return -5; }
SEC("cgroup/getsockopt") int gso_ret2(struct bpf_sockopt *c) { return 2; }
SEC("cgroup/sendmsg4") int sendmsg_ret2(struct bpf_sock_addr *c) { return 2; }
SEC("cgroup/recvmsg4") int recvmsg_ret0(struct bpf_sock_addr *c) { return 0; }
char LICENSE[] SEC("license") = "GPL";
