/* A global function of hidden visibility (libbpf's __hidden) is no global function to the
 * kernel: libbpf marks its BTF FUNC static (libbpf 3319982d, v0.4.0), so it is verified with
 * its caller's context, and a pointer argument needs no NULL check. The same function with
 * default visibility is verified on its own (calls/global_func.c: call_global_unchecked). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((noinline, visibility("hidden"))) int hidden_deref(int *p)
{
	return *p + 1;
}

__attribute__((noinline, weak, visibility("hidden"))) int hidden_weak_deref(long *p)
{
	*p = 0;
	return 1;
}

SEC("socket")
int call_hidden_unchecked(struct __sk_buff *skb)
{
	int x = skb->len;

	return hidden_deref(&x);
}

SEC("socket")
int call_hidden_weak_unchecked(struct __sk_buff *skb)
{
	long x;

	return hidden_weak_deref(&x);
}

char LICENSE[] SEC("license") = "GPL";
