#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_SK_STORAGE); __uint(map_flags, BPF_F_NO_PREALLOC); __type(key, int); __type(value, __u64); } sks SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_SOCKHASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } sh SEC(".maps");

SEC("tc") int release_unreferenced(struct __sk_buff *skb) { struct bpf_sock *sk = skb->sk; if (!sk) return 0; bpf_sk_release(sk); return 0; }
SEC("tc") int skc_lookup_leak(struct __sk_buff *skb) { struct bpf_sock_tuple t = {}; struct bpf_sock *sk = bpf_skc_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0); return sk != 0; }
SEC("tc") int skc_lookup_release(struct __sk_buff *skb) { struct bpf_sock_tuple t = {}; struct bpf_sock *sk = bpf_skc_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0); if (sk) bpf_sk_release(sk); return 0; }
SEC("tc") int listener_after_release(struct __sk_buff *skb) { struct bpf_sock_tuple t = {}; struct bpf_sock *sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0); if (!sk) return 0; struct bpf_sock *l = bpf_get_listener_sock(sk); bpf_sk_release(sk); if (!l) return 0; return l->mark; }
SEC("tc") int storage_after_release(struct __sk_buff *skb) { struct bpf_sock_tuple t = {}; struct bpf_sock *sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0); if (!sk) return 0; __u64 *v = bpf_sk_storage_get(&sks, sk, 0, 0); bpf_sk_release(sk); return v ? *v & 1 : 0; }
SEC("tc") int double_release(struct __sk_buff *skb) { struct bpf_sock_tuple t = {}; struct bpf_sock *sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0); if (!sk) return 0; bpf_sk_release(sk); bpf_sk_release(sk); return 0; }
SEC("tc") int release_null_checked_other(struct __sk_buff *skb) { struct bpf_sock_tuple t = {}; struct bpf_sock *a = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0); struct bpf_sock *b = bpf_sk_lookup_udp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0); if (!a) { if (b) bpf_sk_release(b); return 0; } if (b) bpf_sk_release(b); bpf_sk_release(a); return 0; }
SEC("tc") int ref_across_tail_call_ok(struct __sk_buff *skb) { struct bpf_sock_tuple t = {}; struct bpf_sock *a = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0); if (a) bpf_sk_release(a); return 0; }
SEC("tc") int sk_assign_ok(struct __sk_buff *skb) { struct bpf_sock_tuple t = {}; struct bpf_sock *a = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0); if (!a) return 0; bpf_sk_assign(skb, a, 0); bpf_sk_release(a); return 0; }
SEC("tc") int ptr_arith_on_sock(struct __sk_buff *skb) { struct bpf_sock_tuple t = {}; struct bpf_sock *a = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0); if (!a) return 0; int m = *((__u32 *)a + 1); bpf_sk_release(a); return m; }
char LICENSE[] SEC("license") = "GPL";
