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

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from rich.console import Console, Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from verifier.report.compare import format_delta
from verifier.report.explanations import IMPRECISION_NOTE, explanation_for, hint_for
from verifier.report.locations import source_path
from verifier.report.summary import Tally
from verifier.rules.measured import facts_for_verdict
from verifier.verdict import ACCEPT, REJECT

if TYPE_CHECKING:
    from verifier.elf.model import Program, SourceLine
    from verifier.pipeline import ObjectResult
    from verifier.report.compare import Figures
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
    from verifier.report.disasm_listing import helper_names, instruction_line

    return instruction_line(program, insn, helper_names())


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


def source_excerpt(program: Program | None, finding: Finding, object_path: str = "") -> RenderableType | None:
    """The failing C line with the lines just before it: from the source file when it is there and
    matches the object's line info, else the lines the line info itself names."""
    source = finding.source
    if source is None:
        return None
    shown = file_lines_before(source, object_path) or [*lines_before(program, finding.insn, source), source]
    width = len(str(source.line))
    text = Text()
    for line in shown:
        failing = line.line == source.line
        marker = ">" if failing else " "
        text.append(f"  {marker} {line.line:>{width}} | ", style="bold red" if failing else "dim")
        text.append(line.text.expandtabs(4).rstrip(), style="bold" if failing else "")
        text.append("\n")
    text.rstrip()
    return text


def file_lines_before(source: SourceLine, object_path: str) -> list[SourceLine]:
    """LINES_BEFORE + 1 lines ending at `source`, read from its file; [] when the file is not there or
    its line differs from the object's (the file changed since the build)."""
    from verifier.elf.model import SourceLine as Line

    path = source_path(source.file, object_path)
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            all_lines = handle.read().splitlines()
    except OSError:
        return []
    if not 0 < source.line <= len(all_lines) or all_lines[source.line - 1].strip() != source.text.strip():
        return []
    first = max(1, source.line - LINES_BEFORE)
    return [Line(source.file, n, 0, all_lines[n - 1]) for n in range(first, source.line + 1)]


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


STATE_WIDTH = 88  # the value column of a 100-column report


def state_line(name: str, value: str, width: int = STATE_WIDTH) -> str:
    """ "R1 = pkt(off=14,r=14)"; a long value is broken after its commas, continuation lines indented."""
    head = f"{name} = "
    text = head + str(value)
    if len(text) <= width:
        return text
    lines: list[str] = []
    current = head
    for piece in re.split(r"(?<=,)", str(value)):
        if len(current) + len(piece) > width and current.strip() and current != head:
            lines.append(current)
            current = " " * len(head)
        current += piece
    lines.append(current)
    return "\n".join(lines)


def _lines(pairs: Sequence[str]) -> Text:
    return Text("\n".join(pairs))


WITNESS_META = frozenset({"feasible", "verified", "fault", "reason"})  # about the witness, not inputs
WITNESS_VALUE_WIDTH = 56  # longer values (packet bytes in hex) are cut, with their full length noted


def witness_renderable(finding: Finding) -> tuple[str, RenderableType] | None:
    """("witness", the inputs) when z3 found some, ("note", the imprecision note) when the path cannot happen."""
    witness = finding.witness
    if witness is None:
        return None
    if witness.get("feasible") is False:
        note = IMPRECISION_NOTE
        if witness.get("reason"):
            note += f" (z3: {witness['reason']})"
        return "note", Text(note, style="yellow")
    shown = [f"{name} = {_short(value)}" for name, value in witness.items() if name not in WITNESS_META]
    text = _lines(shown or ["any input reaches this instruction"])
    if "verified" in witness:
        fault = witness.get("fault", "")
        if witness["verified"] is True:
            text.append(f"\nchecked: running the program on these inputs faults here ({fault})", style="dim")
        else:
            text.append(f"\nnot confirmed by running the program on these inputs ({fault})", style="yellow")
    return "witness", text


def _short(value: object) -> str:
    text = str(value)
    if text == "":
        return "(empty)"
    if len(text) > 16 and len(text) % 2 == 0 and set(text) == {"0"}:
        return f"{len(text) // 2} zero bytes"
    if len(text) <= WITNESS_VALUE_WIDTH:
        return text
    return f"{text[: WITNESS_VALUE_WIDTH - 12]}... ({len(text)} chars)"


def finding_renderable(
    result: ObjectResult,
    program: Program | None,
    finding: Finding,
    verbose: bool,
    kernel_said: bool = True,
    extra_rows: Sequence[tuple[str, RenderableType]] = (),
) -> RenderableType:
    """One finding as a two-column grid; `kernel_said`: the message is the kernel's (not a load problem);
    `extra_rows` (label, text) come last (`bpfcheck explain` adds whether bpfcheck agrees)."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("at", _where(result, program, finding))
    excerpt = source_excerpt(program, finding, result.path)
    if excerpt is not None:
        grid.add_row("", excerpt)
    label = "kernel" if kernel_said else "problem"
    grid.add_row(label, Text(finding.kernel_message or "(no message)", style="red"))
    if finding.message and finding.message != finding.kernel_message:
        grid.add_row("detail", Text(finding.message))
    grid.add_row("meaning", Text(explanation_for(finding.category).meaning))
    if finding.path:
        grid.add_row("path", _path_text(result, program, finding, verbose))
    if finding.state:
        grid.add_row("state", _lines([state_line(name, value) for name, value in finding.state.items()]))
    witness = witness_renderable(finding)
    if witness is not None:
        grid.add_row(*witness)
    grid.add_row("hint", Text(hint_for(finding.category, finding.hint), style="green"))
    for label, renderable in extra_rows:
        grid.add_row(label, renderable)
    return grid


def trace_renderable(result: ObjectResult, program: Program | None, trace: Sequence[object]) -> Text:
    """--verbose: the state at each instruction of the failing path, one line per step."""
    text = Text()
    line_info = program.line_info if program is not None else {}
    for step in trace:
        insn, state = _trace_step(step)
        if insn is None:
            text.append(f"  {state}\n")
            continue
        source = line_info.get(insn)
        where = f"  {source_path(source.file, result.path)}:{source.line}" if source is not None else ""
        insn_text = instruction_text(program, insn) or ""
        text.append(f"{insn:>5}: {insn_text}", style="cyan")
        text.append(f"{where}\n", style="dim")
        if state:
            text.append(f"       {state}\n")
    text.rstrip()
    return text


def _trace_step(step: object) -> tuple[int | None, str]:
    """A trace step as (insn, rendered state): (insn, {name: value}), (insn, "text"), or any object."""
    insn = getattr(step, "insn", None)
    state = getattr(step, "state", None)
    if insn is None and isinstance(step, tuple | list) and len(step) == 2 and isinstance(step[0], int):
        insn, state = step
    if isinstance(state, dict):
        state = " ".join(f"{k}={v}" for k, v in state.items())
    if insn is None:
        return None, str(step)
    return int(insn), "" if state is None else str(state)


def verdict_header(
    result: ObjectResult,
    verdict: ProgramVerdict,
    label: str | None = None,
    first: tuple[str, str] | None = None,
) -> RenderableType:
    """The rule with the verdict and the program's name, then its object and program lines;
    `label` replaces the verdict's word, `first` (name, value) is a line before the object's."""
    label = label or ("REJECTED" if verdict.verdict == REJECT else "ERROR")
    title = Text.assemble((f" {label} ", "bold white on red"), " ", (verdict.name, "bold"), " ")
    details = Text()
    if first is not None:
        details.append(f"{first[0]:<9}", style="bold")
        details.append(f"{first[1]}\n")
    details.append("object   ", style="bold")
    details.append(f"{result.path}\n")
    details.append("program  ", style="bold")
    details.append(
        f"{verdict.name}  (section {verdict.section}, type {verdict.prog_type or '?'}, kernel {verdict.kernel})"
    )
    return Group(Rule(title, align="left", style="red"), details)


def verdict_block(
    result: ObjectResult, verdict: ProgramVerdict, verbose: bool, figures: Figures | None = None
) -> RenderableType:
    program = result.program_for(verdict)
    parts: list[RenderableType] = [verdict_header(result, verdict)]
    for finding in verdict.findings:
        parts.append(finding_renderable(result, program, finding, verbose, verdict.verdict == REJECT))
    trace = getattr(verdict, "trace", None)
    if verbose and trace:
        parts.append(Text("state along the failing path:", style="bold"))
        parts.append(trace_renderable(result, program, trace))
    if verdict.verdict == REJECT:
        parts.append(Text(stats_text(verdict, _delta_note(result, verdict, figures)), style="dim"))
    facts = facts_text(verdict.kernel, verdict.facts)
    if facts:
        parts.append(Text(facts, style="dim"))
    for note in getattr(verdict, "assumptions", ()):
        parts.append(Text(f"assumed  {note}", style="dim"))
    return Group(*parts)


def facts_text(kernel: str, used: Sequence[str]) -> str:
    """'rests on ...': the version facts behind a verdict at a kernel bpfcheck was not compared with."""
    facts = facts_for_verdict(kernel, used)
    if not facts:
        return ""
    return f"no real {kernel} was run: this rests on " + "; ".join(f.short() for f in facts)


def _delta_note(result: ObjectResult, verdict: ProgramVerdict, figures: Figures | None) -> str:
    if figures is None or figures.baseline is None:
        return ""
    return f" ({format_delta(figures.delta(result.path, verdict))} against the baseline)"


def stats_text(verdict: ProgramVerdict, processed_note: str = "") -> str:
    s = verdict.stats
    return (
        f"{s.insns} insns, {s.processed} processed{processed_note}, {s.states} states, "
        f"{s.peak_states} peak states, stack {s.stack_depth} bytes, {format_seconds(s.seconds)}"
    )


def accepted_table(
    result: ObjectResult, verdicts: Sequence[ProgramVerdict], figures: Figures | None = None
) -> Table:
    """One line per accepted program with its figures (like the kernel's verifier statistics)."""
    comparing = figures is not None and figures.baseline is not None
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="dim")
    table.add_column("", style="green", no_wrap=True)
    table.add_column("program", overflow="fold")
    table.add_column("type", no_wrap=True)
    table.add_column("kernel", no_wrap=True)
    for name in (
        "insns",
        "processed",
        *(("change",) if comparing else ()),
        "states",
        "peak",
        "stack",
        "time",
    ):
        table.add_column(name, justify="right", no_wrap=True)
    for v in verdicts:
        s = v.stats
        over = figures is not None and figures.is_over_budget(result.path, v)
        row = ["OVER" if over else "ok", v.name, v.prog_type or "?", v.kernel, str(s.insns), str(s.processed)]
        if comparing and figures is not None:
            row.append(format_delta(figures.delta(result.path, v)))
        row += [str(s.states), str(s.peak_states), str(s.stack_depth), format_seconds(s.seconds)]
        table.add_row(
            *(Text(cell, style="bold red" if over and i == 0 else "") for i, cell in enumerate(row))
        )
    return table


def render_result(
    result: ObjectResult,
    console: Console,
    quiet: bool = False,
    verbose: bool = False,
    figures: Figures | None = None,
) -> None:
    """One object: its accepted programs' table, then a block per rejected or errored program."""
    if result.error is not None:  # the CLI says why on stderr
        return
    accepted = [v for v in result.verdicts if v.verdict == ACCEPT]
    failed = [v for v in result.verdicts if v.verdict != ACCEPT]
    if not quiet:
        console.print(Text(result.path, style="bold"))
        if accepted:
            console.print(accepted_table(result, accepted, figures))
            for kernel in dict.fromkeys(v.kernel for v in accepted):
                used = sorted({f for v in accepted if v.kernel == kernel for f in v.facts})
                note = facts_text(kernel, used)
                if note:
                    console.print(Text(note, style="dim"))
    for verdict in failed:
        console.print()
        console.print(verdict_block(result, verdict, verbose, figures))
    if not quiet:
        console.print()


def render_summary(results: Sequence[ObjectResult], console: Console, figures: Figures | None = None) -> None:
    """The programs over budget, then the counts line."""
    if figures is not None:
        for over in figures.over_budget:
            console.print(Text(over.line(), style="bold red"))
    tally = Tally.of(results)
    if tally.programs or not tally.unreadable:  # nothing but unreadable objects: stderr has said it all
        passed = tally.exit_status == 0 and not (figures and figures.over_budget)
        console.print(Text(tally.line(), style="bold green" if passed else "bold red"))


def render(
    results: Sequence[ObjectResult],
    kernels: Sequence[str],
    console: Console,
    quiet: bool = False,
    verbose: bool = False,
    figures: Figures | None = None,
) -> None:
    """Print the report; with `quiet` only the rejections, errors and the summary line."""
    for result in results:
        render_result(result, console, quiet, verbose, figures)
    render_summary(results, console, figures)


def plain_console(file: TextIO, width: int = 100) -> Console:
    """A console that writes plain text (no colour, no terminal codes) at a fixed width."""
    return Console(
        file=file,
        width=width,
        color_system=None,
        force_terminal=False,
        highlight=False,
        no_color=True,
        emoji=False,
        soft_wrap=False,
    )


def render_to_string(
    results: Sequence[ObjectResult],
    kernels: Sequence[str],
    width: int = 100,
    quiet: bool = False,
    verbose: bool = False,
    figures: Figures | None = None,
) -> str:
    """The plain-text report (no colour), as tests and golden files see it."""
    from io import StringIO

    buffer = StringIO()
    render(results, kernels, plain_console(buffer, width), quiet=quiet, verbose=verbose, figures=figures)
    return strip_lines(buffer.getvalue())


def strip_lines(text: str) -> str:
    """Drop the padding rich leaves at the end of lines."""
    return "".join(line.rstrip() + "\n" for line in text.splitlines())
