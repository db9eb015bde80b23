/* Fields of struct bpf_sock as a program may read them: dst_port as 2 bytes (or 4, for old
 * programs), not the 2 padding bytes after it; a sock_common (skb->sk before bpf_sk_fullsock)
 * has family but not type. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define FULLSOCK(body)                                            \
	asm volatile (                                            \
	"r1 = *(u64 *)(r1 + %[sk]);"                              \
	"if r1 == 0 goto 1f;"                                     \
	"call %[fullsock];"                                       \
	"if r0 == 0 goto 1f;"                                     \
	body                                                      \
	"1:"                                                      \
	"r0 = 1;"                                                 \
	"exit;"                                                   \
	:: [sk]"i"(__builtin_offsetof(struct __sk_buff, sk)),     \
	   [fullsock]"i"(BPF_FUNC_sk_fullsock) : "memory")

SEC("cgroup_skb/ingress")
__attribute__((naked)) int dst_port_half(void)
{
	FULLSOCK("r2 = *(u16 *)(r0 + 48);");
}

SEC("cgroup_skb/ingress")
__attribute__((naked)) int dst_port_padding_half(void)
{
	FULLSOCK("r2 = *(u16 *)(r0 + 50);");
}

SEC("cgroup_skb/ingress")
__attribute__((naked)) int sock_common_family(void)
{
	asm volatile (
	"r1 = *(u64 *)(r1 + %[sk]);"
	"if r1 == 0 goto 1f;"
	"r2 = *(u32 *)(r1 + 4);"
	"1:"
	"r0 = 1;"
	"exit;"
	:: [sk]"i"(__builtin_offsetof(struct __sk_buff, sk)) : "memory");
}

SEC("cgroup_skb/ingress")
__attribute__((naked)) int sock_common_type(void)
{
	asm volatile (
	"r1 = *(u64 *)(r1 + %[sk]);"
	"if r1 == 0 goto 1f;"
	"r2 = *(u32 *)(r1 + 8);"
	"1:"
	"r0 = 1;"
	"exit;"
	:: [sk]"i"(__builtin_offsetof(struct __sk_buff, sk)) : "memory");
}

char _license[] SEC("license") = "GPL";
