"""Which fields of a socket pointer a program may read: bpf_sock_is_valid_access(),
bpf_sock_common_is_valid_access(), bpf_tcp_sock_is_valid_access() and
bpf_xdp_sock_is_valid_access() in net/core/filter.c (v6.18). Offsets are those of struct bpf_sock,
struct bpf_tcp_sock and struct bpf_xdp_sock in include/uapi/linux/bpf.h."""

from __future__ import annotations

SOCK_SIZE = 80  # sizeof(struct bpf_sock)
SOCK_TYPE, SOCK_PRIORITY_END = 8, 24  # bpf_ctx_range_till(type, priority): not for sock_common
SOCK_DST_PORT, SOCK_DST_PORT_END, SOCK_DST_IP4 = 48, 50, 52
# `case offsetof(struct bpf_sock, f):` fields: a narrow load (1, 2 or 4 bytes) at the field's first
# byte only; a load anywhere else inside falls to the default case (4 bytes exactly, so never fits)
SOCK_NARROW_AT_START = (
    72,  # state
    4,  # family
    8,  # type
    12,  # protocol
    44,  # src_port
    76,  # rx_queue_mapping
)
# `bpf_ctx_range(...)` fields: narrow loads at any aligned offset inside
SOCK_NARROW = (
    (24, 28),  # src_ip4
    (28, 44),  # src_ip6[0..3]
    (52, 56),  # dst_ip4
    (56, 72),  # dst_ip6[0..3]
)
# offsetofend(struct bpf_tcp_sock, ...): bytes_acked in 5.2.1; icsk_retransmits (after dsack_dups,
# delivered, delivered_ce) from 5.3.0 (5.3.0, 5.4.0, 6.18.2 read)
TCP_SOCK_END_5_2, TCP_SOCK_END = 96, 112
TCP_SOCK_U64 = (80, 88)  # bytes_received, bytes_acked
XDP_SOCK_END = 4  # offsetofend(struct bpf_xdp_sock, queue_id)


def _narrow_ok(size: int, size_default: int = 4) -> bool:
    """bpf_ctx_narrow_access_ok()."""
    return size <= size_default and size & (size - 1) == 0


def sock_access_ok(off: int, size: int, dst_port_u16: bool = True, per_field: bool = True) -> bool:
    """bpf_sock_is_valid_access() of 5.2.1 on (8 sources read, 5.2.1 to 6.18.2: the same switch).

    `dst_port_u16`: 'bpf: Make dst_port field in struct bpf_sock 16-bit wide' (5.18.12, 5.10.111;
    absent 5.17-rc5); before it dst_port is a `case offsetof()` field like family (5.2.1, 5.8.1).
    `per_field` False: __sock_filter_check_size() of 4.20.0 and 5.0.0, narrow loads of src_ip4 and
    src_ip6 only."""
    if off < 0 or off >= SOCK_SIZE or off % size:
        return False
    if not per_field:
        return _narrow_ok(size) if SOCK_NARROW[0][0] <= off < SOCK_NARROW[1][1] else size == 4
    if off in SOCK_NARROW_AT_START or (not dst_port_u16 and off == SOCK_DST_PORT):
        return _narrow_ok(size)
    if any(lo <= off < hi for lo, hi in SOCK_NARROW):
        return _narrow_ok(size)
    if dst_port_u16 and SOCK_DST_PORT <= off < SOCK_DST_PORT_END:
        # field size 2, but a 4-byte load at its start stays allowed (compatibility)
        return _narrow_ok(size, 4 if size == 4 else 2)
    if dst_port_u16 and SOCK_DST_PORT_END <= off < SOCK_DST_IP4:
        return False
    return size == 4


def sock_common_access_ok(off: int, size: int, dst_port_u16: bool = True, per_field: bool = True) -> bool:
    if SOCK_TYPE <= off < SOCK_PRIORITY_END:
        return False
    return sock_access_ok(off, size, dst_port_u16, per_field)


def tcp_sock_access_ok(off: int, size: int, end: int = TCP_SOCK_END) -> bool:
    """bpf_tcp_sock_is_valid_access(). A 4-byte load of the upper half of bytes_received or
    bytes_acked passes it (the default case) but has no conversion: tcp_sock_half_u64()."""
    if off < 0 or off >= end or off % size:
        return False
    return size == (8 if off in TCP_SOCK_U64 else 4)


def tcp_sock_half_u64(off: int, size: int) -> bool:
    """The load bpf_tcp_sock_convert_ctx_access() cannot convert (no case for off 84 or 92): the
    program is refused after its walk, in convert_ctx_accesses() (6.18.2: "error during ctx access
    conversion (0)")."""
    return size == 4 and off - 4 in TCP_SOCK_U64


def xdp_sock_access_ok(off: int, size: int) -> bool:
    return 0 <= off < XDP_SOCK_END and not off % size and size == 4
