"""Expected attach types: first kernel version that knows each (enum bpf_attach_type).

A program whose section implies an attach type the kernel does not know cannot be
loaded there (the kernel rejects the expected_attach_type before verifying).
Names are the uapi names without "BPF_", lower case. Versions: bcc
docs/kernel-versions.md and the commits adding each enum value, recalled from
uapi bpf.h history (not re-read in this session); KV = kernel_versions.md.
"""

from __future__ import annotations

from verifier.rules.versions import Version

_RECALLED = "uapi bpf.h enum bpf_attach_type history (recalled)"

ATTACH_TYPE_SINCE: dict[str, tuple[Version, str]] = {
    "cgroup_inet_ingress": ((4, 10), _RECALLED),
    "cgroup_inet_egress": ((4, 10), _RECALLED),
    "cgroup_inet_sock_create": ((4, 10), _RECALLED),
    "cgroup_sock_ops": ((4, 13), _RECALLED),
    "sk_skb_stream_parser": ((4, 14), _RECALLED),
    "sk_skb_stream_verdict": ((4, 14), _RECALLED),
    "cgroup_device": ((4, 15), _RECALLED),
    "sk_msg_verdict": ((4, 17), _RECALLED),
    "cgroup_inet4_bind": ((4, 17), _RECALLED),
    "cgroup_inet6_bind": ((4, 17), _RECALLED),
    "cgroup_inet4_connect": ((4, 17), _RECALLED),
    "cgroup_inet6_connect": ((4, 17), _RECALLED),
    "cgroup_inet4_post_bind": ((4, 17), _RECALLED),
    "cgroup_inet6_post_bind": ((4, 17), _RECALLED),
    "cgroup_udp4_sendmsg": ((4, 18), _RECALLED),
    "cgroup_udp6_sendmsg": ((4, 18), _RECALLED),
    "lirc_mode2": ((4, 18), _RECALLED),
    "flow_dissector": ((4, 20), _RECALLED),
    "cgroup_sysctl": ((5, 2), "prog_types.csv (cgroup_sysctl 5.2)"),
    "cgroup_udp4_recvmsg": ((5, 2), "KV §4 (recvmsg hooks)"),
    "cgroup_udp6_recvmsg": ((5, 2), "KV §4 (recvmsg hooks)"),
    "cgroup_getsockopt": ((5, 3), "prog_types.csv (cgroup_sockopt 5.3)"),
    "cgroup_setsockopt": ((5, 3), "prog_types.csv (cgroup_sockopt 5.3)"),
    "trace_raw_tp": ((5, 5), "prog_types.csv (tracing 5.5)"),
    "trace_fentry": ((5, 5), "prog_types.csv (tracing 5.5)"),
    "trace_fexit": ((5, 5), "prog_types.csv (tracing 5.5)"),
    "modify_return": ((5, 7), _RECALLED),
    "lsm_mac": ((5, 7), "prog_types.csv (lsm 5.7)"),
    "trace_iter": ((5, 8), "KV §3 5.8 (iterators, 180139dca8b3)"),
    "cgroup_inet4_getpeername": ((5, 8), "KV §4"),
    "cgroup_inet6_getpeername": ((5, 8), "KV §4"),
    "cgroup_inet4_getsockname": ((5, 8), "KV §4"),
    "cgroup_inet6_getsockname": ((5, 8), "KV §4"),
    "xdp_devmap": ((5, 8), _RECALLED),
    "cgroup_inet_sock_release": ((5, 9), _RECALLED),
    "xdp_cpumap": ((5, 9), _RECALLED),
    "sk_lookup": ((5, 9), "prog_types.csv (sk_lookup 5.9)"),
    "xdp": ((5, 9), _RECALLED),
    "sk_skb_verdict": ((5, 13), _RECALLED),
    "sk_reuseport_select": ((5, 14), _RECALLED),
    "sk_reuseport_select_or_migrate": ((5, 14), _RECALLED),
    "perf_event": ((5, 15), _RECALLED),
    "trace_kprobe_multi": ((5, 18), _RECALLED),
    "lsm_cgroup": ((6, 0), "KV §4"),
    "netfilter": ((6, 4), "prog_types.csv (netfilter 6.4)"),
    "tcx_ingress": ((6, 6), _RECALLED),
    "tcx_egress": ((6, 6), _RECALLED),
    "trace_uprobe_multi": ((6, 6), _RECALLED),
    "cgroup_unix_connect": ((6, 7), _RECALLED),
    "cgroup_unix_sendmsg": ((6, 7), _RECALLED),
    "cgroup_unix_recvmsg": ((6, 7), _RECALLED),
    "cgroup_unix_getpeername": ((6, 7), _RECALLED),
    "cgroup_unix_getsockname": ((6, 7), _RECALLED),
    "netkit_primary": ((6, 7), _RECALLED),
    "netkit_peer": ((6, 7), _RECALLED),
    "trace_kprobe_session": ((6, 10), _RECALLED),
    "trace_uprobe_session": ((6, 13), _RECALLED),
}

# Attach types only libbpf knows: a program of these sections is loaded without an
# expected_attach_type the kernel checks (xdp, perf_event, sk_reuseport plain sections).
_LOADER_OPTIONAL = frozenset({"xdp", "perf_event", "sk_reuseport_select", "sk_skb_verdict"})


def attach_type_supported(attach_type: str | None, version: Version) -> bool:
    """False only when the kernel is known to predate this attach type; unknown names pass."""
    if not attach_type or attach_type in _LOADER_OPTIONAL:
        return True
    row = ATTACH_TYPE_SINCE.get(attach_type)
    return row is None or version >= row[0]
