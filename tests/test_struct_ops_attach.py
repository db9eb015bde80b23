"""struct_ops programs and check_struct_ops_btf_id() (kernel/bpf/verifier.c, 5.6+).

The loader names the struct a struct_ops program implements (attach_btf_id) only when a `.struct_ops`
variable points at it; libbpf 1.1 skips `.struct_ops.link` (libbpf 1.2's). With attach_btf_id 0 the
kernel refuses the program: 'attach_btf_id 0 is not a supported struct' (5.10.262, 6.1.192 sources),
ENOTSUPP with no log line from 6.9 (6.12.117 source). A license that is not GPL-compatible is refused
first. The corpus programs types/struct_ops.o and types/struct_ops_nongpl.o are the same cases with the
real kernels' answers recorded (tests/data/kernels/<uname -r>/corpus.jsonl, 5.10.0-46, 6.1.0-57,
6.12.117; tests/data/kernel_recordings/corpus.json, 6.18.44): every one refuses all three.
"""

from __future__ import annotations

import pytest
from bpf_c import compile_c

from verifier.abstract import AnalysisOptions
from verifier.btf.struct_ops_attach import GPL_MESSAGE, NO_STRUCT_MESSAGE
from verifier.pipeline import Stages, check_at_target
from verifier.rules import for_kernel

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
struct my_ops { int (*first)(void); int (*second)(void); };
SEC("struct_ops/in_map") int in_map(void) { return 0; }
SEC("struct_ops/in_link") int in_link(void) { return 0; }
SEC("struct_ops/alone") int alone(void) { return 0; }
SEC(".struct_ops") struct my_ops ops = { .second = (void *)in_map };
SEC(".struct_ops.link") struct my_ops ops_link = { .first = (void *)in_link };
char _license[] SEC("license") = "%s";
"""


@pytest.fixture(scope="module")
def gpl(tmp_path_factory):
    return compile_c(C_SOURCE % "GPL", tmp_path_factory.mktemp("struct_ops_gpl"))


@pytest.fixture(scope="module")
def proprietary(tmp_path_factory):
    return compile_c(C_SOURCE % "Proprietary", tmp_path_factory.mktemp("struct_ops_prop"))


def _check(obj, name: str, kernel: str):
    prog = next(p for p in obj.programs if p.name == name)
    return check_at_target(obj, prog, kernel, for_kernel(kernel), AnalysisOptions(timeout=10), Stages.real())


def test_the_struct_ops_variable_names_the_struct(gpl) -> None:
    types = {p.name: p.struct_ops_type for p in gpl.programs}
    assert types == {"in_map": "my_ops", "in_link": None, "alone": None}


@pytest.mark.parametrize("kernel", ["5.10", "6.1", "6.8"])
@pytest.mark.parametrize("name", ["in_link", "alone"])
def test_attach_btf_id_zero_is_refused_with_a_message_before_6_9(gpl, name: str, kernel: str) -> None:
    verdict = _check(gpl, name, kernel)
    assert verdict.verdict == "reject"
    assert verdict.findings[0].kernel_message == NO_STRUCT_MESSAGE


@pytest.mark.parametrize("kernel", ["6.9", "6.12", "6.18"])
@pytest.mark.parametrize("name", ["in_link", "alone"])
def test_attach_btf_id_zero_is_refused_silently_from_6_9(gpl, name: str, kernel: str) -> None:
    verdict = _check(gpl, name, kernel)
    assert verdict.verdict == "reject"
    assert verdict.findings[0].kernel_message == ""


@pytest.mark.parametrize("kernel", ["5.10", "6.12"])
def test_a_program_the_struct_ops_variable_names_goes_on(gpl, kernel: str) -> None:
    assert _check(gpl, "in_map", kernel).verdict == "accept"


@pytest.mark.parametrize("kernel", ["5.10", "6.1", "6.12"])
@pytest.mark.parametrize("name", ["in_map", "alone"])
def test_the_license_is_checked_first(proprietary, name: str, kernel: str) -> None:
    verdict = _check(proprietary, name, kernel)
    assert verdict.verdict == "reject"
    assert verdict.findings[0].kernel_message == GPL_MESSAGE


def test_before_5_6_the_program_type_itself_is_unknown(gpl) -> None:
    verdict = _check(gpl, "alone", "5.4")
    assert verdict.verdict == "reject"
    assert verdict.findings[0].kernel_message != NO_STRUCT_MESSAGE
