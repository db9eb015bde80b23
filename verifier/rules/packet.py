"""Direct packet access (`may_access_direct_pkt_data`) and LD_ABS/LD_IND (`may_access_skb`).

"rw": stores through packet pointers allowed; "r": loads only (and helpers may be
given packet pointers when their proto has pkt_access); None: no direct access
(loads through a packet pointer obtained from the ctx, e.g. sock_ops skb_data,
are still checked by the ctx rules). Source: kernel_versions.md §5a ("KV §5a":
4.14 copy read in full, 5.3 and 6.x diffs) and ctx_access.md §12.
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
    "sk_msg": ("rw", (4, 17), "KV §5a (6.x read/write group; type 4.17)"),
    "lwt_seg6local": ("r", (4, 18), "KV §5a (6.x read-only group; type 4.18)"),
    "sk_reuseport": ("r", (4, 19), "KV §5a (6.x read-only group; type 4.19)"),
    "flow_dissector": ("r", (4, 20), "KV §5a (6.x read-only group; type 4.20)"),
    "cgroup_skb": ("r", (4, 20), "KV §5a (6.x read-only group; cg_skb_is_valid_access 4.20)"),
    "cgroup_sockopt": ("rw", (5, 3), "KV §5a (5.3: write for getsockopt; 6.x: both)"),
}

# LD_ABS / LD_IND: "BPF_LD_[ABS|IND] instructions not allowed for this program type" (KV §5).
LD_ABS_TYPES: frozenset[str] = frozenset({"socket_filter", "sched_cls", "sched_act"})


def packet_access(prog_type: str | None, version: Version, attach_type: str | None = None) -> str | None:
    row = PACKET_ACCESS.get(prog_type or "")
    if row is None or version < row[1]:
        return None
    access = row[0]
    if prog_type == "cgroup_sockopt" and version < (6, 0) and attach_type == "cgroup_setsockopt":
        access = "r"
    return access


def ld_abs_allowed(prog_type: str | None) -> bool:
    return (prog_type or "") in LD_ABS_TYPES
