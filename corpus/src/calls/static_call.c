/* bpf-to-bpf calls (4.16): a static function called with a stack pointer argument. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) int add_one(int *p)
{
	return *p + 1;
}

SEC("socket")
int call_static(struct __sk_buff *skb)
{
	int x = skb->len;

	return add_one(&x);
}

char LICENSE[] SEC("license") = "GPL";
