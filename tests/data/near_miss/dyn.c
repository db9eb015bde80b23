
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, char[16]); } arr SEC(".maps");

SEC("tc") int reserve_submit(struct __sk_buff *skb)
{ struct bpf_dynptr d; bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d); bpf_ringbuf_submit_dynptr(&d, 0); return 0; }
SEC("tc") int reserve_leak(struct __sk_buff *skb)
{ struct bpf_dynptr d; bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d); return 0; }
SEC("tc") int reserve_overwrite(struct __sk_buff *skb)
{ struct bpf_dynptr d; bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d); *(volatile __u64 *)&d = 0;
  bpf_ringbuf_submit_dynptr(&d, 0); return 0; }
SEC("tc") int reserve_twice(struct __sk_buff *skb)
{ struct bpf_dynptr d; bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d); bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d);
  bpf_ringbuf_discard_dynptr(&d, 0); return 0; }
SEC("tc") int use_after_submit(struct __sk_buff *skb)
{ struct bpf_dynptr d; char o[4]; bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d); bpf_ringbuf_submit_dynptr(&d, 0);
  return bpf_dynptr_read(o, 4, &d, 0, 0); }
SEC("tc") int slice_after_submit(struct __sk_buff *skb)
{ struct bpf_dynptr d; bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d); __u64 *p = bpf_dynptr_data(&d, 0, 8);
  if (!p) { bpf_ringbuf_discard_dynptr(&d, 0); return 0; } bpf_ringbuf_submit_dynptr(&d, 0); return *p & 1; }
SEC("tc") int uninit_use(struct __sk_buff *skb)
{ struct bpf_dynptr d; char o[4]; return bpf_dynptr_read(o, 4, &d, 0, 0); }
SEC("tc") int local_from_map(struct __sk_buff *skb)
{ __u32 k = 0; char *buf = bpf_map_lookup_elem(&arr, &k); if (!buf) return 0; struct bpf_dynptr d; char o[4];
  bpf_dynptr_from_mem(buf, 16, 0, &d); return bpf_dynptr_read(o, 4, &d, 0, 0); }
SEC("tc") int local_from_stack(struct __sk_buff *skb)
{ char buf[16] = {}; struct bpf_dynptr d; bpf_dynptr_from_mem(buf, 16, 0, &d); return 0; }
SEC("tc") int local_released(struct __sk_buff *skb)
{ __u32 k = 0; char *buf = bpf_map_lookup_elem(&arr, &k); if (!buf) return 0; struct bpf_dynptr d;
  bpf_dynptr_from_mem(buf, 16, 0, &d); bpf_ringbuf_submit_dynptr(&d, 0); return 0; }
SEC("tc") int read_dynptr_bytes(struct __sk_buff *skb)
{ __u32 k = 0; char *buf = bpf_map_lookup_elem(&arr, &k); if (!buf) return 0; struct bpf_dynptr d;
  bpf_dynptr_from_mem(buf, 16, 0, &d); return *(volatile __u32 *)&d; }
char LICENSE[] SEC("license") = "GPL";
