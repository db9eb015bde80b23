"""Per-struct context field tables (offsets, sizes, read/write rules, pointer types).

Source unless a row says otherwise: shared/reference/ctx_access.md ("CA"), read
from net/core/filter.c (index commit 0076cad30135) and kernel/trace/bpf_trace.c
(00b8f39f1d15); layouts from uapi bpf.h. Field versions for __sk_buff from
ebpf-docs __sk_buff.md (quoted in CA §1; data/data_end taken as 4.7 per bcc).
Each field's `since` was checked (2026-12-03, issue 14) against the uapi struct of the kernel trees listed
in rules/data/NOTES.md (the first tree whose struct has the field; bounded where a release is missing), and
the access rules of the structs below marked "source:" against the *_is_valid_access() functions read.
"""

from __future__ import annotations

from verifier.rules.ctx_fields import CtxField

CA = "shared/reference/ctx_access.md"
_SYSCTL = "source: sysctl_is_valid_access() of 6.12.117 kernel/bpf/cgroup.c; uapi bpf_sysctl absent 5.0.0, present 5.2.1"
_SOCKOPT = (
    "source: cg_sockopt_is_valid_access() of 5.3.0, 5.9.1 and 6.12.117 kernel/bpf/cgroup.c (same rules); "
    "uapi bpf_sockopt absent 5.2.1, present 5.3.0"
)
_DEV = "source: cgroup_dev_is_valid_access() of 6.12.117 kernel/bpf/cgroup.c; uapi absent 4.14.177, present 4.15.0"
_REUSEPORT = (
    "source: sk_reuseport_is_valid_access() of 4.19.304, 5.14-rc5 and 6.12.117 net/core/filter.c; uapi "
    "sk_reuseport_md absent 4.16.13, present 4.19.304 (4.17/4.18 not read: 4.19 is the stricter side)"
)
_SK_LOOKUP = "source: sk_lookup_is_valid_access() of 6.12.117 net/core/filter.c; uapi bpf_sk_lookup absent 5.8.1, present 5.9.1"

# ---------------------------------------------------------------------------
# struct __sk_buff (192 bytes). Columns: name, off, size, since, base rule kind,
# then per group: socket_filter, cgroup_skb, tc (sched_cls/act), lwt, sk_skb, flow_dissector.
# Permission codes: "-" none, "r" read, "rw" read+write, "R" read privileged only,
# "rW" read, write privileged only; "@X.Y": the group gets it from that version.
# Base kinds (bpf_skb_is_valid_access): "n" narrow read / exact-4 write, "e4" exact 4,
# "cb" any size inside cb[], "u64" exact 8, "sk" exact 8 read-only.
SKB_GROUPS = ("socket_filter", "cgroup_skb", "tc", "lwt", "sk_skb", "flow_dissector")
SKB_GROUP_OF = {
    "socket_filter": "socket_filter",
    "cgroup_skb": "cgroup_skb",
    "sched_cls": "tc",
    "sched_act": "tc",
    "lwt_in": "lwt",
    "lwt_out": "lwt",
    "lwt_xmit": "lwt",
    "lwt_seg6local": "lwt",
    "sk_skb": "sk_skb",
    "flow_dissector": "flow_dissector",
}
SKB_SIZE = 192

# name, off, size, since, kind, sf, cg, tc, lwt, sk_skb, fd, reg_type
SKB_ROWS: tuple[tuple[str, int, int, tuple[int, int], str, str, str, str, str, str, str, str | None], ...] = (
    ("len", 0, 4, (4, 1), "n", "r", "r", "r", "r", "r", "-", None),
    ("pkt_type", 4, 4, (4, 1), "n", "r", "r", "r", "r", "r", "-", None),
    ("mark", 8, 4, (4, 1), "n", "r", "rw", "rw", "rw", "-", "-", None),
    ("queue_mapping", 12, 4, (4, 1), "n", "r", "r", "rw", "r", "r", "-", None),
    ("protocol", 16, 4, (4, 1), "n", "r", "r", "r", "r", "r", "-", None),
    ("vlan_present", 20, 4, (4, 1), "n", "r", "r", "r", "r", "r", "-", None),
    ("vlan_tci", 24, 4, (4, 1), "n", "r", "r", "r", "r", "r", "-", None),
    ("vlan_proto", 28, 4, (4, 1), "n", "r", "r", "r", "r", "r", "-", None),
    ("priority", 32, 4, (4, 1), "n", "r", "rw", "rw", "rw", "rw", "-", None),
    ("ingress_ifindex", 36, 4, (4, 2), "n", "r", "r", "r", "r", "r", "-", None),
    ("ifindex", 40, 4, (4, 2), "n", "r", "r", "r", "r", "r", "-", None),
    ("tc_index", 44, 4, (4, 2), "n", "r", "r", "rw", "r", "rw", "-", None),
    ("cb", 48, 20, (4, 2), "cb", "rw", "rw", "rw", "rw", "r", "-", None),
    ("hash", 68, 4, (4, 3), "n", "r", "r", "r", "r", "r", "-", None),
    ("tc_classid", 72, 4, (4, 4), "n", "-", "-", "rw", "-", "-", "-", None),
    ("data", 76, 4, (4, 7), "e4", "-", "R@4.20", "r", "r", "r", "r", "pkt"),
    ("data_end", 80, 4, (4, 7), "e4", "-", "R@4.20", "r", "r", "r", "r", "pkt_end"),
    ("napi_id", 84, 4, (4, 12), "n", "r", "r", "r", "r", "r", "-", None),
    ("family", 88, 4, (4, 14), "n", "-", "r@4.20", "-", "-", "r", "-", None),
    ("remote_ip4", 92, 4, (4, 14), "e4", "-", "r@4.20", "-", "-", "r", "-", None),
    ("local_ip4", 96, 4, (4, 14), "e4", "-", "r@4.20", "-", "-", "r", "-", None),
    ("remote_ip6", 100, 16, (4, 14), "e4", "-", "r@4.20", "-", "-", "r", "-", None),
    ("local_ip6", 116, 16, (4, 14), "e4", "-", "r@4.20", "-", "-", "r", "-", None),
    ("remote_port", 132, 4, (4, 14), "n", "-", "r@4.20", "-", "-", "r", "-", None),
    ("local_port", 136, 4, (4, 14), "n", "-", "r@4.20", "-", "-", "r", "-", None),
    ("data_meta", 140, 4, (4, 15), "e4", "-", "-", "r", "-", "-", "-", "pkt_meta"),
    ("flow_keys", 144, 8, (4, 20), "u64", "-", "-", "-", "-", "-", "r", "flow_keys"),
    ("tstamp", 152, 8, (5, 0), "u64", "-", "rW", "rw", "-", "-", "-", None),
    ("wire_len", 160, 4, (5, 0), "n", "-", "-", "r", "-", "-", "-", None),
    ("gso_segs", 164, 4, (5, 1), "n", "r", "r", "r", "r", "r", "-", None),
    ("sk", 168, 8, (5, 1), "sk", "r", "r", "r", "r", "r", "-", "sock_common_or_null"),
    ("gso_size", 176, 4, (5, 7), "n", "r", "r", "r", "r", "r", "-", None),
    ("tstamp_type", 180, 1, (5, 18), "e1", "-", "-", "r", "-", "-", "-", None),
    ("hwtstamp", 184, 8, (5, 16), "u64", "-", "r", "r", "-", "-", "-", None),
)

# ---------------------------------------------------------------------------
# struct xdp_md (CA §2): every access exactly 4 bytes, read-only.
XDP_FIELDS = (
    CtxField("data", 0, 4, "exact", reg_type="pkt", since=(4, 8), source=CA),
    CtxField("data_end", 4, 4, "exact", reg_type="pkt_end", since=(4, 8), source=CA),
    CtxField("data_meta", 8, 4, "exact", reg_type="pkt_meta", since=(4, 15), source=CA),
    CtxField("ingress_ifindex", 12, 4, "exact", since=(4, 16), source=CA),
    CtxField("rx_queue_index", 16, 4, "exact", since=(4, 16), source=CA),
    CtxField("egress_ifindex", 20, 4, "exact", since=(5, 8), attach=frozenset({"xdp_devmap"}), source=CA),
)
XDP_SIZE = 24

# ---------------------------------------------------------------------------
# struct bpf_sock (cgroup_sock, CA §7). Attach-type restrictions from __sock_filter_check_attach_type.
_CREATE = frozenset({"cgroup_inet_sock_create", "cgroup_inet_sock_release"})
_POST4 = frozenset({"cgroup_inet4_post_bind"})
_POST6 = frozenset({"cgroup_inet6_post_bind"})
SOCK_FIELDS = (
    CtxField("bound_dev_if", 0, 4, "exact", "exact", since=(4, 10), attach=_CREATE, source=CA),
    CtxField("family", 4, 4, "exact", since=(4, 10), source=CA),
    CtxField("type", 8, 4, "exact", since=(4, 10), source=CA),
    CtxField("protocol", 12, 4, "exact", since=(4, 10), source=CA),
    CtxField("mark", 16, 4, "exact", "exact", since=(4, 14), attach=_CREATE, source=CA),
    CtxField("priority", 20, 4, "exact", "exact", since=(4, 14), attach=_CREATE, source=CA),
    CtxField(
        "src_ip4",
        24,
        4,
        "narrow",
        since=(4, 17),
        attach=_POST4,
        source=CA + " (version: post_bind hooks 4.17)",
    ),
    CtxField("src_ip6", 28, 16, "narrow", since=(4, 17), attach=_POST6, source=CA),
    CtxField("src_port", 44, 4, "narrow", since=(4, 17), attach=_POST4 | _POST6, source=CA),
    CtxField("dst_port", 48, 4, "narrow", since=(5, 1), unit=4, source=CA + " (2-byte field + 2 pad)"),
    CtxField("dst_ip4", 52, 4, "narrow", since=(5, 1), source=CA),
    CtxField("dst_ip6", 56, 16, "narrow", since=(5, 1), source=CA),
    CtxField("state", 72, 4, "narrow", since=(5, 1), source=CA),
    CtxField(
        "rx_queue_mapping",
        76,
        4,
        "narrow",
        since=(5, 8),
        source=CA + "; source: uapi absent 5.7.14, present 5.8.1",
    ),
)
SOCK_SIZE = 80

# ---------------------------------------------------------------------------
# struct bpf_sock_addr (cgroup_sock_addr, CA §8).
_V4 = frozenset(
    {
        "cgroup_inet4_bind",
        "cgroup_inet4_connect",
        "cgroup_inet4_getpeername",
        "cgroup_inet4_getsockname",
        "cgroup_udp4_sendmsg",
        "cgroup_udp4_recvmsg",
    }
)
_V6 = frozenset(
    {
        "cgroup_inet6_bind",
        "cgroup_inet6_connect",
        "cgroup_inet6_getpeername",
        "cgroup_inet6_getsockname",
        "cgroup_udp6_sendmsg",
        "cgroup_udp6_recvmsg",
    }
)
# the program type's release (prog_types.csv: 4.17, bcc); uapi bpf_sock_addr absent 4.16.13, present 4.19.304
_SA = (4, 17)
_SA_SRC = (
    "; since: the cgroup_sock_addr program type (4.17; uapi bpf_sock_addr absent 4.16.13, present 4.19.304)"
)
SOCK_ADDR_FIELDS = (
    CtxField("user_family", 0, 4, "exact", since=_SA, source=CA + _SA_SRC),
    CtxField("user_ip4", 4, 4, "narrow", "exact", attach=_V4, since=_SA, source=CA + _SA_SRC),
    CtxField(
        "user_ip6",
        8,
        16,
        "narrow",
        "exact",
        attach=_V6,
        since=_SA,
        source=CA + _SA_SRC + " (8-byte wide access allowed)",
    ),
    CtxField("user_port", 24, 4, "narrow", "exact", since=_SA, source=CA + _SA_SRC),
    CtxField("family", 28, 4, "exact", since=_SA, source=CA + _SA_SRC),
    CtxField("type", 32, 4, "exact", since=_SA, source=CA + _SA_SRC),
    CtxField("protocol", 36, 4, "exact", since=_SA, source=CA + _SA_SRC),
    CtxField(
        "msg_src_ip4",
        40,
        4,
        "narrow",
        "exact",
        since=(4, 18),
        attach=frozenset({"cgroup_udp4_sendmsg"}),
        source=CA,
    ),
    CtxField(
        "msg_src_ip6",
        44,
        16,
        "narrow",
        "exact",
        since=(4, 18),
        attach=frozenset({"cgroup_udp6_sendmsg"}),
        source=CA,
    ),
    CtxField(
        "sk",
        64,
        8,
        "exact",
        reg_type="sock",
        since=(5, 3),
        source=CA + "; source: uapi absent 5.2.1, present 5.3.0",
    ),
)
SOCK_ADDR_SIZE = 72
SOCK_ADDR_WIDE = ("user_ip6", "msg_src_ip6")

# ---------------------------------------------------------------------------
# struct bpf_sock_ops (sock_ops, CA §9): reads size 4 unless listed; writes: reply, sk_txhash.
SOCK_OPS_FIELDS = (
    CtxField("op", 0, 4, "exact", since=(4, 13), source=CA),
    CtxField("reply", 4, 4, "exact", "exact", since=(4, 13), source=CA + " (union with args[0])"),
    CtxField("args", 8, 12, "exact", since=(4, 16), source=CA + " (args[1..3] / replylong[1..3])"),
    CtxField("family", 20, 4, "exact", since=(4, 13), source=CA),
    CtxField("addrs_ports", 24, 48, "exact", since=(4, 13), source=CA + " (remote/local ip4/ip6/port)"),
    CtxField("is_fullsock", 72, 4, "exact", since=(4, 16), source=CA),
    CtxField("tcp_stats", 76, 88, "exact", since=(4, 16), source=CA + " (snd_cwnd .. sacked_out)"),
    CtxField("sk_txhash", 164, 4, "exact", "exact", since=(4, 16), source=CA),
    CtxField("bytes_received", 168, 8, "exact", since=(4, 16), source=CA),
    CtxField("bytes_acked", 176, 8, "exact", since=(4, 16), source=CA),
    CtxField(
        "sk",
        184,
        8,
        "exact",
        reg_type="sock_or_null",
        since=(5, 3),
        source=CA + "; source: uapi absent 5.2.1, present 5.3.0",
    ),
    CtxField("skb_data", 192, 8, "exact", reg_type="pkt", since=(5, 10), source=CA),
    CtxField("skb_data_end", 200, 8, "exact", reg_type="pkt_end", since=(5, 10), source=CA),
    CtxField("skb_len", 208, 4, "exact", since=(5, 10), source=CA),
    CtxField(
        "skb_tcp_flags",
        212,
        4,
        "head",
        since=(5, 10),
        source=CA + "; sock_ops_is_valid_access() 6.18.2: case offsetof(skb_tcp_flags), narrow at 212 only",
    ),
    CtxField(
        "skb_hwtstamp",
        216,
        8,
        "exact",
        since=(6, 2),
        source=CA + "; source: uapi absent 6.1.192, present 6.2.1",
    ),
)
SOCK_OPS_SIZE = 224

# ---------------------------------------------------------------------------
# struct sk_msg_md (sk_msg, CA §10): read-only.
SK_MSG_FIELDS = (
    CtxField("data", 0, 8, "exact", reg_type="pkt", since=(4, 17), source=CA),
    CtxField("data_end", 8, 8, "exact", reg_type="pkt_end", since=(4, 17), source=CA),
    CtxField("family", 16, 4, "exact", since=(4, 18), source=CA),
    CtxField("remote_ip4", 20, 4, "exact", since=(4, 18), source=CA),
    CtxField("local_ip4", 24, 4, "exact", since=(4, 18), source=CA),
    CtxField("remote_ip6", 28, 16, "exact", since=(4, 18), source=CA),
    CtxField("local_ip6", 44, 16, "exact", since=(4, 18), source=CA),
    CtxField("remote_port", 60, 4, "exact", since=(4, 18), source=CA),
    CtxField("local_port", 64, 4, "exact", since=(4, 18), source=CA),
    CtxField(
        "size",
        68,
        4,
        "exact",
        since=(5, 0),
        source=CA
        + " (3bdbd0228e75); source: absent from the uapi sk_msg_md of 4.20.0, present in 5.0.0 (was: 4.20)",
    ),
    CtxField("sk", 72, 8, "exact", reg_type="sock", since=(5, 8), source=CA),
)
SK_MSG_SIZE = 80

# ---------------------------------------------------------------------------
# struct bpf_sysctl (cgroup_sysctl; layout CA §11, rules from sysctl_is_valid_access()).
SYSCTL_FIELDS = (
    CtxField("write", 0, 4, "narrow", since=(5, 2), source=CA + " layout; " + _SYSCTL),
    CtxField("file_pos", 4, 4, "narrow", "exact", since=(5, 2), source=CA + " layout; " + _SYSCTL),
)
SYSCTL_SIZE = 8

# struct bpf_sockopt (cgroup_sockopt; layout CA §11, rules from cg_sockopt_is_valid_access()).
_GET = frozenset({"cgroup_getsockopt"})
_SET = frozenset({"cgroup_setsockopt"})
SOCKOPT_FIELDS = (
    CtxField("sk", 0, 8, "exact", reg_type="sock", since=(5, 3), source=CA + " layout; " + _SOCKOPT),
    CtxField("optval", 8, 8, "exact", reg_type="pkt", since=(5, 3), source=_SOCKOPT),
    CtxField("optval_end", 16, 8, "exact", reg_type="pkt_end", since=(5, 3), source=_SOCKOPT),
    CtxField("level", 24, 4, "exact", "exact", since=(5, 3), source=_SOCKOPT + " (write: setsockopt only)"),
    CtxField("optname", 28, 4, "exact", "exact", since=(5, 3), source=_SOCKOPT + " (write: setsockopt only)"),
    CtxField("optlen", 32, 4, "exact", "exact", since=(5, 3), source=_SOCKOPT),
    CtxField(
        "retval", 36, 4, "exact", "exact", since=(5, 3), attach=_GET, source=_SOCKOPT + " (getsockopt only)"
    ),
)
SOCKOPT_SIZE = 40
SOCKOPT_WRITE_ATTACH = {"level": _SET, "optname": _SET}

# struct bpf_cgroup_dev_ctx (cgroup_device; layout CA §11, rule from cgroup_dev_is_valid_access()): read-only.
CGROUP_DEV_FIELDS = (
    CtxField("access_type", 0, 4, "narrow", since=(4, 15), source=CA + " layout; " + _DEV),
    CtxField("major", 4, 4, "exact", since=(4, 15), source=CA),
    CtxField("minor", 8, 4, "exact", since=(4, 15), source=CA),
)
CGROUP_DEV_SIZE = 12

# struct sk_reuseport_md (sk_reuseport; layout CA §11, rules from sk_reuseport_is_valid_access()): read-only.
SK_REUSEPORT_FIELDS = (
    CtxField("data", 0, 8, "exact", reg_type="pkt", since=(4, 19), source=CA + " layout; " + _REUSEPORT),
    CtxField("data_end", 8, 8, "exact", reg_type="pkt_end", since=(4, 19), source=_REUSEPORT),
    CtxField("len", 16, 4, "narrow", since=(4, 19), source=_REUSEPORT),
    CtxField(
        "eth_protocol",
        20,
        4,
        "narrow",
        since=(4, 19),
        min_size=2,
        source=_REUSEPORT + " (a load narrower than sk_buff.protocol, 2 bytes, is refused)",
    ),
    CtxField("ip_protocol", 24, 4, "narrow", since=(4, 19), source=_REUSEPORT),
    CtxField("bind_inany", 28, 4, "narrow", since=(4, 19), source=_REUSEPORT),
    CtxField("hash", 32, 4, "exact", since=(4, 19), source=_REUSEPORT),
    CtxField(
        "sk",
        40,
        8,
        "exact",
        reg_type="sock",
        since=(5, 14),
        source=_REUSEPORT + "; sk: absent 5.12.9, present 5.14-rc5 (no 5.13 tree: 5.14, the stricter side)",
    ),
    CtxField(
        "migrating_sk",
        48,
        8,
        "exact",
        reg_type="sock_common_or_null",
        since=(5, 14),
        source=_REUSEPORT + "; absent 5.12.9, present 5.14-rc5 (no 5.13 tree: 5.14, the stricter side)",
    ),
)
SK_REUSEPORT_SIZE = 56

# struct bpf_sk_lookup (sk_lookup; layout CA §11, rules from sk_lookup_is_valid_access()): read-only.
SK_LOOKUP_FIELDS = (
    CtxField(
        "sk", 0, 8, "exact", reg_type="sock_or_null", since=(5, 9), source=CA + " layout; " + _SK_LOOKUP
    ),
    CtxField("family", 8, 4, "narrow", since=(5, 9), source=_SK_LOOKUP),
    CtxField("protocol", 12, 4, "narrow", since=(5, 9), source=_SK_LOOKUP),
    CtxField("remote_ip4", 16, 4, "narrow", since=(5, 9), source=_SK_LOOKUP),
    CtxField("remote_ip6", 20, 16, "narrow", since=(5, 9), source=_SK_LOOKUP),
    CtxField("remote_port", 36, 4, "narrow", since=(5, 9), source=_SK_LOOKUP + " (2-byte field + zero pad)"),
    CtxField("local_ip4", 40, 4, "narrow", since=(5, 9), source=_SK_LOOKUP),
    CtxField("local_ip6", 44, 16, "narrow", since=(5, 9), source=_SK_LOOKUP),
    CtxField("local_port", 60, 4, "narrow", since=(5, 9), source=_SK_LOOKUP),
    CtxField(
        "ingress_ifindex",
        64,
        4,
        "narrow",
        since=(5, 17),
        source=_SK_LOOKUP + "; ingress_ifindex: absent 5.16.10, present 5.17-rc5",
    ),
)
SK_LOOKUP_SIZE = 72

# struct bpf_perf_event_data (perf_event, CA §5): regs u64 words, sample_period/addr narrow.
PERF_EVENT_FIELDS = (
    CtxField("regs", 0, 168, "exact", unit=8, since=(4, 9), source=CA + " (x86_64 pt_regs)"),
    CtxField("sample_period", 168, 8, "narrow", since=(4, 9), source=CA),
    CtxField(
        "addr",
        176,
        8,
        "narrow",
        since=(4, 19),
        source=CA
        + "; source: absent from the uapi bpf_perf_event_data of 4.16.13, present in 4.19.304: bounded, "
        "taken at 4.19, the stricter side (was: 4.16)",
    ),
)
PERF_EVENT_SIZE = 184

# struct bpf_nf_ctx (netfilter; nf_is_valid_access() in net/netfilter/nf_bpf_link.c): two pointers, read-only.
NF_FIELDS = (
    CtxField(
        "state",
        0,
        8,
        "exact",
        reg_type="btf_id",
        since=(6, 4),
        source="nf_is_valid_access() of 6.4.4 (exact 8, read-only; absent from 6.3.8)",
    ),
    CtxField(
        "skb",
        8,
        8,
        "exact",
        reg_type="btf_id",
        since=(6, 4),
        source="nf_is_valid_access() of 6.4.4 (exact 8, read-only; absent from 6.3.8)",
    ),
)
NF_SIZE = 16

PT_REGS_SIZE = 168  # x86_64 (CA §3)
# include/linux/trace_events.h: 2048 in the 5.15.55 and 5.15.16 trees (wowk/linux-5.15; yashlala/
# fastswap-linux-5.16.16, whose Makefile says 5.15.16), 8192 in 5.16.10 (DFAUS-git/ps4-linux-kernel-5.16.10-belize;
# no 5.16.y stable ChangeLog in Debian's changelogs lists the change, so 5.16.0 has it), 5.17, 5.19, 6.0, 6.13.2,
# 6.14 and 7.2.13 (was: 5.17); measured: the running 6.18.44 accepts a tracepoint read at offset 4096
PERF_MAX_TRACE_SIZE_OLD = 2048
PERF_MAX_TRACE_SIZE = 8192
PERF_MAX_TRACE_SIZE_SINCE = (5, 16)
MAX_BPF_FUNC_ARGS = 12  # CA §6
SYSCALL_CTX_MAX = 0xFFFF  # U16_MAX, syscall_prog_is_valid_access() of 6.12.117 kernel/bpf/syscall.c
