"""Machine formats: JSON against its schema, SARIF against the official 2.1.0 schema, GitHub lines."""

from __future__ import annotations

import json
import os

import jsonschema
import pytest

from verifier.abstract import AnalysisOptions
from verifier.elf.model import SourceLine
from verifier.pipeline import ObjectResult, check_objects
from verifier.report import github_report, json_report, sarif_report
from verifier.report.compare import Baseline, Budget, figures_for
from verifier.report.explanations import EXPLANATIONS, explanation_for, hint_for, meaning_of
from verifier.verdict import REJECT, Finding, ProgramVerdict

try:
    from tests.test_cli_fakes import FAKE_STAGES, XDP_BAD_O, XDP_PASS_O, write_fake_object
except ImportError:
    from test_cli_fakes import FAKE_STAGES, XDP_BAD_O, XDP_PASS_O, write_fake_object

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JSON_SCHEMA = os.path.join(ROOT, "verifier", "report", "bpfcheck.schema.json")
# SARIF 2.1.0 (rtm.5, the final 2.1.0 schema), from the MIT-licensed npm package @microsoft/jest-sarif 1.0.0-beta.0
SARIF_SCHEMA = os.path.join(ROOT, "tests", "data", "sarif-2.1.0-rtm.5.json")

# The categories the engine produces (the project's list); each needs an explanation and a hint.
ENGINE_CATEGORIES = (
    "null-deref packet-bounds map-bounds stack-bounds stack-uninit uninit-reg ctx-access ctx-modified "
    "pointer-arith pointer-leak helper-not-allowed helper-unknown helper-gpl helper-arg map-type "
    "reference-leak back-edge infinite-loop too-complex too-large return-range invalid-insn call-depth "
    "stack-limit div-by-zero unreachable read-only write-only misaligned lock timeout load-error other "
    "invalid-mem mem-bounds sock-access btf-access map-special stack-spill fp-write frame-pointer-write "
    "invalid-shift invalid-register reserved-fields unknown-opcode unsupported-insn jump-out-of-range "
    "ldimm64-middle last-insn-not-exit unreachable-insn call-invalid-destination too-many-subprogs "
    "program-too-large internal-error"
).split()


def load_schema(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> list[ObjectResult]:
    folder = str(tmp_path_factory.mktemp("objects"))
    paths = [
        XDP_BAD_O,
        XDP_PASS_O,
        write_fake_object(folder, "loop.o"),
        write_fake_object(folder, "pass_loaderr.o"),
        write_fake_object(folder, "imprecise.o"),
        os.path.join(folder, "missing.o"),
    ]
    kernels = [(5, 2), (6, 1)]
    return check_objects(paths, kernels, AnalysisOptions(timeout=5), stages=FAKE_STAGES)


def test_results_cover_every_verdict_kind(results: list[ObjectResult]) -> None:
    verdicts = {v.verdict for r in results for v in r.verdicts}
    assert verdicts == {"accept", "reject", "error"}
    assert any(r.error for r in results)


def test_json_matches_its_schema(results: list[ObjectResult]) -> None:
    document = json.loads(json_report.render(results, ["5.2", "6.1"]))
    jsonschema.validate(document, load_schema(JSON_SCHEMA))
    bad = document["objects"][0]["programs"][0]
    assert bad["verdict"] == "reject"
    finding = bad["findings"][0]
    assert finding["source"] == {
        "file": "verifier/examples/xdp_bad.c" if os.getcwd() == ROOT else finding["source"]["file"],
        "line": 20,
        "col": 2,
        "text": "\tif (eth->h_source[0] & 1)",
    }
    assert finding["path"][0]["insn"] == 4 and finding["path"][0]["taken"] is False
    assert finding["witness"] == {"packet length": 0}
    assert finding["hint"] == explanation_for("packet-bounds").hint
    assert document["summary"]["unreadable_objects"] == 1


def test_json_schema_refuses_a_broken_document(results: list[ObjectResult]) -> None:
    document = json.loads(json_report.render(results, ["5.2", "6.1"]))
    document["objects"][0]["programs"][0]["verdict"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, load_schema(JSON_SCHEMA))


def test_json_with_compare_and_budget_matches_schema(results: list[ObjectResult]) -> None:
    baseline = Baseline.from_document(json.loads(json_report.render(results, ["5.2", "6.1"])))
    figures = figures_for(results, baseline, Budget.parse("1"))
    document = json.loads(json_report.render(results, ["5.2", "6.1"], figures))
    jsonschema.validate(document, load_schema(JSON_SCHEMA))
    program = document["objects"][1]["programs"][0]
    assert program["compare"] == {"baseline_processed": 7, "delta": 0}
    assert program["over_budget"] is True


def test_sarif_is_valid_2_1_0(results: list[ObjectResult]) -> None:
    budget = figures_for(results, None, Budget.parse("1"))
    log = json.loads(sarif_report.render(results, ["5.2", "6.1"], budget))
    jsonschema.validate(log, load_schema(SARIF_SCHEMA))
    assert log["version"] == "2.1.0"
    first = log["runs"][0]["results"][0]
    location = first["locations"][0]["physicalLocation"]
    assert location["region"]["startLine"] == 20
    assert location["artifactLocation"]["uri"].endswith("xdp_bad.c")
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules][first["ruleIndex"]] == first["ruleId"] == "packet-bounds"
    assert any(r["ruleId"] == "processed-budget" for r in log["runs"][0]["results"])
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is False  # missing.o


def test_sarif_schema_refuses_a_broken_log(results: list[ObjectResult]) -> None:
    log = json.loads(sarif_report.render(results, ["5.2", "6.1"]))
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(log, load_schema(SARIF_SCHEMA))


def test_github_lines(results: list[ObjectResult]) -> None:
    lines = github_report.render(results, ["5.2", "6.1"]).splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert any("title=bpfcheck back-edge::loop: back-edge from insn 4 to 1 [kernel 5.2]" in e for e in errors)
    assert any("missing.o" in e and "input-error" in e for e in errors)
    assert lines[-1].startswith("bpfcheck: ")
    assert all("\n" not in e for e in errors)


def test_github_escaping() -> None:
    line = github_report.error_line("a,b:c.c", 3, "t: x", "50%\nnext")
    assert line == "::error file=a%2Cb%3Ac.c,line=3,title=t%3A x::50%25%0Anext"


@pytest.mark.parametrize("category", ENGINE_CATEGORIES)
def test_every_category_has_explanation_and_hint(category: str) -> None:
    row = EXPLANATIONS[category]
    assert row.title and len(row.meaning) > 30 and len(row.hint) > 20


def test_finding_words_win_over_the_table() -> None:
    assert meaning_of("null-deref", "R0 may be NULL") == "R0 may be NULL"
    assert hint_for("null-deref", "") == EXPLANATIONS["null-deref"].hint
    assert explanation_for("no-such-category") is EXPLANATIONS["other"]


def test_source_paths_resolve_next_to_the_object(results: list[ObjectResult], monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    finding = Finding(1, "msg", "packet-bounds", source=SourceLine("./xdp_bad.c", 20, 2, "x"))
    verdict = ProgramVerdict("xdp_bad", "xdp", "xdp", "6.1", REJECT, findings=[finding])
    result = ObjectResult(path="verifier/examples/xdp_bad.o", verdicts=[verdict])
    line = github_report.render([result], ["6.1"]).splitlines()[0]
    assert line.startswith("::error file=verifier/examples/xdp_bad.c,line=20,")


def test_budget_parsing() -> None:
    assert Budget.parse("80%").allowed("6.1") == 800_000
    assert Budget.parse("80%").allowed("5.1") == int(131_072 * 0.8)
    assert Budget.parse("5000").allowed("4.19") == 5000


def test_budget_ignores_accepted_programs_under_it(tmp_path) -> None:
    results = check_objects(
        [write_fake_object(str(tmp_path), "big.o")], [(6, 1)], AnalysisOptions(), stages=FAKE_STAGES
    )
    assert figures_for(results, None, Budget.parse("90%")).over_budget == []
    over = figures_for(results, None, Budget.parse("89%")).over_budget
    assert [o.processed for o in over] == [900_000]
