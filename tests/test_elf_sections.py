"""Section name -> program type table (libbpf 1.x names, libbpf 0.x prefixes, iproute2 names)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from verifier.elf.sections import SECTION_DEFS, classify_section

PROG_TYPES_CSV = Path("/work/shared/reference/prog_types.csv")


@pytest.mark.parametrize(("name", "prog_type", "attach", "target", "sleepable"), [
    ("socket", "socket_filter", None, None, False),
    ("kprobe/sys_execve", "kprobe", None, "sys_execve", False),
    ("kretprobe/kmem_cache_alloc_node", "kprobe", None, "kmem_cache_alloc_node", False),
    ("uprobe.s/bin:fn", "kprobe", None, "bin:fn", True),
    ("uretprobe/bash_readline", "kprobe", None, "bash_readline", False),
    ("tracepoint/kmem/mm_page_alloc", "tracepoint", None, "kmem/mm_page_alloc", False),
    ("tp/sched/sched_switch", "tracepoint", None, "sched/sched_switch", False),
    ("raw_tracepoint/sys_enter", "raw_tracepoint", None, "sys_enter", False),
    ("raw_tp/sys_enter", "raw_tracepoint", None, "sys_enter", False),
    ("raw_tp.w/foo", "raw_tracepoint_writable", None, "foo", False),
    ("tp_btf/sched_switch", "tracing", "trace_raw_tp", "sched_switch", False),
    ("fentry/tcp_connect", "tracing", "trace_fentry", "tcp_connect", False),
    ("fexit/tcp_close", "tracing", "trace_fexit", "tcp_close", False),
    ("fmod_ret/security_x", "tracing", "modify_return", "security_x", False),
    ("fentry.s/f", "tracing", "trace_fentry", "f", True),
    ("lsm/file_open", "lsm", "lsm_mac", "file_open", False),
    ("lsm.s/file_open", "lsm", "lsm_mac", "file_open", True),
    ("iter/task", "tracing", "trace_iter", "task", False),
    ("syscall", "syscall", None, None, True),
    ("xdp", "xdp", "xdp", None, False),
    ("xdp.frags", "xdp", "xdp", None, False),
    ("xdp/devmap", "xdp", "xdp_devmap", None, False),
    ("tc", "sched_cls", None, None, False),
    ("tc/ingress", "sched_cls", "tcx_ingress", None, False),
    ("classifier", "sched_cls", None, None, False),
    ("action", "sched_act", None, None, False),
    ("cgroup_skb/ingress", "cgroup_skb", "cgroup_inet_ingress", None, False),
    ("cgroup_skb/egress", "cgroup_skb", "cgroup_inet_egress", None, False),
    ("cgroup/skb", "cgroup_skb", None, None, False),
    ("cgroup/sock", "cgroup_sock", "cgroup_inet_sock_create", None, False),
    ("cgroup/sock_release", "cgroup_sock", "cgroup_inet_sock_release", None, False),
    ("cgroup/post_bind4", "cgroup_sock", "cgroup_inet4_post_bind", None, False),
    ("cgroup/connect6", "cgroup_sock_addr", "cgroup_inet6_connect", None, False),
    ("cgroup/bind4", "cgroup_sock_addr", "cgroup_inet4_bind", None, False),
    ("cgroup/sendmsg4", "cgroup_sock_addr", "cgroup_udp4_sendmsg", None, False),
    ("cgroup/recvmsg4", "cgroup_sock_addr", "cgroup_udp4_recvmsg", None, False),
    ("cgroup/getsockopt", "cgroup_sockopt", "cgroup_getsockopt", None, False),
    ("cgroup/setsockopt", "cgroup_sockopt", "cgroup_setsockopt", None, False),
    ("cgroup/sysctl", "cgroup_sysctl", "cgroup_sysctl", None, False),
    ("cgroup/dev", "cgroup_device", "cgroup_device", None, False),
    ("sockops", "sock_ops", "cgroup_sock_ops", None, False),
    ("sk_skb", "sk_skb", None, None, False),
    ("sk_skb/stream_parser", "sk_skb", "sk_skb_stream_parser", None, False),
    ("sk_skb/stream_verdict", "sk_skb", "sk_skb_stream_verdict", None, False),
    ("sk_msg", "sk_msg", "sk_msg_verdict", None, False),
    ("lwt_in", "lwt_in", None, None, False),
    ("lwt_out", "lwt_out", None, None, False),
    ("lwt_xmit", "lwt_xmit", None, None, False),
    ("lwt_seg6local", "lwt_seg6local", None, None, False),
    ("flow_dissector", "flow_dissector", "flow_dissector", None, False),
    ("perf_event", "perf_event", None, None, False),
    ("sk_lookup", "sk_lookup", "sk_lookup", None, False),
    ("sk_reuseport", "sk_reuseport", "sk_reuseport_select", None, False),
    ("struct_ops/ops_init", "struct_ops", None, "ops_init", False),
    ("freplace/target", "ext", None, "target", False),
    ("lirc_mode2", "lirc_mode2", "lirc_mode2", None, False),
    ("netfilter", "netfilter", "netfilter", None, False),
])
def test_libbpf_names(name, prog_type, attach, target, sleepable):
    st = classify_section(name)
    assert (st.prog_type, st.expected_attach_type, st.attach_to, st.sleepable) == \
        (prog_type, attach, target, sleepable)
    assert st.how == "libbpf"


@pytest.mark.parametrize(("name", "prog_type"), [
    ("xdp1", "xdp"), ("xdp_prog/0", "xdp"), ("socket1", "socket_filter"), ("socket_filter", "socket_filter"),
    ("tc_mark", "sched_cls"), ("cgroup/sock1", "cgroup_sock"), ("tc/tail", "sched_cls"),
    ("xdp/entry", "xdp"), ("xdp_devmap/foo", "xdp"),
])
def test_legacy_prefixes(name, prog_type):
    assert classify_section(name).prog_type == prog_type


@pytest.mark.parametrize("name", ["2/7", "1/0x1010", "tail-3", "from-container", "to-netdev", "from-overlay"])
def test_iproute2_names(name):
    assert classify_section(name, "/x/bpf_lxc.o").prog_type == "sched_cls"
    xdp = classify_section(name, "/x/bpf_xdp_dsr_linux.o")
    assert xdp.prog_type == "xdp" and xdp.how == "iproute2"


@pytest.mark.parametrize("name", ["filter", "ingress", "egress", "downcall", "af_xdp", "len_hist", "test",
                                  "redirect_xmit", "loadbalancer", "2/", "tails-3"])
def test_unknown_names(name):
    st = classify_section(name, "/x/datapath.o")
    assert st.prog_type is None and st.how == "unknown"


def test_near_misses_of_exact_names():
    # exact names do not take a "/target" in libbpf 1.x; the 0.x prefix rule still gives the type
    assert classify_section("sockops/foo").how == "legacy-prefix"
    assert classify_section("kprobe").how == "libbpf"  # "kprobe+" also matches the bare name
    assert classify_section("kprobe.multi/x").expected_attach_type == "trace_kprobe_multi"


@pytest.mark.skipif(not PROG_TYPES_CSV.exists(), reason="shared reference not available")
def test_every_reference_section_name_is_known():
    """Each libbpf section name of reference/prog_types.csv maps to its program type."""
    kernel_name = {d.prog_type for d in SECTION_DEFS}
    with PROG_TYPES_CSV.open() as fh:
        rows = list(csv.reader(fh))
    missing = []
    for row in rows[1:]:
        enum_name = row[1].removeprefix("BPF_PROG_TYPE_").lower()
        for raw in row[4].split("|"):
            pattern = re.sub(r"\[.*\]", "", raw).strip()
            if not pattern or pattern.startswith(("fsession", "fentry.multi", "fexit.multi")):
                continue  # attach types newer than the table (7.x)
            name = pattern.rstrip("+")
            st = classify_section(name)
            expected = {"sock_ops": "sock_ops"}.get(enum_name, enum_name)
            if st.prog_type != expected:
                missing.append((pattern, enum_name, st.prog_type))
    assert not missing, missing
    assert "xdp" in kernel_name


@pytest.mark.parametrize(
    ("name", "prog_type", "target"),
    [("?raw_tp", "raw_tracepoint", None), ("?tp_btf/sys_enter", "tracing", "sys_enter"), ("?xdp", "xdp", None)],
)
def test_question_mark_prefix_keeps_the_type(name, prog_type, target):
    st = classify_section(name)
    assert (st.prog_type, st.attach_to) == (prog_type, target)


def test_question_mark_alone_is_no_type():
    assert classify_section("?").prog_type is None
    assert classify_section("??xdp").prog_type is None  # libbpf strips one "?" only
