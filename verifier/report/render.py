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


def wants_plain_text(stream: TextIO, no_color: bool, to_file: bool) -> bool:
    """Plain text (no colour, fixed width) for files, pipes, --no-color and NO_COLOR."""
    if to_file or no_color or "NO_COLOR" in os.environ:
        return True
    try:
        return not stream.isatty()
    except (AttributeError, ValueError):
        return True


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

            if wants_plain_text(handle, no_color, to_file=output is not None):
                width = _terminal_width(handle) or PLAIN_WIDTH
                handle.write(text_report.render_to_string(results, kernels, width, quiet, verbose, figures))
            else:
                from rich.console import Console

                console = Console(file=handle, highlight=False, emoji=False)
                text_report.render(results, kernels, console, quiet=quiet, verbose=verbose, figures=figures)
        else:
            handle.write(render_machine(fmt, results, kernels, figures))
        handle.flush()
    finally:
        if output is not None:
            handle.close()


def _terminal_width(stream: TextIO) -> int | None:
    """The width of the terminal `stream` writes to (for --no-color in a terminal); None for files and pipes."""
    try:
        if stream.isatty():
            return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        pass
    return None
