"""Pick the report format and write it where the user asked: stdout or --output FILE."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from verifier.errors import InputError

if TYPE_CHECKING:
    from verifier.pipeline import ObjectResult
    from verifier.report.compare import Figures

FORMATS = ("text", "json", "sarif", "github")
PLAIN_WIDTH = 100  # text written to a file or a pipe


def render_machine(
    fmt: str, results: Sequence[ObjectResult], kernels: Sequence[str], figures: Figures | None
) -> str:
    """JSON, SARIF or GitHub lines as one string."""
    if fmt == "json":
        from verifier.report import json_report

        return json_report.render(results, kernels, figures)
    if fmt == "sarif":
        from verifier.report import sarif_report

        return sarif_report.render(results, kernels, figures)
    if fmt == "github":
        from verifier.report import github_report

        return github_report.render(results, kernels, figures)
    raise InputError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")


def text_console(stream: TextIO, no_color: bool, to_file: bool):  # -> rich Console
    from rich.console import Console

    from verifier.report.text_report import plain_console

    if to_file or no_color or not stream.isatty():
        width = PLAIN_WIDTH if to_file or not stream.isatty() else None
        if width is None:
            return Console(file=stream, no_color=True, highlight=False, emoji=False)
        return plain_console(stream, width)
    return Console(file=stream, highlight=False, emoji=False, no_color="NO_COLOR" in os.environ)


def write_report(
    fmt: str,
    results: Sequence[ObjectResult],
    kernels: Sequence[str],
    figures: Figures | None = None,
    output: Path | None = None,
    verbose: bool = False,
    quiet: bool = False,
    no_color: bool = False,
    stream: TextIO | None = None,
) -> None:
    """Render the run in `fmt` to `output` (a file) or `stream` (default stdout)."""
    handle: TextIO
    try:
        handle = open(output, "w", encoding="utf-8") if output is not None else (stream or sys.stdout)
    except OSError as exc:
        raise InputError(f"{output}: cannot write the report: {exc.strerror or exc}") from exc
    try:
        if fmt == "text":
            from verifier.report import text_report

            console = text_console(handle, no_color, to_file=output is not None)
            text_report.render(results, kernels, console, quiet=quiet, verbose=verbose, figures=figures)
        else:
            handle.write(render_machine(fmt, results, kernels, figures))
        handle.flush()
    finally:
        if output is not None:
            handle.close()
