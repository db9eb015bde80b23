"""`--format json`: one document per run, documented in docs/json-format.md.

The shape is a contract, checked against verifier/report/bpfcheck.schema.json
in the tests: fields are only ever added, never renamed or removed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from verifier import __version__
from verifier.report.explanations import explanation_for, hint_for, meaning_of
from verifier.report.locations import source_path
from verifier.rules.measured import facts_for_verdict

if TYPE_CHECKING:
    from verifier.elf.model import Program, SourceLine
    from verifier.pipeline import ObjectResult
    from verifier.report.compare import Figures
    from verifier.verdict import Finding, ProgramVerdict

FORMAT_VERSION = 1  # bumped only if a field ever has to change meaning


def source_json(source: SourceLine | None, object_path: str) -> dict[str, Any] | None:
    if source is None:
        return None
    return {
        "file": source_path(source.file, object_path),
        "line": source.line,
        "col": source.col,
        "text": source.text,
    }


def path_json(finding: Finding, program: Program | None, object_path: str) -> list[dict[str, Any]]:
    """The branch decisions leading to the finding, each with its source line when known."""
    line_info = program.line_info if program is not None else {}
    return [
        {"insn": insn, "taken": bool(taken), "source": source_json(line_info.get(insn), object_path)}
        for insn, taken in finding.path
    ]


def jsonable(value: Any) -> Any:
    """Witness and trace values as JSON: numbers, strings, lists and objects stay, the rest become strings."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def finding_json(finding: Finding, program: Program | None, object_path: str) -> dict[str, Any]:
    return {
        "insn": finding.insn,
        "kernel_message": finding.kernel_message,
        "category": finding.category,
        "message": meaning_of(finding.category, finding.message),
        "explanation": explanation_for(finding.category).meaning,
        "hint": hint_for(finding.category, finding.hint),
        "source": source_json(finding.source, object_path),
        "path": path_json(finding, program, object_path),
        "state": {str(k): str(v) for k, v in finding.state.items()},
        "witness": jsonable(finding.witness),
    }


def stats_json(verdict: ProgramVerdict) -> dict[str, Any]:
    stats = verdict.stats
    return {
        "insns": stats.insns,
        "processed": stats.processed,
        "states": stats.states,
        "peak_states": stats.peak_states,
        "stack_depth": stats.stack_depth,
        "seconds": round(stats.seconds, 6),
    }


def verdict_json(
    verdict: ProgramVerdict, program: Program | None, object_path: str, figures: Figures | None
) -> dict[str, Any]:
    findings = [finding_json(f, program, object_path) for f in verdict.findings]
    out: dict[str, Any] = {
        "name": verdict.name,
        "section": verdict.section,
        "prog_type": verdict.prog_type,
        "kernel": verdict.kernel,
        "verdict": verdict.verdict,
        "insns": verdict.stats.insns,
        "findings": findings,
        "errors": findings,  # the foundation issue's name for the same list, kept for old readers
        "stats": stats_json(verdict),
    }
    if figures is not None and figures.baseline is not None:
        before = figures.baseline_processed(object_path, verdict)
        out["compare"] = {
            "baseline_processed": before,
            "delta": None if before is None else verdict.stats.processed - before,
        }
    if figures is not None and figures.budget is not None:
        out["over_budget"] = figures.is_over_budget(object_path, verdict)
    trace = getattr(verdict, "trace", None)
    if trace:
        out["trace"] = jsonable(trace)
    facts = facts_for_verdict(verdict.kernel, verdict.facts)
    if facts:  # the target is not a kernel bpfcheck was compared with: what the verdict rests on
        out["facts"] = [
            {
                "name": f.name,
                "present": f.present,
                "since": f.since,
                "backports": list(f.backports),
                "source": f.source,
            }
            for f in facts
        ]
    assumptions = getattr(verdict, "assumptions", None)
    if assumptions:
        out["assumptions"] = list(assumptions)
    return out


def object_json(result: ObjectResult, figures: Figures | None) -> dict[str, Any]:
    out: dict[str, Any] = {"path": result.path}
    if result.error is not None:
        out["error"] = result.error
    out["programs"] = [verdict_json(v, result.program_for(v), result.path, figures) for v in result.verdicts]
    return out


def document(
    results: Sequence[ObjectResult], kernels: Sequence[str], figures: Figures | None = None
) -> dict[str, Any]:
    from verifier.report.summary import Tally

    tally = Tally.of(results)
    doc: dict[str, Any] = {
        "tool": "bpfcheck",
        "version": __version__,
        "format_version": FORMAT_VERSION,
        "bpfcheck": __version__,
        "kernel": kernels[0] if len(kernels) == 1 else ",".join(kernels),
        "kernels": list(kernels),
        "objects": [object_json(r, figures) for r in results],
        "summary": {
            "programs": tally.programs,
            "accepted": tally.accepted,
            "rejected": tally.rejected,
            "errors": tally.errors,
            "unreadable_objects": tally.unreadable,
            "over_budget": len(figures.over_budget) if figures is not None else 0,
        },
    }
    return doc


def render(results: Sequence[ObjectResult], kernels: Sequence[str], figures: Figures | None = None) -> str:
    return json.dumps(document(results, kernels, figures), indent=2) + "\n"
