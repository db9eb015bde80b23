"""The kernel's answer for one program, and how it is read from the verifier log."""

from __future__ import annotations

import errno as errno_mod
import re
from dataclasses import dataclass, field

ACCEPT = "accept"
REJECT = "reject"
ENV_REJECT = "env_reject"  # refused because of this machine's configuration, not the program
LOAD_ERROR = "load_error"
VERDICTS = (ACCEPT, REJECT, ENV_REJECT, LOAD_ERROR)

# errno values the verifier itself returns when it refuses a program
# (524 is the kernel-internal ENOTSUPP, which does reach user space).
VERIFIER_ERRNOS = frozenset({errno_mod.EACCES, errno_mod.EINVAL, errno_mod.E2BIG, errno_mod.EFAULT, 524})

# Helpers whose availability depends on the machine, not on the program
# (kernel/trace/bpf_trace.c, bpf_tracing_func_proto): bpf_probe_write_user is
# withheld under kernel lockdown (LOCKDOWN_BPF_WRITE_USER), bpf_override_return
# needs CONFIG_BPF_KPROBE_OVERRIDE. The verifier then reports the helper as unusable.
CONFIG_DEPENDENT_HELPERS = ("bpf_probe_write_user#", "bpf_override_return#")
_UNAVAILABLE_HELPER_PREFIXES = ("program of this type cannot use helper", "unknown func")

_PROCESSED_RE = re.compile(r"processed (\d+) insns \(limit \d+\)(?: max_states_per_insn \d+)?(?: total_states (\d+))?")
_TIME_RE = re.compile(r"verification time (\d+) usec")
_STACK_RE = re.compile(r"^stack depth ([\d+]+)\s*$", re.MULTILINE)
# Lines the kernel appends with BPF_LOG_STATS (level 4), after the verdict line.
_STATS_LINE_RE = re.compile(r"^(verification time \d+ usec|stack depth [\d+ ]*|processed \d+ insns .*)$")
# Some messages are printed without a newline, so the stats line sticks to them.
_GLUED_STATS_RE = re.compile(r"(?<=\S)(verification time \d+ usec)")
# State dumps the kernel prints after the reason (e.g. after "infinite loop detected").
_STATE_DUMP_PREFIXES = ("cur state:", "old state:")


@dataclass(slots=True, frozen=True)
class KernelVerdict:
    """What the running kernel said when asked to load one program."""

    verdict: str  # ACCEPT, REJECT, ENV_REJECT or LOAD_ERROR
    errno: int  # 0 when accepted
    msg: str  # last non-empty, non-statistics line of the verifier log (or libbpf's reason)
    log: str  # the verifier log (level 1|4), possibly only its tail
    processed: int | None = None  # "processed N insns"
    states: int | None = None  # "total_states T"
    verify_us: int | None = None  # "verification time N usec"
    stack_depths: tuple[int, ...] = field(default=())  # "stack depth 16+8": per (sub)program, main first

    @property
    def accepted(self) -> bool:
        return self.verdict == ACCEPT

    @property
    def stack_depth(self) -> int | None:
        """Stack bytes of the main program (None when the log has no stats line)."""
        return self.stack_depths[0] if self.stack_depths else None


def parse_stats(log: str) -> tuple[int | None, int | None, int | None]:
    """(processed insns, total states, verification time in usec) from a level-4 log."""
    processed = states = verify_us = None
    for m in _PROCESSED_RE.finditer(log):
        processed = int(m.group(1))
        states = int(m.group(2)) if m.group(2) is not None else None
    for m in _TIME_RE.finditer(log):
        verify_us = int(m.group(1))
    return processed, states, verify_us


def parse_stack_depths(log: str) -> tuple[int, ...]:
    """Per-subprogram stack depths from the "stack depth A+B+..." stats line (empty when absent)."""
    matches = _STACK_RE.findall(log)
    if not matches:
        return ()
    return tuple(int(part) for part in matches[-1].split("+") if part)


def last_message(log: str) -> str:
    """The last meaningful line of a verifier log: the kernel's reason for a rejection."""
    for line in reversed(split_glued_stats(log).splitlines()):
        text = line.strip()
        if text and not _STATS_LINE_RE.match(text) and not text.startswith(_STATE_DUMP_PREFIXES):
            return text
    return ""


def split_glued_stats(log: str) -> str:
    """Put a stats line that follows a message without a newline on its own line."""
    return _GLUED_STATS_RE.sub(r"\n\1", log)


def is_environment_refusal(err: int, msg: str) -> bool:
    """True when the refusal comes from this machine's configuration (lockdown, kernel options, EPERM as root)."""
    if err == errno_mod.EPERM:
        return True
    return msg.startswith(_UNAVAILABLE_HELPER_PREFIXES) and any(h in msg for h in CONFIG_DEPENDENT_HELPERS)


def classify(err: int, log: str, msg: str | None = None) -> str:
    """ACCEPT; REJECT when the verifier ran and refused; ENV_REJECT for configuration refusals;
    LOAD_ERROR when the load failed before or outside the verifier."""
    if err == 0:
        return ACCEPT
    text = last_message(log) if msg is None else msg
    if is_environment_refusal(err, text):
        return ENV_REJECT
    if err in VERIFIER_ERRNOS and log.strip():
        return REJECT
    return LOAD_ERROR
