/* Socket references from bpf_sk_lookup_tcp (4.20): released (accepted), leaked
 * (rejected), and released without the NULL check (rejected). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int sk_lookup_release(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;

	sk = bpf_sk_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (sk)
		bpf_sk_release(sk);
	return 0;
}

SEC("tc")
int sk_lookup_leak(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;

	sk = bpf_sk_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (sk)
		return sk->mark;
	return 0;
}

SEC("tc")
__attribute__((naked)) int sk_release_unchecked(void)
{
	asm volatile("r2 = 0;"
		     "*(u64 *)(r10 - 8) = r2;"
		     "*(u64 *)(r10 - 16) = r2;"
		     "r2 = r10;"
		     "r2 += -16;"
		     "r3 = 12;"
		     "r4 = -1;"
		     "r5 = 0;"
		     "call %[lookup];"
		     "r1 = r0;"
		     "call %[release];"
		     "r0 = 0;"
		     "exit;"
		     :: [lookup] "i"(BPF_FUNC_sk_lookup_tcp), [release] "i"(BPF_FUNC_sk_release) : "memory");
}

char LICENSE[] SEC("license") = "GPL";
