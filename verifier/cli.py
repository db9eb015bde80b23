"""`bpfcheck`: parse the command line and wire the stages; nothing else lives here.

Subcommands: `check` (the default: `bpfcheck prog.o` means `bpfcheck check
prog.o`), `disasm` and `rules`. Heavy modules (the reader, the engine, z3) are
imported inside the commands so `bpfcheck --help` stays fast.

Every failure ends in one line on stderr and an exit status from
`verifier.report.summary` (0 accepted, 1 rejected, 2 bad input, 3 undecided,
4 internal error); `--debug` (or BPFCHECK_DEBUG=1) adds the traceback.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from verifier import ENGINE, __version__
from verifier.cli_help import HelpCommand, HelpGroup
from verifier.errors import InputError
from verifier.report.summary import EXIT_INPUT_ERROR, EXIT_INTERNAL_ERROR

SUBCOMMANDS = ("check", "explain", "disasm", "rules")
DEFAULT_SUBCOMMAND = "check"


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


class ExplainFormat(StrEnum):
    text = "text"
    json = "json"


class RulesFormat(StrEnum):
    text = "text"  # rich tables ("table" in verifier.rules.render)
    table = "table"
    json = "json"


# options that `check` and `explain` share
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", metavar="FILE", help="Write the report to this file instead of stdout."),
]
NoColorOption = Annotated[bool, typer.Option("--no-color", help="Plain text, no colours.")]

app = typer.Typer(
    name="bpfcheck",
    help="Predict whether the Linux verifier accepts the programs of compiled eBPF objects, and explain why not.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    cls=HelpGroup,
)


@dataclass(frozen=True, slots=True)
class CheckRequest:
    """The `check` command's arguments, as given."""

    objects: list[str]
    kernel: str = "host"
    prog_type: str | None = None
    program: str | None = None
    unprivileged: bool = False
    output_format: str = "text"
    output: Path | None = None
    verbose: bool = False
    quiet: bool = False
    timeout: float = 60.0
    jobs: int = 1
    compare: Path | None = None
    max_processed: str | None = None
    no_color: bool = False
    witnesses: bool = True
    btf: str | None = None


def parse_kernels(text: str) -> list[object]:
    """--kernel: "6.1", "host", "5.4,5.10,6.1" -> the rules' kernel versions (UnknownKernelError if not known)."""
    import verifier.rules as rules

    parse = getattr(rules, "parse_kernel_list", None)
    if parse is None:  # the rules package re-exports it once its query API lands
        from verifier.rules.versions import parse_kernel_list as parse
    return list(parse(text))


def parse_prog_type(text: str | None) -> str | None:
    """--prog-type: the kernel's name of a program type ("xdp", "BPF_PROG_TYPE_XDP" -> "xdp")."""
    if text is None:
        return None
    try:
        from verifier.rules.prog_types import normalize_prog_type
    except ImportError:  # without the table, the name is taken as given
        return text.strip().lower()
    name = normalize_prog_type(text)
    if name is None:
        raise InputError(f"unknown program type {text!r}: use the kernel's name, e.g. xdp, sched_cls, kprobe")
    return name


def kernel_btf_files(kernel_text: str, labels: list[str], btf: str | None) -> tuple[tuple[str, str], ...]:
    """Which BTF file describes which target: --btf FILE (one kernel), else the host's for `host` and
    for a version of the host's series."""
    from verifier.btf.kernel import host_btf_path, load_kernel_btf

    if btf is not None:
        if len(labels) != 1:
            raise InputError("--btf describes one kernel: name exactly one with --kernel")
        load_kernel_btf(btf)  # a file without BTF is bad input: say so before checking anything
        return ((labels[0], btf),)
    host = host_btf_path()
    if host is None:
        return ()
    from verifier.pipeline import kernel_label
    from verifier.rules.versions import UnknownKernelError, parse_kernel

    try:
        host_version = parse_kernel("host")
    except UnknownKernelError:
        return ()
    pairs = []
    if "host" in [part.strip().lower() for part in kernel_text.split(",")]:
        pairs.append((kernel_label(host_version), host))
    # a target of the running kernel's series (--kernel 6.18 on a 6.18.y machine): its BTF is the
    # closest description of that kernel there is (typed tracing arguments, CO-RE, kfuncs)
    for label in labels:
        if label.lower() != "host" and _series_of(label) == host_version:
            pairs.append((label, host))
    return tuple(pairs)


def _series_of(label: str) -> tuple[int, int] | None:
    from verifier.rules.versions import UnknownKernelError, parse_kernel

    try:
        return parse_kernel(label)
    except UnknownKernelError:
        return None


def run_check(request: CheckRequest) -> int:
    """Read, check and report; returns the exit status (input problems raise InputError)."""
    from verifier.abstract import AnalysisOptions
    from verifier.pipeline import ObjectResult, expand_object_args, iter_check_objects, kernel_label
    from verifier.report.compare import Baseline, Budget, Figures
    from verifier.report.render import write_report
    from verifier.report.summary import EXIT_ACCEPTED, EXIT_REJECTED, EXIT_UNDECIDED, Tally

    kernels = parse_kernels(request.kernel)
    prog_type = parse_prog_type(request.prog_type)
    labels = [kernel_label(k) for k in kernels]
    paths = expand_object_args(request.objects)
    baseline = Baseline.load(str(request.compare)) if request.compare is not None else None
    budget = Budget.parse(request.max_processed) if request.max_processed is not None else None
    options = AnalysisOptions(
        unprivileged=request.unprivileged,
        timeout=request.timeout,
        verbose=request.verbose,
        kernel_btf=kernel_btf_files(request.kernel, labels, request.btf),
    )
    results = iter_check_objects(
        paths, kernels, options, request.program, prog_type, jobs=request.jobs, witnesses=request.witnesses
    )
    figures = Figures(baseline=baseline, budget=budget)

    def tell_unreadable(result: ObjectResult) -> None:
        if result.error is not None:
            _fail(result.error, EXIT_INPUT_ERROR)

    done = write_report(
        request.output_format,
        results,
        labels,
        figures,
        output=request.output,
        verbose=request.verbose,
        quiet=request.quiet,
        no_color=request.no_color,
        on_result=tell_unreadable,
    )
    if request.program is not None and not any(r.verdicts for r in done) and not any(r.error for r in done):
        raise InputError(f"no program matches --program {request.program!r}")
    status = Tally.of(done).exit_status
    if status in (EXIT_ACCEPTED, EXIT_UNDECIDED) and figures.over_budget:
        return EXIT_REJECTED
    return status


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"bpfcheck {__version__}, engine: {ENGINE}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version_callback, is_eager=True, help="Print the version.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")] = False,
) -> None:
    """bpfcheck OBJ... checks objects (the `check` command is the default)."""
    if debug:
        from verifier.pipeline import DEBUG_ENV

        os.environ[DEBUG_ENV] = "1"  # inherited by --jobs worker processes


@app.command("check", cls=HelpCommand)
def check_command(
    objects: Annotated[
        list[str], typer.Argument(metavar="OBJ", help="BPF object files or glob patterns (build/*.o).")
    ],
    kernel: Annotated[
        str,
        typer.Option(
            "--kernel",
            "-k",
            metavar="VERSION",
            help="Target kernel: 6.1, host (the running kernel), a list 5.4,5.10,6.1, or all.",
        ),
    ] = "host",
    prog_type: Annotated[
        str | None,
        typer.Option(
            "--prog-type",
            "-t",
            metavar="TYPE",
            help="Load every program as this type (kernel name: xdp, sched_cls...).",
        ),
    ] = None,
    program: Annotated[
        str | None,
        typer.Option(
            "--program", "--prog", "-p", metavar="NAME", help="Only this program (a name or a glob)."
        ),
    ] = None,
    unprivileged: Annotated[
        bool, typer.Option("--unprivileged", help="Check as a loader without CAP_BPF.")
    ] = False,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Report format.")
    ] = OutputFormat.text,
    output: OutputOption = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="All figures, the whole path, the state at each step.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Text: only rejections and the summary.")
    ] = False,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            min=0,
            metavar="SECONDS",
            help="Seconds of analysis per program and kernel (0: none).",
        ),
    ] = 60.0,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, metavar="N", help="Check this many objects in parallel.")
    ] = 1,
    compare: Annotated[
        Path | None,
        typer.Option(
            "--compare", metavar="BASELINE.json", help="A JSON report of an earlier run: show the change."
        ),
    ] = None,
    max_processed: Annotated[
        str | None,
        typer.Option(
            "--max-processed",
            metavar="LIMIT",
            help="Fail when processed insns exceed this share of the limit (80%) or count.",
        ),
    ] = None,
    no_color: NoColorOption = False,
    no_witness: Annotated[
        bool, typer.Option("--no-witness", help="Do not ask z3 for inputs that reach each rejection.")
    ] = False,
    btf: Annotated[
        str | None,
        typer.Option(
            "--btf",
            help="The target kernel's BTF: raw BTF, vmlinux, .btf.tar.xz, vmlinuz or linux-image .deb.",
        ),
    ] = None,
) -> None:
    """Check every program of each object at each kernel (the default command)."""
    request = CheckRequest(
        objects=objects,
        kernel=kernel,
        prog_type=prog_type,
        program=program,
        unprivileged=unprivileged,
        output_format=output_format.value,
        output=output,
        verbose=verbose,
        quiet=quiet,
        timeout=timeout,
        jobs=jobs,
        compare=compare,
        max_processed=max_processed,
        no_color=no_color,
        witnesses=not no_witness,
        btf=btf,
    )
    raise typer.Exit(run_check(request))


@dataclass(frozen=True, slots=True)
class ExplainRequest:
    """The `explain` command's arguments, as given."""

    log: str
    obj: str
    program: str | None = None
    kernel: str = "host"
    prog_type: str | None = None
    output_format: str = "text"
    output: Path | None = None
    verbose: bool = False
    no_color: bool = False
    timeout: float = 60.0
    btf: str | None = None


def run_explain(request: ExplainRequest) -> int:
    """Explain the log's rejection in the object; 0 when explained (a log that does not fit raises InputError)."""
    from verifier.abstract import AnalysisOptions
    from verifier.explain.explain import explain_log
    from verifier.pipeline import kernel_label
    from verifier.report.explain_report import write_explanation

    kernels = parse_kernels(request.kernel)
    if len(kernels) != 1:
        raise InputError(f"--kernel {request.kernel!r}: explain compares with one kernel at a time")
    btf_files = kernel_btf_files(request.kernel, [kernel_label(kernels[0])], request.btf)
    options = AnalysisOptions(timeout=request.timeout, kernel_btf=btf_files)
    explanation = explain_log(
        request.log, request.obj, request.program, kernels[0], options, parse_prog_type(request.prog_type)
    )
    write_explanation(explanation, request.output_format, request.output, request.verbose, request.no_color)
    return 0


@app.command(
    "explain",
    cls=HelpCommand,
    short_help="Explain a verifier log the kernel printed, in the object's C source.",
)
def explain_command(
    log: Annotated[
        str, typer.Argument(metavar="LOG", help="A verifier log, as libbpf, bpftool or bpf() printed it.")
    ],
    obj: Annotated[
        str, typer.Option("--object", "-O", metavar="OBJ", help="The object the log's program came from.")
    ],
    program: Annotated[
        str | None,
        typer.Option(
            "--program", "--prog", "-p", metavar="NAME", help="The program (when the log does not name it)."
        ),
    ] = None,
    kernel: Annotated[
        str,
        typer.Option(
            "--kernel", "-k", metavar="VERSION", help="Compare with bpfcheck's analysis at this kernel."
        ),
    ] = "host",
    prog_type: Annotated[
        str | None,
        typer.Option("--prog-type", "-t", metavar="TYPE", help="The program was loaded as this type."),
    ] = None,
    output_format: Annotated[
        ExplainFormat, typer.Option("--format", "-f", help="Report format.")
    ] = ExplainFormat.text,
    output: OutputOption = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Every register the log shows, not only those involved.")
    ] = False,
    no_color: NoColorOption = False,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=0, metavar="SECONDS", help="Seconds for bpfcheck's own analysis."),
    ] = 60.0,
    btf: Annotated[
        str | None,
        typer.Option("--btf", metavar="FILE", help="The BTF of the kernel that wrote the log (for CO-RE)."),
    ] = None,
) -> None:
    """Explain a kernel verifier log: the C line, the message's meaning, the state, a hint, and
    whether bpfcheck's own analysis agrees."""
    request = ExplainRequest(
        log=log,
        obj=obj,
        program=program,
        kernel=kernel,
        prog_type=prog_type,
        output_format=output_format.value,
        output=output,
        verbose=verbose,
        no_color=no_color,
        timeout=timeout,
        btf=btf,
    )
    raise typer.Exit(run_explain(request))


@app.command("disasm", cls=HelpCommand)
def disasm_command(
    obj: Annotated[str, typer.Argument(metavar="OBJ", help="A BPF object file.")],
    program: Annotated[
        str | None,
        typer.Option(
            "--program", "--prog", "-p", metavar="NAME", help="Only this program (a name or a glob)."
        ),
    ] = None,
    no_source: Annotated[bool, typer.Option("--no-source", help="Leave out the source lines.")] = False,
) -> None:
    """Disassemble programs in the kernel log's syntax, with their C source lines interleaved."""
    from verifier.report.disasm_listing import render_object

    typer.echo(render_object(obj, program, with_source=not no_source), nl=False)


@app.command("rules", cls=HelpCommand)
def rules_command(
    kernel: Annotated[
        str, typer.Option("--kernel", "-k", metavar="VERSION", help="Kernel version (6.1 or host).")
    ] = "host",
    prog_type: Annotated[
        str | None, typer.Option("--prog-type", "-t", metavar="TYPE", help="Only this program type.")
    ] = None,
    output_format: Annotated[
        RulesFormat, typer.Option("--format", "-f", help="Output format.")
    ] = RulesFormat.text,
) -> None:
    """Show what a kernel allows: helpers, program types, limits."""
    from verifier.rules import for_kernel
    from verifier.rules.render import render_rules

    fmt = "table" if output_format is RulesFormat.text else output_format.value
    text = render_rules(for_kernel(kernel), parse_prog_type(prog_type), fmt)
    typer.echo(text, nl=not text.endswith("\n"))


def with_default_subcommand(args: list[str]) -> list[str]:
    """`bpfcheck prog.o ...` -> `bpfcheck check prog.o ...` (root options and --help/--version stay first)."""
    root_flags = {"--debug"}
    index = 0
    while index < len(args) and args[index] in root_flags:
        index += 1
    if index >= len(args):
        return args
    first = args[index]
    if first in SUBCOMMANDS or first in ("-h", "--help", "--version"):
        return args
    return [*args[:index], DEFAULT_SUBCOMMAND, *args[index:]]


def _fail(message: str, status: int) -> int:
    first_line = next((line for line in str(message).splitlines() if line.strip()), "").strip()
    print(f"bpfcheck: error: {first_line}", file=sys.stderr)
    return status


def run(args: list[str]) -> int:
    """Run the CLI on `args` (without the program name); returns the exit status, never raises."""
    args = with_default_subcommand(args)
    debug = "--debug" in args or os.environ.get("BPFCHECK_DEBUG", "") not in ("", "0")
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args, prog_name="bpfcheck", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except InputError as exc:
        if debug:
            import traceback

            traceback.print_exc()
        return _fail(str(exc), EXIT_INPUT_ERROR)
    except BrokenPipeError:
        return 0
    except Exception as exc:
        names = _class_names(exc)  # click's exceptions (typer may ship its own copy of click)
        if "Exit" in names:
            return int(getattr(exc, "exit_code", 0))
        if "NoArgsIsHelpError" in names:  # no arguments at all: the help screen, as a usage error
            print(exc.format_message(), file=sys.stderr)
            return EXIT_INPUT_ERROR
        if "UsageError" in names:
            return _fail(f"{exc.format_message()} (see bpfcheck --help)", EXIT_INPUT_ERROR)
        if "Abort" in names:
            return _fail("interrupted", 130)
        if debug:
            import traceback

            traceback.print_exc()
        detail = str(exc).strip() or type(exc).__name__
        return _fail(
            f"internal error: {type(exc).__name__}: {detail} (--debug shows the traceback)",
            EXIT_INTERNAL_ERROR,
        )


def _class_names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def main() -> None:
    from verifier.pipeline import apply_memory_limit

    apply_memory_limit()
    sys.exit(run(sys.argv[1:]))
