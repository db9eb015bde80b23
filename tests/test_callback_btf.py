"""A callback's address needs the BTF function records (check_ld_imm(), BPF_PSEUDO_FUNC, 5.13+):
without .BTF.ext func_info the kernel refuses it with 'missing btf func_info' (6.1.192, 6.12.117
sources). Objects built without -g have none, and legacy objects (static program functions, `maps`
sections) are loaded with bpf() directly, which passes no BTF (verifier.oracle.raw_loader).

The corpus program calls/bpf_loop_nobtf.o (built with -g0) is the first case with the real kernels'
answers recorded (6.1.0-57, 6.12.117, 6.18.44: 'missing btf func_info'); cilium/ebpf's testdata
subprog_reloc.o, a legacy object, was refused the same way by the real 6.1.0-57 and 6.12.117.
"""

from __future__ import annotations

import pytest
from bpf_c import compile_c

from verifier.abstract import AnalysisOptions
from verifier.pipeline import Stages, check_at_target
from verifier.rules import for_kernel

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
static long (*bpf_loop)(unsigned int nr, void *fn, void *ctx, unsigned long long flags) = (void *)181;
static int add_index(unsigned int index, void *data) { *(unsigned long long *)data += index; return 0; }
%s int loop(void *ctx)
{
    unsigned long long sum = 0;
    bpf_loop(100, add_index, &sum, 0);
    return sum & 1;
}
char _license[] SEC("license") = "GPL";
"""


@pytest.fixture(scope="module")
def libbpf_object(tmp_path_factory):
    return compile_c(C_SOURCE % 'SEC("xdp")', tmp_path_factory.mktemp("callback_btf"))


@pytest.fixture(scope="module")
def legacy_object(tmp_path_factory):
    return compile_c(C_SOURCE % 'static SEC("xdp")', tmp_path_factory.mktemp("callback_btf_legacy"))


def _check(obj, kernel: str):
    (prog,) = obj.programs
    return check_at_target(obj, prog, kernel, for_kernel(kernel), AnalysisOptions(timeout=10), Stages.real())


@pytest.mark.parametrize("kernel", ["6.1", "6.12"])
def test_a_callback_with_func_info_is_checked(libbpf_object, kernel: str) -> None:
    assert libbpf_object.programs[0].func_info
    assert _check(libbpf_object, kernel).verdict == "accept"


@pytest.mark.parametrize("kernel", ["6.1", "6.12"])
def test_a_legacy_object_passes_no_func_info(legacy_object, kernel: str) -> None:
    (prog,) = legacy_object.programs
    assert prog.func_refs and not prog.func_info
    verdict = _check(legacy_object, kernel)
    assert verdict.verdict == "reject"
    assert verdict.findings[0].kernel_message == "missing btf func_info"
