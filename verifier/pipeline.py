"""Wire the stages for one run: read each object once, then check every program at every kernel.

The stage functions (object reader, rules, structural checks, analysis) are
imported when a run starts, not when this module is imported, so the CLI's
`--help` stays fast. Tests hand in fakes through `Stages`.

Per program, nothing escapes: a program the kernel would never see (load
errors, unknown type) gets verdict "error" with category "load-error", and a
crash inside one program's analysis gets verdict "error" with category
"internal-error" and a one-line message (the traceback goes to stderr only
when BPFCHECK_DEBUG=1). A file that cannot be read at all raises `InputError`
from `check_object`; `check_objects` records it on the object's result instead.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import glob
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from time import perf_counter
from typing import TYPE_CHECKING, Any

from verifier.errors import ElfError, InputError
from verifier.gcpause import no_cyclic_gc
from verifier.verdict import ACCEPT, REJECT, Finding, ProgramVerdict, Stats

if TYPE_CHECKING:
    from verifier.abstract import AnalysisOptions
    from verifier.elf.model import BpfObject, Program

ERROR = "error"  # verdict of a program that could not be checked (load error, timeout, internal error)
LOAD_ERROR = "load-error"
INTERNAL_ERROR = "internal-error"
TIMEOUT = "timeout"
DEBUG_ENV = "BPFCHECK_DEBUG"
WITNESS_TIMEOUT = 5.0  # seconds z3 may spend on the witness of one finding
TIMEOUT_GRACE = 1.0  # seconds the hard deadline waits beyond --timeout for the analysis to stop by itself
_TIMEOUT_EXCEPTIONS = frozenset({"AnalysisTimeout", "TimeoutError", "AnalysisDeadline"})

_GLOB_CHARS = frozenset("*?[")


def debug_enabled() -> bool:
    """BPFCHECK_DEBUG=1 (or any value but "", "0") shows tracebacks of internal errors."""
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


def kernel_label(kernel: object) -> str:
    """How a kernel version is written in reports: "5.2" (from "5.2" or the rules' (5, 2))."""
    if isinstance(kernel, tuple) and kernel and all(isinstance(part, int) for part in kernel):
        return ".".join(str(part) for part in kernel)
    return str(kernel)


@dataclass(slots=True)
class ObjectResult:
    """Everything one object file produced."""

    path: str
    programs: list[Program] = field(default_factory=list)  # the programs checked (after --prog / --prog-type)
    verdicts: list[ProgramVerdict] = field(default_factory=list)  # per program, then per kernel
    error: str | None = None  # the file could not be read: one line naming it and the problem

    def program_for(self, verdict: ProgramVerdict) -> Program | None:
        """The program a verdict is about (reports need its line info)."""
        for program in self.programs:
            if program.name == verdict.name and program.section == verdict.section:
                return program
        return None


@dataclass(frozen=True, slots=True)
class Stages:
    """The stage functions a run calls; `Stages.real()` imports the project's own."""

    load_object: Callable[[str], BpfObject]
    for_kernel: Callable[[Any], Any]
    structural_check: Callable[..., list[Finding]]
    analyze_program: Callable[[BpfObject, Program, Any, AnalysisOptions], ProgramVerdict] | None
    # (obj, program, finding, prog_type, timeout) -> witness dict or None; None: no witnesses are sought
    find_witness: Callable[..., dict[str, object] | None] | None = None

    @staticmethod
    def real() -> Stages:
        from verifier.elf.reader import load_object
        from verifier.rules import for_kernel

        analyzer = _real_analyzer()
        # do_check() checks instruction fields where it reaches them: the engine does that itself
        return Stages(
            load_object, for_kernel, _real_structural_check(analyzer is None), analyzer, _real_witness_finder()
        )

    @staticmethod
    def reader_only() -> Stages:
        """Just the object reader (for `bpfcheck disasm`): the other stages are never called."""
        from verifier.elf.reader import load_object

        return Stages(load_object, _not_wired, _not_wired, None)


def _not_wired(*args: object) -> Any:
    raise RuntimeError("this stage is not wired in this run")


def _real_structural_check(insn_fields: bool = True) -> Callable[..., list[Finding]]:
    """The CFG's structural checks, or none while that module has not landed (the analysis still runs).

    `insn_fields` False leaves do_check()'s per-instruction field checks to the engine (on reach)."""
    try:
        from verifier.cfg.checks import structural_check
    except ModuleNotFoundError as exc:
        if exc.name != "verifier.cfg.checks":
            raise
        return _no_structural_checks
    return structural_check if insn_fields else functools.partial(structural_check, insn_fields=False)


def _no_structural_checks(program: Program, rules: Any, **_: Any) -> list[Finding]:
    return []


def _real_witness_finder() -> Callable[..., dict[str, object] | None] | None:
    """z3 witnesses (verifier.witness.find_witness), or None while that module has not landed."""
    try:
        from verifier.witness import find_witness
    except ModuleNotFoundError as exc:
        if exc.name is None or not exc.name.startswith("verifier.witness"):
            raise
        return None
    return find_witness


def _real_analyzer() -> Callable[..., ProgramVerdict] | None:
    """The abstract interpreter, or None while it has not landed (then structural checks decide)."""
    try:
        from verifier.abstract.analyze import analyze_program
    except ModuleNotFoundError as exc:
        if exc.name != "verifier.abstract.analyze":
            raise
        return None
    return analyze_program


# ---------------------------------------------------------------------------
# Object arguments


def expand_object_args(args: Sequence[str]) -> list[str]:
    """Expand glob patterns the shell left alone ("build/*.o", "**/*.o"), keeping input order.

    A pattern that matches nothing is an input error; a plain path is kept as
    given (a missing one is reported when it is read). Duplicates are dropped.
    """
    paths: list[str] = []
    for arg in args:
        if _GLOB_CHARS.isdisjoint(arg) or os.path.exists(arg):
            paths.append(arg)
            continue
        matches = sorted(p for p in glob.glob(arg, recursive=True) if not os.path.isdir(p))
        if not matches:
            raise InputError(f"{arg}: no file matches this pattern")
        paths.extend(matches)
    return list(dict.fromkeys(paths))


def _check_readable(path: str) -> None:
    if not os.path.lexists(path):
        raise InputError(f"{path}: no such file")
    if os.path.isdir(path):
        raise InputError(f"{path}: is a directory, not an object file")
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise InputError(f"{path}: cannot open: {exc.strerror or exc}") from exc


def _one_line(text: str) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[0] if lines else ""


def read_object(path: str, stages: Stages) -> BpfObject:
    """Load the object, turning every way a file can be unreadable into one `InputError` line."""
    _check_readable(path)
    try:
        return stages.load_object(path)
    except InputError as exc:
        message = _one_line(str(exc)) or "cannot be read as a BPF object"
        if path not in message:
            message = f"{path}: {message}"
        raise (ElfError(message) if isinstance(exc, ElfError) else InputError(message)) from exc
    except Exception as exc:  # a reader bug on odd bytes must still read as bad input
        if debug_enabled():
            traceback.print_exc(file=sys.stderr)
        detail = _one_line(str(exc)) or type(exc).__name__
        raise ElfError(f"{path}: cannot be read as a BPF object ({detail})") from exc


# ---------------------------------------------------------------------------
# Programs


def select_programs(programs: Sequence[Program], prog_filter: str | None) -> list[Program]:
    """--prog: an exact program name, or a glob over names ("xdp_*")."""
    if prog_filter is None:
        return list(programs)
    return [p for p in programs if p.name == prog_filter or fnmatch.fnmatchcase(p.name, prog_filter)]


def with_prog_type(program: Program, prog_type: str | None) -> Program:
    """--prog-type: the same program, loaded as another type (the kernel's name, e.g. "sched_cls")."""
    if prog_type is None or program.prog_type == prog_type:
        return program
    return dataclasses.replace(program, prog_type=prog_type)


def _error_verdict(
    program: Program, kernel: str, category: str, problem: str, hint: str = ""
) -> ProgramVerdict:
    """Verdict "error": the problem goes where the kernel's message would (the kernel never saw it)."""
    finding = Finding(insn=-1, kernel_message=problem, category=category, hint=hint)
    return ProgramVerdict(
        name=program.name,
        section=program.section,
        prog_type=program.prog_type,
        kernel=kernel,
        verdict=ERROR,
        findings=[finding],
    )


def load_error_verdict(program: Program, kernel: str) -> ProgramVerdict | None:
    """A program that never reaches the kernel's verifier, or None when it would be loaded."""
    if program.load_errors:
        return _error_verdict(
            program, kernel, LOAD_ERROR, "; ".join(_one_line(e) for e in program.load_errors)
        )
    if not program.prog_type:
        problem = f"cannot tell the program type from section '{program.section}'"
        return _error_verdict(
            program, kernel, LOAD_ERROR, problem, "Name the type with --prog-type (e.g. xdp)."
        )
    return None


def internal_error_verdict(program: Program, kernel: str, exc: BaseException) -> ProgramVerdict:
    detail = _one_line(str(exc))
    message = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return _error_verdict(program, kernel, INTERNAL_ERROR, f"internal error: {message}")


def timeout_verdict(program: Program, kernel: str, seconds: float) -> ProgramVerdict:
    return _error_verdict(program, kernel, TIMEOUT, f"analysis stopped after {seconds:g} s (--timeout)")


def is_timeout(exc: BaseException) -> bool:
    """The engine's own time-out exception, Python's TimeoutError, or the pipeline's hard deadline."""
    return any(cls.__name__ in _TIMEOUT_EXCEPTIONS for cls in type(exc).__mro__)


class AnalysisDeadline(Exception):
    """Raised by the SIGALRM guard when an analysis overruns --timeout (plus a grace second)."""


@contextmanager
def hard_deadline(seconds: float) -> Iterator[None]:
    """Interrupt the analysis once `seconds` have passed (main thread of a process only; else no guard)."""
    usable = (
        seconds > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise AnalysisDeadline(f"no verdict after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


DEFAULT_MEMORY_MB = 4096


def memory_limit_mb() -> int:
    try:
        return int(os.environ.get("BPFCHECK_MEMORY_MB", DEFAULT_MEMORY_MB))
    except ValueError:
        return DEFAULT_MEMORY_MB


def apply_memory_limit() -> None:
    """Bound the address space of this process, so a runaway analysis ends in MemoryError."""
    try:
        import resource

        limit = memory_limit_mb() * 1024 * 1024
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if limit > 0 and (soft == resource.RLIM_INFINITY or soft > limit):
            if hard != resource.RLIM_INFINITY:
                limit = min(limit, hard)
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass


def check_program(
    obj: BpfObject,
    program: Program,
    kernel: str,
    rules: Any,
    options: AnalysisOptions,
    stages: Stages,
) -> ProgramVerdict:
    """One program at one kernel; never raises (but KeyboardInterrupt)."""
    start = perf_counter()
    try:
        verdict = load_error_verdict(program, kernel)
        if verdict is None:
            with hard_deadline(options.timeout + TIMEOUT_GRACE if options.timeout > 0 else 0):
                verdict = _verify(obj, program, kernel, rules, options, stages)
    except Exception as exc:  # one program's crash must not stop the others
        if is_timeout(exc):
            verdict = timeout_verdict(program, kernel, options.timeout)
        elif isinstance(exc, MemoryError):
            verdict = _error_verdict(
                program,
                kernel,
                "memory",
                f"analysis stopped: over the memory limit ({memory_limit_mb()} MB, BPFCHECK_MEMORY_MB)",
            )
        else:
            if debug_enabled():
                print(f"bpfcheck: internal error in {obj.path} program {program.name}:", file=sys.stderr)
                traceback.print_exc(file=sys.stderr)
            verdict = internal_error_verdict(program, kernel, exc)
    verdict.stats.seconds = perf_counter() - start  # the analysis alone, not the witness search
    if verdict.verdict == REJECT and stages.find_witness is not None:
        add_witnesses(obj, program, verdict, stages.find_witness, options.timeout)
    verdict.kernel = kernel
    if verdict.verdict not in (ACCEPT, REJECT, ERROR):  # the report's contract knows only these three
        verdict.verdict = ERROR
    verdict.stats.insns = verdict.stats.insns or program.insn_count
    return verdict


def add_witnesses(
    obj: BpfObject,
    program: Program,
    verdict: ProgramVerdict,
    find_witness: Callable[..., dict[str, object] | None],
    timeout: float,
) -> None:
    """Ask z3 for inputs that reach each finding (or proof that none do); a failure leaves `witness` None."""
    budget = min(WITNESS_TIMEOUT, timeout) if timeout > 0 else WITNESS_TIMEOUT
    for finding in verdict.findings:
        if finding.witness is not None or finding.insn < 0:
            continue
        try:
            with hard_deadline(budget + TIMEOUT_GRACE):
                finding.witness = find_witness(obj, program, finding, program.prog_type, timeout=budget)
        except Exception:  # a witness is a bonus: the verdict stands without it
            if debug_enabled():
                traceback.print_exc(file=sys.stderr)
            finding.witness = None


def _verify(
    obj: BpfObject, program: Program, kernel: str, rules: Any, options: AnalysisOptions, stages: Stages
) -> ProgramVerdict:
    if options.unprivileged:  # check_cfg() refuses back-edges to unprivileged loaders
        findings = stages.structural_check(program, rules, options=options)
    else:
        findings = stages.structural_check(program, rules)
    if findings:
        return ProgramVerdict(
            name=program.name,
            section=program.section,
            prog_type=program.prog_type,
            kernel=kernel,
            verdict=REJECT,
            findings=list(findings),
            stats=Stats(insns=program.insn_count),
        )
    if stages.analyze_program is None:  # until the analysis lands, passing the structural checks is accepting
        return ProgramVerdict(
            name=program.name,
            section=program.section,
            prog_type=program.prog_type,
            kernel=kernel,
            verdict=ACCEPT,
            stats=Stats(insns=program.insn_count),
        )
    return stages.analyze_program(obj, program, rules, options)


def check_object(
    path: str,
    kernels: Sequence[Any],
    options: AnalysisOptions,
    prog_filter: str | None = None,
    prog_type_override: str | None = None,
    stages: Stages | None = None,
    witnesses: bool = True,
) -> ObjectResult:
    """Read `path` once and check each of its programs at each kernel.

    Raises `InputError` (one line, naming the file) when the file cannot be read.
    """
    with no_cyclic_gc():  # (gcpause.py: reading, CO-RE and analysis free what they drop by refcount)
        return _check_object(path, kernels, options, prog_filter, prog_type_override, stages, witnesses)


def _check_object(
    path: str,
    kernels: Sequence[Any],
    options: AnalysisOptions,
    prog_filter: str | None,
    prog_type_override: str | None,
    stages: Stages | None,
    witnesses: bool,
) -> ObjectResult:
    obj = read_object(path, stages or Stages.reader_only())  # bad input is told even while stages are missing
    stages = stages or Stages.real()
    if not witnesses:
        stages = dataclasses.replace(stages, find_witness=None)
    if not obj.programs:
        raise InputError(f"{path}: no BPF programs in this object")
    programs = [with_prog_type(p, prog_type_override) for p in select_programs(obj.programs, prog_filter)]
    result = ObjectResult(path=path, programs=programs)
    rules_by_kernel = [(kernel_label(k), stages.for_kernel(k)) for k in kernels]
    for program in programs:
        for label, rules in rules_by_kernel:
            result.verdicts.append(check_at_target(obj, program, label, rules, options, stages))
    return result


def check_at_target(
    obj: BpfObject, program: Program, kernel: str, rules: Any, options: AnalysisOptions, stages: Stages
) -> ProgramVerdict:
    """`check_program` on the program as the loader hands it to that kernel (CO-RE applied)."""
    from verifier.btf.prepare import explain_poisoned, for_target, pre_verifier_rejection

    try:
        obj_k, program_k = for_target(obj, program, kernel, options, rules)
    except InputError as exc:  # the target's BTF cannot be read: every program says so
        return _error_verdict(program, kernel, LOAD_ERROR, _one_line(str(exc)))
    early = pre_verifier_rejection(obj_k, program_k, rules)
    if early is not None:
        early.source = program_k.line_info.get(early.insn)
        return ProgramVerdict(
            name=program.name,
            section=program.section,
            prog_type=program.prog_type,
            kernel=kernel,
            verdict=REJECT,
            findings=[early],
            stats=Stats(insns=program.insn_count),
        )
    verdict = explain_poisoned(program_k, check_program(obj_k, program_k, kernel, rules, options, stages))
    verdict.assumptions = list(getattr(program_k, "target_notes", ()))
    return verdict


# ---------------------------------------------------------------------------
# Several objects


@dataclass(frozen=True, slots=True)
class _Job:
    path: str
    kernels: tuple[Any, ...]
    options: AnalysisOptions
    prog_filter: str | None
    prog_type_override: str | None
    stages: Stages | None
    witnesses: bool = True


def _run_job(job: _Job) -> ObjectResult:
    try:
        return check_object(
            job.path,
            job.kernels,
            job.options,
            job.prog_filter,
            job.prog_type_override,
            job.stages,
            job.witnesses,
        )
    except InputError as exc:
        return ObjectResult(path=job.path, error=str(exc))


def check_objects(
    paths: Sequence[str],
    kernels: Sequence[Any],
    options: AnalysisOptions,
    prog_filter: str | None = None,
    prog_type_override: str | None = None,
    jobs: int = 1,
    stages: Stages | None = None,
    witnesses: bool = True,
) -> list[ObjectResult]:
    """Check every object, in input order; `jobs` > 1 checks objects in parallel processes.

    An unreadable object does not stop the others: its result carries `error`.
    """
    return list(
        iter_check_objects(paths, kernels, options, prog_filter, prog_type_override, jobs, stages, witnesses)
    )


def iter_check_objects(
    paths: Sequence[str],
    kernels: Sequence[Any],
    options: AnalysisOptions,
    prog_filter: str | None = None,
    prog_type_override: str | None = None,
    jobs: int = 1,
    stages: Stages | None = None,
    witnesses: bool = True,
) -> Iterator[ObjectResult]:
    """`check_objects`, one result at a time as soon as it (and those before it) are done."""
    work = [
        _Job(p, tuple(kernels), options, prog_filter, prog_type_override, stages, witnesses) for p in paths
    ]
    if jobs <= 1 or len(work) <= 1:
        for job in work:
            yield _run_job(job)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(jobs, len(work))) as pool:
        yield from pool.map(_run_job, work)
