#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64[4]); } arr SEC(".maps");
SEC("tc") int key_reused_after_lookup(struct __sk_buff *skb) {
	volatile __u32 k = 2;
	__u64 *v = bpf_map_lookup_elem(&arr, &k);
	if (!v) return 0;
	return v[k] & 1;
}
SEC("tc") int zero_key_reused_after_lookup(struct __sk_buff *skb) {
	volatile __u64 k = 0;
	__u64 *v = bpf_map_lookup_elem(&arr, (void *)&k);
	if (!v) return 0;
	return v[k] & 1;
}
SEC("tc") int buf_reused_after_csum(struct __sk_buff *skb) {
	volatile __u64 buf[2] = {1, 3};
	__u32 k = 0;
	bpf_csum_diff(0, 0, (void *)buf, 16, 0);
	__u64 *v = bpf_map_lookup_elem(&arr, &k);
	if (!v) return 0;
	return v[buf[1]] & 1;
}
char LICENSE[] SEC("license") = "GPL";
