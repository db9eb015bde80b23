"""Loops in the engine: the kernel's processed-instruction counts, reached without walking
every iteration (verifier/abstract/loops.py), and the limits' messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier.abstract import AnalysisOptions
from verifier.abstract.analyze import analyze_program
from verifier.elf.reader import load_object
from verifier.rules import for_kernel

BUILD = Path(__file__).resolve().parent.parent / "corpus" / "build" / "loops"


def _verdict(obj_name: str, program: str, kernel: tuple[int, int] = (6, 18)):
    obj = load_object(str(BUILD / obj_name))
    prog = next(p for p in obj.programs if p.name == program)
    return analyze_program(obj, prog, for_kernel(kernel), AnalysisOptions(timeout=60))


# (program, verdict, processed as the 6.18 kernel reported it, kernel message)
CASES = [
    ("loop_until_const", "accept", 200003, ""),
    ("loop_const_too_long", "accept", 800003, ""),
    ("loop_down_unknown", "reject", 32774, "The sequence of 8193 jumps is too complex."),
]


@pytest.mark.parametrize("program,verdict,processed,message", CASES, ids=[c[0] for c in CASES])
def test_counted_loops_match_kernel_counts(program: str, verdict: str, processed: int, message: str) -> None:
    v = _verdict("counted.o", program)
    assert v.verdict == verdict
    assert v.stats.processed == processed
    if message:
        assert v.findings[0].kernel_message == message


def test_unbounded_loop_hits_the_complexity_limit() -> None:
    v = _verdict("unbounded.o", "loop_unbounded")
    assert v.verdict == "reject"
    assert v.findings[0].kernel_message == "BPF program is too large. Processed 1000001 insn"
    # predicted from a few iterations, not walked: the number of states stays tiny
    assert v.stats.states < 100


def test_loop_that_overflows_its_buffer_is_walked_to_the_fault() -> None:
    v = _verdict("counted.o", "loop_stack_overflow")
    assert v.verdict == "reject"
    assert v.findings[0].kernel_message == "invalid write to stack R2 off=0 size=1"


def test_infinite_loop_detected() -> None:
    v = _verdict("unbounded.o", "loop_infinite")
    assert v.findings[0].kernel_message == "infinite loop detected at insn 1"


def test_loops_rejected_before_5_3_by_the_structural_checks() -> None:
    from verifier.cfg.checks import structural_check

    obj = load_object(str(BUILD / "counted.o"))
    prog = next(p for p in obj.programs if p.name == "loop_until_const")
    findings = structural_check(prog, for_kernel((5, 2)))
    assert findings and findings[0].kernel_message.startswith("back-edge from insn")
