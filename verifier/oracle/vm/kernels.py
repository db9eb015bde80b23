"""The real kernels bpfcheck is checked against under qemu: Debian's packaged 5.10, 6.1 and 6.12.

Each row names the Debian binary package (pinned, so recordings can be reproduced) and the
suites that carry it. Source: deb.debian.org package indices (bullseye-security,
bookworm-security, trixie), read with `apt-cache policy` on 2026-12-02; these are the builds
issue 14 measured (5.10.0-46 = 5.10.262, 6.1.0-57 = 6.1.192, 6.12.117).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MIRROR = "http://deb.debian.org/debian"
SECURITY_MIRROR = "http://deb.debian.org/debian-security"
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
SUITES: tuple[tuple[str, str], ...] = (
    (MIRROR, "bullseye"),
    (MIRROR, "bookworm"),
    (MIRROR, "trixie"),
    (SECURITY_MIRROR, "bullseye-security"),
    (SECURITY_MIRROR, "bookworm-security"),
    (SECURITY_MIRROR, "trixie-security"),
)


@dataclass(frozen=True, slots=True)
class KernelPackage:
    series: str  # the --kernel version bpfcheck is compared at ("5.10")
    package: str  # Debian binary package holding vmlinuz and the modules
    release: str  # `uname -r` of that kernel (the package name's version part)
    suite: str  # where it comes from (documentation)


KERNELS: tuple[KernelPackage, ...] = (
    KernelPackage("5.10", "linux-image-5.10.0-46-amd64", "5.10.0-46-amd64", "bullseye-security"),
    KernelPackage("6.1", "linux-image-6.1.0-57-amd64", "6.1.0-57-amd64", "bookworm-security"),
    KernelPackage("6.12", "linux-image-6.12.117+deb13-amd64", "6.12.117+deb13-amd64", "trixie"),
)


def kernel_for(series: str) -> KernelPackage:
    """The package row for "5.10" / "6.1" / "6.12" (or a package name / release); KeyError otherwise."""
    for row in KERNELS:
        if series in (row.series, row.package, row.release):
            return row
    raise KeyError(series)


def cache_dir() -> Path:
    """Where packages, unpacked kernels and apt state live: $BPFCHECK_VM_CACHE or ~/.cache/bpfcheck/kernels."""
    env = os.environ.get("BPFCHECK_VM_CACHE")
    if env:
        return Path(env)
    return Path(os.path.expanduser("~/.cache/bpfcheck/kernels"))


def cached_vmlinuz(package: KernelPackage) -> str | None:
    """The unpacked package's vmlinuz when the cache has it (its .BTF is the kernel's BTF), else None."""
    path = cache_dir() / "unpacked" / package.package / "boot" / f"vmlinuz-{package.release}"
    return str(path) if path.is_file() else None
