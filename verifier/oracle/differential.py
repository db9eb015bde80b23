"""bpfcheck's own verdict for one program, next to the kernel's: the glue of the differential tests.

`engine_stages()` is None while the engine (verifier.abstract.analyze via
verifier.pipeline) is not importable, so callers can skip cleanly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from verifier.errors import InputError
from verifier.oracle.verdict import ACCEPT, REJECT, KernelVerdict
from verifier.verdict import ProgramVerdict

COMPARABLE_KERNEL_VERDICTS = (ACCEPT, REJECT)


def engine_stages() -> Any | None:
    """The pipeline's real stages with the abstract interpreter, or None when not all of it exists yet."""
    try:
        from verifier.pipeline import Stages

        stages = Stages.real()
    except ImportError:
        return None
    return stages if stages.analyze_program is not None else None


def default_options(timeout: float = 60.0) -> Any:
    from verifier.abstract import AnalysisOptions

    return AnalysisOptions(timeout=timeout)


def check_object_programs(
    obj_path: str | os.PathLike[str], kernel: str, stages: Any, options: Any | None = None
) -> list[ProgramVerdict]:
    """bpfcheck's verdict for every program of the object at one kernel version (InputError if unreadable)."""
    from verifier.pipeline import check_object

    result = check_object(os.fspath(obj_path), [kernel], options or default_options(), stages=stages)
    return list(result.verdicts)


def find_verdict(verdicts: list[ProgramVerdict], program: str) -> ProgramVerdict | None:
    """The verdict about `program`: matched by name, else by section (legacy objects name programs by section)."""
    for verdict in verdicts:
        if verdict.name == program:
            return verdict
    for verdict in verdicts:
        if verdict.section == program:
            return verdict
    return None


def check_program(
    obj_path: str | os.PathLike[str], program: str, kernel: str, stages: Any, options: Any | None = None
) -> ProgramVerdict | None:
    """bpfcheck's verdict for one program at one kernel version; None when the program is not found."""
    try:
        verdicts = check_object_programs(obj_path, kernel, stages, options)
    except InputError:
        return None
    return find_verdict(verdicts, program)


@dataclass(frozen=True, slots=True)
class Comparison:
    """One program judged by both: is bpfcheck right about what the kernel did?"""

    program: str
    kernel: str  # the kernel's verdict
    bpfcheck: str  # bpfcheck's verdict ("accept", "reject", "error", or "missing")

    @property
    def comparable(self) -> bool:
        return self.kernel in COMPARABLE_KERNEL_VERDICTS

    @property
    def agrees(self) -> bool:
        return self.kernel == self.bpfcheck

    @property
    def false_accept(self) -> bool:
        """bpfcheck says accept where the kernel rejects: the one mistake a checker must not make."""
        return self.kernel == REJECT and self.bpfcheck == ACCEPT


def compare(program: str, kernel: KernelVerdict | str, ours: ProgramVerdict | None) -> Comparison:
    kernel_verdict = kernel if isinstance(kernel, str) else kernel.verdict
    return Comparison(program, kernel_verdict, ours.verdict if ours is not None else "missing")


@dataclass(frozen=True, slots=True)
class Agreement:
    comparisons: tuple[Comparison, ...]

    @property
    def compared(self) -> list[Comparison]:
        return [c for c in self.comparisons if c.comparable]

    @property
    def false_accepts(self) -> list[Comparison]:
        return [c for c in self.compared if c.false_accept]

    @property
    def disagreements(self) -> list[Comparison]:
        return [c for c in self.compared if not c.agrees]

    @property
    def rate(self) -> float:
        compared = self.compared
        return sum(c.agrees for c in compared) / len(compared) if compared else 1.0
