/* Accepted sockops program: reads the op and writes the reply field. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("sockops")
int type_sockops(struct bpf_sock_ops *skops)
{
	if (skops->op == BPF_SOCK_OPS_TIMEOUT_INIT)
		skops->reply = 10;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
