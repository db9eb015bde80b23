/* Maps whose value holds a bpf_timer or a bpf_spin_lock may not be used by every program type:
 * the kernel refuses them when the program first names the map, before any path is walked. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct with_timer {
	struct bpf_timer timer;
	__u64 hits;
};

struct with_lock {
	struct bpf_spin_lock lock;
	__u64 hits;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct with_timer);
} timers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct with_lock);
} locked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} plain SEC(".maps");

SEC("kprobe")
int kprobe_uses_timer_map(void *ctx)
{
	__u32 key = 0;
	struct with_timer *v = bpf_map_lookup_elem(&timers, &key);

	return v ? 1 : 0;
}

SEC("tc")
int tc_uses_timer_map(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct with_timer *v = bpf_map_lookup_elem(&timers, &key);

	return v ? 1 : 0;
}

SEC("kprobe")
int kprobe_uses_plain_map(void *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&plain, &key);

	return v ? 1 : 0;
}

SEC("socket")
int socket_uses_lock_map(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct with_lock *v = bpf_map_lookup_elem(&locked, &key);

	return v ? 1 : 0;
}

SEC("tc")
int tc_uses_lock_map(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct with_lock *v = bpf_map_lookup_elem(&locked, &key);

	return v ? 1 : 0;
}

char _license[] SEC("license") = "GPL";
