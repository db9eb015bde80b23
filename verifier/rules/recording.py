"""KernelRules that remember which version features an analysis asked about (for the report's facts)."""

from __future__ import annotations

from verifier.rules.kernel_rules import KernelRules


class FactRecorder(KernelRules):
    """The same rules as `base`; `used` collects every feature name passed to `has`."""

    def __init__(self, base: KernelRules) -> None:
        self.__dict__.update(base.__dict__)
        self.used: set[str] = set()
        self.base = base  # the same rules without the recording (questions asked of every instruction)

    def has(self, feature: str, unprivileged: bool = False) -> bool:
        self.used.add(feature)
        return super().has(feature, unprivileged)
