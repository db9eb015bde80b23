"""Context access rules per program type, return ranges, packet access."""

import pytest

from verifier.rules import for_kernel

NEW = for_kernel("6.1")


def ok(ptype, off, size, write=False, attach=None, privileged=True, rules=NEW):
    return rules.ctx_access(ptype, off, size, write, attach, privileged)


def test_skb_len_and_pointers():
    assert ok("sched_cls", 0, 4).ok and ok("sched_cls", 0, 4).reg_type is None
    assert ok("sched_cls", 0, 2).ok  # narrow load
    assert not ok("sched_cls", 1, 2).ok  # misaligned
    assert ok("sched_cls", 76, 4).reg_type == "pkt"
    assert ok("sched_cls", 80, 4).reg_type == "pkt_end"
    assert ok("sched_cls", 140, 4).reg_type == "pkt_meta"
    assert not ok("sched_cls", 76, 8).ok  # data must be a 4-byte load
    assert not ok("sched_cls", 0, 4, write=True).ok  # len is read-only
    assert ok("sched_cls", 8, 4, write=True).ok  # mark
    assert not ok("sched_cls", 8, 2, write=True).ok  # writes are exact
    assert ok("sched_cls", 168, 8).reg_type == "sock_common_or_null"
    assert not ok("sched_cls", 192, 4).ok  # past the end


def test_skb_per_type_differences():
    assert not ok("socket_filter", 76, 4).ok
    assert ok("socket_filter", 48, 4, write=True).ok  # cb
    assert ok("socket_filter", 48, 8).ok and not ok("socket_filter", 64, 8).ok  # cb[4] ends at 68
    assert not ok("socket_filter", 8, 4, write=True).ok  # mark
    assert ok("cgroup_skb", 76, 4).reg_type == "pkt"
    assert not ok("cgroup_skb", 76, 4, privileged=False).ok
    assert not ok("cgroup_skb", 76, 4, rules=for_kernel("4.19")).ok
    assert not ok("sk_skb", 8, 4).ok  # mark
    assert ok("sk_skb", 88, 4).ok  # family
    assert not ok("sched_cls", 88, 4).ok
    assert ok("flow_dissector", 144, 8).reg_type == "flow_keys"
    assert not ok("flow_dissector", 0, 4).ok
    assert not ok("sched_cls", 152, 8, rules=for_kernel("4.20")).ok  # tstamp is 5.0
    assert ok("sched_cls", 152, 8, rules=for_kernel("5.0")).ok


def test_xdp():
    assert ok("xdp", 0, 4).reg_type == "pkt"
    assert ok("xdp", 4, 4).reg_type == "pkt_end"
    assert ok("xdp", 8, 4).reg_type == "pkt_meta"
    assert not ok("xdp", 0, 8).ok
    assert not ok("xdp", 12, 2).ok
    assert not ok("xdp", 0, 4, write=True).ok
    assert not ok("xdp", 20, 4, attach="xdp").ok
    assert ok("xdp", 20, 4, attach="xdp_devmap").ok
    assert not ok("xdp", 8, 4, rules=for_kernel("4.14")).ok  # data_meta is 4.15


def test_tracing_types():
    assert ok("kprobe", 0, 8).ok and ok("kprobe", 160, 8).ok
    assert not ok("kprobe", 168, 8).ok and not ok("kprobe", 4, 8).ok
    assert not ok("kprobe", 0, 8, write=True).ok
    assert ok("tracepoint", 8, 8).ok and ok("tracepoint", 16, 4).ok
    assert not ok("tracepoint", 0, 8).ok
    assert ok("raw_tracepoint", 88, 8).ok and not ok("raw_tracepoint", 96, 8).ok
    assert ok("perf_event", 168, 8).ok and ok("perf_event", 168, 4).ok
    assert not ok("perf_event", 0, 4).ok  # regs are read as longs
    assert ok("tracing", 0, 8).reg_type == "btf_id"
    assert ok("raw_tracepoint_writable", 0, 8).reg_type == "tp_buffer"


def test_socket_types():
    assert ok("sock_ops", 8, 4).ok and ok("sock_ops", 8, 4).reg_type is None
    assert ok("sock_ops", 4, 4, write=True).ok  # reply
    assert not ok("sock_ops", 8, 4, write=True).ok
    assert not ok("sock_ops", 0, 2).ok
    assert ok("sock_ops", 184, 8).reg_type == "sock_or_null"
    assert ok("sock_ops", 192, 8).reg_type == "pkt"
    assert ok("sk_msg", 0, 8).reg_type == "pkt" and ok("sk_msg", 8, 8).reg_type == "pkt_end"
    assert not ok("sk_msg", 0, 4).ok
    assert ok("cgroup_sock", 4, 4).ok  # family
    assert ok("cgroup_sock", 16, 4, write=True, attach="cgroup_inet_sock_create").ok
    assert not ok("cgroup_sock", 16, 4, attach="cgroup_inet4_post_bind").ok
    assert ok("cgroup_sock_addr", 4, 4, write=True, attach="cgroup_inet4_connect").ok
    assert not ok("cgroup_sock_addr", 4, 4, attach="cgroup_inet6_connect").ok
    assert ok("cgroup_sock_addr", 8, 8, attach="cgroup_inet6_connect").ok  # wide user_ip6
    assert ok("cgroup_sock_addr", 64, 8).reg_type == "sock"
    assert ok("cgroup_sockopt", 8, 8).reg_type == "pkt"
    assert ok("cgroup_sockopt", 36, 4, write=True, attach="cgroup_getsockopt").ok
    assert not ok("cgroup_sockopt", 36, 4, attach="cgroup_setsockopt").ok


def test_unknown_type_is_permissive():
    assert ok("struct_ops", 0, 8).ok
    assert ok(None, 16, 4).ok


@pytest.mark.parametrize(
    ("kernel", "ptype", "attach", "expected"),
    [
        ("6.1", "xdp", None, None),
        ("6.1", "socket_filter", None, None),
        ("6.1", "cgroup_skb", "cgroup_inet_ingress", (0, 1)),
        ("6.1", "cgroup_skb", "cgroup_inet_egress", (0, 3)),
        ("5.2", "cgroup_skb", "cgroup_inet_egress", (0, 1)),
        ("4.14", "cgroup_skb", None, None),
        ("4.15", "cgroup_skb", None, (0, 1)),
        ("6.1", "sock_ops", None, (0, 1)),
        ("6.1", "cgroup_sock_addr", "cgroup_udp4_recvmsg", (1, 1)),
        ("6.1", "cgroup_sock_addr", "cgroup_inet4_connect", (0, 1)),
        ("6.1", "tracing", "trace_fentry", (0, 0)),
        ("6.1", "tracing", "trace_raw_tp", None),
        ("6.1", "tracing", "trace_iter", (0, 1)),
        ("6.1", "sk_lookup", None, (0, 1)),
    ],
)
def test_return_ranges(kernel, ptype, attach, expected):
    assert for_kernel(kernel).return_range(ptype, attach) == expected


def test_return_range_accepts_uapi_spellings():
    assert NEW.return_range("BPF_PROG_TYPE_CGROUP_SKB", "BPF_CGROUP_INET_EGRESS") == (0, 3)
    assert NEW.return_range(8, "cgroup_inet_egress") == (0, 3)


def test_packet_access_and_ld_abs():
    assert NEW.packet_access("xdp") == "rw"
    assert NEW.packet_access("sched_cls") == "rw"
    assert NEW.packet_access("lwt_in") == "r"
    assert NEW.packet_access("cgroup_skb") == "r"
    assert NEW.packet_access("socket_filter") is None
    assert NEW.packet_access("kprobe") is None
    assert for_kernel("4.19").packet_access("cgroup_skb") is None
    assert NEW.ld_abs_allowed("socket_filter") and NEW.ld_abs_allowed("sched_act")
    assert not NEW.ld_abs_allowed("xdp")


def test_prog_types_by_version():
    assert for_kernel("4.14").prog_type("sk_msg") is None
    info = for_kernel("4.17").prog_type("sk_msg")
    assert info.id == 16 and info.ctx_struct == "sk_msg_md"
    assert NEW.prog_type("BPF_PROG_TYPE_XDP").name == "xdp"
    assert NEW.prog_type(6).name == "xdp"
    assert "xdp" in NEW.prog_type("xdp").sections[-1]
    assert NEW.prog_type("nonsense") is None


def test_attach_type_versions():
    assert not for_kernel("5.7").attach_type_supported("trace_iter")
    assert for_kernel("5.8").attach_type_supported("BPF_TRACE_ITER")
    assert not for_kernel("5.2").attach_type_supported("cgroup_getsockopt")
    assert for_kernel("5.3").attach_type_supported("cgroup_getsockopt")
    assert for_kernel("4.14").attach_type_supported(None)
    assert for_kernel("4.14").attach_type_supported("some_future_attach_type")


def test_tracepoint_record_size_grew_in_5_16():
    """PERF_MAX_TRACE_SIZE: 2048 in 5.15.16, 8192 from 5.16.10 (the running 6.18 reads offset 4096)."""
    assert not ok("tracepoint", 4096, 8, rules=for_kernel("5.15")).ok
    assert ok("tracepoint", 4096, 8, rules=for_kernel("5.16")).ok
    assert ok("tracepoint", 4096, 8, rules=for_kernel("6.18")).ok
    assert not ok("tracepoint", 8192, 8, rules=for_kernel("6.18")).ok
    # backported in 5.10.216 (measured: the real 5.10.0-46, 5.10.262, reads offset 4096)
    assert ok("tracepoint", 4096, 8, rules=for_kernel("5.10")).ok
    assert not ok("tracepoint", 4096, 8, rules=for_kernel("5.10.215")).ok
    assert ok("tracepoint", 2040, 8, rules=for_kernel("5.10.215")).ok
