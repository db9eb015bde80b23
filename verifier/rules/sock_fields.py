"""Which fields of a socket pointer a program may read: bpf_sock_is_valid_access(),
bpf_sock_common_is_valid_access(), bpf_tcp_sock_is_valid_access() and
bpf_xdp_sock_is_valid_access() in net/core/filter.c (v6.18). Offsets are those of struct bpf_sock,
struct bpf_tcp_sock and struct bpf_xdp_sock in include/uapi/linux/bpf.h."""

from __future__ import annotations

SOCK_SIZE = 80  # sizeof(struct bpf_sock)
SOCK_TYPE, SOCK_PRIORITY_END = 8, 24  # bpf_ctx_range_till(type, priority): not for sock_common
SOCK_DST_PORT, SOCK_DST_PORT_END, SOCK_DST_IP4 = 48, 50, 52
# fields that take any power-of-two load up to 4 bytes (bpf_ctx_narrow_access_ok)
SOCK_NARROW = (
    (72, 76),  # state
    (4, 8),  # family
    (8, 12),  # type
    (12, 16),  # protocol
    (44, 48),  # src_port
    (76, 80),  # rx_queue_mapping
    (24, 28),  # src_ip4
    (28, 44),  # src_ip6[0..3]
    (52, 56),  # dst_ip4
    (56, 72),  # dst_ip6[0..3]
)
TCP_SOCK_END = 96  # offsetofend(struct bpf_tcp_sock, bytes_acked)
TCP_SOCK_U64 = (80, 88)  # bytes_received, bytes_acked
XDP_SOCK_END = 4  # offsetofend(struct bpf_xdp_sock, queue_id)


def _narrow_ok(off: int, size: int, field: tuple[int, int]) -> bool:
    return field[0] <= off < field[1] and size <= 4 and size & (size - 1) == 0


def sock_access_ok(off: int, size: int, dst_port_u16: bool = True) -> bool:
    """`dst_port_u16`: 'bpf: Make dst_port field in struct bpf_sock 16-bit wide' (5.18.12, 5.10.111; absent
    5.17-rc5); before it dst_port is a 4-byte field read like the others (5.2.1-5.17-rc5 sources)."""
    if off < 0 or off >= SOCK_SIZE or off % size:
        return False
    if not dst_port_u16 and SOCK_DST_PORT <= off < SOCK_DST_IP4:
        return _narrow_ok(off, size, (SOCK_DST_PORT, SOCK_DST_IP4))
    for field in SOCK_NARROW:
        if field[0] <= off < field[1]:
            return _narrow_ok(off, size, field)
    if SOCK_DST_PORT <= off < SOCK_DST_PORT_END:  # a 4-byte load of dst_port is allowed (compatibility)
        return size == 4 or (size <= 2 and size & (size - 1) == 0)
    if SOCK_DST_PORT_END <= off < SOCK_DST_IP4:
        return False
    return size == 4


def sock_common_access_ok(off: int, size: int) -> bool:
    if SOCK_TYPE <= off < SOCK_PRIORITY_END:
        return False
    return sock_access_ok(off, size)


def tcp_sock_access_ok(off: int, size: int) -> bool:
    if off < 0 or off >= TCP_SOCK_END or off % size:
        return False
    return size == (8 if off in TCP_SOCK_U64 else 4)


def xdp_sock_access_ok(off: int, size: int) -> bool:
    return 0 <= off < XDP_SOCK_END and not off % size and size == 4
