#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_SOCKMAP); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } smap SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } arr SEC(".maps");

SEC("tc") int tcp_sock_after_release(struct __sk_buff *skb) {
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk) return 0;
	struct bpf_tcp_sock *tp = bpf_tcp_sock(sk);
	bpf_sk_release(sk);
	if (!tp) return 0;
	return tp->snd_cwnd;
}
SEC("tc") int tcp_sock_before_release(struct __sk_buff *skb) {
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk) return 0;
	struct bpf_tcp_sock *tp = bpf_tcp_sock(sk);
	int r = tp ? tp->snd_cwnd : 0;
	bpf_sk_release(sk);
	return r;
}
SEC("tc") int fullsock_after_release(struct __sk_buff *skb) {
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk) return 0;
	struct bpf_sock *f = bpf_sk_fullsock(sk);
	bpf_sk_release(sk);
	if (!f) return 0;
	return f->mark;
}
SEC("sk_skb") int sockmap_lookup_leak(struct __sk_buff *skb) {
	__u32 k = 0; struct bpf_sock *sk = bpf_map_lookup_elem(&smap, &k);
	if (!sk) return SK_PASS; return sk->family == 2 ? SK_DROP : SK_PASS;
}
SEC("sk_skb") int sockmap_lookup_release(struct __sk_buff *skb) {
	__u32 k = 0; struct bpf_sock *sk = bpf_map_lookup_elem(&smap, &k);
	if (!sk) return SK_PASS; int r = sk->family == 2; bpf_sk_release(sk); return r ? SK_DROP : SK_PASS;
}
__attribute__((noinline)) int pull(struct __sk_buff *skb) { return bpf_skb_pull_data(skb, 0); }
__attribute__((noinline)) int nopull(struct __sk_buff *skb) { return skb->len & 1; }
SEC("tc") int pkt_after_global_pull(struct __sk_buff *skb) {
	void *d = (void *)(long)skb->data, *e = (void *)(long)skb->data_end;
	if (d + 4 > e) return 0;
	pull(skb);
	return *(__u32 *)d & 1;
}
SEC("tc") int pkt_after_global_nopull(struct __sk_buff *skb) {
	void *d = (void *)(long)skb->data, *e = (void *)(long)skb->data_end;
	if (d + 4 > e) return 0;
	nopull(skb);
	return *(__u32 *)d & 1;
}
static __attribute__((noinline)) int spull(struct __sk_buff *skb) { return bpf_skb_pull_data(skb, 0); }
SEC("tc") int pkt_after_static_pull(struct __sk_buff *skb) {
	void *d = (void *)(long)skb->data, *e = (void *)(long)skb->data_end;
	if (d + 4 > e) return 0;
	spull(skb);
	return *(__u32 *)d & 1;
}
SEC("tc") int infinite_loop(struct __sk_buff *skb) {
	__u32 k = 0; __u64 *v = bpf_map_lookup_elem(&arr, &k);
	if (!v) return 0;
	volatile __u64 x = *v;
	while (1) { if (x == 7) break; }
	return 0;
}
#define D(n, m) static __attribute__((noinline)) int f##n(int x) { volatile char buf[8]; buf[0] = x; return f##m(x + buf[0]) + 1; }
static __attribute__((noinline)) int f0(int x) { return x; }
D(1,0) D(2,1) D(3,2) D(4,3) D(5,4) D(6,5) D(7,6) D(8,7) D(9,8)
SEC("tc") int depth8(struct __sk_buff *skb) { return f7(skb->len); }
SEC("tc") int depth9(struct __sk_buff *skb) { return f8(skb->len); }
SEC("tc") int depth10(struct __sk_buff *skb) { return f9(skb->len); }
char LICENSE[] SEC("license") = "GPL";
