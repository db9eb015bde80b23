"""`--format text` (the default): what a developer reads in a terminal, drawn with rich.

Accepted programs get one table row each. A rejected program gets a block:
header, the C source line with the lines just before it and the instruction,
the kernel's message verbatim beside its plain meaning, the branch decisions
that lead there, the register state, a witness when there is one, and the fix
hint. A summary line ends the report. Colour follows rich's detection (no
colour when the output is not a terminal, or when NO_COLOR is set), and every
line is plain text underneath, readable in 100 columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console, Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from verifier.report.locations import source_path
from verifier.report.summary import Tally
from verifier.verdict import ACCEPT, REJECT

if TYPE_CHECKING:
    from verifier.elf.model import Program, SourceLine
    from verifier.pipeline import ObjectResult
    from verifier.verdict import Finding, ProgramVerdict

PATH_STEPS_SHOWN = 6  # branch decisions shown without --verbose (the last ones before the error)
LINES_BEFORE = 2  # source lines shown before the failing one


def format_seconds(seconds: float) -> str:
    if seconds < 1.0:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def instruction_text(program: Program | None, insn: int) -> str | None:
    """The instruction in the kernel log's syntax ("r1 = *(u8 *)(r1 +6)"), when the disassembler can say."""
    if program is None or not 0 <= insn < program.insn_count:
        return None
    try:
        from verifier.isa.disasm import disassemble

        lines = disassemble(program, None)
    except Exception:  # the report must not fail because the disassembler does
        return None
    prefix = f"{insn}: "
    for line in lines:
        if line.startswith(prefix):
            text = line[len(prefix) :].strip()
            if text.startswith("(") and ") " in text:  # drop the kernel's "(op) " column
                text = text.split(") ", 1)[1]
            return text
    return None


def lines_before(program: Program | None, insn: int, source: SourceLine) -> list[SourceLine]:
    """Up to LINES_BEFORE distinct source lines of the same file that run just before `insn`."""
    if program is None:
        return []
    seen: list[SourceLine] = []
    for index in sorted((i for i in program.line_info if i < insn), reverse=True):
        line = program.line_info[index]
        if line.file != source.file or line.line >= source.line or any(s.line == line.line for s in seen):
            continue
        seen.append(line)
        if len(seen) == LINES_BEFORE:
            break
    return sorted(seen, key=lambda s: s.line)


def source_excerpt(program: Program | None, finding: Finding) -> RenderableType | None:
    source = finding.source
    if source is None:
        return None
    shown = [*lines_before(program, finding.insn, source), source]
    width = len(str(source.line))
    text = Text()
    for line in shown:
        failing = line is source
        marker = ">" if failing else " "
        text.append(f"  {marker} {line.line:>{width}} | ", style="bold red" if failing else "dim")
        text.append(line.text.expandtabs(4).rstrip(), style="bold" if failing else "")
        text.append("\n")
    text.rstrip()
    return text


def _where(result: ObjectResult, program: Program | None, finding: Finding) -> Text:
    text = Text()
    if finding.source is not None:
        text.append(f"{source_path(finding.source.file, result.path)}:{finding.source.line}", style="bold")
        text.append(", ")
    if finding.insn >= 0:
        text.append(f"insn {finding.insn}")
        insn_text = instruction_text(program, finding.insn)
        if insn_text:
            text.append(": ")
            text.append(insn_text, style="cyan")
    elif finding.source is None:
        text.append("the whole program")
    return text


def _path_text(result: ObjectResult, program: Program | None, finding: Finding, verbose: bool) -> Text:
    steps = finding.path if verbose else finding.path[-PATH_STEPS_SHOWN:]
    text = Text()
    hidden = len(finding.path) - len(steps)
    if hidden:
        text.append(f"({hidden} earlier branch decisions; --verbose shows them)\n", style="dim")
    line_info = program.line_info if program is not None else {}
    for insn, taken in steps:
        text.append("taken    " if taken else "not taken", style="yellow")
        text.append(f"  insn {insn}")
        source = line_info.get(insn)
        if source is not None:
            text.append(f"  {source_path(source.file, result.path)}:{source.line}  ", style="dim")
            text.append(source.text.strip())
        text.append("\n")
    text.rstrip()
    return text


def _lines(pairs: Sequence[str]) -> Text:
    return Text("\n".join(pairs))


def finding_renderable(
    result: ObjectResult, program: Program | None, finding: Finding, verbose: bool
) -> RenderableType:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("at", _where(result, program, finding))
    excerpt = source_excerpt(program, finding)
    if excerpt is not None:
        grid.add_row("", excerpt)
    grid.add_row("kernel", Text(finding.kernel_message or "(no message)", style="red"))
    if finding.message:
        grid.add_row("meaning", Text(finding.message))
    if finding.path:
        grid.add_row("path", _path_text(result, program, finding, verbose))
    if finding.state:
        grid.add_row("state", _lines([f"{name} = {value}" for name, value in finding.state.items()]))
    if finding.witness:
        grid.add_row("witness", _lines([f"{name} = {value}" for name, value in finding.witness.items()]))
    if finding.hint:
        grid.add_row("hint", Text(finding.hint, style="green"))
    return grid


def verdict_header(result: ObjectResult, verdict: ProgramVerdict) -> RenderableType:
    label = "REJECTED" if verdict.verdict == REJECT else "ERROR"
    title = Text.assemble((f" {label} ", "bold white on red"), " ", (verdict.name, "bold"), " ")
    details = Text.assemble(
        ("object   ", "bold"),
        result.path,
        "\n",
        ("program  ", "bold"),
        f"{verdict.name}  (section {verdict.section}, type {verdict.prog_type or '?'}, kernel {verdict.kernel})",
    )
    return Group(Rule(title, align="left", style="red"), details)


def verdict_block(result: ObjectResult, verdict: ProgramVerdict, verbose: bool) -> RenderableType:
    program = result.program_for(verdict)
    parts: list[RenderableType] = [verdict_header(result, verdict)]
    for finding in verdict.findings:
        parts.append(finding_renderable(result, program, finding, verbose))
    if verbose:
        parts.append(Text(stats_text(verdict), style="dim"))
    return Group(*parts)


def stats_text(verdict: ProgramVerdict) -> str:
    s = verdict.stats
    return (
        f"{s.insns} insns, {s.processed} processed, {s.states} states, {s.peak_states} peak states, "
        f"stack {s.stack_depth} bytes, {format_seconds(s.seconds)}"
    )


def accepted_table(verdicts: Sequence[ProgramVerdict], verbose: bool) -> Table:
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="dim")
    table.add_column("", style="green", no_wrap=True)
    table.add_column("program", overflow="fold")
    table.add_column("section", overflow="fold")
    table.add_column("type", no_wrap=True)
    table.add_column("kernel", no_wrap=True)
    table.add_column("insns", justify="right", no_wrap=True)
    table.add_column("processed", justify="right", no_wrap=True)
    if verbose:
        table.add_column("states", justify="right", no_wrap=True)
        table.add_column("peak", justify="right", no_wrap=True)
        table.add_column("stack", justify="right", no_wrap=True)
    table.add_column("time", justify="right", no_wrap=True)
    for v in verdicts:
        s = v.stats
        row = ["ok", v.name, v.section, v.prog_type or "?", v.kernel, str(s.insns), str(s.processed)]
        if verbose:
            row += [str(s.states), str(s.peak_states), str(s.stack_depth)]
        row.append(format_seconds(s.seconds))
        table.add_row(*(Text(cell) for cell in row))
    return table


def render(
    results: Sequence[ObjectResult],
    kernels: Sequence[str],
    console: Console,
    quiet: bool = False,
    verbose: bool = False,
) -> None:
    """Print the report; with `quiet` only the rejections, errors and the summary line."""
    for result in results:
        if result.error is not None:
            continue  # the CLI has said why on stderr
        accepted = [v for v in result.verdicts if v.verdict == ACCEPT]
        failed = [v for v in result.verdicts if v.verdict != ACCEPT]
        if not quiet:
            console.print(Text(result.path, style="bold"))
            if accepted:
                console.print(accepted_table(accepted, verbose))
            if not result.verdicts:
                console.print(Text("  no programs", style="dim"))
        for verdict in failed:
            console.print()
            console.print(verdict_block(result, verdict, verbose))
        if failed and not quiet:
            console.print()
    tally = Tally.of(results)
    if tally.programs or not tally.unreadable:
        style = "bold green" if tally.exit_status == 0 else "bold red"
        console.print(Text(tally.line(), style=style))


def render_to_string(
    results: Sequence[ObjectResult],
    kernels: Sequence[str],
    width: int = 100,
    quiet: bool = False,
    verbose: bool = False,
) -> str:
    """The plain-text report (no colour), as tests and golden files see it."""
    from io import StringIO

    buffer = StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False, highlight=False)
    render(results, kernels, console, quiet=quiet, verbose=verbose)
    return buffer.getvalue()
