/* tp_btf arguments typed from the target kernel's BTF (btf_ctx_access).
 * tp_btf/xdp_redirect_err: (const struct net_device *dev, const struct bpf_prog *xdp,
 * const void *tgt, int err, enum bpf_map_type map_type, u32 map_id, u32 index). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct net_device {
	int ifindex;
} __attribute__((preserve_access_index));

/* accept: `int err` is a scalar, so sign-extending it with <<32 s>>32 is fine */
SEC("tp_btf/xdp_redirect_err")
int int_arg_shift(unsigned long long *ctx)
{
	unsigned long long raw = ctx[3];

	asm volatile("" : "+r"(raw)); /* keep the 8-byte load and the shifts */
	return ((long long)(raw << 32) >> 32) < 0;
}

/* reject: `int err` is a scalar, it cannot be dereferenced */
SEC("tp_btf/xdp_redirect_err")
int int_arg_deref(unsigned long long *ctx)
{
	return *(int *)ctx[3];
}

/* accept: `dev` is a PTR_TO_BTF_ID of struct net_device; its fields may be read directly */
SEC("tp_btf/xdp_redirect_err")
int ptr_arg_field(unsigned long long *ctx)
{
	struct net_device *dev = (struct net_device *)ctx[0];

	return dev->ifindex == 1;
}

/* reject: the arguments are u64 slots; offset 4 is in the middle of one */
SEC("tp_btf/xdp_redirect_err")
int misaligned_arg(unsigned int *ctx)
{
	return ctx[1] == 7;
}

char LICENSE[] SEC("license") = "GPL";
