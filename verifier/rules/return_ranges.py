"""Allowed R0 at program exit (`check_return_code` in kernel/bpf/verifier.c), by version.

Rows: (prog type, attach type or None for "any other", first version, range or None
for "not checked", source). The last matching row by version wins; a row with an
attach type wins over the generic row of the same type. Types without rows are
not checked. Source: shared/reference/kernel_versions.md §4 ("KV §4") and
prog_types.csv.
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


_CGROUP_SINCE = (4, 15)  # check_return_code introduced (390ee7e29fc8)
_KV4 = "KV §4"

_ROWS: tuple[ReturnRangeRow, ...] = (
    ReturnRangeRow("cgroup_skb", None, _CGROUP_SINCE, (0, 1), f"{_KV4}; commit 390ee7e29fc8"),
    ReturnRangeRow("cgroup_skb", "cgroup_inet_egress", (5, 3), (0, 3), f"{_KV4} (egress [0,3] in 5.3)"),
    ReturnRangeRow("cgroup_sock", None, _CGROUP_SINCE, (0, 1), _KV4),
    ReturnRangeRow("sock_ops", None, _CGROUP_SINCE, (0, 1), _KV4),
    ReturnRangeRow("cgroup_device", None, _CGROUP_SINCE, (0, 1), _KV4),
    ReturnRangeRow("cgroup_sock_addr", None, _CGROUP_SINCE, (0, 1), _KV4),
    ReturnRangeRow("cgroup_sock_addr", "cgroup_udp4_recvmsg", (5, 2), (1, 1), f"{_KV4} (recvmsg hooks 5.2)"),
    ReturnRangeRow("cgroup_sock_addr", "cgroup_udp6_recvmsg", (5, 2), (1, 1), f"{_KV4} (recvmsg hooks 5.2)"),
    ReturnRangeRow("cgroup_sock_addr", "cgroup_inet4_getpeername", (5, 8), (1, 1), f"{_KV4} (hooks 5.8)"),
    ReturnRangeRow("cgroup_sock_addr", "cgroup_inet6_getpeername", (5, 8), (1, 1), f"{_KV4} (hooks 5.8)"),
    ReturnRangeRow("cgroup_sock_addr", "cgroup_inet4_getsockname", (5, 8), (1, 1), f"{_KV4} (hooks 5.8)"),
    ReturnRangeRow("cgroup_sock_addr", "cgroup_inet6_getsockname", (5, 8), (1, 1), f"{_KV4} (hooks 5.8)"),
    ReturnRangeRow("cgroup_sock_addr", "cgroup_unix_recvmsg", (6, 7), (1, 1), f"{_KV4} (unix hooks, 6.7)"),
    ReturnRangeRow(
        "cgroup_sock_addr", "cgroup_unix_getpeername", (6, 7), (1, 1), f"{_KV4} (unix hooks, 6.7)"
    ),
    ReturnRangeRow(
        "cgroup_sock_addr", "cgroup_unix_getsockname", (6, 7), (1, 1), f"{_KV4} (unix hooks, 6.7)"
    ),
    ReturnRangeRow(
        "cgroup_sock_addr",
        "cgroup_inet4_bind",
        (5, 12),
        (0, 3),
        f"{_KV4}: present in 5.19, 'added by a later patch' (version unconfirmed, taken as 5.12)",
    ),
    ReturnRangeRow(
        "cgroup_sock_addr",
        "cgroup_inet6_bind",
        (5, 12),
        (0, 3),
        f"{_KV4}: present in 5.19 (version unconfirmed, taken as 5.12)",
    ),
    ReturnRangeRow("cgroup_sysctl", None, (5, 2), (0, 1), _KV4),
    ReturnRangeRow("cgroup_sockopt", None, (5, 3), (0, 1), _KV4),
    ReturnRangeRow("tracing", "trace_fentry", (5, 5), (0, 0), _KV4),
    ReturnRangeRow("tracing", "trace_fexit", (5, 5), (0, 0), _KV4),
    ReturnRangeRow("tracing", "trace_fsession", (6, 18), (0, 0), f"{_KV4} (newest source)"),
    ReturnRangeRow("tracing", "trace_iter", (5, 8), (0, 1), _KV4),
    ReturnRangeRow("sk_lookup", None, (5, 9), (0, 1), _KV4),
    ReturnRangeRow("lsm", "lsm_cgroup", (6, 0), (0, 1), _KV4),
    ReturnRangeRow("netfilter", None, (6, 4), (0, 1), _KV4),
    ReturnRangeRow("kprobe", "trace_kprobe_session", (6, 10), (0, 1), f"{_KV4} (session attach, ~6.10)"),
    ReturnRangeRow("kprobe", "trace_uprobe_session", (6, 13), (0, 1), f"{_KV4} (session attach, ~6.13)"),
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
