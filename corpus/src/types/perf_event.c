/* Accepted perf_event program: reads the sample period. */
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <bpf/bpf_helpers.h>

SEC("perf_event")
int type_perf_event(struct bpf_perf_event_data *ctx)
{
	return ctx->sample_period > 1000;
}

char LICENSE[] SEC("license") = "GPL";
