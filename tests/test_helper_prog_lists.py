"""Which helpers a program type may call, as the 6.18 switches say (net/core/filter.c,
kernel/bpf/cgroup.c, net/netfilter/nf_bpf_link.c), and ARG_PTR_TO_FIXED_SIZE_MEM arguments:

- cgroup_common_func_proto() (6.1+) gives bpf_get_retval/bpf_set_retval to cgroup/sock and to
  cgroup/sock_addr programs except recvmsg, getpeername and getsockname (false rejects);
- the BPF_CGROUP_UNIX_* attach types get bpf_setsockopt/bpf_getsockopt (6.7+, false rejects);
- cgroup/getsockopt programs may not call bpf_setsockopt/bpf_getsockopt, only cgroup/setsockopt
  (false accept);
- cgroup/sysctl, cgroup/sockopt and netfilter programs get their own switch and then
  bpf_base_func_proto(), nothing else (every helper was allowed: false accepts);
- sk_reuseport falls to bpf_base_func_proto(), without the skc_to_*() casts (false accepts);
- bpf_get_netns_cookie(skb) for tc from 6.13 and socket filters / cgroup_skb from 6.17 (false
  rejects);
- bpf_tcp_raw_check_syncookie_ipv4's fixed-size memory arguments were not checked at all (false
  accepts).

Recorded on 6.18.44-fc-v1045 (the host), this file's own programs (verdict, last log line).
"""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define NAKED __attribute__((naked))
char LICENSE[] SEC("license") = "GPL";

/* helper ids: get_retval 186, set_retval 187, get_netns_cookie 122, setsockopt 49, getsockopt 57,
   redirect 23, csum_diff 28, ktime_get_ns 5, skc_to_tcp_sock 137, tcp_raw_check_syncookie_ipv4 206 */
#define SOCKOPT \
	"r2 = 0; *(u64 *)(r10 - 8) = r2; r2 = 1; r3 = 36; r4 = r10; r4 += -8; r5 = 4;"
SEC("cgroup/connect4") NAKED int connect4_get_retval(void) { asm volatile("call 186; r0 = 1; exit;" ::: "memory"); }
SEC("cgroup/bind6") NAKED int bind6_set_retval(void) { asm volatile("r1 = -1; call 187; r0 = 1; exit;" ::: "memory"); }
SEC("cgroup/recvmsg4") NAKED int recvmsg4_get_retval(void) { asm volatile("call 186; r0 = 1; exit;" ::: "memory"); }
SEC("cgroup/getsockname6") NAKED int getsockname6_set_retval(void) { asm volatile("r1 = 0; call 187; r0 = 1; exit;" ::: "memory"); }
SEC("cgroup/sock_create") NAKED int sock_create_get_retval(void) { asm volatile("call 186; r0 = 1; exit;" ::: "memory"); }
SEC("cgroup_skb/egress") NAKED int cgskb_get_retval(void) { asm volatile("call 186; r0 = 1; exit;" ::: "memory"); }
SEC("sockops") NAKED int sockops_get_retval(void) { asm volatile("call 186; r0 = 1; exit;" ::: "memory"); }
SEC("cgroup/connect_unix") NAKED int connect_unix_setsockopt(void) { asm volatile(SOCKOPT "call 49; r0 = 1; exit;" ::: "memory"); }
SEC("cgroup/connect_unix") NAKED int connect_unix_get_retval(void) { asm volatile("call 186; r0 = 1; exit;" ::: "memory"); }
SEC("cgroup/getsockopt") NAKED int getsockopt_setsockopt(void) { asm volatile("r6 = r1; r1 = *(u64 *)(r6 + 0);" SOCKOPT "call 49; r0 = 1; exit;" ::: "memory"); }
SEC("cgroup/setsockopt") NAKED int setsockopt_setsockopt(void) { asm volatile("r6 = r1; r1 = *(u64 *)(r6 + 0); if r1 == 0 goto 1f;" SOCKOPT "call 49; 1: r0 = 1; exit;" ::: "memory"); }
SEC("cgroup/setsockopt") NAKED int setsockopt_redirect(void) { asm volatile("r1 = 1; r2 = 0; call 23; r0 = 1; exit;" ::: "memory"); }
SEC("cgroup/sysctl") NAKED int sysctl_csum_diff(void) { asm volatile("r1 = 0; r2 = 0; r3 = 0; r4 = 0; r5 = 0; call 28; r0 = 1; exit;" ::: "memory"); }
SEC("cgroup/sysctl") NAKED int sysctl_ktime(void) { asm volatile("call 5; r0 = 1; exit;" ::: "memory"); }
SEC("netfilter") NAKED int netfilter_csum_diff(void) { asm volatile("r1 = 0; r2 = 0; r3 = 0; r4 = 0; r5 = 0; call 28; r0 = 1; exit;" ::: "memory"); }
SEC("netfilter") NAKED int netfilter_ktime(void) { asm volatile("call 5; r0 = 1; exit;" ::: "memory"); }
SEC("sk_reuseport") NAKED int reuseport_skc_to_tcp_sock(void) { asm volatile("r1 = 0; call 137; r0 = 1; exit;" ::: "memory"); }
SEC("tc") NAKED int tc_netns_cookie(void) { asm volatile("call 122; r0 = 1; exit;" ::: "memory"); }
SEC("socket") NAKED int socket_netns_cookie(void) { asm volatile("call 122; r0 = 1; exit;" ::: "memory"); }
SEC("cgroup_skb/ingress") NAKED int cgskb_netns_cookie(void) { asm volatile("call 122; r0 = 1; exit;" ::: "memory"); }
SEC("tc") NAKED int syncookie_null(void) { asm volatile("r1 = 0; r2 = 0; call 206; r0 = 1; exit;" ::: "memory"); }
SEC("tc") NAKED int syncookie_ctx(void) { asm volatile("r2 = r1; call 206; r0 = 1; exit;" ::: "memory"); }
SEC("tc") NAKED int syncookie_stack_short(void) { asm volatile("r1 = 0; *(u64 *)(r10 - 8) = r1; *(u64 *)(r10 - 16) = r1; r1 = r10; r1 += -16; r2 = r1; call 206; r0 = 1; exit;" ::: "memory"); }
SEC("tc") NAKED int syncookie_stack_ok(void) { asm volatile("r1 = 0; *(u64 *)(r10 - 8) = r1; *(u64 *)(r10 - 16) = r1; *(u64 *)(r10 - 24) = r1; r1 = r10; r1 += -24; r2 = r1; call 206; r0 = 1; exit;" ::: "memory"); }
"""

OK = ("accept", "")
MEM_TYPES = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_"


def _cannot(helper: str, fid: int) -> tuple[str, str]:
    return ("reject", f"program of this type cannot use helper bpf_{helper}#{fid}")


KERNEL_6_18 = {
    "connect4_get_retval": OK,
    "bind6_set_retval": OK,
    "recvmsg4_get_retval": _cannot("get_retval", 186),
    "getsockname6_set_retval": _cannot("set_retval", 187),
    "sock_create_get_retval": OK,
    "cgskb_get_retval": _cannot("get_retval", 186),
    "sockops_get_retval": _cannot("get_retval", 186),
    "connect_unix_setsockopt": OK,
    "connect_unix_get_retval": OK,
    "getsockopt_setsockopt": _cannot("setsockopt", 49),
    "setsockopt_setsockopt": OK,
    "setsockopt_redirect": _cannot("redirect", 23),
    "sysctl_csum_diff": _cannot("csum_diff", 28),
    "sysctl_ktime": OK,
    "netfilter_csum_diff": _cannot("csum_diff", 28),
    "netfilter_ktime": OK,
    "reuseport_skc_to_tcp_sock": _cannot("skc_to_tcp_sock", 137),
    "tc_netns_cookie": OK,
    "socket_netns_cookie": OK,
    "cgskb_netns_cookie": OK,
    "syncookie_null": ("reject", f"R1 type=scalar expected={MEM_TYPES}"),
    "syncookie_ctx": ("reject", f"R1 type=ctx expected={MEM_TYPES}"),
    "syncookie_stack_short": ("reject", "invalid read from stack R1 off=-16 size=20"),
    "syncookie_stack_ok": OK,
}

# older kernels, from the sources named in rules/data/prog_helpers.csv
OLDER = {
    ("connect4_get_retval", "6.0"): "reject",  # cgroup_common_func_proto() in filter.c from 6.1
    ("sock_create_get_retval", "6.0"): "reject",
    ("sock_create_get_retval", "6.1"): "accept",
    ("tc_netns_cookie", "6.12"): "reject",  # tc_cls_act_func_proto: from 6.13
    ("tc_netns_cookie", "6.13"): "accept",
    ("socket_netns_cookie", "6.14"): "reject",  # sk_filter_func_proto: present 6.17
    ("cgskb_netns_cookie", "6.14"): "reject",
    ("setsockopt_setsockopt", "5.15"): "accept",
    ("getsockopt_setsockopt", "5.15"): "reject",
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("helper_prog_lists"))


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_helpers_as_the_6_18_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL_6_18[name]


@pytest.mark.parametrize(("name", "kernel"), sorted(OLDER))
def test_helpers_by_version(obj, name: str, kernel: str) -> None:
    assert verdict_and_message(obj, name, kernel)[0] == OLDER[(name, kernel)]
