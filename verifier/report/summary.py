"""Counts over a run, shared by the summary line and the exit status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from verifier.verdict import ACCEPT, REJECT

if TYPE_CHECKING:
    from verifier.pipeline import ObjectResult


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
        """0: everything accepted; 1: a rejection or a program error; 2: an object could not be read."""
        if self.unreadable:
            return 2
        if self.rejected or self.errors:
            return 1
        return 0

    def line(self) -> str:
        """"3 programs: 2 accepted, 1 rejected, 0 errors" (+ unreadable objects when there are any)."""
        noun = "program" if self.programs == 1 else "programs"
        text = (
            f"{self.programs} {noun}: {self.accepted} accepted, {self.rejected} rejected, "
            f"{self.errors} {'error' if self.errors == 1 else 'errors'}"
        )
        if self.unreadable:
            objects = "object" if self.unreadable == 1 else "objects"
            text += f"; {self.unreadable} {objects} could not be read"
        return text
