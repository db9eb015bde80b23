"""Every rejection category the analysis produces on the corpus has an explanation and a fix hint.

Runs the real engine on each corpus program the manifest expects the 6.18
kernel to reject, and shows (in the test ids and the table below) one corpus
program per category. Skips while the engine or the corpus is missing.
"""

from __future__ import annotations

import os
from functools import cache

import pytest

from verifier.abstract import AnalysisOptions
from verifier.pipeline import ObjectResult, Stages, check_object
from verifier.report.explanations import EXPLANATIONS
from verifier.report.text_report import render_to_string
from verifier.verdict import ProgramVerdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNEL = (6, 18)
SLOW_PROGRAMS = {"loop_unbounded"}  # the engine needs its whole time budget on these


@cache
def rejected_on_corpus() -> tuple[tuple[ObjectResult, ProgramVerdict], ...]:
    try:
        from corpus.manifest import load_manifest

        entries = load_manifest()
        stages = Stages.real()
    except (ImportError, OSError) as exc:
        pytest.skip(f"corpus or engine not available: {exc}")
    if stages.analyze_program is None:
        pytest.skip("the abstract interpreter has not landed")
    stages = Stages(
        stages.load_object, stages.for_kernel, stages.structural_check, stages.analyze_program, None
    )
    found: list[tuple[ObjectResult, ProgramVerdict]] = []
    for entry in entries:
        if entry.expected("6.18") != "reject" or entry.name in SLOW_PROGRAMS:
            continue
        path = os.path.relpath(str(entry.object_path), ROOT)
        if not os.path.exists(path):
            continue
        result = check_object(path, [KERNEL], AnalysisOptions(timeout=5), entry.name, entry.prog_type, stages)
        found.extend((result, v) for v in result.verdicts if v.verdict == "reject")
    if not found:
        pytest.skip("no corpus program rejected (corpus not built?)")
    return tuple(found)


def one_program_per_category() -> dict[str, tuple[ObjectResult, ProgramVerdict]]:
    chosen: dict[str, tuple[ObjectResult, ProgramVerdict]] = {}
    for result, verdict in rejected_on_corpus():
        for finding in verdict.findings:
            chosen.setdefault(finding.category, (result, verdict))
    return chosen


def test_every_produced_category_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    produced = one_program_per_category()
    unexplained = sorted(set(produced) - set(EXPLANATIONS))
    assert not unexplained, f"categories without an explanation: {unexplained}"
    assert len(produced) >= 5


def test_one_report_per_category_shows_meaning_and_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for category, (result, verdict) in sorted(one_program_per_category().items()):
        text = render_to_string([ObjectResult(result.path, result.programs, [verdict])], ["6.18"])
        row = EXPLANATIONS[category]
        assert row.meaning.split()[0] in text, category
        assert "\nhint " in text, f"{category}: {verdict.name} has no hint"
        assert "\nkernel " in text, f"{category}: {verdict.name} has no kernel message"
        print(f"{category:20} {result.path}:{verdict.name}")


def test_real_reports_are_valid_json_and_sarif(monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    import jsonschema

    from verifier.report import json_report, sarif_report

    monkeypatch.chdir(ROOT)
    results = [ObjectResult(r.path, r.programs, [v]) for r, v in rejected_on_corpus()]
    with open(os.path.join(ROOT, "verifier", "report", "bpfcheck.schema.json"), encoding="utf-8") as handle:
        jsonschema.validate(json.loads(json_report.render(results, ["6.18"])), json.load(handle))
    with open(os.path.join(ROOT, "tests", "data", "sarif-2.1.0-rtm.5.json"), encoding="utf-8") as handle:
        jsonschema.validate(json.loads(sarif_report.render(results, ["6.18"])), json.load(handle))
