/* Call depth is limited to 8 frames: main + 8 nested static calls is one too many;
 * main + 7 is accepted. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define LEVEL(name, next)                                        \
	static __attribute__((noinline)) int name(int x)          \
	{                                                        \
		return next(x + 1) + 1;                              \
	}

static __attribute__((noinline)) int leaf(int x)
{
	return x * 3;
}

LEVEL(f7, leaf)
LEVEL(f6, f7)
LEVEL(f5, f6)
LEVEL(f4, f5)
LEVEL(f3, f4)
LEVEL(f2, f3)
LEVEL(f1, f2)

SEC("socket")
int call_depth_9(struct __sk_buff *skb)
{
	return f1(skb->len);
}

SEC("socket")
int call_depth_8(struct __sk_buff *skb)
{
	return f2(skb->len);
}

char LICENSE[] SEC("license") = "GPL";
