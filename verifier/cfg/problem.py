"""The first structural problem found: the kernel stops at its first error, so do the passes."""

from __future__ import annotations

from verifier.verdict import Finding


class StructuralProblem(Exception):
    """Raised by a pass; `structural_check` turns it into the single `Finding` it returns."""

    def __init__(self, insn: int, kernel_message: str, category: str, explanation: str = "") -> None:
        super().__init__(kernel_message)
        self.insn = insn
        self.kernel_message = kernel_message
        self.category = category
        self.explanation = explanation

    def to_finding(self) -> Finding:
        return Finding(
            insn=self.insn,
            kernel_message=self.kernel_message,
            category=self.category,
            message=self.explanation,
        )
