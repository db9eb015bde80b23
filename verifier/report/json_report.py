"""`--format json`: one document per run, in the shape documented in the README.

The shape is a contract: fields are only ever added, never renamed or removed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from verifier import __version__

if TYPE_CHECKING:
    from verifier.elf.model import Program, SourceLine
    from verifier.pipeline import ObjectResult
    from verifier.verdict import Finding, ProgramVerdict


def source_json(source: SourceLine | None) -> dict[str, Any] | None:
    if source is None:
        return None
    return {"file": source.file, "line": source.line, "text": source.text}


def path_json(finding: Finding, program: Program | None) -> list[dict[str, Any]]:
    """The branch decisions leading to the finding, each with its source line when known."""
    line_info = program.line_info if program is not None else {}
    return [
        {"insn": insn, "taken": taken, "source": source_json(line_info.get(insn))} for insn, taken in finding.path
    ]


def finding_json(finding: Finding, program: Program | None) -> dict[str, Any]:
    return {
        "insn": finding.insn,
        "message": finding.message,
        "kernel_message": finding.kernel_message,
        "category": finding.category,
        "source": source_json(finding.source),
        "path": path_json(finding, program),
        "state": dict(finding.state),
        "hint": finding.hint,
        "witness": finding.witness,
    }


def verdict_json(verdict: ProgramVerdict, program: Program | None) -> dict[str, Any]:
    stats = verdict.stats
    return {
        "name": verdict.name,
        "section": verdict.section,
        "prog_type": verdict.prog_type,
        "kernel": verdict.kernel,
        "verdict": verdict.verdict,
        "insns": stats.insns,
        "stats": {
            "processed": stats.processed,
            "states": stats.states,
            "peak_states": stats.peak_states,
            "stack_depth": stats.stack_depth,
            "seconds": round(stats.seconds, 6),
        },
        "errors": [finding_json(f, program) for f in verdict.findings],
    }


def object_json(result: ObjectResult) -> dict[str, Any]:
    return {
        "path": result.path,
        "error": result.error,
        "programs": [verdict_json(v, result.program_for(v)) for v in result.verdicts],
    }


def document(results: Sequence[ObjectResult], kernels: Sequence[str]) -> dict[str, Any]:
    """The whole run: "kernel" is a string for one kernel, a list for several."""
    kernel: str | list[str] = kernels[0] if len(kernels) == 1 else list(kernels)
    return {"bpfcheck": __version__, "kernel": kernel, "objects": [object_json(r) for r in results]}


def render(results: Sequence[ObjectResult], kernels: Sequence[str]) -> str:
    return json.dumps(document(results, kernels), indent=2, default=str) + "\n"
