"""Golden text reports: plain text, no colour, 100 columns, compared with tests/golden/*.txt.

Regenerate after an intended change with `BPFCHECK_REGEN_GOLDEN=1 python -m pytest tests/test_report_golden.py`
and read the diff before committing it. Durations are replaced by "N ms" so runs compare equal.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import pytest

from verifier.abstract import AnalysisOptions
from verifier.pipeline import ObjectResult, check_objects
from verifier.report.compare import Baseline, Budget, figures_for
from verifier.report.text_report import render_to_string
from verifier.verdict import ProgramVerdict

try:
    from tests.test_cli_fakes import FAKE_STAGES, XDP_BAD_O, XDP_PASS_O, write_fake_object
except ImportError:
    from test_cli_fakes import FAKE_STAGES, XDP_BAD_O, XDP_PASS_O, write_fake_object

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "tests", "golden")
REGEN_ENV = "BPFCHECK_REGEN_GOLDEN"
WIDTH = 100


def normalise(text: str) -> str:
    text = re.sub(r"\b\d+(\.\d+)? (ms|s)\b", "N ms", text)
    return text


def normalise_figures(text: str) -> str:
    """The engine's own figures (processed, states, ...) change as it improves; the layout must not."""
    lines = []
    for line in text.splitlines():
        if re.match(r"^\d+ insns, ", line):
            head, _, rest = line.partition(", ")
            line = head + ", " + re.sub(r"\b\d+\b", "N", rest)
        elif line.split()[:2] == ["program", "type"]:
            line = " ".join(line.split())  # (the columns' widths follow the figures, e.g. the time's)
        elif line.startswith(" ok "):
            cells = line.split()
            line = " ".join(cells[:4] + ["N" if c.isdigit() else c for c in cells[4:]])
        lines.append(line)
    return "\n".join(lines) + "\n"


def check_golden(name: str, text: str, figures: bool = True) -> None:
    path = os.path.join(GOLDEN, f"{name}.txt")
    text = normalise(text) if figures else normalise_figures(normalise(text))
    if os.environ.get(REGEN_ENV):
        os.makedirs(GOLDEN, exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        return
    if not os.path.exists(path):
        pytest.fail(f"no golden file {path}: run with {REGEN_ENV}=1 to create it")
    with open(path, encoding="utf-8") as handle:
        expected = handle.read()
    assert text == expected, f"report differs from {path} (regenerate with {REGEN_ENV}=1 if intended)"


@pytest.fixture(autouse=True)
def in_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # source paths are shown relative to the working directory


def relative(path: str) -> str:
    return os.path.relpath(path, ROOT)


def fake_run(paths: list[str], kernels: list[tuple[int, int]]) -> list[ObjectResult]:
    return check_objects(paths, kernels, AnalysisOptions(timeout=5), stages=FAKE_STAGES)


def test_golden_rejected_and_accepted() -> None:
    results = fake_run([relative(XDP_BAD_O), relative(XDP_PASS_O)], [(6, 1)])
    check_golden("fake_packet_bounds", render_to_string(results, ["6.1"], WIDTH))


def test_golden_imprecision_note_and_back_edge(tmp_path) -> None:
    paths = [write_fake_object(str(tmp_path), "imprecise.o"), write_fake_object(str(tmp_path), "loop.o")]
    results = fake_run(paths, [(5, 2)])
    for result in results:
        result.path = os.path.basename(result.path)  # the tmp folder changes each run
    check_golden("fake_imprecise_back_edge", render_to_string(results, ["5.2"], WIDTH))


def test_golden_quiet_load_error(tmp_path) -> None:
    results = fake_run([write_fake_object(str(tmp_path), "pass_loaderr.o"), relative(XDP_PASS_O)], [(6, 1)])
    results[0].path = "pass_loaderr.o"
    check_golden("fake_load_error_quiet", render_to_string(results, ["6.1"], WIDTH, quiet=True))


def test_golden_compare_and_budget(tmp_path) -> None:
    results = fake_run([write_fake_object(str(tmp_path), "big.o"), relative(XDP_PASS_O)], [(6, 1)])
    results[0].path = "big.o"
    baseline = Baseline(exact={}, loose={("big.o", "big", "xdp", "6.1"): 800_000})
    figures = figures_for(results, baseline, Budget.parse("80%"))
    check_golden("fake_compare_budget", render_to_string(results, ["6.1"], WIDTH, figures=figures))


@dataclass
class TracedVerdict(ProgramVerdict):
    trace: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def test_golden_verbose_trace() -> None:
    results = fake_run([relative(XDP_BAD_O)], [(6, 1)])
    plain = results[0].verdicts[0]
    traced = TracedVerdict(**{name: getattr(plain, name) for name in ProgramVerdict.__dataclass_fields__})
    traced.trace = [(0, {"r1": "ctx()", "r10": "fp0"}), (1, {"r1": "pkt(off=0,r=0)"})]
    results[0].verdicts = [traced]
    check_golden("fake_verbose_trace", render_to_string(results, ["6.1"], WIDTH, verbose=True))


def real_stages():
    """The project's own reader and engine, or skip while they cannot run the bundled examples."""
    from verifier.pipeline import Stages

    try:
        stages = Stages.real()
        if stages.analyze_program is None:
            pytest.skip("the abstract interpreter has not landed")
        stages.for_kernel((6, 18))
    except (ImportError, AttributeError) as exc:
        pytest.skip(f"stages not ready: {exc}")
    return stages


@pytest.mark.parametrize("example", ["xdp_bad", "xdp_pass"])
def test_golden_real_engine_on_examples(example: str) -> None:
    stages = real_stages()
    path = relative(os.path.join(ROOT, "verifier", "examples", f"{example}.o"))
    results = check_objects([path], [(6, 18)], AnalysisOptions(timeout=30), stages=stages)
    check_golden(f"real_{example}_6_18", render_to_string(results, ["6.18"], WIDTH), figures=False)
