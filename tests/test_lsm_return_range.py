"""LSM hooks' return ranges (6.11+): check_return_code() asks get_func_retval_range(), which for an lsm_mac
program is bpf_lsm_get_retval_range() (kernel/bpf/bpf_lsm.c): [0, 1] for bool_lsm_hooks, [-MAX_ERRNO, 0]
for any other hook with a return value, nothing for a void hook; the kernel compares R0's 32-bit signed
bounds. Absent from 6.10.0, present in 6.11.11 and later trees (verifier/rules/data/NOTES.md). The hook's
return type comes from the target's BTF (here a small one of our own)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bpf_c import compile_c

from tests.btf_builder import BtfBuilder
from verifier.abstract import AnalysisOptions
from verifier.pipeline import Stages, check_program
from verifier.rules import for_kernel

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
SEC("lsm/file_open") int ret_one(void *ctx) { return 1; }
SEC("lsm/file_open") int ret_eperm(void *ctx) { return -1; }
SEC("lsm/file_open") int ret_low32(void *ctx) { return 0; }
SEC("lsm/audit_rule_known") int bool_one(void *ctx) { return 1; }
SEC("lsm/audit_rule_known") int bool_two(void *ctx) { return 2; }
SEC("lsm/file_free") int void_hook(void *ctx) { return 7; }
char _license[] SEC("license") = "GPL";
"""


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("lsm_ret"))


@pytest.fixture(scope="module")
def btf_path(tmp_path_factory) -> str:
    b = BtfBuilder()
    i32 = b.int_("int", 4, signed=True)
    file = b.struct("file", 8, [])
    b.func("bpf_lsm_file_open", b.func_proto(i32, [("file", b.ptr(file))]))
    b.func("bpf_lsm_audit_rule_known", b.func_proto(i32, [("krule", b.ptr(0))]))
    b.func("bpf_lsm_file_free", b.func_proto(0, [("file", b.ptr(file))]))
    path = Path(tmp_path_factory.mktemp("lsm_btf")) / "vmlinux.btf"
    path.write_bytes(b.build())
    return str(path)


def _verdict(obj, btf: str, name: str, kernel: str) -> tuple[str, str]:
    prog = next(p for p in obj.programs if p.name == name)
    options = AnalysisOptions(timeout=10, kernel_btf=((kernel, btf),))
    v = check_program(obj, prog, kernel, for_kernel(kernel), options, Stages.real())
    return v.verdict, (v.findings[0].kernel_message if v.verdict == "reject" else "")


@pytest.mark.parametrize(
    ("name", "at_6_11"),
    [
        ("ret_one", "At program exit the register R0 has smin=1 smax=1 should have been in [-4095, 0]"),
        ("ret_eperm", ""),
        ("ret_low32", ""),
        ("bool_one", ""),
        ("bool_two", "At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]"),
        ("void_hook", ""),
    ],
)
def test_lsm_hook_ranges(obj, btf_path: str, name: str, at_6_11: str) -> None:
    verdict, message = _verdict(obj, btf_path, name, "6.11")
    assert (verdict, message) == ("reject" if at_6_11 else "accept", at_6_11)
    assert _verdict(obj, btf_path, name, "6.10")[0] == "accept"  # no range before 6.11
    assert _verdict(obj, btf_path, name, "6.18")[0] == verdict
