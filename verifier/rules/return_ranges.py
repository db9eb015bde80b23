"""Allowed R0 at program exit (`check_return_code` in kernel/bpf/verifier.c), by version.

Rows: (prog type, attach type or None for "any other", first version, range or None
for "not checked", source). The last matching row by version wins; a row with an
attach type wins over the generic row of the same type. Types without rows are
not checked. Source: shared/reference/kernel_versions.md §4 ("KV §4") and
prog_types.csv; every row checked 2026-12-03 (issue 14) against check_return_code() of the kernel
trees listed in rules/data/NOTES.md ("src": absent in one tree, present in the next).
"""

from __future__ import annotations

from dataclasses import dataclass

from verifier.rules.versions import Version


@dataclass(frozen=True, slots=True)
class ReturnRangeRow:
    prog_type: str
    attach_type: str | None
    since: Version
    range: tuple[int, int] | None
    source: str


_CGROUP_SINCE = (4, 15)  # check_return_code introduced (390ee7e29fc8): absent 4.14.177, present 4.15.0
_KV4 = "KV §4"

_ROWS: tuple[ReturnRangeRow, ...] = (
    ReturnRangeRow("cgroup_skb", None, _CGROUP_SINCE, (0, 1), f"{_KV4}; commit 390ee7e29fc8"),
    ReturnRangeRow(
        "cgroup_skb", "cgroup_inet_egress", (5, 3), (0, 3), f"{_KV4}; src: absent 5.2.1, present 5.3.0"
    ),
    ReturnRangeRow("cgroup_sock", None, _CGROUP_SINCE, (0, 1), f"{_KV4}; src: 4.15.0"),
    ReturnRangeRow("sock_ops", None, _CGROUP_SINCE, (0, 1), f"{_KV4}; src: 4.15.0"),
    ReturnRangeRow("cgroup_device", None, _CGROUP_SINCE, (0, 1), f"{_KV4}; src: 4.15.0"),
    ReturnRangeRow(
        "cgroup_sock_addr", None, _CGROUP_SINCE, (0, 1), f"{_KV4}; src: 4.20.0 (the type is 4.17)"
    ),
    ReturnRangeRow(
        "cgroup_sock_addr",
        "cgroup_udp4_recvmsg",
        (5, 2),
        (1, 1),
        f"{_KV4}; src: present 5.2.1, absent 5.0.0 (no 5.1 tree; bcc 5.2)",
    ),
    ReturnRangeRow(
        "cgroup_sock_addr",
        "cgroup_udp6_recvmsg",
        (5, 2),
        (1, 1),
        f"{_KV4}; src: present 5.2.1, absent 5.0.0 (no 5.1 tree; bcc 5.2)",
    ),
    ReturnRangeRow(
        "cgroup_sock_addr",
        "cgroup_inet4_getpeername",
        (5, 8),
        (1, 1),
        f"{_KV4}; src: absent 5.7.14, present 5.8.1",
    ),
    ReturnRangeRow(
        "cgroup_sock_addr",
        "cgroup_inet6_getpeername",
        (5, 8),
        (1, 1),
        f"{_KV4}; src: absent 5.7.14, present 5.8.1",
    ),
    ReturnRangeRow(
        "cgroup_sock_addr",
        "cgroup_inet4_getsockname",
        (5, 8),
        (1, 1),
        f"{_KV4}; src: absent 5.7.14, present 5.8.1",
    ),
    ReturnRangeRow(
        "cgroup_sock_addr",
        "cgroup_inet6_getsockname",
        (5, 8),
        (1, 1),
        f"{_KV4}; src: absent 5.7.14, present 5.8.1",
    ),
    ReturnRangeRow(
        "cgroup_sock_addr", "cgroup_unix_recvmsg", (6, 7), (1, 1), f"{_KV4}; src: absent 6.6.0, present 6.7.3"
    ),
    ReturnRangeRow(
        "cgroup_sock_addr",
        "cgroup_unix_getpeername",
        (6, 7),
        (1, 1),
        f"{_KV4}; src: absent 6.6.0, present 6.7.3",
    ),
    ReturnRangeRow(
        "cgroup_sock_addr",
        "cgroup_unix_getsockname",
        (6, 7),
        (1, 1),
        f"{_KV4}; src: absent 6.6.0, present 6.7.3",
    ),
    ReturnRangeRow(
        "cgroup_sock_addr",
        "cgroup_inet4_bind",
        (5, 12),
        (0, 3),
        f"{_KV4}; src: absent 5.11.0, present 5.12.9",
    ),
    ReturnRangeRow(
        "cgroup_sock_addr",
        "cgroup_inet6_bind",
        (5, 12),
        (0, 3),
        f"{_KV4}; src: absent 5.11.0, present 5.12.9",
    ),
    ReturnRangeRow("cgroup_sysctl", None, (5, 2), (0, 1), f"{_KV4}; src: absent 5.0.0, present 5.2.1"),
    ReturnRangeRow("cgroup_sockopt", None, (5, 3), (0, 1), f"{_KV4}; src: absent 5.2.1, present 5.3.0"),
    ReturnRangeRow(
        "tracing", "trace_fentry", (5, 7), (0, 0), f"{_KV4}; src: absent 5.6.4, present 5.7.14 (was: 5.5)"
    ),
    ReturnRangeRow(
        "tracing", "trace_fexit", (5, 7), (0, 0), f"{_KV4}; src: absent 5.6.4, present 5.7.14 (was: 5.5)"
    ),
    ReturnRangeRow(
        "tracing",
        "trace_fsession",
        (6, 19),
        (0, 0),
        f"{_KV4}; src: BPF_TRACE_FSESSION absent 6.18.2, present 7.2.13: taken from 6.19, the stricter side",
    ),
    ReturnRangeRow("tracing", "trace_iter", (5, 8), (0, 1), f"{_KV4}; src: absent 5.7.14, present 5.8.1"),
    ReturnRangeRow("sk_lookup", None, (5, 9), (0, 1), f"{_KV4}; src: absent 5.8.1, present 5.9.1"),
    ReturnRangeRow("lsm", "lsm_cgroup", (6, 0), (0, 1), f"{_KV4}; src: absent 5.19.0, present 6.0-rc1"),
    ReturnRangeRow("netfilter", None, (6, 4), (0, 1), f"{_KV4}; src: absent 6.3.8, present 6.4.4"),
    ReturnRangeRow(
        "kprobe",
        "trace_kprobe_session",
        (6, 11),
        (0, 1),
        f"{_KV4}; src: absent 6.10.0, present 6.11.11 (was: 6.10)",
    ),
    ReturnRangeRow(
        "kprobe", "trace_uprobe_session", (6, 13), (0, 1), f"{_KV4}; src: absent 6.12.117, present 6.13.2"
    ),
)


def return_range_rows() -> tuple[ReturnRangeRow, ...]:
    return _ROWS


def find_return_range(prog_type: str, attach_type: str | None, version: Version) -> tuple[int, int] | None:
    generic: ReturnRangeRow | None = None
    specific: ReturnRangeRow | None = None
    for row in _ROWS:
        if row.prog_type != prog_type or row.since > version:
            continue
        if row.attach_type is None:
            generic = row
        elif row.attach_type == attach_type:
            specific = row
    chosen = specific or generic
    return chosen.range if chosen else None
