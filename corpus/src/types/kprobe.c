/* Accepted kprobe: counts calls per process in a hash map, reads the first pt_regs word. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

SEC("kprobe/do_nanosleep")
int type_kprobe(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 first = *(__u64 *)ctx;
	__u64 *n = bpf_map_lookup_elem(&calls, &pid);

	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&calls, &pid, &first, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
