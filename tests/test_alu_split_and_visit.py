"""check_alu_op() on the walked paths: a constant divisor of 0 or an out-of-range shift only
refuses an instruction the verifier reaches; and maybe_fork_scalars() (6.18 stable, 7.0): AND/OR
with a constant of a scalar in [-1, 0] splits the path into -1 and 0. Verdicts and messages as
the running 6.18.44 kernel gave them (loaded one program at a time)."""

from __future__ import annotations

import pytest
from bpf_c import compile_c

from verifier.abstract import AnalysisOptions
from verifier.abstract.analyze import analyze_program
from verifier.pipeline import Stages, check_object
from verifier.rules import for_kernel

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define NAKED __attribute__((naked))
SEC("socket") NAKED int div0_dead(void)
{ asm volatile ("r0 = 3; r1 = r0; r1 >>= 1; if r1 == 1 goto 1f; r0 /= 0; 1: exit;" ::: "memory"); }
SEC("socket") NAKED int div0_live(void)
{ asm volatile ("call 7; r1 = r0; r1 >>= 31; if r1 == 1 goto 1f; r0 /= 0; 1: r0 = 0; exit;" ::: "memory"); }
SEC("socket") NAKED int shift_dead(void)
{ asm volatile ("r0 = 0; if r0 == 0 goto 1f; r0 <<= 64; 1: exit;" ::: "memory"); }
SEC("socket") NAKED int and_minus1_0(void)
{ asm volatile ("call 7; w2 = w0; w2 s>>= 31; w2 &= -100; if w2 == 0 goto 1f; if w2 == -100 goto 1f;"
                "w0 /= 0; 1: w0 = 0; exit;" ::: "memory"); }
SEC("socket") NAKED int or_minus1_0(void)
{ asm volatile ("call 7; r2 = r0; r2 <<= 32; r2 s>>= 63; r2 |= 6; if r2 == 6 goto 1f; if r2 == -1 goto 1f;"
                "r0 /= 0; 1: r0 = 0; exit;" ::: "memory"); }
SEC("socket") NAKED int or_minus1_0_zero_side(void)
{ asm volatile ("call 7; r2 = r0; r2 <<= 32; r2 s>>= 63; r2 |= 6; if r2 != 0 goto 1f; r0 /= 0; 1: r0 = 0; exit;"
                ::: "memory"); }
SEC("socket") NAKED int and_minus1_1(void)
{ asm volatile ("call 7; w2 = w0; w2 &= 3; w2 += -1; if w2 s> 1 goto 1f; w2 &= -100; if w2 == 0 goto 1f;"
                "if w2 == -100 goto 1f; w0 /= 0; 1: w0 = 0; exit;" ::: "memory"); }
char _license[] SEC("license") = "GPL";
"""

# program -> the 6.18.44 kernel's verdict ("" accepted, else its last log line)
KERNEL_6_18 = {
    "div0_dead": "",
    "div0_live": "div by zero",
    "shift_dead": "",
    "and_minus1_0": "",
    "or_minus1_0": "",
    "or_minus1_0_zero_side": "",  # the 0 side re-executes the OR: 6, never 0
    "and_minus1_1": "div by zero",  # [-1, 1] is not split
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("alu_split")
    return compile_c(C_SOURCE, folder), str(folder / "progs.o")


def _message(obj, name: str, kernel: tuple[int, int] | str) -> str:
    prog = next(p for p in obj.programs if p.name == name)
    v = analyze_program(obj, prog, for_kernel(kernel))
    return v.findings[0].kernel_message if v.verdict == "reject" else ""


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_pipeline_matches_6_18(built, name: str) -> None:
    """Through the whole pipeline: the structural pass no longer refuses unreached divisions."""
    _, path = built
    result = check_object(
        path, [(6, 18)], AnalysisOptions(timeout=10), name, stages=Stages.real(), witnesses=False
    )
    (verdict,) = result.verdicts
    message = verdict.findings[0].kernel_message if verdict.verdict == "reject" else ""
    assert message == KERNEL_6_18[name]


@pytest.mark.parametrize("name", ["and_minus1_0", "or_minus1_0"])
def test_split_needs_the_kernel_that_has_it(built, name: str) -> None:
    obj, _ = built
    assert _message(obj, name, (6, 18)) == ""
    assert _message(obj, name, (6, 17)) == "div by zero"
    # Debian 6.12.117 has maybe_fork_scalars() (ChangeLog-6.12.75, the BPF_OR fix 6.12.80): the 6.12 row
    # is its newest point release; 6.11 and mainline 6.18.2 have no split
    assert _message(obj, name, (6, 12)) == ""
    assert _message(obj, name, "6.12.79") == "div by zero"
    assert _message(obj, name, (6, 11)) == "div by zero"
    assert _message(obj, name, "6.18.2") == "div by zero"


def test_unreached_division_needs_no_split(built) -> None:
    obj, _ = built
    for kernel in ((5, 10), (6, 1), (6, 18)):
        assert _message(obj, "div0_dead", kernel) == ""
        assert _message(obj, "shift_dead", kernel) == ""
