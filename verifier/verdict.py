"""What the analysis says about one program at one kernel version."""

from __future__ import annotations

from dataclasses import dataclass, field

from verifier.elf.model import SourceLine

ACCEPT = "accept"
REJECT = "reject"


@dataclass(slots=True)
class Finding:
    """One reason the kernel would refuse the program."""

    insn: int  # instruction index (-1 when the problem is not tied to one)
    kernel_message: str  # the kernel log's words, e.g. "R0 invalid mem access 'map_value_or_null'"
    category: str  # stable id, e.g. "null-deref", "packet-bounds", "back-edge", "helper-not-allowed"
    message: str = ""  # plain-language explanation
    source: SourceLine | None = None
    path: list[tuple[int, bool]] = field(default_factory=list)  # (branch insn, taken?) leading here
    state: dict[str, str] = field(default_factory=dict)  # register/stack name -> rendered state
    witness: dict[str, object] | None = None  # concrete inputs (report stage)
    hint: str = ""


@dataclass(slots=True)
class Stats:
    insns: int = 0
    processed: int = 0
    states: int = 0
    peak_states: int = 0
    stack_depth: int = 0
    seconds: float = 0.0


@dataclass(slots=True)
class ProgramVerdict:
    name: str
    section: str
    prog_type: str | None
    kernel: str
    verdict: str  # ACCEPT or REJECT
    findings: list[Finding] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)
    # --verbose: (insn, {register: state}) after each instruction of the failing path
    trace: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    # version features (rules/features.py) the analysis asked about: what the verdict rests on
    facts: list[str] = field(default_factory=list)
    # what the loader assumed about the target (CO-RE guards without its BTF, unknown kconfig values)
    assumptions: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.verdict == ACCEPT
