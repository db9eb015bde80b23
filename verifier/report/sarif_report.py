"""`--format sarif`: a SARIF 2.1.0 log for GitHub code scanning and other SARIF viewers.

One run; the driver's rules are the finding categories the run produced; one
result per finding of each rejected (or errored) program and kernel, located
at its C source line when BTF line info names one, else at the object file.
Objects that could not be read become tool execution notifications.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from verifier import __version__
from verifier.report.explanations import explanation_for, hint_for, meaning_of
from verifier.report.locations import source_path
from verifier.verdict import ACCEPT, Finding

if TYPE_CHECKING:
    from verifier.pipeline import ObjectResult
    from verifier.report.compare import Figures, OverBudget
    from verifier.verdict import ProgramVerdict

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"


def artifact_uri(path: str) -> str:
    """A URI reference for a file: relative paths stay relative, absolute ones become file: URIs."""
    posix = path.replace(os.sep, "/")
    if posix.startswith("/"):
        return "file://" + quote(posix)
    return quote(posix)


BUDGET_RULE = "processed-budget"


def artifact_location(path: str) -> dict[str, str]:
    """A relative path is relative to the checkout (%SRCROOT%, as GitHub code scanning expects)."""
    uri = artifact_uri(path)
    if uri.startswith("file:"):
        return {"uri": uri}
    return {"uri": uri, "uriBaseId": "%SRCROOT%"}


def rule_json(category: str) -> dict[str, Any]:
    words = category.replace("-", " ").replace("_", " ")
    if category == BUDGET_RULE:
        title, meaning, hint = (
            "processed instructions over budget",
            "The verifier processes more instructions than the --max-processed budget allows: the program "
            "creeps towards the kernel's complexity limit.",
            explanation_for("too-complex").hint,
        )
    else:
        row = explanation_for(category)
        title, meaning, hint = row.title, row.meaning, row.hint
    return {
        "id": category,
        "name": "".join(w.capitalize() for w in words.split()) or category,
        "shortDescription": {"text": f"eBPF verifier: {title}"},
        "fullDescription": {"text": meaning},
        "help": {"text": hint},
        "defaultConfiguration": {"level": "error"},
    }


def location_json(result: ObjectResult, verdict: ProgramVerdict, finding: Finding) -> dict[str, Any]:
    source = finding.source
    physical: dict[str, Any]
    if source is not None and source.file:
        physical = {"artifactLocation": artifact_location(source_path(source.file, result.path))}
        if source.line > 0:
            region: dict[str, Any] = {"startLine": source.line}
            if source.text:
                region["snippet"] = {"text": source.text}
            physical["region"] = region
    else:
        physical = {"artifactLocation": artifact_location(result.path)}
    return {
        "physicalLocation": physical,
        "logicalLocations": [
            {"name": verdict.name, "fullyQualifiedName": f"{result.path}:{verdict.name}", "kind": "function"}
        ],
    }


def message_text(verdict: ProgramVerdict, finding: Finding) -> str:
    return "\n".join(
        [
            f"{verdict.name}: {finding.kernel_message or finding.category} (kernel {verdict.kernel})",
            meaning_of(finding.category, finding.message),
            f"Hint: {hint_for(finding.category, finding.hint)}",
        ]
    )


def result_json(
    result: ObjectResult, verdict: ProgramVerdict, finding: Finding, rule_index: int
) -> dict[str, Any]:
    return {
        "ruleId": finding.category,
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": message_text(verdict, finding)},
        "locations": [location_json(result, verdict, finding)],
        "properties": {
            "object": result.path,
            "program": verdict.name,
            "section": verdict.section,
            "progType": verdict.prog_type,
            "kernel": verdict.kernel,
            "verdict": verdict.verdict,
            "insn": finding.insn,
            "kernelMessage": finding.kernel_message,
        },
    }


def _findings(verdict: ProgramVerdict) -> list[Finding]:
    if verdict.verdict == ACCEPT:
        return []
    return verdict.findings or [Finding(insn=-1, kernel_message=verdict.verdict, category=verdict.verdict)]


def budget_result_json(over: OverBudget, rule_index: int) -> dict[str, Any]:
    return {
        "ruleId": BUDGET_RULE,
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": over.line()},
        "locations": [{"physicalLocation": {"artifactLocation": artifact_location(over.object_path)}}],
        "properties": {
            "object": over.object_path,
            "program": over.verdict.name,
            "kernel": over.verdict.kernel,
            "processed": over.processed,
            "allowed": over.allowed,
        },
    }


def log_json(
    results: Sequence[ObjectResult], kernels: Sequence[str], figures: Figures | None = None
) -> dict[str, Any]:
    rule_ids: dict[str, int] = {}
    sarif_results: list[dict[str, Any]] = []
    for result in results:
        for verdict in result.verdicts:
            for finding in _findings(verdict):
                index = rule_ids.setdefault(finding.category, len(rule_ids))
                sarif_results.append(result_json(result, verdict, finding, index))
    for over in figures.over_budget if figures is not None else []:
        sarif_results.append(budget_result_json(over, rule_ids.setdefault(BUDGET_RULE, len(rule_ids))))
    notifications = [
        {
            "level": "error",
            "message": {"text": r.error},
            "locations": [{"physicalLocation": {"artifactLocation": artifact_location(r.path)}}],
        }
        for r in results
        if r.error is not None
    ]
    invocation: dict[str, Any] = {"executionSuccessful": not notifications}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run = {
        "tool": {
            "driver": {
                "name": "bpfcheck",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [rule_json(category) for category in rule_ids],
            }
        },
        "invocations": [invocation],
        "results": sarif_results,
        "properties": {"kernels": list(kernels)},
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render(results: Sequence[ObjectResult], kernels: Sequence[str], figures: Figures | None = None) -> str:
    return json.dumps(log_json(results, kernels, figures), indent=2) + "\n"
