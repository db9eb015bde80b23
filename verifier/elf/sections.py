"""Section name -> program type, expected attach type, attach target, sleepable.

The table follows libbpf's `section_defs[]` (tools/lib/bpf/libbpf.c, libbpf 1.x;
the section names are also listed in /work/shared/reference/prog_types.csv),
with the libbpf 0.x legacy forms that old objects use:

* libbpf 1.x matching: a pattern "x+" matches "x" or "x/<target>"; a pattern
  "x/" matches "x/<target>"; any other pattern matches exactly.
* libbpf 0.x ("sloppy") matching: a section name that merely starts with a known
  pattern ("xdp1", "socket2", "tc_mark", "cgroup/sock1") takes its type; the
  longest matching pattern wins.
* iproute2 tail-call conventions (tc/cilium/ovs objects): "2/7", "1/0x1010",
  "tail-3", "from-container", "to-netdev" are `sched_cls` programs, or `xdp` in
  an object whose file name says xdp (cilium's bpf_xdp*.o).

Attach type names are the kernel's `enum bpf_attach_type` names, lower case,
without the `BPF_` prefix (include/uapi/linux/bpf.h).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SectionDef:
    pattern: str  # "x+", "x/", or exact "x"
    prog_type: str
    attach_type: str | None = None
    sleepable: bool = False

    @property
    def base(self) -> str:
        return self.pattern.rstrip("+/")


@dataclass(frozen=True, slots=True)
class SectionType:
    prog_type: str | None
    expected_attach_type: str | None = None
    attach_to: str | None = None
    sleepable: bool = False
    how: str = "libbpf"  # "libbpf", "legacy-prefix", "iproute2", "unknown"


def _d(pattern: str, prog_type: str, attach: str | None = None, sleepable: bool = False) -> SectionDef:
    return SectionDef(pattern, prog_type, attach, sleepable)


# libbpf 1.x section_defs[] (order kept: the first match wins, as in libbpf)
SECTION_DEFS: tuple[SectionDef, ...] = (
    _d("socket", "socket_filter"),
    _d("sk_reuseport/migrate", "sk_reuseport", "sk_reuseport_select_or_migrate"),
    _d("sk_reuseport", "sk_reuseport", "sk_reuseport_select"),
    _d("kprobe+", "kprobe"),
    _d("uprobe+", "kprobe"),
    _d("uprobe.s+", "kprobe", None, True),
    _d("kretprobe+", "kprobe"),
    _d("uretprobe+", "kprobe"),
    _d("uretprobe.s+", "kprobe", None, True),
    _d("kprobe.multi+", "kprobe", "trace_kprobe_multi"),
    _d("kretprobe.multi+", "kprobe", "trace_kprobe_multi"),
    _d("kprobe.session+", "kprobe", "trace_kprobe_session"),
    _d("uprobe.multi+", "kprobe", "trace_uprobe_multi"),
    _d("uretprobe.multi+", "kprobe", "trace_uprobe_multi"),
    _d("uprobe.session+", "kprobe", "trace_uprobe_session"),
    _d("uprobe.multi.s+", "kprobe", "trace_uprobe_multi", True),
    _d("uretprobe.multi.s+", "kprobe", "trace_uprobe_multi", True),
    _d("uprobe.session.s+", "kprobe", "trace_uprobe_session", True),
    _d("ksyscall+", "kprobe"),
    _d("kretsyscall+", "kprobe"),
    _d("usdt+", "kprobe"),
    _d("usdt.s+", "kprobe", None, True),
    _d("tc/ingress", "sched_cls", "tcx_ingress"),
    _d("tc/egress", "sched_cls", "tcx_egress"),
    _d("tcx/ingress", "sched_cls", "tcx_ingress"),
    _d("tcx/egress", "sched_cls", "tcx_egress"),
    _d("tc", "sched_cls"),
    _d("classifier", "sched_cls"),
    _d("action", "sched_act"),
    _d("netkit/primary", "sched_cls", "netkit_primary"),
    _d("netkit/peer", "sched_cls", "netkit_peer"),
    _d("tracepoint+", "tracepoint"),
    _d("tp+", "tracepoint"),
    _d("tracepoint.s+", "tracepoint", None, True),
    _d("tp.s+", "tracepoint", None, True),
    _d("raw_tracepoint+", "raw_tracepoint"),
    _d("raw_tp+", "raw_tracepoint"),
    _d("raw_tracepoint.s+", "raw_tracepoint", None, True),
    _d("raw_tp.s+", "raw_tracepoint", None, True),
    _d("raw_tracepoint.w+", "raw_tracepoint_writable"),
    _d("raw_tp.w+", "raw_tracepoint_writable"),
    _d("tp_btf+", "tracing", "trace_raw_tp"),
    _d("tp_btf.s+", "tracing", "trace_raw_tp", True),
    _d("fentry+", "tracing", "trace_fentry"),
    _d("fmod_ret+", "tracing", "modify_return"),
    _d("fexit+", "tracing", "trace_fexit"),
    _d("fentry.s+", "tracing", "trace_fentry", True),
    _d("fmod_ret.s+", "tracing", "modify_return", True),
    _d("fexit.s+", "tracing", "trace_fexit", True),
    _d("freplace+", "ext"),
    _d("lsm+", "lsm", "lsm_mac"),
    _d("lsm.s+", "lsm", "lsm_mac", True),
    _d("lsm_cgroup+", "lsm", "lsm_cgroup"),
    _d("iter+", "tracing", "trace_iter"),
    _d("iter.s+", "tracing", "trace_iter", True),
    _d("syscall", "syscall", None, True),
    _d("xdp.frags/devmap", "xdp", "xdp_devmap"),
    _d("xdp/devmap", "xdp", "xdp_devmap"),
    _d("xdp.frags/cpumap", "xdp", "xdp_cpumap"),
    _d("xdp/cpumap", "xdp", "xdp_cpumap"),
    _d("xdp.frags", "xdp", "xdp"),
    _d("xdp", "xdp", "xdp"),
    _d("perf_event", "perf_event"),
    _d("lwt_in", "lwt_in"),
    _d("lwt_out", "lwt_out"),
    _d("lwt_xmit", "lwt_xmit"),
    _d("lwt_seg6local", "lwt_seg6local"),
    _d("sockops", "sock_ops", "cgroup_sock_ops"),
    _d("sk_skb/stream_parser", "sk_skb", "sk_skb_stream_parser"),
    _d("sk_skb/stream_verdict", "sk_skb", "sk_skb_stream_verdict"),
    _d("sk_skb/verdict", "sk_skb", "sk_skb_verdict"),
    _d("sk_skb", "sk_skb"),
    _d("sk_msg", "sk_msg", "sk_msg_verdict"),
    _d("lirc_mode2", "lirc_mode2", "lirc_mode2"),
    _d("flow_dissector", "flow_dissector", "flow_dissector"),
    _d("cgroup_skb/ingress", "cgroup_skb", "cgroup_inet_ingress"),
    _d("cgroup_skb/egress", "cgroup_skb", "cgroup_inet_egress"),
    _d("cgroup/skb", "cgroup_skb"),
    _d("cgroup/sock_create", "cgroup_sock", "cgroup_inet_sock_create"),
    _d("cgroup/sock_release", "cgroup_sock", "cgroup_inet_sock_release"),
    _d("cgroup/sock", "cgroup_sock", "cgroup_inet_sock_create"),
    _d("cgroup/post_bind4", "cgroup_sock", "cgroup_inet4_post_bind"),
    _d("cgroup/post_bind6", "cgroup_sock", "cgroup_inet6_post_bind"),
    _d("cgroup/bind4", "cgroup_sock_addr", "cgroup_inet4_bind"),
    _d("cgroup/bind6", "cgroup_sock_addr", "cgroup_inet6_bind"),
    _d("cgroup/connect4", "cgroup_sock_addr", "cgroup_inet4_connect"),
    _d("cgroup/connect6", "cgroup_sock_addr", "cgroup_inet6_connect"),
    _d("cgroup/connect_unix", "cgroup_sock_addr", "cgroup_unix_connect"),
    _d("cgroup/sendmsg4", "cgroup_sock_addr", "cgroup_udp4_sendmsg"),
    _d("cgroup/sendmsg6", "cgroup_sock_addr", "cgroup_udp6_sendmsg"),
    _d("cgroup/sendmsg_unix", "cgroup_sock_addr", "cgroup_unix_sendmsg"),
    _d("cgroup/recvmsg4", "cgroup_sock_addr", "cgroup_udp4_recvmsg"),
    _d("cgroup/recvmsg6", "cgroup_sock_addr", "cgroup_udp6_recvmsg"),
    _d("cgroup/recvmsg_unix", "cgroup_sock_addr", "cgroup_unix_recvmsg"),
    _d("cgroup/getpeername4", "cgroup_sock_addr", "cgroup_inet4_getpeername"),
    _d("cgroup/getpeername6", "cgroup_sock_addr", "cgroup_inet6_getpeername"),
    _d("cgroup/getpeername_unix", "cgroup_sock_addr", "cgroup_unix_getpeername"),
    _d("cgroup/getsockname4", "cgroup_sock_addr", "cgroup_inet4_getsockname"),
    _d("cgroup/getsockname6", "cgroup_sock_addr", "cgroup_inet6_getsockname"),
    _d("cgroup/getsockname_unix", "cgroup_sock_addr", "cgroup_unix_getsockname"),
    _d("cgroup/sysctl", "cgroup_sysctl", "cgroup_sysctl"),
    _d("cgroup/getsockopt", "cgroup_sockopt", "cgroup_getsockopt"),
    _d("cgroup/setsockopt", "cgroup_sockopt", "cgroup_setsockopt"),
    _d("cgroup/dev", "cgroup_device", "cgroup_device"),
    _d("struct_ops+", "struct_ops"),
    _d("struct_ops.s+", "struct_ops", None, True),
    _d("sk_lookup", "sk_lookup", "sk_lookup"),
    _d("netfilter", "netfilter", "netfilter"),
)

# libbpf 0.x names dropped in 1.0 (libbpf.c before v1.0: "xdp_devmap/", "xdp_cpumap/")
LEGACY_DEFS: tuple[SectionDef, ...] = (
    _d("xdp_devmap/", "xdp", "xdp_devmap"),
    _d("xdp_cpumap/", "xdp", "xdp_cpumap"),
)

# iproute2 / cilium / ovs tail-call and entry section names (iproute2 lib/bpf_legacy.c
# loads every other executable section as a tc program; cilium's XDP objects reuse them)
_IPROUTE2_SECTION = re.compile(r"^(\d+/(0x[0-9a-fA-F]+|\d+)|tail-\d+|from-[\w-]+|to-[\w-]+)$")


def _match_strict(sec_def: SectionDef, name: str) -> str | None:
    """libbpf 1.x sec_def_matches(): the attach target ("" when none), or None when no match."""
    pattern = sec_def.pattern
    if pattern.endswith("+"):
        base = pattern[:-1]
        if name == base:
            return ""
        if name.startswith(base + "/"):
            return name[len(base) + 1:]
        return None
    if pattern.endswith("/"):
        return name[len(pattern):] if name.startswith(pattern) else None
    return "" if name == pattern else None


def classify_section(name: str, object_path: str = "") -> SectionType:
    """The program type libbpf (1.x, else 0.x, else iproute2 conventions) gives section `name`."""
    if name.startswith("?"):  # libbpf (bpf_object__add_programs): "?" only turns autoload off
        name = name[1:]
    for sec_def in SECTION_DEFS + LEGACY_DEFS:
        target = _match_strict(sec_def, name)
        if target is not None:
            return SectionType(sec_def.prog_type, sec_def.attach_type, target or None, sec_def.sleepable)
    if _IPROUTE2_SECTION.match(name):
        xdp = "xdp" in os.path.basename(object_path).lower()
        return SectionType("xdp" if xdp else "sched_cls", "xdp" if xdp else None, None, False, "iproute2")
    best: SectionDef | None = None
    for sec_def in SECTION_DEFS + LEGACY_DEFS:
        base = sec_def.base
        if name.startswith(base) and (best is None or len(base) > len(best.base)):
            best = sec_def
    if best is not None:
        rest = name[len(best.base):]
        target = rest[1:] if rest.startswith("/") and len(rest) > 1 else None
        return SectionType(best.prog_type, best.attach_type, target, best.sleepable, "legacy-prefix")
    return SectionType(None, how="unknown")


def unknown_section_message(section: str) -> str:
    return (f"unknown section type: cannot tell the program type from section name {section!r} "
            f"(libbpf: missing BPF prog type, check ELF section name)")
