"""Kernel versions the tables know, and parsing of `--kernel` values.

Supported: every mainline release from 4.14 to `NEWEST` (the kernel the
reference corpus was verified on). Verifier behaviour is taken per X.Y release,
as its newest known build; a release naming a build listed in builds.py
("6.18.44-fc", "6.18.44") selects that build's facts. Other patch levels
("5.2.7") and distro suffixes ("6.1.0-18-amd64") are accepted and ignored.

Sources: kernel.org release list (4.20 was followed by 5.0, 5.19 by 6.0);
shared/README.md (the corpus verdicts come from a 6.18 kernel).
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from verifier.errors import UnknownKernelError

if TYPE_CHECKING:
    from verifier.rules.builds import KernelBuild

Version = tuple[int, int]

OLDEST: Version = (4, 14)
NEWEST: Version = (6, 18)

# Last minor release of each major series (kernel.org): 4.20 -> 5.0, 5.19 -> 6.0.
_LAST_MINOR = {4: 20, 5: 19}

_VERSION_RE = re.compile(r"^\s*v?(\d+)\.(\d+)(?:\.(\d+))?([-+~_.][\w.+~-]*)?\s*$")


def all_versions() -> list[Version]:
    """Every release from OLDEST to NEWEST, in order."""
    out: list[Version] = []
    for major in range(OLDEST[0], NEWEST[0] + 1):
        last = _LAST_MINOR.get(major, NEWEST[1] if major == NEWEST[0] else 99)
        first = OLDEST[1] if major == OLDEST[0] else 0
        for minor in range(first, last + 1):
            if (major, minor) <= NEWEST:
                out.append((major, minor))
    return out


_KNOWN = frozenset(all_versions())


def version_name(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


def _host_release() -> str:
    return os.uname().release


def parse_kernel(text: object) -> Version:
    """ "5.2", "5.2.7", "6.1.0-18-amd64", "host" or a (major, minor) tuple -> (major, minor).

    "host" is the running kernel; a host newer than the tables is read as NEWEST
    (the newest facts known). Anything else outside OLDEST..NEWEST raises
    UnknownKernelError.
    """
    if isinstance(text, tuple) and len(text) == 2 and all(isinstance(x, int) for x in text):
        return _checked((int(text[0]), int(text[1])), f"{text[0]}.{text[1]}")
    if not isinstance(text, str):
        raise UnknownKernelError(f"kernel version must be a string like 5.2, got {text!r}")
    raw = text.strip()
    if raw.lower() == "host":
        release = _host_release()
        version = _parse_text(release)
        if version > NEWEST:
            return NEWEST
        return _checked(version, f"host ({release})")
    return _checked(_parse_text(raw), raw)


def _parse_text(raw: str) -> Version:
    match = _VERSION_RE.match(raw)
    if not match:
        raise UnknownKernelError(f"invalid kernel version {raw!r}: expected X.Y, X.Y.Z or 'host'")
    return int(match.group(1)), int(match.group(2))


def _checked(version: Version, label: str) -> Version:
    if version not in _KNOWN:
        if OLDEST <= version <= NEWEST:
            raise UnknownKernelError(f"kernel {label} is not a Linux release")
        raise UnknownKernelError(
            f"unsupported kernel {label}: supported versions are "
            f"{version_name(OLDEST)} to {version_name(NEWEST)}"
        )
    return version


def resolve_build(text: str) -> KernelBuild | None:
    """The known build a `--kernel` value names (builds.py): an exact release, a point release, or
    "host" when the running kernel's release is listed; None otherwise (the X.Y facts apply)."""
    from verifier.rules.builds import find_build

    raw = text.strip()
    if raw.lower() == "host":
        return find_build(_host_release())
    return find_build(raw)


def parse_kernel_list(text: str) -> list[Version | KernelBuild]:
    """ "4.19,5.4" -> [(4, 19), (5, 4)]; "all" -> every supported version.

    A value naming a known build ("6.18.44-fc", "6.18.44", or "host" on a listed build) gives that
    KernelBuild instead of the X.Y tuple. Duplicates are dropped, order kept. An empty list is an error.
    """
    if not isinstance(text, str):
        raise UnknownKernelError(f"kernel list must be a string, got {text!r}")
    if text.strip().lower() == "all":
        return all_versions()
    out: list[Version | KernelBuild] = []
    for part in text.split(","):
        if not part.strip():
            continue
        version: Version | KernelBuild = resolve_build(part) or parse_kernel(part)
        if version not in out:
            out.append(version)
    if not out:
        raise UnknownKernelError("empty kernel version list")
    return out
