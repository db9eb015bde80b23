#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, char[16]); } arr SEC(".maps");
SEC("tc") int dp_stack_data(struct __sk_buff *skb) { char buf[16] = {}; struct bpf_dynptr d; bpf_dynptr_from_mem(buf, 16, 0, &d); return 0; }

SEC("tc") int dp_local(struct __sk_buff *skb) { __u32 k = 0; char *buf = bpf_map_lookup_elem(&arr, &k); if (!buf) return 0; struct bpf_dynptr d; bpf_dynptr_from_mem(buf, 16, 0, &d); char o[4]; return bpf_dynptr_read(o, 4, &d, 0, 0); }
SEC("tc") int dp_uninit_use(struct __sk_buff *skb) { struct bpf_dynptr d; char o[4]; return bpf_dynptr_read(o, 4, &d, 0, 0); }
SEC("tc") int dp_local_submit(struct __sk_buff *skb) { __u32 k = 0; char *buf = bpf_map_lookup_elem(&arr, &k); if (!buf) return 0; struct bpf_dynptr d; bpf_dynptr_from_mem(buf, 16, 0, &d); bpf_ringbuf_submit_dynptr(&d, 0); return 0; }
SEC("tc") int dp_use_after_submit(struct __sk_buff *skb) { struct bpf_dynptr d; char o[4]; bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d); bpf_ringbuf_submit_dynptr(&d, 0); return bpf_dynptr_read(o, 4, &d, 0, 0); }
SEC("tc") int dp_slice_after_submit(struct __sk_buff *skb) { struct bpf_dynptr d; bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d); __u64 *p = bpf_dynptr_data(&d, 0, 8); if (!p) { bpf_ringbuf_discard_dynptr(&d, 0); return 0; } bpf_ringbuf_submit_dynptr(&d, 0); return *p & 1; }
SEC("tc") int dp_local_overwrite(struct __sk_buff *skb) { char buf[16] = {}; struct bpf_dynptr d; char o[4]; bpf_dynptr_from_mem(buf, sizeof(buf), 0, &d); *(volatile __u64 *)&d = 0; return bpf_dynptr_read(o, 4, &d, 0, 0); }
SEC("tc") int dp_read_bytes(struct __sk_buff *skb) { __u32 k = 0; char *buf = bpf_map_lookup_elem(&arr, &k); if (!buf) return 0; struct bpf_dynptr d; bpf_dynptr_from_mem(buf, 16, 0, &d); return *(volatile __u32 *)&d; }
SEC("tc") int dp_double_reserve(struct __sk_buff *skb) { struct bpf_dynptr d; bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d); bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d); bpf_ringbuf_discard_dynptr(&d, 0); return 0; }
SEC("tc") int dp_discard_ok(struct __sk_buff *skb) { struct bpf_dynptr d; if (bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d)) { bpf_ringbuf_discard_dynptr(&d, 0); return 0; } bpf_ringbuf_submit_dynptr(&d, 0); return 0; }
SEC("tc") int dp_helper_reads(struct __sk_buff *skb) { __u32 k = 0; char *buf = bpf_map_lookup_elem(&arr, &k); if (!buf) return 0; struct bpf_dynptr d; bpf_dynptr_from_mem(buf, 16, 0, &d); return bpf_csum_diff(0, 0, (void *)&d, 16, 0); }
char LICENSE[] SEC("license") = "GPL";
