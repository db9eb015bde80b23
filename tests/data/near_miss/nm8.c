#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct pair { __u64 a, b; };
__attribute__((noinline)) int g_deref(struct pair *p) { return p->a & 1; }
__attribute__((noinline)) int g_deref_checked(struct pair *p) { if (!p) return 0; return p->b & 1; }
__attribute__((noinline)) int g_write(struct pair *p) { if (!p) return 0; p->b = 3; return 0; }
__attribute__((noinline)) void g_void(struct __sk_buff *skb) { skb->mark = 1; }
__attribute__((noinline)) int g_ctx(struct __sk_buff *skb) { return skb->len & 1; }
__attribute__((noinline)) int g_int(int x) { return x > 3; }
__attribute__((noinline)) int g_byval(struct pair p) { return p.a & 1; }

SEC("tc") int call_deref(struct __sk_buff *skb) { struct pair p = {1, 2}; return g_deref(&p); }
SEC("tc") int call_deref_checked(struct __sk_buff *skb) { struct pair p = {1, 2}; return g_deref_checked(&p); }
SEC("tc") int call_small_stack(struct __sk_buff *skb) { __u64 x = 1; return g_deref_checked((struct pair *)&x); }
SEC("tc") int call_uninit_stack(struct __sk_buff *skb) { struct pair p; return g_deref_checked(&p); }
SEC("tc") int call_write(struct __sk_buff *skb) { struct pair p = {}; g_write(&p); return p.b & 1; }
SEC("tc") int call_null(struct __sk_buff *skb) { return g_deref_checked(0); }
SEC("tc") int call_void(struct __sk_buff *skb) { g_void(skb); return 0; }
SEC("tc") int call_ctx_with_stack(struct __sk_buff *skb) { struct pair p = {}; return g_ctx((void *)&p); }
SEC("tc") int call_int_with_ptr(struct __sk_buff *skb) { return g_int((long)skb); }
SEC("tc") int call_byval(struct __sk_buff *skb) { struct pair p = {1, 2}; return g_byval(p); }
SEC("tc") int call_map_value(struct __sk_buff *skb) { return 0; }
char LICENSE[] SEC("license") = "GPL";
