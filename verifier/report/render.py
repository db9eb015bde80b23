"""Pick the report format and write it where the user asked: stdout or --output FILE."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
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
    results: Iterable[ObjectResult],
    kernels: Sequence[str],
    figures: Figures | None = None,
    output: Path | None = None,
    verbose: bool = False,
    quiet: bool = False,
    no_color: bool = False,
    stream: TextIO | None = None,
    on_result: Callable[[ObjectResult], None] | None = None,
) -> list[ObjectResult]:
    """Render the run in `fmt` to `output` (a file) or `stream` (default stdout); returns the results.

    Text is written object by object as results arrive; the machine formats once all are in.
    `on_result` is called with each result as it arrives (the CLI reports unreadable objects).
    `figures` (if any) is settled with every result before the summary.
    """
    handle: TextIO
    try:
        handle = open(output, "w", encoding="utf-8") if output is not None else (stream or sys.stdout)
    except OSError as exc:
        raise InputError(f"{output}: cannot write the report: {exc.strerror or exc}") from exc
    done: list[ObjectResult] = []
    try:
        if fmt == "text":
            _write_text(
                handle, results, done, figures, output is not None, verbose, quiet, no_color, on_result
            )
        else:
            for result in results:
                done.append(result)
                if on_result is not None:
                    on_result(result)
            if figures is not None:
                figures.settle(done)
            handle.write(render_machine(fmt, done, kernels, figures))
        handle.flush()
    finally:
        if output is not None:
            handle.close()
    return done


def _write_text(
    handle: TextIO,
    results: Iterable[ObjectResult],
    done: list[ObjectResult],
    figures: Figures | None,
    to_file: bool,
    verbose: bool,
    quiet: bool,
    no_color: bool,
    on_result: Callable[[ObjectResult], None] | None,
) -> None:
    from io import StringIO

    from rich.console import Console

    from verifier.report import text_report

    plain = wants_plain_text(handle, no_color, to_file)
    width = (_terminal_width(handle) or PLAIN_WIDTH) if plain else None

    def emit(draw: Callable[[Console], None]) -> None:
        if plain:
            buffer = StringIO()
            draw(text_report.plain_console(buffer, width or PLAIN_WIDTH))
            handle.write(text_report.strip_lines(buffer.getvalue()))
        else:
            draw(Console(file=handle, highlight=False, emoji=False))
        handle.flush()

    for result in results:
        done.append(result)
        if on_result is not None:
            on_result(result)
        emit(lambda console, r=result: text_report.render_result(r, console, quiet, verbose, figures))
    if figures is not None:
        figures.settle(done)
    emit(lambda console: text_report.render_summary(done, console, figures))


def _terminal_width(stream: TextIO) -> int | None:
    """The width of the terminal `stream` writes to (for --no-color in a terminal); None for files and pipes."""
    try:
        if stream.isatty():
            return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        pass
    return None
