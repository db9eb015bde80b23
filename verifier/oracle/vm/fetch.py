"""Fetch a Debian kernel package with a private apt configuration and unpack it (dpkg -x).

The system's apt state is never touched: the sources list, package lists and archive cache
all live under the cache directory, and apt is told so with -o options.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from verifier.oracle.vm.kernels import KEYRING, SUITES, KernelPackage


class VmUnavailable(RuntimeError):
    """A tool, a package or the network is missing: VM tests skip with this reason."""


@dataclass(frozen=True, slots=True)
class KernelImage:
    package: KernelPackage
    root: Path  # the unpacked package
    vmlinuz: Path
    modules: Path  # lib/modules/<release>

    @property
    def release(self) -> str:
        return self.package.release


def _apt_options(apt_dir: Path) -> list[str]:
    etc = apt_dir / "etc"
    return [
        "-o", f"Dir::Etc::SourceList={apt_dir / 'sources.list'}",
        "-o", f"Dir::Etc::SourceParts={etc / 'sources.list.d'}",
        "-o", f"Dir::Etc::Preferences={etc / 'preferences'}",
        "-o", f"Dir::Etc::PreferencesParts={etc / 'preferences.d'}",
        "-o", f"Dir::State::Lists={apt_dir / 'lists'}",
        "-o", f"Dir::State::status={etc / 'status'}",
        "-o", f"Dir::Cache={apt_dir / 'cache'}",
        "-o", "Debug::NoLocking=1",
        "-o", "APT::Architecture=amd64",
        "-o", "APT::Sandbox::User=root",
        "-o", "Acquire::Languages=none",
    ]  # fmt: skip


def _prepare_apt(apt_dir: Path) -> None:
    for sub in ("lists/partial", "cache/archives/partial", "etc/sources.list.d", "etc/preferences.d"):
        (apt_dir / sub).mkdir(parents=True, exist_ok=True)
    (apt_dir / "etc" / "status").touch()
    lines = [f"deb [signed-by={KEYRING}] {mirror} {suite} main" for mirror, suite in SUITES]
    (apt_dir / "sources.list").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _run(cmd: list[str], cwd: Path | None = None) -> None:
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise VmUnavailable(f"{cmd[0]}: {exc}") from exc
    if proc.returncode != 0:
        tail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-1:] or [f"exit {proc.returncode}"]
        raise VmUnavailable(f"{' '.join(cmd[:2])}: {tail[0]}")


def download(package: KernelPackage, cache: Path) -> Path:
    """The package's .deb under cache/debs (downloaded once)."""
    debs = cache / "debs"
    found = sorted(debs.glob(f"{package.package}_*_amd64.deb"))
    if found:
        return found[-1]
    for tool in ("apt-get", "dpkg"):
        if shutil.which(tool) is None:
            raise VmUnavailable(f"{tool} not found (a Debian-like host is needed to fetch kernels)")
    apt_dir = cache / "apt"
    _prepare_apt(apt_dir)
    options = _apt_options(apt_dir)
    lists = apt_dir / "lists"
    if not any(lists.glob("*_Packages*")):
        _run(["apt-get", *options, "update"])
    debs.mkdir(parents=True, exist_ok=True)
    _run(["apt-get", *options, "download", package.package], cwd=debs)
    found = sorted(debs.glob(f"{package.package}_*_amd64.deb"))
    if not found:
        raise VmUnavailable(f"apt-get download {package.package} left no .deb in {debs}")
    return found[-1]


def unpack(package: KernelPackage, deb: Path, cache: Path) -> KernelImage:
    """`dpkg -x` the package once into cache/unpacked/<package>."""
    root = cache / "unpacked" / package.package
    if not (root / "boot").is_dir():
        tmp = root.with_name(root.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        _run(["dpkg", "-x", str(deb), str(tmp)])
        shutil.rmtree(root, ignore_errors=True)
        tmp.rename(root)
    return image_at(package, root)


def image_at(package: KernelPackage, root: Path) -> KernelImage:
    vmlinuz = root / "boot" / f"vmlinuz-{package.release}"
    for modules in (
        root / "lib" / "modules" / package.release,
        root / "usr" / "lib" / "modules" / package.release,
    ):
        if modules.is_dir() and vmlinuz.is_file():
            return KernelImage(package, root, vmlinuz, modules)
    raise VmUnavailable(f"{root}: no vmlinuz-{package.release} or modules directory")


def fetch(package: KernelPackage, cache: Path) -> KernelImage:
    """Download (once) and unpack (once) the kernel package; VmUnavailable when that cannot be done."""
    root = cache / "unpacked" / package.package
    if (root / "boot").is_dir():
        return image_at(package, root)
    return unpack(package, download(package, cache), cache)
