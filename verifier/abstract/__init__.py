"""The abstract interpreter: walks a program as the kernel verifier does.

Entry point: `analyze(obj, prog, rules, options) -> ProgramVerdict`, called
after the structural checks of `verifier.cfg` passed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AnalysisOptions:
    unprivileged: bool = False
    timeout: float = 60.0  # seconds of analysis per program
    verbose: bool = False  # keep the state at every instruction of the failing path
    # kernel label ("6.18") -> the file holding that kernel's BTF (--btf, or the host's for --kernel host)
    kernel_btf: tuple[tuple[str, str], ...] = ()
    prog_flags: int = 0  # BPF_PROG_LOAD's prog_flags (BPF_F_STRICT_ALIGNMENT, BPF_F_TEST_STATE_FREQ, ...)
