"""The comparison logic of the differential tests, with a stand-in analyzer (no kernel, no engine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier.oracle.differential import Agreement, check_program, compare, find_verdict
from verifier.verdict import ProgramVerdict

XDP_BOUNDS = Path(__file__).resolve().parent.parent / "corpus" / "build" / "packet" / "xdp_bounds.o"


def verdict(name: str, result: str, section: str = "xdp") -> ProgramVerdict:
    return ProgramVerdict(name=name, section=section, prog_type="xdp", kernel="6.18", verdict=result)


def test_false_accept_is_the_only_unforgivable_disagreement() -> None:
    assert compare("p", "reject", verdict("p", "accept")).false_accept
    assert not compare("p", "accept", verdict("p", "reject")).false_accept
    assert not compare("p", "reject", None).false_accept  # missing is a disagreement, not a false accept
    assert not compare("p", "reject", None).agrees


def test_agreement_ignores_load_errors_and_env_rejects() -> None:
    comparisons = (
        compare("a", "accept", verdict("a", "accept")),
        compare("b", "reject", verdict("b", "accept")),
        compare("c", "load_error", verdict("c", "accept")),
        compare("d", "env_reject", verdict("d", "reject")),
    )
    agreement = Agreement(comparisons)
    assert len(agreement.compared) == 2
    assert agreement.rate == 0.5
    assert [c.program for c in agreement.false_accepts] == ["b"]


def test_find_verdict_by_name_then_section() -> None:
    verdicts = [verdict("func", "accept", section="kprobe/sys_open"), verdict("pkt", "reject")]
    assert find_verdict(verdicts, "pkt").verdict == "reject"
    assert find_verdict(verdicts, "kprobe/sys_open").name == "func"
    assert find_verdict(verdicts, "nothing") is None


def test_check_program_runs_the_pipeline_with_given_stages() -> None:
    pipeline = pytest.importorskip("verifier.pipeline")
    reader = pytest.importorskip("verifier.elf.reader")

    def analyze(obj, prog, rules, options):
        return verdict(prog.name, "reject" if "no_check" in prog.name else "accept", prog.section)

    stages = pipeline.Stages(reader.load_object, lambda k: k, lambda p, r: [], analyze)
    assert check_program(XDP_BOUNDS, "pkt_no_check", "6.18", stages).verdict == "reject"
    assert check_program(XDP_BOUNDS, "pkt_checked", "6.18", stages).verdict == "accept"
    assert check_program(XDP_BOUNDS, "absent", "6.18", stages) is None
