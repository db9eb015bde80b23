"""Counts over a run, shared by the summary line and the exit status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from verifier.verdict import ACCEPT, REJECT

if TYPE_CHECKING:
    from verifier.pipeline import ObjectResult


EXIT_ACCEPTED = 0  # every program accepted at every kernel
EXIT_REJECTED = 1  # some program rejected (or over the --max-processed budget)
EXIT_INPUT_ERROR = 2  # bad usage or unreadable input: bad ELF, unknown kernel, no programs
EXIT_UNDECIDED = (
    3  # nothing rejected, but some program could not be checked (load error, timeout, bpfcheck bug)
)
EXIT_INTERNAL_ERROR = 4  # bpfcheck itself failed outside any one program


@dataclass(frozen=True, slots=True)
class Tally:
    programs: int = 0  # program verdicts (one per program and kernel)
    accepted: int = 0
    rejected: int = 0
    errors: int = 0  # verdict "error": load errors, internal errors
    unreadable: int = 0  # objects that could not be read at all

    @staticmethod
    def of(results: Sequence[ObjectResult]) -> Tally:
        verdicts = [v.verdict for r in results for v in r.verdicts]
        accepted = verdicts.count(ACCEPT)
        rejected = verdicts.count(REJECT)
        return Tally(
            programs=len(verdicts),
            accepted=accepted,
            rejected=rejected,
            errors=len(verdicts) - accepted - rejected,
            unreadable=sum(1 for r in results if r.error is not None),
        )

    @property
    def exit_status(self) -> int:
        """The process's exit status for these results (see `exit_codes`)."""
        if self.unreadable:
            return EXIT_INPUT_ERROR
        if self.rejected:
            return EXIT_REJECTED
        if self.errors:
            return EXIT_UNDECIDED
        return EXIT_ACCEPTED

    def line(self) -> str:
        """ "3 programs: 2 accepted, 1 rejected, 0 errors" (+ unreadable objects when there are any)."""
        noun = "program" if self.programs == 1 else "programs"
        text = (
            f"{self.programs} {noun}: {self.accepted} accepted, {self.rejected} rejected, "
            f"{self.errors} {'error' if self.errors == 1 else 'errors'}"
        )
        if self.unreadable:
            objects = "object" if self.unreadable == 1 else "objects"
            text += f"; {self.unreadable} {objects} could not be read"
        return text
