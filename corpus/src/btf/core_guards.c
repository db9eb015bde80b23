/* CO-RE relocations against the target kernel's BTF: guards that resolve to 0 make code dead,
 * an unguarded relocation that does not resolve is poisoned and the verifier rejects it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))

extern int LINUX_KERNEL_VERSION __kconfig;

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

/* a field no kernel has */
struct task_struct___nope {
	int no_such_field;
} __attribute__((preserve_access_index));

/* accept: the guard resolves to 0, the read is dead */
SEC("tp_btf/xdp_redirect_err")
int guarded_missing_field(unsigned long long *ctx)
{
	struct task_struct___nope *t = (void *)bpf_get_current_task_btf();

	if (bpf_core_field_exists(t->no_such_field))
		return t->no_such_field;
	return 0;
}

/* reject: the relocation fails, libbpf poisons the load, the verifier reaches it */
SEC("tp_btf/xdp_redirect_err")
int unguarded_missing_field(unsigned long long *ctx)
{
	struct task_struct___nope *t = (void *)bpf_get_current_task_btf();

	return t->no_such_field;
}

/* accept: a field every kernel has, read at the target's offset */
SEC("tp_btf/xdp_redirect_err")
int present_field(unsigned long long *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();

	return t->pid == 1;
}

/* accept: the enum guard holds on kernels with the helper */
SEC("tp_btf/xdp_redirect_err")
int enum_guard(unsigned long long *ctx)
{
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf))
		return bpf_get_current_task_btf() != 0;
	return 0;
}

/* accept: LINUX_KERNEL_VERSION is a constant the verifier sees; the old-kernel branch (which reads
 * past the tracepoint's arguments) is dead */
SEC("tp_btf/xdp_redirect_err")
int kconfig_version(unsigned long long *ctx)
{
	if (LINUX_KERNEL_VERSION < KERNEL_VERSION(5, 0, 0))
		return ctx[9] != 0;
	return bpf_get_smp_processor_id() == 0;
}

char LICENSE[] SEC("license") = "GPL";
