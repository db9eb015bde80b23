"""Figures against a baseline and a budget: `--compare baseline.json` and `--max-processed 80%`.

A baseline is an earlier `bpfcheck --format json` report. Programs are
matched by object path, program name and kernel (then by the object's file
name, so a baseline taken in another folder still matches).

The complexity limit (instructions the verifier may process) per kernel comes
from /work/shared/reference/kernel_versions.md §1: 1,000,000
(`BPF_COMPLEXITY_LIMIT_INSNS`, "yes. 1M insns") from 5.2, 131072 before.
The rules' own figure (`for_kernel(k).limit("complexity")`) wins when it is there.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from verifier.errors import InputError

if TYPE_CHECKING:
    from verifier.pipeline import ObjectResult
    from verifier.verdict import ProgramVerdict

COMPLEXITY_LIMIT_SINCE_5_2 = 1_000_000
COMPLEXITY_LIMIT_BEFORE_5_2 = 131_072

_SHARE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
_COUNT_RE = re.compile(r"^\s*(\d+)\s*$")


def complexity_limit(kernel: str) -> int:
    """Processed-instruction limit of the verifier at `kernel` ("5.2", "6.1")."""
    try:
        from verifier.rules import for_kernel

        limit = for_kernel(kernel).limit("complexity")
        if isinstance(limit, int) and limit > 0:
            return limit
    except Exception:  # the table below is the fallback while the rules module lacks the figure
        pass
    match = re.match(r"^(\d+)\.(\d+)", kernel)
    if match and (int(match.group(1)), int(match.group(2))) < (5, 2):
        return COMPLEXITY_LIMIT_BEFORE_5_2
    return COMPLEXITY_LIMIT_SINCE_5_2


@dataclass(frozen=True, slots=True)
class Budget:
    """--max-processed: a share of the complexity limit ("80%") or a plain count ("500000")."""

    share: float | None = None
    count: int | None = None

    @staticmethod
    def parse(text: str) -> Budget:
        share = _SHARE_RE.match(text)
        if share:
            value = float(share.group(1))
            if not 0 < value <= 100:
                raise InputError(f"--max-processed {text!r}: the share must be above 0% and at most 100%")
            return Budget(share=value / 100)
        count = _COUNT_RE.match(text)
        if count and int(count.group(1)) > 0:
            return Budget(count=int(count.group(1)))
        raise InputError(f"--max-processed {text!r}: expected a share like 80% or a count like 500000")

    def allowed(self, kernel: str) -> int:
        if self.count is not None:
            return self.count
        return int(complexity_limit(kernel) * (self.share or 1.0))

    def describe(self, kernel: str) -> str:
        if self.count is not None:
            return f"{self.count} processed insns"
        return f"{self.share:.0%} of the {complexity_limit(kernel)}-insn limit ({self.allowed(kernel)})"


def _key(path: str, name: str, section: str, kernel: str) -> tuple[str, str, str, str]:
    return (os.path.normpath(path), name, section, kernel)


def _loose_key(path: str, name: str, section: str, kernel: str) -> tuple[str, str, str, str]:
    return (os.path.basename(path), name, section, kernel)


@dataclass(slots=True)
class Baseline:
    """Processed-instruction counts of an earlier run."""

    source: str = ""
    exact: dict[tuple[str, str, str, str], int] = field(default_factory=dict)
    loose: dict[tuple[str, str, str, str], int] = field(default_factory=dict)

    @staticmethod
    def load(path: str) -> Baseline:
        try:
            with open(path, encoding="utf-8") as handle:
                document = json.load(handle)
        except OSError as exc:
            raise InputError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: the baseline is not JSON ({exc})") from exc
        return Baseline.from_document(document, path)

    @staticmethod
    def from_document(document: Any, source: str = "") -> Baseline:
        if not isinstance(document, dict) or not isinstance(document.get("objects"), list):
            raise InputError(f"{source or 'baseline'}: not a bpfcheck JSON report (no 'objects' list)")
        baseline = Baseline(source=source)
        for obj in document["objects"]:
            if not isinstance(obj, dict):
                continue
            for prog in obj.get("programs") or []:
                processed = (prog.get("stats") or {}).get("processed") if isinstance(prog, dict) else None
                if not isinstance(processed, int):
                    continue
                parts = (str(obj.get("path", "")), str(prog.get("name")), str(prog.get("section")))
                kernel = str(prog.get("kernel"))
                baseline.exact[_key(*parts, kernel)] = processed
                baseline.loose.setdefault(_loose_key(*parts, kernel), processed)
        return baseline

    def processed(self, object_path: str, verdict: ProgramVerdict) -> int | None:
        parts = (object_path, verdict.name, verdict.section, verdict.kernel)
        found = self.exact.get(_key(*parts))
        return found if found is not None else self.loose.get(_loose_key(*parts))


@dataclass(frozen=True, slots=True)
class OverBudget:
    object_path: str
    verdict: ProgramVerdict
    processed: int
    allowed: int
    budget: str  # how the budget reads: "80% of the 1000000-insn limit (800000)"

    def line(self) -> str:
        return (
            f"{self.object_path}: {self.verdict.name} (kernel {self.verdict.kernel}) processed "
            f"{self.processed} insns, over the budget of {self.budget}"
        )


@dataclass(slots=True)
class Figures:
    """What --compare and --max-processed add to a report."""

    baseline: Baseline | None = None
    budget: Budget | None = None
    over_budget: list[OverBudget] = field(default_factory=list)

    def baseline_processed(self, object_path: str, verdict: ProgramVerdict) -> int | None:
        return self.baseline.processed(object_path, verdict) if self.baseline is not None else None

    def delta(self, object_path: str, verdict: ProgramVerdict) -> int | None:
        before = self.baseline_processed(object_path, verdict)
        return None if before is None else verdict.stats.processed - before

    def is_over_budget(self, object_path: str, verdict: ProgramVerdict) -> bool:
        return self.budget is not None and verdict.stats.processed > self.budget.allowed(verdict.kernel)

    def settle(self, results: Sequence[ObjectResult]) -> Figures:
        """Record the programs over budget once every result is in; returns self."""
        self.over_budget = find_over_budget(results, self.budget) if self.budget is not None else []
        return self


def find_over_budget(results: Sequence[ObjectResult], budget: Budget) -> list[OverBudget]:
    """Every accepted or rejected program whose processed count exceeds the budget at its kernel."""
    over: list[OverBudget] = []
    for result in results:
        for verdict in result.verdicts:
            allowed = budget.allowed(verdict.kernel)
            if verdict.stats.processed > allowed:
                over.append(
                    OverBudget(
                        result.path,
                        verdict,
                        verdict.stats.processed,
                        allowed,
                        budget.describe(verdict.kernel),
                    )
                )
    return over


def figures_for(results: Sequence[ObjectResult], baseline: Baseline | None, budget: Budget | None) -> Figures:
    return Figures(baseline=baseline, budget=budget).settle(results)


def format_delta(delta: int | None) -> str:
    """ "+120", "-8", "=" (unchanged), "new" (not in the baseline)."""
    if delta is None:
        return "new"
    return "=" if delta == 0 else f"{delta:+d}"
