/* Helpers that appeared in later kernels: bpf_ktime_get_boot_ns (5.8),
 * bpf_get_current_task_btf-free ones only. Each program calls one helper. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("kprobe/do_nanosleep")
int helper_boot_ns_5_8(void *ctx)
{
	return bpf_ktime_get_boot_ns() & 1;
}

SEC("kprobe/do_nanosleep")
int helper_send_signal_5_3(void *ctx)
{
	if (bpf_get_prandom_u32() == 12345)
		bpf_send_signal(0);
	return 0;
}

SEC("kprobe/do_nanosleep")
int helper_ktime_4_1(void *ctx)
{
	return bpf_ktime_get_ns() & 1;
}

char LICENSE[] SEC("license") = "GPL";
