"""A socket seen through a cast helper (bpf_tcp_sock, bpf_sk_fullsock, bpf_skc_to_*) carries the
reference of the socket it came from (is_ptr_cast_function(): R0.ref_obj_id = meta.ref_obj_id), so
bpf_sk_release() of that socket kills the cast pointer too; a NULL cast does not drop the socket's
reference. Verdicts and messages: the running 6.18.44 kernel; the rule dates from 5.1 (1b986589680a).
"""

from __future__ import annotations

import pytest
from bpf_c import compile_c

from verifier.abstract import AnalysisOptions
from verifier.pipeline import Stages, check_program
from verifier.rules import for_kernel

C_SOURCE = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static struct bpf_sock *lookup(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	return bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
}
SEC("tc") int cast_used_after_release(struct __sk_buff *skb)
{
	struct bpf_sock *sk = lookup(skb);
	if (!sk) return 0;
	struct bpf_tcp_sock *tp = bpf_tcp_sock(sk);
	bpf_sk_release(sk);
	if (!tp) return 0;
	return tp->snd_cwnd;
}
SEC("tc") int fullsock_used_after_release(struct __sk_buff *skb)
{
	struct bpf_sock *sk = lookup(skb);
	if (!sk) return 0;
	struct bpf_sock *f = bpf_sk_fullsock(sk);
	bpf_sk_release(sk);
	if (!f) return 0;
	return f->mark;
}
SEC("tc") int cast_used_before_release(struct __sk_buff *skb)
{
	struct bpf_sock *sk = lookup(skb);
	if (!sk) return 0;
	struct bpf_tcp_sock *tp = bpf_tcp_sock(sk);
	int r = tp ? tp->snd_cwnd : 0;
	bpf_sk_release(sk);
	return r;
}
SEC("tc") int null_cast_keeps_reference(struct __sk_buff *skb)
{
	struct bpf_sock *sk = lookup(skb);
	if (!sk) return 0;
	if (!bpf_tcp_sock(sk)) return 1;
	bpf_sk_release(sk);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
"""

EXPECTED = {
    "cast_used_after_release": "R8 invalid mem access 'scalar'",
    "fullsock_used_after_release": "R8 invalid mem access 'scalar'",
    "cast_used_before_release": None,
    "null_cast_keeps_reference": "BPF_EXIT instruction in main prog would lead to reference leak",
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("ptr_cast_refs"))


@pytest.mark.parametrize("kernel", ["6.18", "5.10"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cast_pointers_share_the_reference(obj, name: str, kernel: str) -> None:
    prog = next(p for p in obj.programs if p.name == name)
    verdict = check_program(obj, prog, kernel, for_kernel(kernel), AnalysisOptions(timeout=10), Stages.real())
    expected = EXPECTED[name]
    if expected is None:
        assert verdict.verdict == "accept", verdict.findings
    else:
        assert verdict.verdict == "reject"
        if kernel == "6.18":
            assert verdict.findings[0].kernel_message == expected
