#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64[4]); } arr SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __uint(max_entries, 2); __type(key, __u32); __array(values, struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); }); } outer SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } pc SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_QUEUE); __uint(max_entries, 8); __type(value, __u64); } q SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, 4); __uint(value_size, 4); } pe SEC(".maps");

SEC("tc") int inner_lookup_unchecked(struct __sk_buff *skb) {
	__u32 k = 0; void *in = bpf_map_lookup_elem(&outer, &k);
	return bpf_map_lookup_elem(in, &k) != 0;
}
SEC("tc") int inner_lookup(struct __sk_buff *skb) {
	__u32 k = 0; void *in = bpf_map_lookup_elem(&outer, &k); if (!in) return 0;
	__u64 *v = bpf_map_lookup_elem(in, &k); if (!v) return 0; return *v & 1;
}
SEC("tc") int inner_value_oob(struct __sk_buff *skb) {
	__u32 k = 0; void *in = bpf_map_lookup_elem(&outer, &k); if (!in) return 0;
	__u64 *v = bpf_map_lookup_elem(in, &k); if (!v) return 0; return v[1] & 1;
}
SEC("tc") int inner_map_write(struct __sk_buff *skb) {
	__u32 k = 0; __u64 *in = bpf_map_lookup_elem(&outer, &k); if (!in) return 0;
	*in = 1; return 0;
}
SEC("tc") int queue_peek(struct __sk_buff *skb) { __u64 v; return bpf_map_peek_elem(&q, &v) == 0 ? v & 1 : 0; }
SEC("tc") int queue_lookup(struct __sk_buff *skb) { __u32 k = 0; return bpf_map_lookup_elem(&q, &k) != 0; }
SEC("tc") int perf_out_ok(struct __sk_buff *skb) { __u64 v = 1; return bpf_perf_event_output(skb, &pe, BPF_F_CURRENT_CPU, &v, sizeof(v)); }
SEC("tc") int perf_out_wrong_map(struct __sk_buff *skb) { __u64 v = 1; return bpf_perf_event_output(skb, &arr, BPF_F_CURRENT_CPU, &v, sizeof(v)); }
SEC("tc") int perf_lookup(struct __sk_buff *skb) { __u32 k = 0; return bpf_map_lookup_elem(&pe, &k) != 0; }
SEC("tc") int percpu_update(struct __sk_buff *skb) { __u32 k = 0; __u64 v = 1; return bpf_map_update_elem(&pc, &k, &v, 0); }
SEC("tc") int map_ptr_arith(struct __sk_buff *skb) { __u32 k = 0; void *m = (char *)&arr + 8; return bpf_map_lookup_elem(m, &k) != 0; }
char LICENSE[] SEC("license") = "GPL";
