#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup_skb/ingress") int sk_dst_port_half(struct __sk_buff *skb) { struct bpf_sock *sk = skb->sk; if (!sk) return 1; return *(__u16 *)((char *)&sk->dst_port) == 1; }
SEC("cgroup_skb/ingress") int sk_dst_port_hi_half(struct __sk_buff *skb) { struct bpf_sock *sk = skb->sk; if (!sk) return 1; return *(__u16 *)((char *)&sk->dst_port + 2) == 1; }
SEC("cgroup_skb/ingress") int sk_dst_port_word(struct __sk_buff *skb) { struct bpf_sock *sk = skb->sk; if (!sk) return 1; return sk->dst_port == 1; }
SEC("cgroup_skb/ingress") int sk_dst_port_byte(struct __sk_buff *skb) { struct bpf_sock *sk = skb->sk; if (!sk) return 1; return *((__u8 *)&sk->dst_port) == 1; }
SEC("cgroup_skb/ingress") int sk_src_port_half(struct __sk_buff *skb) { struct bpf_sock *sk = skb->sk; if (!sk) return 1; return *(__u16 *)&sk->src_port == 1; }
SEC("cgroup_skb/ingress") int sk_family_byte(struct __sk_buff *skb) { struct bpf_sock *sk = skb->sk; if (!sk) return 1; return *(__u8 *)&sk->family == 1; }
SEC("cgroup_skb/ingress") int sk_mark(struct __sk_buff *skb) { struct bpf_sock *sk = skb->sk; if (!sk) return 1; return sk->mark == 1; }
SEC("cgroup_skb/ingress") int sk_rx_queue(struct __sk_buff *skb) { struct bpf_sock *sk = skb->sk; if (!sk) return 1; return sk->rx_queue_mapping == 1; }
SEC("cgroup_skb/ingress") int sk_past_end(struct __sk_buff *skb) { struct bpf_sock *sk = skb->sk; if (!sk) return 1; return *(__u32 *)((char *)sk + sizeof(struct bpf_sock)) == 1; }
SEC("cgroup_skb/ingress") int sk_write_mark(struct __sk_buff *skb) { struct bpf_sock *sk = skb->sk; if (!sk) return 1; sk->mark = 1; return 1; }
SEC("cgroup_skb/ingress") int sk_ip6_word(struct __sk_buff *skb) { struct bpf_sock *sk = skb->sk; if (!sk) return 1; return sk->dst_ip6[3] == 1; }
SEC("cgroup_skb/ingress") int sk_ip6_byte(struct __sk_buff *skb) { struct bpf_sock *sk = skb->sk; if (!sk) return 1; return *((__u8 *)&sk->dst_ip6[3] + 1) == 1; }
SEC("cgroup_skb/ingress") int fullsock_state(struct __sk_buff *skb) { struct bpf_sock *sk = skb->sk; if (!sk) return 1; sk = bpf_sk_fullsock(sk); if (!sk) return 1; return sk->state == 1; }
SEC("cgroup_skb/ingress") int sockcommon_state(struct __sk_buff *skb) { struct bpf_sock *sk = skb->sk; if (!sk) return 1; return sk->type == 1; }
SEC("cgroup_skb/ingress") int sockcommon_priority(struct __sk_buff *skb) { struct bpf_sock *sk = skb->sk; if (!sk) return 1; return sk->priority == 1; }
SEC("cgroup_skb/ingress") int tcp_sock_field(struct __sk_buff *skb) { struct bpf_sock *sk = skb->sk; if (!sk) return 1; struct bpf_tcp_sock *tp = bpf_tcp_sock(sk); if (!tp) return 1; return tp->bytes_acked == 1; }
SEC("cgroup_skb/ingress") int tcp_sock_narrow(struct __sk_buff *skb) { struct bpf_sock *sk = skb->sk; if (!sk) return 1; struct bpf_tcp_sock *tp = bpf_tcp_sock(sk); if (!tp) return 1; return *(__u8*)&tp->snd_cwnd == 1; }
SEC("cgroup_skb/ingress") int tcp_sock_past(struct __sk_buff *skb) { struct bpf_sock *sk = skb->sk; if (!sk) return 1; struct bpf_tcp_sock *tp = bpf_tcp_sock(sk); if (!tp) return 1; return *(__u32*)((char*)tp + sizeof(*tp)) == 1; }
SEC("cgroup/sock_create") int sock_create_mark(struct bpf_sock *sk) { sk->mark = 1; return 1; }
SEC("cgroup/sock_create") int sock_create_state(struct bpf_sock *sk) { return sk->state == 1; }
SEC("cgroup/sock_create") int sock_create_family(struct bpf_sock *sk) { return sk->family == 1; }
SEC("cgroup/post_bind4") int post_bind_port(struct bpf_sock *sk) { return sk->src_port == 1; }
SEC("cgroup/post_bind4") int post_bind_mark_write(struct bpf_sock *sk) { sk->mark = 1; return 1; }
SEC("cgroup/sock_create") int sock_create_src_port(struct bpf_sock *sk) { return sk->src_port == 1; }
char LICENSE[] SEC("license") = "GPL";
