/* The stacks of all frames on a call chain share 512 bytes: 320 + 320 is too much,
 * 240 + 240 fits (each frame is rounded up to 32 bytes). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) int fill_320(int x)
{
	volatile char buf[320];

	buf[x & 255] = 1;
	return buf[(x + 1) & 255];
}

static __attribute__((noinline)) int fill_240(int x)
{
	volatile char buf[240];

	buf[x & 127] = 1;
	return buf[(x + 1) & 127];
}

SEC("socket")
int stack_combined_too_big(struct __sk_buff *skb)
{
	volatile char buf[320];

	buf[skb->len & 255] = 2;
	return fill_320(skb->len) + buf[0];
}

SEC("socket")
int stack_combined_fits(struct __sk_buff *skb)
{
	volatile char buf[240];

	buf[skb->len & 127] = 2;
	return fill_240(skb->len) + buf[0];
}

char LICENSE[] SEC("license") = "GPL";
