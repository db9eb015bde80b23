"""`bpfcheck explain LOG --object OBJ`: a kernel log's rejection as a finding of the object, and
whether bpfcheck's own analysis of the program agrees.

The finding is built from the log (the message, the line before it, the failing instruction,
the register state the log shows) and the object (the C source line from BTF line info, the
instruction's text); bpfcheck then checks the same program at the target kernel and the two
are compared: the same message at the same instruction agrees, anything else differs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from verifier.errors import InputError
from verifier.explain.kernel_log import KernelLog, parse_log, registers_named
from verifier.explain.locate import LogMismatch, check_fits, choose_program, object_texts
from verifier.explain.log_messages import category_of
from verifier.verdict import ACCEPT, REJECT, Finding, ProgramVerdict

if TYPE_CHECKING:
    from verifier.abstract import AnalysisOptions
    from verifier.elf.model import BpfObject, Program

AGREES = "agrees"
DIFFERS = "differs"
UNDECIDED = "undecided"
MAX_LOG_BYTES = 256 << 20  # a log larger than this is not a verifier log of one program


@dataclass(slots=True)
class Agreement:
    """bpfcheck's own verdict on the program, compared with the log."""

    kernel: str  # the kernel bpfcheck checked at ("6.18", from --kernel or the host)
    verdict: ProgramVerdict
    outcome: str  # AGREES, DIFFERS or UNDECIDED
    same_message: bool = False
    same_insn: bool = False
    note: str = ""

    @property
    def finding(self) -> Finding | None:
        return self.verdict.findings[0] if self.verdict.findings else None


@dataclass(slots=True)
class LogExplanation:
    log_path: str
    object_path: str
    program: Program
    log: KernelLog
    finding: Finding  # the log's rejection, located in the object
    agreement: Agreement | None = None
    involved: list[str] = field(default_factory=list)  # registers the failing insn and message name


def read_log(path: str) -> str:
    """The log's text; a missing, unreadable, binary or huge file is an InputError."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_LOG_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the log: {exc.strerror or exc}") from exc
    if len(data) > MAX_LOG_BYTES:
        raise InputError(f"{path}: too large for a verifier log ({MAX_LOG_BYTES >> 20} MiB at most)")
    if b"\0" in data:
        raise InputError(f"{path}: not a text file (a verifier log is text)")
    return data.decode("utf-8", errors="replace")


def finding_from_log(log: KernelLog, program: Program, category: str) -> Finding:
    """The log's rejection as a Finding of `program` (insn -1 when the log names no instruction)."""
    from verifier.abstract.analyze import source_for

    insn = log.failing_insn if log.failing_insn is not None else -1
    return Finding(
        insn=insn,
        kernel_message=log.message,
        category=category,
        message=log.detail,
        source=source_for(program, insn) if insn >= 0 else None,
        state=dict(log.state),
    )


def same_message(ours: str, theirs: str) -> bool:
    return re.sub(r"\s+", " ", ours.strip()) == re.sub(r"\s+", " ", theirs.strip())


def compare(finding: Finding, verdict: ProgramVerdict, kernel: str) -> Agreement:
    """How bpfcheck's verdict at `kernel` compares with the log's rejection."""
    agreement = Agreement(kernel=kernel, verdict=verdict, outcome=DIFFERS)
    why_not = (
        f"either the kernel that wrote the log is not {kernel} (name its version with --kernel) "
        "or bpfcheck is imprecise here"
    )
    if verdict.verdict == ACCEPT:
        agreement.note = f"bpfcheck accepts this program at kernel {kernel}: {why_not}."
        return agreement
    ours = agreement.finding
    if verdict.verdict != REJECT or ours is None:
        agreement.outcome = UNDECIDED
        problem = ours.kernel_message or ours.message if ours is not None else "no verdict"
        agreement.note = f"bpfcheck could not decide at kernel {kernel}: {problem}."
        return agreement
    agreement.same_message = same_message(ours.kernel_message, finding.kernel_message)
    agreement.same_insn = ours.insn == finding.insn
    if agreement.same_message and agreement.same_insn:
        agreement.outcome = AGREES
        agreement.note = (
            f"bpfcheck agrees: at kernel {kernel} it rejects with the same message at insn {ours.insn}."
        )
        return agreement
    where = f"insn {ours.insn}" if ours.insn >= 0 else "the whole program"
    agreement.note = (
        f"bpfcheck differs: at kernel {kernel} it rejects at {where} with "
        f"'{ours.kernel_message or ours.message}'; {why_not}."
    )
    return agreement


def has_target_btf(options: AnalysisOptions, label: str) -> bool:
    from verifier.btf.target import btf_path_for

    return bool(btf_path_for(options, label))


def own_verdict(
    obj: BpfObject, program: Program, kernel: Any, options: AnalysisOptions
) -> tuple[str, ProgramVerdict]:
    """bpfcheck's verdict on `program` at `kernel` (no witness search)."""
    import dataclasses

    from verifier.pipeline import Stages, check_at_target, kernel_label

    stages = dataclasses.replace(Stages.real(), find_witness=None)
    label = kernel_label(kernel)
    return label, check_at_target(obj, program, label, stages.for_kernel(kernel), options, stages)


def explain_log(
    log_path: str,
    object_path: str,
    program_name: str | None,
    kernel: Any,
    options: AnalysisOptions,
    prog_type: str | None = None,
    analyze: bool = True,
) -> LogExplanation:
    """Read the log and the object, locate the rejection and (with `analyze`) compare with bpfcheck.

    Raises InputError (LogMismatch) with one line when the log does not fit the object.
    """
    from verifier.pipeline import Stages, read_object, with_prog_type

    text = read_log(log_path)
    obj = read_object(object_path, Stages.reader_only())
    if not obj.programs:
        raise InputError(f"{object_path}: no BPF programs in this object")
    log = parse_log(text, program_name)
    if not log.message:
        why = (
            "it ends in the instruction trace (cut short?)" if log.has_trace else "was the program rejected?"
        )
        raise LogMismatch(f"{log_path}: no verifier error in this log ({why})")
    program = with_prog_type(choose_program(log, obj.programs, program_name, object_path), prog_type)
    check_fits(log, program)
    finding = finding_from_log(log, program, category_of(log.message))
    insn_text = object_texts(program).get(finding.insn, "") if finding.insn >= 0 else ""
    result = LogExplanation(log_path, object_path, program, log, finding)
    result.involved = registers_named(log.message, insn_text)
    if analyze:
        label, verdict = own_verdict(obj, program, kernel, options)
        result.agreement = compare(finding, verdict, label)
        if result.agreement.outcome != AGREES and program.core_relocs and not has_target_btf(options, label):
            result.agreement.note += (
                f" bpfcheck had no BTF of kernel {label} (give it with --btf FILE), so the program's "
                "CO-RE relocations were not applied."
            )
        ours = result.agreement.finding
        if ours is not None and result.agreement.same_message:
            finding.category = ours.category  # the engine's category and hint are specific to this finding
            finding.hint = ours.hint
            if finding.insn < 0 <= ours.insn:
                locate_by_analysis(result, ours)
    return result


def locate_by_analysis(result: LogExplanation, ours: Finding) -> None:
    """A log without the instruction trace (level 4, or only its tail pasted) names no instruction:
    bpfcheck's finding with the same message says where, and shows its own register state."""
    finding = result.finding
    finding.insn = ours.insn
    finding.source = ours.source
    finding.path = list(ours.path)
    if not finding.state:
        finding.state = dict(ours.state)
    result.involved = registers_named(finding.kernel_message, object_texts(result.program).get(ours.insn, ""))
    agreement = result.agreement
    if agreement is not None:
        agreement.same_insn = True
        agreement.outcome = AGREES
        agreement.note = (
            f"bpfcheck agrees: at kernel {agreement.kernel} it rejects with the same message; the log names "
            f"no instruction, so insn {ours.insn}, the path and the state are bpfcheck's."
        )
