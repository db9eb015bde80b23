/* The GPL-only helper bpf_probe_read_kernel (5.5) from a GPL program. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("kprobe/do_nanosleep")
int gpl_helper_gpl(void *ctx)
{
	__u64 word = 0;

	bpf_probe_read_kernel(&word, sizeof(word), ctx);
	return word & 1;
}

char LICENSE[] SEC("license") = "GPL";
