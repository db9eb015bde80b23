/* bpf_probe_read_kernel is GPL-only: this object's license is not GPL-compatible. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("kprobe/do_nanosleep")
int gpl_helper_non_gpl(void *ctx)
{
	__u64 word = 0;

	bpf_probe_read_kernel(&word, sizeof(word), ctx);
	return word & 1;
}

SEC("kprobe/do_nanosleep")
int non_gpl_helper_non_gpl(void *ctx)
{
	return bpf_ktime_get_ns() & 1;
}

char LICENSE[] SEC("license") = "Proprietary";
