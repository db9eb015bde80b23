"""Argument rules of particular helpers that check_helper_call() enforces beyond the prototypes.

bpf_get_local_storage() cannot fail, so its flags must be a known zero ('get_local_storage()
doesn't support non-zero flags', since 4.19). Verdicts and messages: the running 6.18.44 kernel.
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

struct { __uint(type, BPF_MAP_TYPE_CGROUP_STORAGE); __type(key, struct bpf_cgroup_storage_key);
    __type(value, __u64); } storage SEC(".maps");

SEC("cgroup_skb/egress") int storage_flags_one(struct __sk_buff *skb)
{ __u64 *v = bpf_get_local_storage(&storage, 1); *v += 1; return 1; }
SEC("cgroup_skb/egress") int storage_flags_unknown(struct __sk_buff *skb)
{ __u64 *v = bpf_get_local_storage(&storage, skb->len & 1); *v += 1; return 1; }
SEC("cgroup_skb/egress") int storage_flags_zero(struct __sk_buff *skb)
{ __u64 *v = bpf_get_local_storage(&storage, 0); *v += 1; return 1; }
char LICENSE[] SEC("license") = "GPL";
"""

EXPECTED = {
    "storage_flags_one": "get_local_storage() doesn't support non-zero flags",
    "storage_flags_unknown": "get_local_storage() doesn't support non-zero flags",
    "storage_flags_zero": None,
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("helper_arg_rules"))


@pytest.mark.parametrize("kernel", ["6.18", "5.10"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_helper_specific_argument_rules(obj, name: str, kernel: str) -> None:
    prog = next(p for p in obj.programs if p.name == name)
    verdict = check_program(obj, prog, kernel, for_kernel(kernel), AnalysisOptions(timeout=10), Stages.real())
    expected = EXPECTED[name]
    if expected is None:
        assert verdict.verdict == "accept", verdict.findings
    else:
        assert verdict.verdict == "reject"
        assert verdict.findings[0].kernel_message == expected
