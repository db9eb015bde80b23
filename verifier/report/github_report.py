"""`--format github`: GitHub Actions workflow commands, one `::error` line per finding.

    ::error file=src/xdp.c,line=20,title=bpfcheck packet-bounds::xdp_prog: invalid access to packet ... (kernel 6.1)

Escaping follows the runner's rules for workflow commands: in the message
`%`, CR and LF are percent-encoded; in property values `:` and `,` are too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from verifier.report.explanations import hint_for, meaning_of
from verifier.report.locations import source_path
from verifier.report.summary import Tally
from verifier.verdict import ACCEPT, Finding

if TYPE_CHECKING:
    from verifier.pipeline import ObjectResult
    from verifier.report.compare import Figures
    from verifier.verdict import ProgramVerdict


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def error_line(file: str, line: int | None, title: str, message: str) -> str:
    properties = [f"file={escape_property(file)}"]
    if line is not None and line > 0:
        properties.append(f"line={line}")
    properties.append(f"title={escape_property(title)}")
    return f"::error {','.join(properties)}::{escape_data(message)}"


def finding_line(result: ObjectResult, verdict: ProgramVerdict, finding: Finding) -> str:
    if finding.source is not None and finding.source.file:
        file, line = source_path(finding.source.file, result.path), finding.source.line
    else:
        file, line = result.path, None
    text = finding.kernel_message or finding.category
    message = (
        f"{verdict.name}: {text} [kernel {verdict.kernel}]\n{meaning_of(finding.category, finding.message)}\n"
        f"Hint: {hint_for(finding.category, finding.hint)}"
    )
    return error_line(file, line, f"bpfcheck {finding.category}", message)


def render(results: Sequence[ObjectResult], kernels: Sequence[str], figures: Figures | None = None) -> str:
    lines: list[str] = []
    for result in results:
        if result.error is not None:
            lines.append(error_line(result.path, None, "bpfcheck input-error", result.error))
            continue
        for verdict in result.verdicts:
            if verdict.verdict == ACCEPT:
                continue
            findings = verdict.findings or [
                Finding(insn=-1, kernel_message=verdict.verdict, category=verdict.verdict)
            ]
            lines.extend(finding_line(result, verdict, f) for f in findings)
    for over in figures.over_budget if figures is not None else []:
        lines.append(error_line(over.object_path, None, "bpfcheck processed-budget", over.line()))
    lines.append(f"bpfcheck: {Tally.of(results).line()}")
    return "\n".join(lines) + "\n"
