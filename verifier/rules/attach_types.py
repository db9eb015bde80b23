"""Expected attach types: first kernel version that knows each (enum bpf_attach_type).

A program whose section implies an attach type the kernel does not know cannot be
loaded there (the kernel rejects the expected_attach_type before verifying).
Names are the uapi names without "BPF_", lower case. Versions: the first kernel tree (of those listed in
rules/data/NOTES.md) whose uapi `enum bpf_attach_type` has the value, checked 2026-12-03 (issue 14); where
a release between two trees is missing, bcc docs/kernel-versions.md dates it or the later release (the
stricter side) is taken.
"""

from __future__ import annotations

from verifier.rules.versions import Version

ATTACH_TYPE_SINCE: dict[str, tuple[Version, str]] = {
    "cgroup_inet_ingress": ((4, 10), "enum bpf_attach_type of 4.14.177 (the oldest tree read)"),
    "cgroup_inet_egress": ((4, 10), "enum bpf_attach_type of 4.14.177 (the oldest tree read)"),
    "cgroup_inet_sock_create": ((4, 10), "enum bpf_attach_type of 4.14.177 (the oldest tree read)"),
    "cgroup_sock_ops": ((4, 13), "enum bpf_attach_type of 4.14.177 (the oldest tree read)"),
    "sk_skb_stream_parser": ((4, 14), "enum bpf_attach_type of 4.14.177 (the oldest tree read)"),
    "sk_skb_stream_verdict": ((4, 14), "enum bpf_attach_type of 4.14.177 (the oldest tree read)"),
    "cgroup_device": ((4, 15), "enum bpf_attach_type: absent 4.14.177, present 4.15"),
    "sk_msg_verdict": ((4, 17), "enum bpf_attach_type: absent 4.16.13, present 4.19.304; bcc: 4.17"),
    "cgroup_inet4_bind": ((4, 17), "enum bpf_attach_type: absent 4.16.13, present 4.19.304; bcc: 4.17"),
    "cgroup_inet6_bind": ((4, 17), "enum bpf_attach_type: absent 4.16.13, present 4.19.304; bcc: 4.17"),
    "cgroup_inet4_connect": ((4, 17), "enum bpf_attach_type: absent 4.16.13, present 4.19.304; bcc: 4.17"),
    "cgroup_inet6_connect": ((4, 17), "enum bpf_attach_type: absent 4.16.13, present 4.19.304; bcc: 4.17"),
    "cgroup_inet4_post_bind": (
        (4, 17),
        "enum bpf_attach_type: absent 4.16.13, present 4.19.304; bcc: 4.17 (aac3fc320d94)",
    ),
    "cgroup_inet6_post_bind": (
        (4, 17),
        "enum bpf_attach_type: absent 4.16.13, present 4.19.304; bcc: 4.17 (aac3fc320d94)",
    ),
    "cgroup_udp4_sendmsg": (
        (4, 19),
        "enum bpf_attach_type: absent 4.16.13, present 4.19.304; no tree between, taken at 4.19, the stricter side",
    ),
    "cgroup_udp6_sendmsg": (
        (4, 19),
        "enum bpf_attach_type: absent 4.16.13, present 4.19.304; no tree between, taken at 4.19, the stricter side",
    ),
    "lirc_mode2": ((4, 18), "enum bpf_attach_type: absent 4.16.13, present 4.19.304; bcc: 4.18"),
    "flow_dissector": ((4, 20), "enum bpf_attach_type: absent 4.19.304, present 4.20"),
    "cgroup_sysctl": ((5, 2), "enum bpf_attach_type: absent 5.0, present 5.2.1"),
    "cgroup_udp4_recvmsg": (
        (5, 2),
        "enum bpf_attach_type: absent 4.20.0 and 5.0.0, present 5.2.1 (bcc/KV §4: 5.2); 4.19.304 has it by a stable backport (point release not known: not modelled, the stricter side)",
    ),
    "cgroup_udp6_recvmsg": (
        (5, 2),
        "enum bpf_attach_type: absent 4.20.0 and 5.0.0, present 5.2.1 (bcc/KV §4: 5.2); 4.19.304 has it by a stable backport (point release not known: not modelled, the stricter side)",
    ),
    "cgroup_getsockopt": ((5, 3), "enum bpf_attach_type: absent 5.2.1, present 5.3"),
    "cgroup_setsockopt": ((5, 3), "enum bpf_attach_type: absent 5.2.1, present 5.3"),
    "trace_raw_tp": ((5, 5), "enum bpf_attach_type: absent 5.4, present 5.5-rc5"),
    "trace_fentry": ((5, 5), "enum bpf_attach_type: absent 5.4, present 5.5-rc5"),
    "trace_fexit": ((5, 5), "enum bpf_attach_type: absent 5.4, present 5.5-rc5"),
    "modify_return": ((5, 7), "enum bpf_attach_type: absent 5.6.4, present 5.7.14"),
    "lsm_mac": ((5, 7), "enum bpf_attach_type: absent 5.6.4, present 5.7.14"),
    "trace_iter": ((5, 8), "enum bpf_attach_type: absent 5.7.14, present 5.8.1"),
    "cgroup_inet4_getpeername": ((5, 8), "enum bpf_attach_type: absent 5.7.14, present 5.8.1"),
    "cgroup_inet6_getpeername": ((5, 8), "enum bpf_attach_type: absent 5.7.14, present 5.8.1"),
    "cgroup_inet4_getsockname": ((5, 8), "enum bpf_attach_type: absent 5.7.14, present 5.8.1"),
    "cgroup_inet6_getsockname": ((5, 8), "enum bpf_attach_type: absent 5.7.14, present 5.8.1"),
    "xdp_devmap": ((5, 8), "enum bpf_attach_type: absent 5.7.14, present 5.8.1"),
    "cgroup_inet_sock_release": ((5, 9), "enum bpf_attach_type: absent 5.8.1, present 5.9.1"),
    "xdp_cpumap": ((5, 9), "enum bpf_attach_type: absent 5.8.1, present 5.9.1"),
    "sk_lookup": ((5, 9), "enum bpf_attach_type: absent 5.8.1, present 5.9.1"),
    "xdp": ((5, 9), "enum bpf_attach_type: absent 5.8.1, present 5.9.1"),
    "sk_skb_verdict": (
        (5, 13),
        "enum bpf_attach_type: absent 5.12.9, present 5.14-rc5; no 5.13 tree; kept at 5.13: a loader-optional type, never refused",
    ),
    "sk_reuseport_select": (
        (5, 14),
        "enum bpf_attach_type: absent 5.12.9, present 5.14-rc5; no tree between, taken at 5.14, the stricter side",
    ),
    "sk_reuseport_select_or_migrate": (
        (5, 14),
        "enum bpf_attach_type: absent 5.12.9, present 5.14-rc5; no tree between, taken at 5.14, the stricter side",
    ),
    "perf_event": ((5, 15), "enum bpf_attach_type: absent 5.14-rc5, present 5.15.16"),
    "trace_kprobe_multi": ((5, 18), "enum bpf_attach_type: absent 5.17-rc5, present 5.18.12"),
    "lsm_cgroup": ((6, 0), "enum bpf_attach_type: absent 5.19, present 6.0-rc1"),
    "netfilter": ((6, 4), "enum bpf_attach_type: absent 6.3.8, present 6.4.6"),
    "tcx_ingress": ((6, 6), "enum bpf_attach_type: absent 6.5, present 6.6"),
    "tcx_egress": ((6, 6), "enum bpf_attach_type: absent 6.5, present 6.6"),
    "trace_uprobe_multi": ((6, 6), "enum bpf_attach_type: absent 6.5, present 6.6"),
    "cgroup_unix_connect": ((6, 7), "enum bpf_attach_type: absent 6.6, present 6.7.3"),
    "cgroup_unix_sendmsg": ((6, 7), "enum bpf_attach_type: absent 6.6, present 6.7.3"),
    "cgroup_unix_recvmsg": ((6, 7), "enum bpf_attach_type: absent 6.6, present 6.7.3"),
    "cgroup_unix_getpeername": ((6, 7), "enum bpf_attach_type: absent 6.6, present 6.7.3"),
    "cgroup_unix_getsockname": ((6, 7), "enum bpf_attach_type: absent 6.6, present 6.7.3"),
    "netkit_primary": ((6, 7), "enum bpf_attach_type: absent 6.6, present 6.7.3"),
    "netkit_peer": ((6, 7), "enum bpf_attach_type: absent 6.6, present 6.7.3"),
    "trace_kprobe_session": ((6, 10), "enum bpf_attach_type: absent 6.9, present 6.10"),
    "trace_uprobe_session": ((6, 13), "enum bpf_attach_type: absent 6.12.117, present 6.13.2"),
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
