"""Recorded kernel answers for the tests that talk to the live kernel, and kernel drift.

A test that compares bpfcheck with the kernel compares it with a *recording*: the kernel's answer
(verdict, message, register states, ...) kept in the repository together with the `uname -r` of the
kernel that gave it. bpfcheck is checked against the recording at that kernel's rules
(`for_kernel(release)`), so the suite passes wherever bpf() is denied (or `BPFCHECK_NO_KERNEL=1`).

Where the live kernel is usable, it is asked too: when its answer differs from the recording, the
kernel changed, not bpfcheck (stable backports, distribution builds). That is *kernel drift*: the
test is skipped with both answers and both releases in the reason and listed in a summary at the
end of the run; `python scripts/kernel_drift.py` lists all of it, and with `--record` turns the live
answers into the recordings (`BPFCHECK_RECORD=1`), for review in `git diff` and as new build facts
in verifier/rules/builds.py.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pytest

DATA_DIR = Path(__file__).resolve().parent / "data" / "kernel_recordings"
RECORD_ENV = "BPFCHECK_RECORD"
REPORT_ENV = "BPFCHECK_DRIFT_REPORT"

DRIFT: list[dict[str, str]] = []  # this session's drift, for the terminal summary


def live_release() -> str:
    return os.uname().release


def recording_mode() -> bool:
    """BPFCHECK_RECORD=1: live answers replace the recordings (run by scripts/kernel_drift.py --record)."""
    return os.environ.get(RECORD_ENV, "") not in ("", "0")


def live_kernel_usable() -> bool:
    """The kernel oracle's answer (BPFCHECK_NO_KERNEL=1 makes it False)."""
    from verifier.oracle import kernel_available

    return kernel_available()


@dataclass(slots=True)
class Recording:
    """One file of recorded answers: {"release": uname -r, "answers": {case key: answer}}."""

    name: str
    release: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return DATA_DIR / f"{self.name}.json"

    @staticmethod
    def load(name: str) -> Recording:
        path = DATA_DIR / f"{name}.json"
        if not path.is_file():
            return Recording(name)
        data = json.loads(path.read_text())
        return Recording(name, data.get("release"), dict(data.get("answers", {})))

    def answer(self, key: str) -> Any:
        """The recorded answer; a missing one fails the test (record it with scripts/kernel_drift.py --record)."""
        if key not in self.answers:
            pytest.fail(
                f"no recorded kernel answer for {key!r} in {self.path.name}: "
                "run `python scripts/kernel_drift.py --record` on a machine with bpf()"
            )
        return self.answers[key]

    def store(self, key: str, answer: Any) -> None:
        """Recording mode: keep the live answer (under the live release) and write the file."""
        self.answers[key] = answer
        self.release = live_release()
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        body = {"release": self.release, "answers": dict(sorted(self.answers.items()))}
        self.path.write_text(json.dumps(body, indent=1, sort_keys=False) + "\n")


def drift(case: str, recorded_release: str | None, recorded: Any, live: Any) -> NoReturn:
    """Report that the live kernel answers differently from the recording: a skip, never a failure."""
    entry = {
        "case": case,
        "recorded_release": recorded_release or "?",
        "recorded": _short(recorded),
        "live_release": live_release(),
        "live": _short(live),
    }
    DRIFT.append(entry)
    report = os.environ.get(REPORT_ENV)
    if report:
        with open(report, "a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")
    pytest.skip(
        f"kernel drift: {case}: recorded on {entry['recorded_release']}: {entry['recorded']}; "
        f"live {entry['live_release']}: {entry['live']}"
    )


def compare_live(rec: Recording, key: str, live: Any, case: str | None = None) -> None:
    """After bpfcheck agreed with the recording: record (in recording mode) or report drift."""
    if recording_mode():
        rec.store(key, live)
        return
    recorded = rec.answers.get(key)
    if recorded != live:
        drift(case or f"{rec.name}:{key}", rec.release, recorded, live)


def _short(value: Any, limit: int = 300) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."
