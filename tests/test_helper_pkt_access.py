"""Packet pointers as helper arguments: check_func_arg() refuses one ("helper access to the packet is
not allowed") unless may_access_direct_pkt_data(env, meta, BPF_READ) says yes: for the types with
direct packet access the helper's own `pkt_access` decides (bpf_map_lookup_elem, bpf_csum_diff: yes;
bpf_ringbuf_output: no), cgroup/sockopt programs may hand their optval to any helper, and every other
type (sock_ops, whose skb_data it may still read) to none. bpfcheck did not check it at all (false
accepts).

Recorded on 6.18.44-fc-v1045 (the host), this file's own programs (verdict, last log line).
"""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define NAKED __attribute__((naked))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
char LICENSE[] SEC("license") = "GPL";
struct { __uint(type, 1); __uint(max_entries, 4); __type(key, int); __type(value, int); } h SEC(".maps");
struct { __uint(type, 27); __uint(max_entries, 4096); } rb SEC(".maps");

/* a 16-byte packet range in r7: __sk_buff data@76 data_end@80; xdp_md data@0 data_end@4;
   bpf_sock_ops skb_data@192 skb_data_end@200; bpf_sockopt optval@8 optval_end@16 */
#define SKB "r2 = *(u32 *)(r1 + 76); r3 = *(u32 *)(r1 + 80);"
#define XDP "r2 = *(u32 *)(r1 + 0); r3 = *(u32 *)(r1 + 4);"
#define OPS "r2 = *(u64 *)(r1 + 192); r3 = *(u64 *)(r1 + 200);"
#define SOPT "r2 = *(u64 *)(r1 + 8); r3 = *(u64 *)(r1 + 16);"
#define RANGE "r4 = r2; r4 += 16; if r4 > r3 goto 1f; r7 = r2;"
/* bpf_map_lookup_elem (pkt_access), bpf_csum_diff (pkt_access), bpf_ringbuf_output (not) */
#define LOOKUP "r1 = %[h] ll; r2 = r7; call 1;"
#define CSUM "r1 = r7; r2 = 8; r3 = 0; r4 = 0; r5 = 0; call 28;"
#define RINGBUF "r1 = %[rb] ll; r2 = r7; r3 = 8; r4 = 0; call 130;"
#define P(sec, name, ctx, call) SEC(sec) NAKED int name(void) \
	{ asm volatile(ctx RANGE call "1: r0 = 1; exit;" :: [h]"i"(&h), [rb]"i"(&rb) : "memory"); }
P("tc", tc_lookup, SKB, LOOKUP)
P("tc", tc_ringbuf, SKB, RINGBUF)
P("cgroup_skb/ingress", cgskb_lookup, SKB, LOOKUP)
P("cgroup_skb/ingress", cgskb_ringbuf, SKB, RINGBUF)
P("xdp", xdp_csum, XDP, CSUM)
P("xdp", xdp_ringbuf, XDP, RINGBUF)
P("sockops", sockops_lookup, OPS, LOOKUP)
P("sockops", sockops_read, OPS, "r0 = *(u8 *)(r7 + 0);")
P("cgroup/getsockopt", getsockopt_ringbuf, SOPT, RINGBUF)
P("cgroup/setsockopt", setsockopt_lookup, SOPT, LOOKUP)
"""

OK = ("accept", "")
NO = ("reject", "helper access to the packet is not allowed")
KERNEL_6_18 = {
    "tc_lookup": OK,
    "tc_ringbuf": NO,
    "cgskb_lookup": OK,
    "cgskb_ringbuf": NO,
    "xdp_csum": OK,
    "xdp_ringbuf": NO,
    "sockops_lookup": NO,
    "sockops_read": OK,
    "getsockopt_ringbuf": OK,
    "setsockopt_lookup": OK,
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("helper_pkt_access"))


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_packet_arguments_as_the_6_18_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL_6_18[name]
