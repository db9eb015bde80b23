"""Direct packet access (`may_access_direct_pkt_data`) and LD_ABS/LD_IND (`may_access_skb`).

"rw": stores through packet pointers allowed; "r": loads only (and helpers may be
given packet pointers when their proto has pkt_access); None: no direct access
(loads through a packet pointer obtained from the ctx, e.g. sock_ops skb_data,
are still checked by the ctx rules). Source: kernel_versions.md §5a ("KV §5a":
4.14 copy read in full, 5.3 and 6.x diffs) and ctx_access.md §12; checked 2026-12-03 (issue 14) against
may_access_direct_pkt_data() of every tree in rules/data/NOTES.md (4.14.177 ... 6.18.2).
"""

from __future__ import annotations

from verifier.rules.versions import Version

# prog type -> (access, since, source)
PACKET_ACCESS: dict[str, tuple[str, Version, str]] = {
    "sched_cls": ("rw", (4, 14), "KV §5a (4.14 copy)"),
    "sched_act": ("rw", (4, 14), "KV §5a (4.14 copy)"),
    "xdp": ("rw", (4, 14), "KV §5a (4.14 copy)"),
    "lwt_xmit": ("rw", (4, 14), "KV §5a (4.14 copy)"),
    "sk_skb": ("rw", (4, 14), "KV §5a (4.14 copy)"),
    "lwt_in": ("r", (4, 14), "KV §5a (4.14 copy: dst_input()/dst_output() can't write)"),
    "lwt_out": ("r", (4, 14), "KV §5a (4.14 copy)"),
    "sk_msg": ("rw", (4, 17), "src: absent 4.16.13, present 4.19.304 (the type: 4.17, bcc)"),
    "lwt_seg6local": ("r", (4, 18), "src: absent 4.16.13, present 4.19.304 (the type: 4.18, bcc)"),
    "sk_reuseport": ("r", (4, 19), "src: absent 4.16.13, present 4.19.304"),
    "flow_dissector": ("r", (4, 20), "src: absent 4.19.304, present 4.20.0"),
    "cgroup_skb": ("r", (4, 20), "src: absent 4.19.304, present 4.20.0 (cg_skb_is_valid_access() likewise)"),
    "cgroup_sockopt": (
        "rw",
        (5, 3),
        "src: absent 5.2.1; 5.3.0 to 6.18.2 allow reads and writes for both attach types (was: setsockopt "
        "read-only before 6.0)",
    ),
}

# may_access_direct_pkt_data(env, meta, BPF_READ) for a packet pointer passed to a helper
# (check_func_arg(): "helper access to the packet is not allowed"): the types above answer the
# helper's `pkt_access`, these answer yes for any helper (5.3.0 to 6.18.2: `return true` before
# looking at meta), every other type no.
HELPER_PKT_ANY: frozenset[str] = frozenset({"cgroup_sockopt"})

# LD_ABS / LD_IND: "BPF_LD_[ABS|IND] instructions not allowed for this program type" (KV §5).
LD_ABS_TYPES: frozenset[str] = frozenset({"socket_filter", "sched_cls", "sched_act"})


def packet_access(prog_type: str | None, version: Version, attach_type: str | None = None) -> str | None:
    row = PACKET_ACCESS.get(prog_type or "")
    if row is None or version < row[1]:
        return None
    return row[0]


def helper_pkt_allowed(prog_type: str | None, version: Version, proto_pkt_access: bool) -> bool:
    """May a helper of this program type be given a packet pointer?"""
    if packet_access(prog_type, version) is None:
        return False
    return proto_pkt_access or (prog_type or "") in HELPER_PKT_ANY


def ld_abs_allowed(prog_type: str | None) -> bool:
    return (prog_type or "") in LD_ABS_TYPES
