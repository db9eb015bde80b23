"""The real kernels bpfcheck's verdicts were compared with, and the version facts a verdict at any other
kernel rests on.

A verdict at a kernel that was run (tests/data/kernels/<uname -r>/, scripts/kernel_vm.py; the host's
6.18.44 in the differential tests) is backed by that kernel's answers. At any other version it rests on
the rule tables: `unmeasured_facts` names the version facts the analysis consulted whose value there
differs from a measured kernel next to it (below or above), i.e. the facts no real kernel vouched for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from verifier.rules.features import FEATURES, has_feature
from verifier.rules.versions import Version


@dataclass(frozen=True, slots=True)
class MeasuredKernel:
    release: str  # `uname -r`
    version: Version
    patch: int
    source: str


MEASURED: tuple[MeasuredKernel, ...] = (
    MeasuredKernel(
        "5.10.0-46-amd64", (5, 10), 262, "Debian 5.10.262-1 under qemu: tests/data/kernels/5.10.0-46-amd64"
    ),
    MeasuredKernel(
        "6.1.0-57-amd64", (6, 1), 192, "Debian 6.1.192-3 under qemu: tests/data/kernels/6.1.0-57-amd64"
    ),
    MeasuredKernel(
        "6.12.117+deb13-amd64",
        (6, 12),
        117,
        "Debian 6.12.117-1 under qemu: tests/data/kernels/6.12.117+deb13-amd64",
    ),
    MeasuredKernel(
        "6.18.44-fc-v1045", (6, 18), 44, "the host kernel of the differential tests (tests/data/)"
    ),
)


@dataclass(frozen=True, slots=True)
class FactNote:
    """One version fact a verdict rests on: its value at the target and where the fact comes from."""

    name: str
    present: bool
    since: str
    backports: tuple[str, ...]
    source: str

    def short(self) -> str:
        where = f"since {self.since}" + (
            f", backported to {', '.join(self.backports)}" if self.backports else ""
        )
        return f"{self.name} ({'yes' if self.present else 'no'}: {where})"


def measured_kernel(version: Version, patch: int | None) -> MeasuredKernel | None:
    """The measured kernel a target is (X.Y without a patch level: the newest known point release)."""
    for kernel in MEASURED:
        if kernel.version == version and (patch is None or patch == kernel.patch):
            return kernel
    return None


def _neighbours(version: Version) -> list[MeasuredKernel]:
    """The measured kernels next to `version`: the nearest below and above, and any of the same X.Y."""
    below = [k for k in MEASURED if k.version < version]
    above = [k for k in MEASURED if k.version > version]
    same = [k for k in MEASURED if k.version == version]
    return ([below[-1]] if below else []) + same + ([above[0]] if above else [])


def unmeasured_facts(
    version: Version, patch: int | None, used: Iterable[str], unprivileged: bool = False
) -> list[FactNote]:
    """The consulted features whose value at the target no neighbouring measured kernel shares
    (empty when the target is a measured kernel)."""
    if measured_kernel(version, patch) is not None:
        return []
    notes = []
    for name in sorted(set(used)):
        row = FEATURES.get(name)
        if row is None:
            continue
        value = has_feature(name, version, unprivileged, patch)
        if all(has_feature(name, k.version, unprivileged, k.patch) == value for k in _neighbours(version)):
            continue
        since = f"{row.since[0]}.{row.since[1]}"
        backports = tuple(f"{b.series[0]}.{b.series[1]}.{b.patch}" for b in row.backports)
        notes.append(FactNote(name, value, since, backports, row.source))
    return notes


def facts_for_verdict(kernel: str, used: Iterable[str]) -> list[FactNote]:
    """`unmeasured_facts` for a verdict's kernel name ("5.15", "6.18.44-fc", ...); [] when unknown."""
    from verifier.errors import InputError
    from verifier.rules.kernel_rules import for_kernel

    try:
        rules = for_kernel(kernel)
    except InputError:
        return []
    build = getattr(rules, "build", None)
    return unmeasured_facts(rules.version, getattr(build, "patch", None), used)
