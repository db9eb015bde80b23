/* Ring buffer records are references: reserve + submit (accepted), reserve and
 * return without submit (leak), and writing before the NULL check. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getpid")
int ringbuf_submit_ok(void *ctx)
{
	__u64 *rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);

	if (!rec)
		return 0;
	*rec = bpf_ktime_get_ns();
	bpf_ringbuf_submit(rec, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int ringbuf_leak(void *ctx)
{
	__u64 *rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);

	if (!rec)
		return 0;
	*rec = bpf_ktime_get_ns();
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int ringbuf_no_null_check(void *ctx)
{
	__u64 *rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);

	*rec = 1;
	bpf_ringbuf_submit(rec, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int ringbuf_discard_ok(void *ctx)
{
	__u64 *rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);

	if (!rec)
		return 0;
	bpf_ringbuf_discard(rec, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
