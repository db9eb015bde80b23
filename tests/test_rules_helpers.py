"""Helpers by version, per-program-type availability, prototypes, map compatibility."""

from verifier.rules import for_kernel
from verifier.rules.protos import permissive_proto

MAP_LOOKUP, SKB_STORE_BYTES, TAIL_CALL, PERF_OUTPUT, SKB_LOAD_BYTES = 1, 9, 12, 25, 26
SOCK_MAP_UPDATE, RINGBUF_OUTPUT, RINGBUF_RESERVE, RINGBUF_SUBMIT, LOOP = 53, 130, 131, 132, 181
PROBE_READ, GET_PID_TGID, SK_LOOKUP_TCP, SK_RELEASE, REDIRECT_MAP = 4, 14, 84, 86, 51
PROG_ARRAY, PERF_EVENT_ARRAY, HASH, ARRAY, DEVMAP, RINGBUF = 3, 4, 1, 2, 14, 27


def test_helper_by_version():
    assert for_kernel("5.7").helper(RINGBUF_OUTPUT) is None
    info = for_kernel("5.8").helper(RINGBUF_OUTPUT)
    assert info is not None and info.name == "ringbuf_output" and info.version == (5, 8)
    assert for_kernel("5.16").helper(LOOP) is None
    assert for_kernel("5.17").helper(LOOP).name == "loop"
    assert for_kernel("6.18").helper(100_000) is None


def test_helper_by_name_forms():
    rules = for_kernel("6.1")
    for name in ("map_lookup_elem", "bpf_map_lookup_elem", "BPF_FUNC_map_lookup_elem"):
        assert rules.helper_by_name(name).id == MAP_LOOKUP
    assert for_kernel("5.7").helper_by_name("ringbuf_output") is None
    assert rules.helper(MAP_LOOKUP).kernel_name == "bpf_map_lookup_elem"


def test_gpl_flags():
    rules = for_kernel("6.1")
    assert rules.helper(PROBE_READ).gpl_only
    assert not rules.helper(MAP_LOOKUP).gpl_only
    assert rules.helper(MAP_LOOKUP).gpl_known


def test_helper_allowed_per_type():
    rules = for_kernel("6.1")
    assert not rules.helper_allowed(SKB_STORE_BYTES, "socket_filter")
    assert rules.helper_allowed(SKB_STORE_BYTES, "sched_cls")
    assert rules.helper_allowed(SKB_LOAD_BYTES, "socket_filter")
    assert not rules.helper_allowed(SKB_LOAD_BYTES, "xdp")
    # sock_ops_func_proto has a sock_map_update case (net/core/filter.c); sk_msg does not
    assert rules.helper_allowed(SOCK_MAP_UPDATE, "sock_ops")
    assert not rules.helper_allowed(SOCK_MAP_UPDATE, "sk_msg")
    assert rules.helper_allowed(PROBE_READ, "kprobe")
    assert not rules.helper_allowed(PROBE_READ, "xdp")
    assert rules.helper_allowed(MAP_LOOKUP, "xdp")
    assert rules.helper_allowed(TAIL_CALL, "tracepoint")
    assert rules.helper_allowed(REDIRECT_MAP, "xdp")


def test_helper_allowed_respects_versions():
    assert not for_kernel("5.7").helper_allowed(RINGBUF_OUTPUT, "xdp")
    assert for_kernel("5.8").helper_allowed(RINGBUF_OUTPUT, "xdp")
    # get_current_pid_tgid joined the base set late: not for tc before that
    assert not for_kernel("5.10").helper_allowed(GET_PID_TGID, "sched_cls")
    assert for_kernel("5.10").helper_allowed(GET_PID_TGID, "kprobe")
    # program type newer than the kernel
    assert not for_kernel("4.14").helper_allowed(MAP_LOOKUP, "sk_msg")


def test_helper_allowed_attach_type_and_privilege():
    rules = for_kernel("6.1")
    bind = rules.helper_by_name("bind").id
    assert rules.helper_allowed(bind, "cgroup_sock_addr", "cgroup_inet4_connect")
    assert not rules.helper_allowed(bind, "cgroup_sock_addr", "cgroup_inet4_bind")
    spin_lock = rules.helper_by_name("spin_lock").id
    assert rules.helper_allowed(spin_lock, "sched_cls")
    assert not rules.helper_allowed(spin_lock, "sched_cls", privileged=False)


def test_proto_depends_on_prog_type():
    rules = for_kernel("6.1")
    assert (
        rules.helper_proto(SKB_LOAD_BYTES, "flow_dissector").symbol == "bpf_flow_dissector_load_bytes_proto"
    )
    assert rules.helper_proto(SKB_LOAD_BYTES, "sched_cls").symbol == "bpf_skb_load_bytes_proto"
    assert rules.helper_proto(PERF_OUTPUT, "xdp").symbol == "bpf_xdp_event_output_proto"
    assert rules.helper_proto(PERF_OUTPUT, "tracepoint").symbol == "bpf_perf_event_output_proto_tp"


def test_proto_contents():
    rules = for_kernel("6.1")
    lookup = rules.helper_proto(MAP_LOOKUP, "xdp")
    assert lookup.known
    assert lookup.ret_type == "RET_PTR_TO_MAP_VALUE" and lookup.ret_maybe_null
    assert [a.type for a in lookup.args] == ["ARG_CONST_MAP_PTR", "ARG_PTR_TO_MAP_KEY"]
    csum = rules.helper_proto(rules.helper_by_name("csum_diff").id, "sched_cls")
    assert csum.arg(1).type == "ARG_PTR_TO_MEM" and csum.arg(1).flags == {"MAYBE_NULL", "RDONLY"}
    load = rules.helper_proto(SKB_LOAD_BYTES, "sched_cls")
    assert load.arg(3).type == "ARG_PTR_TO_MEM" and "UNINIT" in load.arg(3).flags
    assert load.arg(6) is None
    lookup_tcp = rules.helper_proto(SK_LOOKUP_TCP, "sched_cls")
    assert lookup_tcp.acquires and lookup_tcp.ret_maybe_null
    assert rules.helper_proto(SK_RELEASE, "sched_cls").releases == 1
    assert rules.helper_proto(RINGBUF_RESERVE, "kprobe").acquires
    assert rules.helper_proto(RINGBUF_SUBMIT, "kprobe").releases == 1
    assert rules.helper_proto(TAIL_CALL, "xdp").map_types == {PROG_ARRAY}
    assert rules.helper_proto(PERF_OUTPUT, "kprobe").gpl_only
    assert rules.helper_proto(RINGBUF_OUTPUT, "kprobe") is not None
    assert for_kernel("5.7").helper_proto(RINGBUF_OUTPUT, "kprobe") is None


def test_unknown_proto_is_permissive():
    # every helper of data/helpers.csv has a prototype now; the stand-in is for anything else
    proto = permissive_proto(999, "no_such_helper")
    assert not proto.known
    assert proto.ret_type == "RET_INTEGER"
    assert len(proto.args) == 5 and all(a.type == "ARG_ANYTHING" for a in proto.args)


def test_every_helper_has_a_prototype():
    rules = for_kernel("6.18")
    lirc = rules.helper_proto(rules.helper_by_name("rc_repeat").id, "lirc_mode2")
    assert lirc.known and [a.type for a in lirc.args] == ["ARG_PTR_TO_CTX"]
    ima = rules.helper_proto(rules.helper_by_name("ima_inode_hash").id, "lsm")
    assert ima.known and len(ima.args) == 3


def test_map_compatibility():
    rules = for_kernel("6.1")
    assert rules.map_compatible(PROG_ARRAY, TAIL_CALL)
    assert not rules.map_compatible(HASH, TAIL_CALL)
    assert not rules.map_compatible(PROG_ARRAY, MAP_LOOKUP)
    assert rules.map_compatible(PERF_EVENT_ARRAY, PERF_OUTPUT)
    assert not rules.map_compatible(ARRAY, PERF_OUTPUT)
    assert rules.map_compatible(RINGBUF, RINGBUF_OUTPUT)
    assert not rules.map_compatible(HASH, RINGBUF_OUTPUT)
    assert not rules.map_compatible(RINGBUF, MAP_LOOKUP)
    assert rules.map_compatible(DEVMAP, REDIRECT_MAP)
    assert not rules.map_compatible(ARRAY, REDIRECT_MAP)
    assert rules.map_compatible(HASH, MAP_LOOKUP)


def test_map_types_by_version():
    assert for_kernel("5.7").map_type(RINGBUF) is None
    assert for_kernel("5.8").map_type(RINGBUF).name == "ringbuf"
    assert for_kernel("4.14").map_type(HASH).name == "hash"
