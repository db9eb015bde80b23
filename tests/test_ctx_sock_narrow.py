"""Narrow loads of struct bpf_sock and struct bpf_sock_ops fields the kernel names by
`case offsetof(struct X, f):` (net/core/filter.c bpf_sock_is_valid_access(),
sock_ops_is_valid_access()): a 1- or 2-byte load is allowed at the field's first byte only; one
further inside falls to the switch's default (4 bytes exactly). bpfcheck refused narrow loads of
family/type/protocol in a cgroup/sock context (false rejects) and allowed them anywhere inside
state, src_port, rx_queue_mapping and sock_ops' skb_tcp_flags, on the context and on a socket
pointer from bpf_sk_lookup_tcp() alike (false accepts). And struct bpf_tcp_sock: its fields after
bytes_acked (dsack_dups .. icsk_retransmits, 5.3+) were refused (false rejects), and a 4-byte load of
the upper half of bytes_received passes bpf_tcp_sock_is_valid_access() but has no conversion, so the
kernel refuses the program after its walk (false accept).

Recorded on 6.18.44-fc-v1045 (the host), this file's own programs (verdict, last log line).
"""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define NAKED __attribute__((naked))
char LICENSE[] SEC("license") = "GPL";

/* bpf_sock: family@4 type@8 protocol@12 src_ip4@24 src_port@44 dst_port@48 dst_ip6@56 state@72
   rx_queue_mapping@76 */
SEC("cgroup/sock_create") NAKED int sock_family_u8(void)
{ asm volatile("r0 = *(u8 *)(r1 + 4); r0 = 1; exit;" ::: "memory"); }
SEC("cgroup/sock_create") NAKED int sock_protocol_u16(void)
{ asm volatile("r0 = *(u16 *)(r1 + 12); r0 = 1; exit;" ::: "memory"); }
SEC("cgroup/sock_create") NAKED int sock_type_u8_inside(void)
{ asm volatile("r0 = *(u8 *)(r1 + 9); r0 = 1; exit;" ::: "memory"); }
SEC("cgroup/sock_create") NAKED int sock_state_u8(void)
{ asm volatile("r0 = *(u8 *)(r1 + 72); r0 = 1; exit;" ::: "memory"); }
SEC("cgroup/sock_create") NAKED int sock_state_u8_inside(void)
{ asm volatile("r0 = *(u8 *)(r1 + 73); r0 = 1; exit;" ::: "memory"); }
SEC("cgroup/sock_create") NAKED int sock_state_u16_inside(void)
{ asm volatile("r0 = *(u16 *)(r1 + 74); r0 = 1; exit;" ::: "memory"); }
SEC("cgroup/sock_create") NAKED int sock_rxq_u8_inside(void)
{ asm volatile("r0 = *(u8 *)(r1 + 79); r0 = 1; exit;" ::: "memory"); }
SEC("cgroup/post_bind4") NAKED int sock_src_port_u8_inside(void)
{ asm volatile("r0 = *(u8 *)(r1 + 45); r0 = 1; exit;" ::: "memory"); }
SEC("cgroup/post_bind4") NAKED int sock_src_port_u16(void)
{ asm volatile("r0 = *(u16 *)(r1 + 44); r0 = 1; exit;" ::: "memory"); }
SEC("cgroup/post_bind4") NAKED int sock_src_ip4_u8_inside(void)
{ asm volatile("r0 = *(u8 *)(r1 + 27); r0 = 1; exit;" ::: "memory"); }

/* bpf_sock_ops: skb_tcp_flags@212 */
SEC("sockops") NAKED int sockops_tcp_flags_u8(void)
{ asm volatile("r0 = *(u8 *)(r1 + 212); r0 = 1; exit;" ::: "memory"); }
SEC("sockops") NAKED int sockops_tcp_flags_u8_inside(void)
{ asm volatile("r0 = *(u8 *)(r1 + 213); r0 = 1; exit;" ::: "memory"); }
SEC("sockops") NAKED int sockops_tcp_flags_u16_inside(void)
{ asm volatile("r0 = *(u16 *)(r1 + 214); r0 = 1; exit;" ::: "memory"); }

/* a socket from bpf_sk_lookup_tcp() (84), released with bpf_sk_release() (86) */
#define LOOKUP \
	"r2 = 0; *(u64 *)(r10 - 8) = r2; *(u64 *)(r10 - 16) = r2;" \
	"r2 = r10; r2 += -16; r3 = 12; r4 = -1; r5 = 0; call 84;" \
	"if r0 == 0 goto 1f; r6 = r0;"
#define RELEASE "r1 = r6; call 86; 1: r0 = 0; exit;"
SEC("tc") NAKED int sk_family_u8(void) { asm volatile(LOOKUP "r7 = *(u8 *)(r6 + 4);" RELEASE ::: "memory"); }
SEC("tc") NAKED int sk_family_u8_inside(void) { asm volatile(LOOKUP "r7 = *(u8 *)(r6 + 5);" RELEASE ::: "memory"); }
SEC("tc") NAKED int sk_state_u8_inside(void) { asm volatile(LOOKUP "r7 = *(u8 *)(r6 + 75);" RELEASE ::: "memory"); }
SEC("tc") NAKED int sk_dst_port_u8_inside(void) { asm volatile(LOOKUP "r7 = *(u8 *)(r6 + 49);" RELEASE ::: "memory"); }
SEC("tc") NAKED int sk_dst_port_pad_u16(void) { asm volatile(LOOKUP "r7 = *(u16 *)(r6 + 50);" RELEASE ::: "memory"); }
SEC("tc") NAKED int sk_dst_ip6_u8_inside(void) { asm volatile(LOOKUP "r7 = *(u8 *)(r6 + 61);" RELEASE ::: "memory"); }

/* bpf_tcp_sock() (96) of it: bytes_received@80 (u64), delivered@100, icsk_retransmits@108 */
#define TCP LOOKUP "r1 = r6; call 96; if r0 == 0 goto 2f;"
#define TCP_END "2: r1 = r6; call 86; 1: r0 = 0; exit;"
SEC("tc") NAKED int tcp_delivered(void) { asm volatile(TCP "r7 = *(u32 *)(r0 + 100);" TCP_END ::: "memory"); }
SEC("tc") NAKED int tcp_retransmits(void) { asm volatile(TCP "r7 = *(u32 *)(r0 + 108);" TCP_END ::: "memory"); }
SEC("tc") NAKED int tcp_past_end(void) { asm volatile(TCP "r7 = *(u32 *)(r0 + 112);" TCP_END ::: "memory"); }
SEC("tc") NAKED int tcp_bytes_received_hi(void) { asm volatile(TCP "r7 = *(u32 *)(r0 + 84);" TCP_END ::: "memory"); }
SEC("tc") NAKED int tcp_bytes_received(void) { asm volatile(TCP "r7 = *(u64 *)(r0 + 80);" TCP_END ::: "memory"); }
"""

OK = ("accept", "")


def _ctx(off: int, size: int) -> tuple[str, str]:
    return ("reject", f"invalid bpf_context access off={off} size={size}")


def _sock(off: int, size: int) -> tuple[str, str]:
    return ("reject", f"R6 invalid sock access off={off} size={size}")


KERNEL_6_18 = {
    "sock_family_u8": OK,
    "sock_protocol_u16": OK,
    "sock_type_u8_inside": _ctx(9, 1),
    "sock_state_u8": OK,
    "sock_state_u8_inside": _ctx(73, 1),
    "sock_state_u16_inside": _ctx(74, 2),
    "sock_rxq_u8_inside": _ctx(79, 1),
    "sock_src_port_u8_inside": _ctx(45, 1),
    "sock_src_port_u16": OK,
    "sock_src_ip4_u8_inside": OK,
    "sockops_tcp_flags_u8": OK,
    "sockops_tcp_flags_u8_inside": _ctx(213, 1),
    "sockops_tcp_flags_u16_inside": _ctx(214, 2),
    "sk_family_u8": OK,
    "sk_family_u8_inside": _sock(5, 1),
    "sk_state_u8_inside": _sock(75, 1),
    "sk_dst_port_u8_inside": OK,
    "sk_dst_port_pad_u16": _sock(50, 2),
    "sk_dst_ip6_u8_inside": OK,
    "tcp_delivered": OK,
    "tcp_retransmits": OK,
    "tcp_past_end": ("reject", "R0 invalid tcp_sock access off=112 size=4"),
    "tcp_bytes_received_hi": ("reject", "verifier bug: error during ctx access conversion (0)"),
    "tcp_bytes_received": OK,
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("ctx_sock_narrow"))


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_narrow_loads_as_the_6_18_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL_6_18[name]


def test_before_5_2_family_is_read_whole(obj) -> None:
    """5.0.0's __sock_filter_check_size(): narrow loads of src_ip4/src_ip6 only."""
    assert verdict_and_message(obj, "sock_family_u8", "5.0")[0] == "reject"
    assert verdict_and_message(obj, "sock_src_ip4_u8_inside", "5.0")[0] == "accept"


def test_tcp_sock_before_5_3_ends_at_bytes_acked(obj) -> None:
    assert verdict_and_message(obj, "tcp_delivered", "5.2") == (
        "reject",
        "R0 invalid tcp_sock access off=100 size=4",
    )
    assert verdict_and_message(obj, "tcp_bytes_received_hi", "6.12") == (
        "reject",
        "bpf verifier is misconfigured",
    )


def test_socket_pointer_rules_by_version(obj) -> None:
    """4.20.0/5.0.0: narrow loads of src_ip4/src_ip6 only; before 5.18 dst_port is a `case offsetof()`
    4-byte field (a narrow load at its first byte only)."""
    assert verdict_and_message(obj, "sk_family_u8", "5.0") == (
        "reject",
        "R6 invalid sock access off=4 size=1",
    )
    assert verdict_and_message(obj, "sk_dst_port_u8_inside", "5.10") == (
        "reject",
        "R6 invalid sock access off=49 size=1",
    )
    assert verdict_and_message(obj, "sk_dst_port_u8_inside", "5.18") == OK
