#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct locked { struct bpf_spin_lock lock; __u64 count; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, struct locked); } lmap SEC(".maps");
struct tv { struct bpf_timer t; __u64 x; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct tv); } tmap SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1); __type(key, __u32); __type(value, struct tv); } thash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");

SEC("tc") int lock_exit_held(struct __sk_buff *skb) { __u32 k = 0; struct locked *v = bpf_map_lookup_elem(&lmap, &k); if (!v) return 0; bpf_spin_lock(&v->lock); if (skb->len > 10) return 1; bpf_spin_unlock(&v->lock); return 0; }
SEC("tc") int lock_read_pkt(struct __sk_buff *skb) { __u32 k = 0; struct locked *v = bpf_map_lookup_elem(&lmap, &k); if (!v) return 0; bpf_spin_lock(&v->lock); v->count = skb->len; bpf_spin_unlock(&v->lock); return 0; }
static __attribute__((noinline)) int bump(struct locked *v) { v->count++; return 0; }
SEC("tc") int lock_static_call(struct __sk_buff *skb) { __u32 k = 0; struct locked *v = bpf_map_lookup_elem(&lmap, &k); if (!v) return 0; bpf_spin_lock(&v->lock); bump(v); bpf_spin_unlock(&v->lock); return 0; }
SEC("tc") int lock_direct_read(struct __sk_buff *skb) { __u32 k = 0; struct locked *v = bpf_map_lookup_elem(&lmap, &k); if (!v) return 0; return *(__u32 *)&v->lock; }
static int tcb(void *map, __u32 *key, struct tv *val) { return 0; }
SEC("tc") int timer_full(struct __sk_buff *skb) { __u32 k = 0; struct tv *v = bpf_map_lookup_elem(&tmap, &k); if (!v) return 0; bpf_timer_init(&v->t, &tmap, 1); bpf_timer_set_callback(&v->t, tcb); bpf_timer_start(&v->t, 1000, 0); return 0; }
SEC("tc") int timer_wrong_map(struct __sk_buff *skb) { __u32 k = 0; struct tv *v = bpf_map_lookup_elem(&tmap, &k); if (!v) return 0; bpf_timer_init(&v->t, &thash, 1); return 0; }
SEC("tc") int timer_off(struct __sk_buff *skb) { __u32 k = 0; struct tv *v = bpf_map_lookup_elem(&tmap, &k); if (!v) return 0; bpf_timer_init((struct bpf_timer *)&v->x, &tmap, 1); return 0; }
SEC("tc") int rb_dynptr(struct __sk_buff *skb) { struct bpf_dynptr d; bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d); bpf_ringbuf_submit_dynptr(&d, 0); return 0; }
SEC("tc") int rb_dynptr_leak(struct __sk_buff *skb) { struct bpf_dynptr d; bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d); return 0; }
SEC("tc") int rb_dynptr_data(struct __sk_buff *skb) { struct bpf_dynptr d; bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d); __u64 *p = bpf_dynptr_data(&d, 0, 8); if (p) *p = 1; bpf_ringbuf_submit_dynptr(&d, 0); return 0; }
SEC("tc") int rb_dynptr_data_oob(struct __sk_buff *skb) { struct bpf_dynptr d; bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d); __u64 *p = bpf_dynptr_data(&d, 0, 8); if (p) p[1] = 1; bpf_ringbuf_submit_dynptr(&d, 0); return 0; }
SEC("tc") int rb_dynptr_overwrite(struct __sk_buff *skb) { struct bpf_dynptr d; bpf_ringbuf_reserve_dynptr(&rb, 8, 0, &d); *(__u64 *)&d = 0; bpf_ringbuf_submit_dynptr(&d, 0); return 0; }
char LICENSE[] SEC("license") = "GPL";
