"""The help screens of `bpfcheck`: plain text, written from the commands' own parameters.

typer's rich help shows every option with its Python type (`--quiet <bool>`,
`objects... <list[str]>`) and the root screen would not say how to check an
object at all. These click classes replace only the help text: the top-level
screen leads with the usage `bpfcheck OBJ... --kernel VERSION`, the main options
of the default command and examples; each command's screen lists its
arguments and options as `-k, --kernel VERSION  help [default: host]`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from typer.core import TyperCommand, TyperGroup

# typer ships its own copy of click in some versions: parameters are told apart by their
# `param_type_name` ("option", "argument"), not by isinstance, and typed as Any here.
Param = Any
Context = Any

HELP_WIDTH = 100
NAME_COLUMN = 30  # options longer than this get their help on the next line

USAGE = "bpfcheck OBJ... --kernel VERSION [options]"
DEFAULT_COMMAND = "check"
MAIN_OPTIONS = ("kernel", "program", "prog_type", "output_format", "output", "verbose", "quiet")
EXAMPLES = (
    ("bpfcheck prog.o --kernel 5.2", "would a 5.2 kernel load every program of prog.o? (exit 0: yes, 1: no)"),
    ("bpfcheck 'build/*.o' --kernel 5.10,6.1 -f json", "several objects and kernels, as JSON"),
    ("bpfcheck explain verifier.log --object prog.o", "explain a log the kernel printed, with the C line"),
    ("bpfcheck disasm prog.o", "the instructions as the kernel log shows them"),
)
EXIT_STATUS = "exit status: 0 accepted, 1 rejected, 2 bad input, 3 undecided, 4 bpfcheck failed"


def _is_option(param: Param) -> bool:
    return getattr(param, "param_type_name", "") == "option"


def _is_argument(param: Param) -> bool:
    return getattr(param, "param_type_name", "") == "argument"


def _choices(param: Param) -> Sequence[Any]:
    """The values a choice parameter takes (click's `type.choices` or typer's `type_descriptor.choices`)."""
    for holder in (getattr(param, "type", None), getattr(param, "type_descriptor", None)):
        choices = getattr(holder, "choices", None)
        if choices:
            return list(choices)
    return []


def metavar(param: Param) -> str:
    """The placeholder of a parameter's value: its declared metavar, the choices, or its name."""
    if _is_option(param) and getattr(param, "is_flag", False):
        return ""
    if param.metavar:
        return param.metavar
    choices = _choices(param)
    if choices:
        return "|".join(str(getattr(choice, "value", choice)) for choice in choices)
    return (param.name or "value").upper()


def option_names(param: Param) -> str:
    """ "-k, --kernel VERSION": short names first, then long ones, then the value's placeholder."""
    names = sorted(param.opts, key=lambda name: (name.startswith("--"), len(name)))
    value = metavar(param)
    return ", ".join(names) + (f" {value}" if value else "")


def option_help(param: Param) -> str:
    text = getattr(param, "help", None) or ""
    default = param.default
    shows_default = _is_option(param) and not param.is_flag and default not in (None, "", ())
    if shows_default:
        value = getattr(default, "value", default)  # an enum member shows its value
        text = f"{text} [default: {value}]".strip()
    return text


def two_columns(rows: Iterable[tuple[str, str]], indent: int = 2) -> list[str]:
    """Name and text side by side; a long name puts its text on the next line, texts wrap at HELP_WIDTH."""
    import textwrap

    lines: list[str] = []
    text_width = HELP_WIDTH - indent - NAME_COLUMN
    for name, text in rows:
        wrapped = textwrap.wrap(text, text_width) or [""]
        if len(name) + 2 > NAME_COLUMN:
            lines.append(" " * indent + name)
        else:
            lines.append(" " * indent + name.ljust(NAME_COLUMN) + wrapped.pop(0))
        lines.extend(" " * (indent + NAME_COLUMN) + rest for rest in wrapped)
    return [line.rstrip() for line in lines]


def options_rows(params: Sequence[Param], names: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """The rows of the options (those `names` pick, in that order, or all): help options last."""
    options = [p for p in params if _is_option(p) and not getattr(p, "hidden", False)]
    if names is not None:
        by_name = {p.name: p for p in options}
        options = [by_name[name] for name in names if name in by_name]
    return [(option_names(p), option_help(p)) for p in options]


def arguments_rows(params: Sequence[Param]) -> list[tuple[str, str]]:
    rows = []
    for param in params:
        if _is_argument(param):
            dots = "..." if param.nargs != 1 else ""
            rows.append((f"{metavar(param)}{dots}", getattr(param, "help", None) or ""))
    return rows


def command_usage(ctx: Context, command: Any) -> str:
    pieces = []
    for param in command.params:
        if _is_argument(param):
            pieces.append(metavar(param) + ("..." if param.nargs != 1 else ""))
    required = [p for p in command.params if _is_option(p) and p.required]
    pieces += [f"{max(p.opts, key=len)} {metavar(p)}".strip() for p in required]
    return " ".join([ctx.command_path, *pieces, "[options]"])


def command_help(ctx: Context, command: Any) -> str:
    lines = [f"Usage: {command_usage(ctx, command)}", ""]
    if command.help:
        lines += [command.help.strip(), ""]
    arguments = arguments_rows(command.params)
    if arguments:
        lines += ["Arguments:", *two_columns(arguments), ""]
    lines += ["Options:", *two_columns(options_rows(command.get_params(ctx)))]
    if command.epilog:
        lines += ["", command.epilog.strip()]
    return "\n".join(lines) + "\n"


def root_help(ctx: Context, group: Any) -> str:
    """The top-level screen: the usage of the default command first, then the commands, then examples."""
    check = group.get_command(ctx, DEFAULT_COMMAND)
    lines = [f"Usage: {USAGE}", "       bpfcheck COMMAND [ARGS]...", ""]
    if group.help:
        lines += [group.help.strip(), ""]
    if check is not None:
        lines += [
            f"Main options (of `{DEFAULT_COMMAND}`, the default command; `bpfcheck {DEFAULT_COMMAND} --help` "
            "lists them all):",
            *two_columns(options_rows(check.params, MAIN_OPTIONS)),
            "",
        ]
    commands = [(name, group.get_command(ctx, name)) for name in group.list_commands(ctx)]
    rows = [(name, (cmd.get_short_help_str(HELP_WIDTH) if cmd else "")) for name, cmd in commands]
    lines += ["Commands:", *two_columns(rows), ""]
    lines += ["Options:", *two_columns(options_rows(group.get_params(ctx))), ""]
    lines += ["Examples:"]
    for example, what in EXAMPLES:
        lines += [f"  {example}", f"      {what}"]
    lines += ["", EXIT_STATUS]
    return "\n".join(lines) + "\n"


class HelpGroup(TyperGroup):
    """The root command group, with the plain top-level help screen."""

    def format_help(self, ctx: Context, formatter: Any) -> None:
        formatter.write(root_help(ctx, self))

    def format_usage(self, ctx: Context, formatter: Any) -> None:
        formatter.write(f"Usage: {USAGE}\n")


class HelpCommand(TyperCommand):
    """A command with the plain help screen."""

    def format_help(self, ctx: Context, formatter: Any) -> None:
        formatter.write(command_help(ctx, self))

    def format_usage(self, ctx: Context, formatter: Any) -> None:
        formatter.write(f"Usage: {command_usage(ctx, self)}\n")
