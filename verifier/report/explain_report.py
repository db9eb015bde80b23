"""The report of `bpfcheck explain`: a rejection read from a kernel log, drawn like bpfcheck's own.

Text reuses the rejection block of `text_report` (header, C source, kernel message and meaning,
the state, the hint) with two more lines: where the log came from and whether bpfcheck agrees.
JSON is the `check` document of bpfcheck's own run on that program with an `explain` section
(docs/json-format.md, verifier/report/bpfcheck.schema.json).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console, Group, RenderableType
from rich.text import Text

from verifier.errors import InputError
from verifier.verdict import REJECT, Finding, ProgramVerdict

if TYPE_CHECKING:
    from verifier.explain.explain import LogExplanation
    from verifier.pipeline import ObjectResult

OUTCOME_STYLES = {"agrees": "green", "differs": "yellow", "undecided": "yellow"}


def object_result(expl: LogExplanation) -> ObjectResult:
    """bpfcheck's own run on the program, as the reports of `check` take it."""
    from verifier.pipeline import ObjectResult

    verdicts = [expl.agreement.verdict] if expl.agreement is not None else []
    return ObjectResult(path=expl.object_path, programs=[expl.program], verdicts=verdicts)


def shown_finding(expl: LogExplanation, verbose: bool) -> Finding:
    """The log's finding with the registers the failing instruction and message name (all with --verbose)."""
    from dataclasses import replace

    state = expl.finding.state
    if not verbose and expl.involved:
        picked = {
            name: value
            for register in expl.involved
            for name, value in state.items()
            if name == register or name.endswith(f".{register}")  # "frame1.R0": R0 of a callee
        }
        state = picked or state
    return replace(expl.finding, state=state)


def log_line(expl: LogExplanation) -> str:
    """ "the.log (libbpf, with trace)": how the log was printed, and whether it traces instructions."""
    framing = "libbpf" if expl.log.framed else "raw"
    trace = "with trace" if expl.log.has_trace else "no trace"
    return f"{expl.log_path} ({framing}, {trace})"


def renderable(expl: LogExplanation, verbose: bool = False) -> RenderableType:
    from verifier.report import text_report

    result = object_result(expl)
    program = expl.program
    header_verdict = ProgramVerdict(program.name, program.section, program.prog_type, "of the log", REJECT)
    extra: list[tuple[str, RenderableType]] = []
    if expl.agreement is not None:
        style = OUTCOME_STYLES.get(expl.agreement.outcome, "")
        extra.append(("compare", Text(expl.agreement.note, style=style)))
    parts: list[RenderableType] = [
        text_report.verdict_header(result, header_verdict, "REJECTED (kernel log)", ("log", log_line(expl))),
        text_report.finding_renderable(result, program, shown_finding(expl, verbose), verbose, True, extra),
    ]
    return Group(*parts)


def document(expl: LogExplanation) -> dict[str, Any]:
    """The JSON document: bpfcheck's own run (as `check --format json`) and the `explain` section."""
    from verifier.report import json_report

    result = object_result(expl)
    kernels = [expl.agreement.kernel] if expl.agreement is not None else []
    doc = json_report.document([result], kernels)
    finding = json_report.finding_json(shown_finding(expl, verbose=False), expl.program, expl.object_path)
    agreement = expl.agreement
    doc["explain"] = {
        "log": expl.log_path,
        "object": expl.object_path,
        "program": expl.program.name,
        "section": expl.program.section,
        "prog_type": expl.program.prog_type,
        "log_program": expl.log.program,
        "log_framed": expl.log.framed,
        "log_has_trace": expl.log.has_trace,
        "finding": finding,
        "log_state": dict(expl.finding.state),
        "agreement": None
        if agreement is None
        else {
            "kernel": agreement.kernel,
            "outcome": agreement.outcome,
            "verdict": agreement.verdict.verdict,
            "same_message": agreement.same_message,
            "same_insn": agreement.same_insn,
            "note": agreement.note,
        },
    }
    return doc


def write_explanation(
    expl: LogExplanation,
    fmt: str,
    output: Path | None = None,
    verbose: bool = False,
    no_color: bool = False,
    stream: TextIO | None = None,
) -> None:
    """Write the report as `fmt` ("text" or "json") to `output` or `stream` (default stdout)."""
    import sys

    from verifier.report import text_report
    from verifier.report.render import PLAIN_WIDTH, wants_plain_text

    try:
        handle = open(output, "w", encoding="utf-8") if output is not None else (stream or sys.stdout)
    except OSError as exc:
        raise InputError(f"{output}: cannot write the report: {exc.strerror or exc}") from exc
    try:
        if fmt == "json":
            handle.write(json.dumps(document(expl), indent=2) + "\n")
        elif wants_plain_text(handle, no_color, output is not None):
            from io import StringIO

            buffer = StringIO()
            text_report.plain_console(buffer, PLAIN_WIDTH).print(renderable(expl, verbose))
            handle.write(text_report.strip_lines(buffer.getvalue()))
        else:
            Console(file=handle, highlight=False, emoji=False).print(renderable(expl, verbose))
        handle.flush()
    finally:
        if output is not None:
            handle.close()
