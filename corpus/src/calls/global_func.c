/* Global (non-static) functions are verified on their own (5.6+) with unknown
 * arguments: dereferencing a pointer argument needs a NULL check first. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((noinline)) int global_deref(int *p)
{
	return *p + 1;
}

__attribute__((noinline)) int global_deref_checked(int *p)
{
	if (!p)
		return 0;
	return *p + 1;
}

SEC("socket")
int call_global_unchecked(struct __sk_buff *skb)
{
	int x = skb->len;

	return global_deref(&x);
}

SEC("socket")
int call_global_checked(struct __sk_buff *skb)
{
	int x = skb->len;

	return global_deref_checked(&x);
}

char LICENSE[] SEC("license") = "GPL";
