"""Kernel builds whose verifier differs from others of the same X.Y release.

Stable point releases and distribution builds backport verifier changes, so one version
number can answer differently. The feature table (features.py) describes each X.Y release as
its newest known build; a row here names one build (its `uname -r`, or the nearest label known)
and the features whose value differs in it. `--kernel 6.18` is the newest known 6.18 build;
`--kernel 6.18.44-fc` selects the build of that name; a patch level ("6.18.44") selects the
newest known build of that point release; `--kernel host` the running build when it is listed,
else the newest known build of its series.

Every row was measured on a real kernel; `source` says where the recording lives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from verifier.rules.versions import Version, all_versions


@dataclass(frozen=True, slots=True)
class KernelBuild:
    release: str  # `uname -r` of the build, or the label it is known by
    version: Version
    patch: int | None  # the point release (6.18.44 -> 44), None when not known
    order: int  # newer builds of one series have larger numbers
    features: dict[str, bool] = field(default_factory=dict)  # differences from the X.Y row of features.py
    source: str = ""

    @property
    def name(self) -> str:
        return self.release

    def __str__(self) -> str:
        return self.release


BUILDS: tuple[KernelBuild, ...] = (
    KernelBuild(
        "6.18.44-fc",
        (6, 18),
        44,
        1,
        {"movsx_range_from_subreg": False, "sane_offset_skips_linked_delta": False, "sane_offset_ptr_split": False},
        "the 6.18.44 build the test suite was first recorded on (its uname began 6.18.44-fc; the full string was "
        "not kept): tests/data/engine_disagreements/*/kernel.log; sign extension as mainline v6.18 "
        "coerce_reg_to_size_sx() (issue 11 of this project)",
    ),
    KernelBuild(
        "6.18.44-fc-v1045",
        (6, 18),
        44,
        2,
        {},
        "measured 2026-12-02 on this project's machines: tests/data/kernel_recordings/ (scalar_alu.json, "
        "cfg_structural.json) and the recordings in tests/data/engine_disagreements/*/case.json",
    ),
    # Debian's kernels booted under qemu (scripts/kernel_vm.py): no differences from their X.Y rows beyond
    # the backports by point release in features.py
    KernelBuild(
        "5.10.0-46-amd64", (5, 10), 262, 1, {}, "Debian 5.10.262-1: tests/data/kernels/5.10.0-46-amd64"
    ),
    KernelBuild("6.1.0-57-amd64", (6, 1), 192, 1, {}, "Debian 6.1.192-3: tests/data/kernels/6.1.0-57-amd64"),
    KernelBuild(
        "6.12.117+deb13-amd64",
        (6, 12),
        117,
        1,
        {},
        "Debian 6.12.117-1: tests/data/kernels/6.12.117+deb13-amd64",
    ),
)

_BY_RELEASE = {build.release: build for build in BUILDS}
_PATCH_RE = re.compile(r"^\s*v?(\d+)\.(\d+)\.(\d+)\s*$")


def newest_build(version: Version) -> KernelBuild | None:
    """The newest known build of an X.Y release (None when no build of it is listed)."""
    builds = [b for b in BUILDS if b.version == version]
    return max(builds, key=lambda b: b.order) if builds else None


def find_build(text: str) -> KernelBuild | None:
    """A build by its exact release, or the newest known build of a point release ("6.18.44")."""
    raw = text.strip()
    if raw in _BY_RELEASE:
        return _BY_RELEASE[raw]
    match = _PATCH_RE.match(raw)
    if match:
        version = (int(match.group(1)), int(match.group(2)))
        patch = int(match.group(3))
        builds = [b for b in BUILDS if b.version == version and b.patch == patch]
        if builds:
            return max(builds, key=lambda b: b.order)
        if version in all_versions() and _has_backports(version):  # an unlisted point release of a series
            return KernelBuild(
                raw.lstrip("v"), version, patch, 0, {}, "point release (backports: features.py)"
            )
    return None


def _has_backports(version: Version) -> bool:
    """Does any feature reach this X.Y series by a stable backport (so its point releases differ)?"""
    from verifier.rules.features import FEATURES

    return any(b.series == version for row in FEATURES.values() for b in row.backports)


def build_feature(build: KernelBuild | None, name: str) -> bool | None:
    """The build's own value of a feature, or None when it follows its X.Y row."""
    if build is None:
        return None
    return build.features.get(name)
