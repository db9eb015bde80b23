/* Accepted BTF-enabled tracepoint (tp_btf/sched_switch): reads the first u64 argument. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tp_btf/sched_switch")
int type_tp_btf(unsigned long long *ctx)
{
	return ctx[0] ? 0 : 0;
}

char LICENSE[] SEC("license") = "GPL";
