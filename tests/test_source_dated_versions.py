"""Version facts re-dated from the kernel sources (issue 14; verifier/rules/data/NOTES.md lists the
trees read): our own programs whose verdict changes exactly where the source says.

- st_into_ctx: 'BPF_ST stores into R%d %s is not allowed' is in 6.3.8's verifier.c, gone in 6.4.4;
- linked_scalar_ids_mov32: assign_scalar_id_before_mov() appears in 6.9.0 (not in 6.8.0);
- linked_regs_add_const_any: mainline 6.18.2 links only rX += const in [0, S32_MAX]; the 6.18.44
  build (the 6.18 row) also rX += negative constants;
- fork_scalars_and_or: Debian 6.12.117 has maybe_fork_scalars() (ChangeLog-6.12.75, its BPF_OR fix
  6.12.80); mainline 6.18.2 does not;
- sockmap_lookup: check_map_func_compatibility() lets a sockmap be looked up from 5.8.1 on (not 5.7.14);
- btf_ctx_access(): integer pointers read as scalars from 5.17-rc5, pointer arguments need an 8-byte load
  from 6.13.2 (6.12.6 by backport), pointers to non-structs read as scalars only in 6.18.2 of the trees read.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from bpf_c import compile_c

from verifier.abstract import AnalysisOptions
from verifier.pipeline import Stages, check_program
from verifier.rules import for_kernel

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define PROG(name, body) SEC("socket") __attribute__((naked)) int name(void) { asm volatile (body ::: "memory"); }
PROG(st_imm_into_cb, "*(u32 *)(r1 + 48) = 1; r0 = 0; exit;")
PROG(mov32_link,
     "call 7; r0 &= 255; w1 = w0; if w1 > 16 goto 1f; r2 = r10; r2 += -32; r2 += r0; r3 = 0;"
     "*(u8 *)(r2 + 0) = r3; 1: r0 = 0; exit;")
PROG(negative_add_link,
     "call 7; r0 &= 255; r1 = r0; r1 += -4; if r1 > 8 goto 1f; r2 = r10; r2 += -32; r2 += r0; r3 = 0;"
     "*(u8 *)(r2 + 0) = r3; 1: r0 = 0; exit;")
PROG(and_minus1_0,
     "call 7; w2 = w0; w2 s>>= 31; w2 &= -100; if w2 == 0 goto 1f; if w2 == -100 goto 1f; w0 /= 0;"
     "1: w0 = 0; exit;")
char _license[] SEC("license") = "GPL";
"""

VERDICTS = {
    "st_imm_into_cb": {"6.3": "reject", "6.4": "accept", "6.18": "accept"},
    "mov32_link": {"6.8": "reject", "6.9": "accept", "6.18": "accept"},
    "negative_add_link": {"6.11": "reject", "6.17": "reject", "6.18.2": "reject", "6.18": "accept"},
    "and_minus1_0": {"6.11": "reject", "6.12.79": "reject", "6.12": "accept", "6.18.2": "reject", "6.18": "accept"},
}
CASES = [(name, kernel, verdict) for name, by_kernel in VERDICTS.items() for kernel, verdict in by_kernel.items()]


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("source_dated"))


def _verdict(obj, name: str, kernel: str) -> str:
    prog = next(p for p in obj.programs if p.name == name)
    return check_program(
        obj, prog, kernel, for_kernel(kernel), AnalysisOptions(timeout=10), Stages.real()
    ).verdict


@pytest.mark.parametrize(("name", "kernel", "verdict"), CASES)
def test_verdict_changes_at_the_source_version(obj, name: str, kernel: str, verdict: str) -> None:
    assert _verdict(obj, name, kernel) == verdict


def test_sockmap_lookup_from_5_8() -> None:
    from verifier.elf.reader import load_object

    path = Path(__file__).resolve().parent.parent / "corpus" / "build" / "refs" / "sock_maps.o"
    corpus = load_object(str(path))
    assert _verdict(corpus, "sockmap_lookup_released", "5.7") == "reject"
    assert _verdict(corpus, "sockmap_lookup_released", "5.8") == "accept"


def _tracing_view(kernel: str) -> SimpleNamespace:
    """What btf_ptr.ctx_arg() reads of a verifier: a raw_tp `xmit(void *, long *, struct s *)`."""
    from tests.btf_builder import BtfBuilder
    from verifier.btf.kernel import KernelBtf

    b = BtfBuilder()
    s = b.struct("s", 4, [])
    proto = b.func_proto(0, [("__data", b.ptr(0)), ("cnt", b.ptr(b.int_("long", 8, signed=True))), ("p", b.ptr(s))])
    b.typedef("btf_trace_xmit", b.ptr(proto))
    ids = iter(range(1, 100))
    return SimpleNamespace(
        _kernel_btf=KernelBtf.from_bytes(b.build(), "t"),
        attach_type="trace_raw_tp",
        rules=for_kernel(kernel),
        new_id=lambda: next(ids),
        prog=SimpleNamespace(attach_to="xmit"),
    )


def test_btf_ctx_access_by_source_version() -> None:
    from verifier.abstract import btf_ptr
    from verifier.abstract.regs import PTR_TO_BTF_ID, SCALAR
    from verifier.abstract.reject import Reject

    # long *: refused as 'is not a struct' before is_int_ptr() (5.17-rc5), a scalar after
    with pytest.raises(Reject):
        btf_ptr.ctx_arg(_tracing_view("5.16"), 0, 8)
    assert btf_ptr.ctx_arg(_tracing_view("5.17"), 0, 8).type == SCALAR
    # a 4-byte load of a pointer argument: refused from 6.13 (6.12.6 by backport)
    assert btf_ptr.ctx_arg(_tracing_view("6.12.5"), 8, 4).type == PTR_TO_BTF_ID
    for kernel in ("6.12", "6.13", "6.18"):
        with pytest.raises(Reject):
            btf_ptr.ctx_arg(_tracing_view(kernel), 8, 4)
    rows = {
        "btf_ctx_int_ptr_scalar": ("5.16", "5.17"),
        "btf_ctx_ptr_size_8": ("6.12.5", "6.13"),
        "btf_ctx_non_struct_ptr_scalar": ("6.14", "6.18"),
        "btf_ctx_struct_arg": ("6.0", "6.1"),
    }
    for feature, (without, with_it) in rows.items():
        assert not for_kernel(without).has(feature) and for_kernel(with_it).has(feature), feature


# helpers whose uapi bpf.h FN() entry appears a release later than bcc's table said (rules/data/NOTES.md)
HELPERS_BY_SOURCE = [
    ("tcp_gen_syncookie", "5.3", "5.4"),
    ("tcp_send_ack", "5.5", "5.6"),
    ("jiffies64", "5.5", "5.6"),
    ("sk_assign", "5.6", "5.7"),
    ("seq_printf", "5.7", "5.8"),
    ("csum_level", "5.7", "5.8"),
]


@pytest.mark.parametrize(("helper", "without", "with_it"), HELPERS_BY_SOURCE)
def test_helper_versions_from_uapi(helper: str, without: str, with_it: str) -> None:
    assert for_kernel(without).helper_by_name(helper) is None
    assert for_kernel(with_it).helper_by_name(helper) is not None


def test_pass_facts_by_source_version() -> None:
    from verifier.cfg.kernel_facts import KernelView

    def behaves(kernel: str, fact: str) -> bool:
        return KernelView(for_kernel(kernel)).behaves(fact)

    # check_cond_jmp_op() reads dst_reg first: 6.6.0 (not 6.5.0), 6.1.53 by backport (6.1.192 has it)
    assert behaves("6.6", "cond_jmp_dst_first") and not behaves("6.5", "cond_jmp_dst_first")
    assert behaves("6.1", "cond_jmp_dst_first") and behaves("6.1.53", "cond_jmp_dst_first")
    assert not behaves("6.1.52", "cond_jmp_dst_first") and not behaves("5.10", "cond_jmp_dst_first")
    # check_cfg() steps over ld_imm64: 6.7.3 (not 6.6.0), 6.1.72 by backport
    assert behaves("6.7", "cfg_ldimm64_stride") and not behaves("6.6", "cfg_ldimm64_stride")
    assert behaves("6.1.72", "cfg_ldimm64_stride") and not behaves("6.1.71", "cfg_ldimm64_stride")
    # load-acquire / store-release opcodes: absent 6.14.0, present 6.18.2
    assert behaves("6.18", "atomic_acquire_release") and not behaves("6.17", "atomic_acquire_release")
    assert behaves("5.14", "subprog_and_kfunc_pass") and not behaves("5.13", "subprog_and_kfunc_pass")


def test_return_ranges_and_attach_types_by_source_version() -> None:
    # check_return_code(): fentry/fexit must return 0 from 5.7.14 (5.6.4 does not check them)
    assert for_kernel("5.6").return_range("tracing", "trace_fentry") is None
    assert for_kernel("5.7").return_range("tracing", "trace_fentry") == (0, 0)
    # kprobe/uprobe session [0, 1]: absent from 6.10.0, present in 6.11.11 (uprobe: 6.13.2)
    assert for_kernel("6.10").return_range("kprobe", "trace_kprobe_session") is None
    assert for_kernel("6.11").return_range("kprobe", "trace_kprobe_session") == (0, 1)
    # enum bpf_attach_type: no 4.17/4.18 tree; udp sendmsg hooks taken at 4.19, the stricter side
    assert not for_kernel("4.18").attach_type_supported("cgroup_udp4_sendmsg")
    assert for_kernel("4.19").attach_type_supported("cgroup_udp4_sendmsg")


def test_prog_helpers_by_source_version() -> None:
    from verifier.rules.helpers import find_helper

    def allowed(kernel: str, helper: str, prog_type: str) -> bool:
        info = find_helper(helper)
        assert info is not None
        return for_kernel(kernel).helper_allowed(info.id, prog_type)

    # cgroup_base_func_proto: perf_event_output from 5.8.1 (absent 5.7.14)
    assert not allowed("5.7", "perf_event_output", "cgroup_device")
    assert allowed("5.8", "perf_event_output", "cgroup_device")
    # sock_ops_func_proto: get_netns_cookie from 5.15.16 (absent 5.14-rc5)
    assert not allowed("5.14", "get_netns_cookie", "sock_ops") and allowed("5.15", "get_netns_cookie", "sock_ops")
    # xdp_func_proto: the socket lookups from 5.0.0 (absent 4.20.0)
    assert not allowed("4.20", "sk_lookup_tcp", "xdp") and allowed("5.0", "sk_lookup_tcp", "xdp")
    # cg_skb_func_proto: sk_lookup_tcp from 5.8.1 (absent 5.7.14)
    assert not allowed("5.7", "sk_lookup_tcp", "cgroup_skb") and allowed("5.8", "sk_lookup_tcp", "cgroup_skb")


def test_map_helper_pairs_by_source_version() -> None:
    from verifier.rules.maps import DEVMAP, SK_STORAGE, SOCKMAP, map_compatible

    # check_map_func_compatibility(): a devmap lookup from 5.3 (5.2.1 refuses), a sockmap lookup from 5.8.1
    # (5.7.14 refuses), kptr_xchg on sk_storage from 6.4.4 (6.3.8 refuses)
    assert not map_compatible(DEVMAP, "map_lookup_elem", (5, 2)) and map_compatible(DEVMAP, "map_lookup_elem", (5, 3))
    assert not map_compatible(SOCKMAP, "map_lookup_elem", (5, 7)) and map_compatible(SOCKMAP, "map_lookup_elem", (5, 8))
    assert not map_compatible(SK_STORAGE, "kptr_xchg", (6, 3)) and map_compatible(SK_STORAGE, "kptr_xchg", (6, 4))


def test_packet_and_sock_rules_by_source_version() -> None:
    from verifier.rules import sock_fields

    # may_access_direct_pkt_data(): cgroup_sockopt reads and writes for both attach types from 5.3.0
    assert for_kernel("5.10").packet_access("cgroup_sockopt", "cgroup_setsockopt") == "rw"
    # bpf_sock_is_valid_access(): dst_port a `case offsetof()` 4-byte field before 5.18 (5.2.1, 5.8.1: a
    # narrow load at its first byte only), 16 bits wide from 5.18.12 (a 1-byte load at +1 is allowed, the
    # bytes after it are padding)
    assert sock_fields.sock_access_ok(48, 1, dst_port_u16=False)
    assert not sock_fields.sock_access_ok(49, 1, dst_port_u16=False)
    assert not sock_fields.sock_access_ok(50, 1, dst_port_u16=False)
    assert sock_fields.sock_access_ok(49, 1)
    assert not sock_fields.sock_access_ok(50, 1)
    assert for_kernel("5.10").ctx_access("cgroup_sock", 48, 2, write=False).ok
    assert not for_kernel("5.10").ctx_access("cgroup_sock", 49, 1, write=False).ok
    assert for_kernel("6.1").ctx_access("cgroup_sock", 49, 1, write=False).ok
    assert not for_kernel("6.1").ctx_access("cgroup_sock", 50, 1, write=False).ok


def test_gpl_only_wording_by_source_version() -> None:
    # check_call()/check_helper_call(): the older wording in 4.14.177-4.16.13, the newer in 4.19.304 on
    assert for_kernel("4.16").message("gpl_only") == "cannot call GPL only function from proprietary program"
    assert for_kernel("4.19").message("gpl_only").startswith("cannot call GPL-restricted function")
