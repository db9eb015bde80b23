/* A socket looked up in a sockmap is a reference: it must be released. A lookup in an xskmap
 * gives an xdp_sock, of which only queue_id may be read. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

SEC("sk_skb")
int sockmap_lookup_released(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct bpf_sock *sk = bpf_map_lookup_elem(&socks, &key);

	if (!sk)
		return 0;
	key = sk->type;
	bpf_sk_release(sk);
	return key;
}

SEC("sk_skb")
int sockmap_lookup_leaked(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct bpf_sock *sk = bpf_map_lookup_elem(&socks, &key);

	return sk ? sk->type : 0;
}

SEC("xdp")
int xskmap_queue_id(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct bpf_xdp_sock *xs = bpf_map_lookup_elem(&xsks, &key);

	return xs ? xs->queue_id : 0;
}

SEC("xdp")
__attribute__((naked)) int xskmap_past_queue_id(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[xsks] ll;"
	"call %[lookup];"
	"if r0 == 0 goto 1f;"
	"r0 = *(u32 *)(r0 + 4);"
	"1:"
	"r0 = 2;"
	"exit;"
	:: [xsks]"i"(&xsks), [lookup]"i"(BPF_FUNC_map_lookup_elem) : "memory");
}

char _license[] SEC("license") = "GPL";
