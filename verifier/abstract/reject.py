"""The exception a transfer function raises when the kernel would refuse."""

from __future__ import annotations


class Reject(Exception):
    """The verifier refuses the program at this instruction.

    `message` is the kernel log's line (its last line: what `bpftool` shows),
    `category` a stable id used by reports and hints.
    """

    def __init__(self, message: str, category: str, regs: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.category = category
        self.regs = regs  # registers involved (for the report's state)
        self.detail = ""  # the kernel's line before the verdict line, when it prints one

    def with_detail(self, detail: str) -> Reject:
        self.detail = detail
        return self


class TooComplex(Reject):
    """The processed-instruction or state limit was hit."""


class AnalysisTimeout(Exception):
    """bpfcheck's own time budget ran out (not a kernel verdict)."""


def negative_min(regno: int, category: str) -> Reject:
    """The kernel's answer to an access or size whose signed minimum may be negative."""
    return Reject(
        f"R{regno} min value is negative, either use unsigned index or do a if (index >=0) check.",
        category,
        (regno,),
    )
