"""The kernel's answer for one program, and how it is read from the verifier log."""

from __future__ import annotations

import errno as errno_mod
import re
from dataclasses import dataclass

ACCEPT = "accept"
REJECT = "reject"
LOAD_ERROR = "load_error"

# errno values the verifier itself returns when it refuses a program
# (524 is the kernel-internal ENOTSUPP, which does reach user space).
VERIFIER_ERRNOS = frozenset({errno_mod.EACCES, errno_mod.EINVAL, errno_mod.E2BIG, errno_mod.EFAULT, 524})

_PROCESSED_RE = re.compile(r"processed (\d+) insns \(limit \d+\)(?: max_states_per_insn \d+)?(?: total_states (\d+))?")
_TIME_RE = re.compile(r"verification time (\d+) usec")
# Lines the kernel appends with BPF_LOG_STATS (level 4), after the verdict line.
_STATS_LINE_RE = re.compile(r"^(verification time \d+ usec|stack depth [\d+ ]*|processed \d+ insns .*)$")


@dataclass(slots=True, frozen=True)
class KernelVerdict:
    """What the running kernel said when asked to load one program."""

    verdict: str  # ACCEPT, REJECT or LOAD_ERROR
    errno: int  # 0 when accepted
    msg: str  # last non-empty, non-statistics line of the verifier log (or libbpf's reason)
    log: str  # the verifier log (level 1|4), possibly only its tail
    processed: int | None = None  # "processed N insns"
    states: int | None = None  # "total_states T"
    verify_us: int | None = None  # "verification time N usec"

    @property
    def accepted(self) -> bool:
        return self.verdict == ACCEPT


def parse_stats(log: str) -> tuple[int | None, int | None, int | None]:
    """(processed insns, total states, verification time in usec) from a level-4 log."""
    processed = states = verify_us = None
    for m in _PROCESSED_RE.finditer(log):
        processed = int(m.group(1))
        states = int(m.group(2)) if m.group(2) is not None else None
    for m in _TIME_RE.finditer(log):
        verify_us = int(m.group(1))
    return processed, states, verify_us


def last_message(log: str) -> str:
    """The last meaningful line of a verifier log: the kernel's reason for a rejection."""
    for line in reversed(log.splitlines()):
        text = line.strip()
        if text and not _STATS_LINE_RE.match(text):
            return text
    return ""


def classify(err: int, log: str) -> str:
    """REJECT when the verifier ran and refused, LOAD_ERROR when the load failed elsewhere."""
    if err == 0:
        return ACCEPT
    if err in VERIFIER_ERRNOS and log.strip():
        return REJECT
    return LOAD_ERROR
