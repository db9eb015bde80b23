/* Accepted sk_lookup program: passes lookups for port 80, drops nothing else either. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("sk_lookup")
int type_sk_lookup(struct bpf_sk_lookup *ctx)
{
	if (ctx->local_port == 80)
		return SK_PASS;
	return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
