"""Context structures the interpreters model: size, named fields, and the packet pointer fields.

Source: /work/shared/reference/ctx_access.md (net/core/filter.c `*_is_valid_access`, uapi
bpf.h): `struct __sk_buff` is 192 bytes with data at 76, data_end at 80, data_meta at 140
(4-byte loads yield pointers); `struct xdp_md` is 24 bytes with data at 0, data_end at 4,
data_meta at 8; `struct sk_msg_md` (80 bytes) has 8-byte data at 0 and data_end at 8.
Program types missing here get an anonymous context of `DEFAULT_CTX_SIZE` bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_CTX_SIZE = 512


@dataclass(frozen=True, slots=True)
class CtxLayout:
    struct: str
    size: int
    fields: dict[str, tuple[int, int]]  # name -> (offset, size)
    # offset -> (packet pointer kind: "data" | "data_end" | "data_meta", load size)
    packet_fields: dict[int, tuple[str, int]] = field(default_factory=dict)

    def field_at(self, offset: int, size: int) -> str | None:
        for name, (off, sz) in self.fields.items():
            if off == offset and sz == size:
                return name
        return None


_SK_BUFF_FIELDS = {
    "len": (0, 4), "pkt_type": (4, 4), "mark": (8, 4), "queue_mapping": (12, 4),
    "protocol": (16, 4), "vlan_present": (20, 4), "vlan_tci": (24, 4), "vlan_proto": (28, 4),
    "priority": (32, 4), "ingress_ifindex": (36, 4), "ifindex": (40, 4), "tc_index": (44, 4),
    "cb[0]": (48, 4), "cb[1]": (52, 4), "cb[2]": (56, 4), "cb[3]": (60, 4), "cb[4]": (64, 4),
    "hash": (68, 4), "tc_classid": (72, 4), "napi_id": (84, 4), "family": (88, 4),
    "remote_ip4": (92, 4), "local_ip4": (96, 4), "remote_port": (132, 4), "local_port": (136, 4),
    "tstamp": (152, 8), "wire_len": (160, 4), "gso_segs": (164, 4), "gso_size": (176, 4),
    "hwtstamp": (184, 8),
}

SK_BUFF = CtxLayout(
    "__sk_buff", 192, _SK_BUFF_FIELDS,
    {76: ("data", 4), 80: ("data_end", 4), 140: ("data_meta", 4)},
)

XDP_MD = CtxLayout(
    "xdp_md", 24,
    {"ingress_ifindex": (12, 4), "rx_queue_index": (16, 4), "egress_ifindex": (20, 4)},
    {0: ("data", 4), 4: ("data_end", 4), 8: ("data_meta", 4)},
)

SK_MSG_MD = CtxLayout(
    "sk_msg_md", 80,
    {"family": (16, 4), "remote_ip4": (20, 4), "local_ip4": (24, 4), "remote_port": (60, 4),
     "local_port": (64, 4), "size": (68, 4)},
    {0: ("data", 8), 8: ("data_end", 8)},
)

_BY_PROG_TYPE = {
    "xdp": XDP_MD,
    "sched_cls": SK_BUFF, "sched_act": SK_BUFF, "socket_filter": SK_BUFF, "cgroup_skb": SK_BUFF,
    "lwt_in": SK_BUFF, "lwt_out": SK_BUFF, "lwt_xmit": SK_BUFF, "lwt_seg6local": SK_BUFF,
    "sk_skb": SK_BUFF, "flow_dissector": SK_BUFF,
    "sk_msg": SK_MSG_MD,
}


def layout_for(prog_type: str | None) -> CtxLayout:
    if prog_type in _BY_PROG_TYPE:
        return _BY_PROG_TYPE[prog_type]
    return CtxLayout(f"ctx of {prog_type or 'unknown'}", DEFAULT_CTX_SIZE, {})
