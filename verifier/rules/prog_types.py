"""Program types: enum value, version, libbpf sections, context struct, helper groups.

Data: data/prog_types.csv (copied from shared/reference/prog_types.csv: enum
values from uapi bpf.h, versions/commits from bcc docs/kernel-versions.md,
section names from libbpf section_defs[]). The context struct and the chain of
`*_func_proto` switches each type falls through are read from net/core/filter.c
(index commit 0076cad30135), kernel/trace/bpf_trace.c (00b8f39f1d15) and
kernel/bpf/cgroup.c; see data/prog_helpers.csv for the group contents.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from verifier.rules._csv import parse_version, read_rows
from verifier.rules.versions import Version


@dataclass(frozen=True, slots=True)
class ProgTypeInfo:
    id: int  # enum bpf_prog_type value
    name: str  # kernel name, lower case: "sched_cls"
    version: Version
    sections: tuple[str, ...]  # libbpf section names ("xdp", "kprobe+", "cgroup_skb/egress[BPF_...]")
    ctx_struct: str | None  # "__sk_buff", "xdp_md", "pt_regs", ...
    helper_groups: tuple[str, ...]  # func_proto chain, most specific first (groups of data/prog_helpers.csv)
    helper_list_complete: bool  # False: the type's own func_proto list was not read; allow any helper
    return_note: str
    source: str


# name -> (ctx struct, helper groups, helper list complete). Chains: *_func_proto default: cases
# (filter.c / bpf_trace.c / cgroup.c as cited in the module docstring).
_EXTRAS: dict[str, tuple[str | None, tuple[str, ...], bool]] = {
    "socket_filter": ("__sk_buff", ("sk_filter", "sk_base", "base"), True),
    "kprobe": ("pt_regs", ("kprobe", "tracing_base", "base"), True),
    "sched_cls": ("__sk_buff", ("tc_cls_act", "sk_base", "base"), True),
    "sched_act": ("__sk_buff", ("tc_cls_act", "sk_base", "base"), True),
    "tracepoint": ("tracepoint", ("tp", "tracing_base", "base"), True),
    "xdp": ("xdp_md", ("xdp", "sk_base", "base"), True),
    "perf_event": ("bpf_perf_event_data", ("perf_event", "tracing_base", "base"), True),
    "cgroup_skb": ("__sk_buff", ("cg_skb", "sk_filter", "sk_base", "base"), True),  # falls back to sk_filter_func_proto
    "cgroup_sock": ("bpf_sock", ("sock_filter", "base"), True),
    "lwt_in": ("__sk_buff", ("lwt_in", "lwt_out", "sk_base", "base"), True),
    "lwt_out": ("__sk_buff", ("lwt_out", "sk_base", "base"), True),
    "lwt_xmit": ("__sk_buff", ("lwt_xmit", "lwt_out", "sk_base", "base"), True),
    "sock_ops": ("bpf_sock_ops", ("sock_ops", "sk_base", "base"), True),
    "sk_skb": ("__sk_buff", ("sk_skb", "sk_base", "base"), True),
    "cgroup_device": ("bpf_cgroup_dev_ctx", ("cgroup_base", "base"), True),
    "sk_msg": ("sk_msg_md", ("sk_msg", "sk_base", "base"), True),
    "raw_tracepoint": ("bpf_raw_tracepoint_args", ("raw_tp", "tracing_base", "base"), True),
    "cgroup_sock_addr": ("bpf_sock_addr", ("sock_addr", "sk_base", "base"), True),
    "lwt_seg6local": ("__sk_buff", ("lwt_seg6local", "lwt_out", "sk_base", "base"), True),
    "lirc_mode2": ("u32", ("lirc_mode2", "base"), False),
    # sk_reuseport_func_proto() falls to bpf_base_func_proto(), not bpf_sk_base_func_proto() (5.9.1 to
    # 6.18.2 read): no skc_to_*() casts
    "sk_reuseport": ("sk_reuseport_md", ("sk_reuseport", "base"), True),
    "flow_dissector": ("__sk_buff", ("flow_dissector", "sk_base", "base"), True),
    "cgroup_sysctl": ("bpf_sysctl", ("sysctl", "cgroup_base", "base"), True),
    "raw_tracepoint_writable": ("bpf_raw_tracepoint_args", ("raw_tp", "tracing_base", "base"), True),
    "cgroup_sockopt": ("bpf_sockopt", ("sockopt", "cgroup_base", "base"), True),
    "tracing": ("btf_ctx", ("tracing", "raw_tp", "tracing_base", "base"), True),
    "struct_ops": ("btf_ctx", ("tracing_base", "base"), False),
    "ext": (None, ("base",), False),
    "lsm": ("btf_ctx", ("lsm", "tracing", "raw_tp", "tracing_base", "base"), False),
    "sk_lookup": ("bpf_sk_lookup", ("sk_lookup", "sk_base", "base"), True),
    "syscall": ("syscall_ctx", ("base",), False),
    # net/netfilter/nf_bpf_link.c bpf_nf_func_proto(): bpf_base_func_proto() only (6.4.4, 6.18.2)
    "netfilter": ("bpf_nf_ctx", ("base",), True),
}


# bpf_prog_load(): "type != SOCKET_FILTER && type != CGROUP_SKB && !bpf_capable()" -> -EPERM
# (kernel_versions.md §2, 5.8+ copy; the same two types in older copies with CAP_SYS_ADMIN).
UNPRIVILEGED_PROG_TYPES: frozenset[str] = frozenset({"socket_filter", "cgroup_skb"})


def _sections(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|") if part.strip())


@cache
def all_prog_types() -> dict[str, ProgTypeInfo]:
    out: dict[str, ProgTypeInfo] = {}
    for row in read_rows("prog_types.csv"):
        name = row["name"].removeprefix("BPF_PROG_TYPE_").lower()
        version = parse_version(row["kernel_version_introduced"])
        if version is None:
            continue
        ctx_struct, groups, complete = _EXTRAS.get(name, (None, ("base",), False))
        section_key = next(k for k in row if k.startswith("libbpf_section_names"))
        out[name] = ProgTypeInfo(
            id=int(row["enum_value"]),
            name=name,
            version=version,
            sections=_sections(row[section_key]),
            ctx_struct=ctx_struct,
            helper_groups=groups,
            helper_list_complete=complete,
            return_note=row["verifier_return_range (check_return_code)"],
            source=f"shared/reference/prog_types.csv (commit {row['commit'] or 'n/a'}); {row['notes']}".strip(),
        )
    return out


@cache
def prog_types_by_id() -> dict[int, ProgTypeInfo]:
    return {info.id: info for info in all_prog_types().values()}


def normalize_prog_type(prog_type: str | int | None) -> str | None:
    """ "BPF_PROG_TYPE_XDP", "xdp", 6 -> "xdp"; unknown -> None."""
    if prog_type is None:
        return None
    if isinstance(prog_type, int):
        info = prog_types_by_id().get(prog_type)
        return info.name if info else None
    name = prog_type.strip().removeprefix("BPF_PROG_TYPE_").lower()
    return name if name in all_prog_types() else None


def normalize_attach_type(attach_type: str | None) -> str | None:
    """ "BPF_CGROUP_INET_EGRESS" / "cgroup_inet_egress" -> "cgroup_inet_egress"."""
    if not attach_type:
        return None
    return attach_type.strip().removeprefix("BPF_").lower()
