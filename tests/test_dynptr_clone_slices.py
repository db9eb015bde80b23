"""Dynptr clones and slices (6.4+): bpf_dynptr_clone() makes its `clone__uninit` argument a dynptr of the
parent's type that shares the parent's reference, and releasing either releases both
(check_kfunc_args(), unmark_stack_slots_dynptr()); a slice of an skb or xdp dynptr is a packet pointer
that a packet-changing helper invalidates (reg_is_dynptr_slice_pkt() in clear_all_pkt_pointers()), one
of a ringbuf dynptr dies with the reservation; bpf_dynptr_slice_rdwr() needs a program type that may
write packet data, whatever the dynptr (may_access_direct_pkt_data(BPF_WRITE) in check_kfunc_call()).
bpfcheck left the clone unbuilt (a false reject of submitting it) and kept slices alive and writable
(false accepts).

Recorded on 6.18.44-fc-v1045 (the host), this file's own programs (verdict, last log line).
"""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define KSYM __attribute__((section(".ksyms")))
#define __uint(name, val) int (*name)[val]
typedef unsigned int __u32; typedef unsigned long long __u64; typedef unsigned char __u8;
struct bpf_dynptr { __u64 __opaque[2]; } __attribute__((aligned(8)));
struct __sk_buff { __u32 len; };
struct xdp_md { __u32 data, data_end; };
struct { __uint(type, 27); __uint(max_entries, 4096); } rb SEC(".maps");
extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr__uninit) KSYM;
extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) KSYM;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 off, void *buffer__opt, __u32 buffer__szk) KSYM;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p, __u32 off, void *buffer__opt, __u32 buffer__szk) KSYM;
extern int bpf_dynptr_clone(const struct bpf_dynptr *p, struct bpf_dynptr *clone__uninit) KSYM;
static long (*skb_pull_data)(struct __sk_buff *skb, __u32 len) = (void *)39;
static long (*xdp_adjust_head)(struct xdp_md *x, int delta) = (void *)44;
static long (*dynptr_read)(void *dst, __u32 len, const struct bpf_dynptr *src, __u32 off, __u64 flags) = (void *)201;
static long (*ringbuf_reserve_dynptr)(void *rb, __u32 size, __u64 flags, struct bpf_dynptr *p) = (void *)198;
static void (*ringbuf_submit_dynptr)(struct bpf_dynptr *p, __u64 flags) = (void *)199;
static void (*ringbuf_discard_dynptr)(struct bpf_dynptr *p, __u64 flags) = (void *)200;
char LICENSE[] SEC("license") = "GPL";

SEC("tc") int submit_clone(void *c)
{ struct bpf_dynptr d, e; ringbuf_reserve_dynptr(&rb, 8, 0, &d); bpf_dynptr_clone(&d, &e); ringbuf_submit_dynptr(&e, 0);
  return 0; }
SEC("tc") int parent_after_clone_submitted(void *c)
{ struct bpf_dynptr d, e; char b[4]; ringbuf_reserve_dynptr(&rb, 8, 0, &d); bpf_dynptr_clone(&d, &e);
  ringbuf_submit_dynptr(&e, 0); dynptr_read(b, 4, &d, 0, 0); return 0; }
SEC("tc") int released_twice(void *c)
{ struct bpf_dynptr d, e; ringbuf_reserve_dynptr(&rb, 8, 0, &d); bpf_dynptr_clone(&d, &e); ringbuf_discard_dynptr(&d, 0);
  ringbuf_discard_dynptr(&e, 0); return 0; }
SEC("tc") int clone_of_nothing(void *c) { struct bpf_dynptr d, e; bpf_dynptr_clone(&d, &e); return 0; }
SEC("tc") int clone_slice_after_release(void *c)
{ struct bpf_dynptr d, e; char b[8]; ringbuf_reserve_dynptr(&rb, 8, 0, &d); bpf_dynptr_clone(&d, &e);
  __u8 *p = bpf_dynptr_slice(&e, 0, b, 8); ringbuf_submit_dynptr(&d, 0); return p ? p[0] : 0; }
SEC("tc") int skb_slice_after_pull(struct __sk_buff *s)
{ struct bpf_dynptr d; char b[4]; if (bpf_dynptr_from_skb(s, 0, &d)) return 0; __u8 *p = bpf_dynptr_slice(&d, 0, b, 4);
  if (!p) return 0; skb_pull_data(s, 10); return p[0]; }
SEC("tc") int skb_slice_before_pull(struct __sk_buff *s)
{ struct bpf_dynptr d; char b[4]; int r; if (bpf_dynptr_from_skb(s, 0, &d)) return 0;
  __u8 *p = bpf_dynptr_slice(&d, 0, b, 4); if (!p) return 0; r = p[0]; skb_pull_data(s, 10); return r; }
SEC("xdp") int xdp_slice_after_adjust(struct xdp_md *x)
{ struct bpf_dynptr d; char b[4]; if (bpf_dynptr_from_xdp(x, 0, &d)) return 2; __u8 *p = bpf_dynptr_slice(&d, 0, b, 4);
  if (!p) return 2; xdp_adjust_head(x, 4); return p[0] ? 1 : 2; }
SEC("tc") int ringbuf_slice_survives_pull(struct __sk_buff *s)
{ struct bpf_dynptr d; char b[8]; int r; ringbuf_reserve_dynptr(&rb, 8, 0, &d); __u8 *p = bpf_dynptr_slice(&d, 0, b, 8);
  skb_pull_data(s, 10); r = p ? p[0] : 0; ringbuf_submit_dynptr(&d, 0); return r; }
SEC("cgroup_skb/egress") int rdwr_in_cgroup_skb(struct __sk_buff *s)
{ struct bpf_dynptr d; char b[4]; if (bpf_dynptr_from_skb(s, 0, &d)) return 1; __u8 *p = bpf_dynptr_slice_rdwr(&d, 0, b, 4);
  if (p) p[0] = 1; return 1; }
SEC("kprobe/do_sys_open") int rdwr_ringbuf_in_kprobe(void *c)
{ struct bpf_dynptr d; char b[8]; ringbuf_reserve_dynptr(&rb, 8, 0, &d); __u8 *p = bpf_dynptr_slice_rdwr(&d, 0, b, 8);
  if (p) p[0] = 1; ringbuf_submit_dynptr(&d, 0); return 0; }
SEC("tc") int rdwr_ringbuf_in_tc(void *c)
{ struct bpf_dynptr d; char b[8]; ringbuf_reserve_dynptr(&rb, 8, 0, &d); __u8 *p = bpf_dynptr_slice_rdwr(&d, 0, b, 8);
  if (p) p[0] = 1; ringbuf_submit_dynptr(&d, 0); return 0; }
"""

INVALID = ("reject", "R8 invalid mem access 'scalar'")
KERNEL_6_18 = {
    "submit_clone": ("accept", ""),
    "parent_after_clone_submitted": ("reject", "Expected an initialized dynptr as arg #2"),
    "released_twice": ("reject", "arg 1 is an unacquired reference"),
    "clone_of_nothing": ("reject", "Expected an initialized dynptr as arg #0"),
    "clone_slice_after_release": INVALID,
    "skb_slice_after_pull": INVALID,
    "skb_slice_before_pull": ("accept", ""),
    "xdp_slice_after_adjust": INVALID,
    "ringbuf_slice_survives_pull": ("accept", ""),
    "rdwr_in_cgroup_skb": ("reject", "the prog does not allow writes to packet data"),
    "rdwr_ringbuf_in_kprobe": ("reject", "the prog does not allow writes to packet data"),
    "rdwr_ringbuf_in_tc": ("accept", ""),
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("dynptr_clone_slices"))


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_dynptr_clones_and_slices_as_the_6_18_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL_6_18[name]
