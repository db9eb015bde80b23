"""Helpers bpf_base_func_proto() gives every program type from 6.17 (kernel/bpf/helpers.c of 6.17.0
and 6.18.2, absent from 6.14): bpf_get_current_comm, bpf_find_vma, bpf_task_storage_get, ... under
CAP_PERFMON or CAP_BPF. bpfcheck refused them outside tracing programs (a false reject).
bpf_get_current_comm in tc: accepted by the running 6.18.44-fc-v1045."""

from __future__ import annotations

from tests.bpf_c import compile_c, verdict_and_message

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
struct __sk_buff { unsigned int len; };
static long (*get_current_comm)(void *buf, unsigned int size) = (void *)16;
char LICENSE[] SEC("license") = "GPL";
SEC("tc") int comm_tc(struct __sk_buff *s) { char c[16]; return get_current_comm(c, 16) & 1; }
"""


def test_current_comm_in_tc_from_6_17(tmp_path) -> None:
    obj = compile_c(SOURCE, tmp_path)
    assert verdict_and_message(obj, "comm_tc", "6.18") == ("accept", "")
    verdict, message = verdict_and_message(obj, "comm_tc", "6.14")
    assert verdict == "reject"
    assert "bpf_get_current_comm" in message
