// SPDX-License-Identifier: GPL-2.0
/* A CO-RE read of a field the running kernel's task_struct does not have: libbpf poisons the
 * load (call 0xbad2310), the verifier refuses it, and libbpf rewrites that part of the log to
 * "N: <invalid CO-RE relocation>" / "failed to resolve CO-RE relocation ...".
 * Built by tests/data/kernel_logs/record.py --build (clang -target bpf -g -O2). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___missing {
	int no_such_field_in_any_kernel;
} __attribute__((preserve_access_index));

SEC("kprobe/do_nanosleep")
int core_missing_field(void *ctx)
{
	struct task_struct___missing *task = (void *)bpf_get_current_task();

	return BPF_CORE_READ(task, no_such_field_in_any_kernel);
}

char LICENSE[] SEC("license") = "GPL";
