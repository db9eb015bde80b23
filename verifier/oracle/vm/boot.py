"""Boot a kernel image under qemu (TCG, no KVM), run jobs inside it, collect the answers.

The host's / is shared read-only over 9p (the guest chroots into it and runs this project's
own loader with the host's python3 and libbpf.so.1); a per-run exchange directory is shared
read-write: jobs.jsonl and run.sh in, results.jsonl and uname.txt out.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from verifier.oracle.vm import initramfs
from verifier.oracle.vm.fetch import KernelImage, VmUnavailable
from verifier.oracle.vm.jobs import Job, Result, read_jsonl, result_from_dict, write_jobs

QEMU = "qemu-system-x86_64"
MEMORY_MB = int(os.environ.get("BPFCHECK_VM_MEMORY_MB", "1536"))
REPO_ROOT = Path(__file__).resolve().parents[3]
UP_MARK = "bpfcheck-vm: up "


@dataclass(frozen=True, slots=True)
class VmRun:
    release: str  # the guest's `uname -r` ("" when it never came up)
    results: list[Result]
    boot_seconds: float | None  # qemu start -> the guest's init is up
    total_seconds: float
    console: str  # the serial console (kernel messages and progress lines)


def qemu_path() -> str:
    path = shutil.which(QEMU)
    if path is None:
        raise VmUnavailable(f"{QEMU} not found (apt-get install qemu-system-x86)")
    return path


def qemu_command(image: KernelImage, initrd: Path, exchange: Path) -> list[str]:
    return [
        qemu_path(),
        "-accel", "tcg",
        "-cpu", "max",
        "-smp", "1",
        "-m", str(MEMORY_MB),
        "-nodefaults",
        "-display", "none",
        "-serial", "stdio",
        "-monitor", "none",
        "-no-reboot",
        "-kernel", str(image.vmlinuz),
        "-initrd", str(initrd),
        "-append", "console=ttyS0 panic=-1 quiet loglevel=4 rdinit=/init",
        "-virtfs", f"local,path=/,mount_tag={initramfs.HOST_TAG},security_model=none,readonly=on,multidevs=remap",
        "-virtfs", f"local,path={exchange},mount_tag={initramfs.OUT_TAG},security_model=none,multidevs=remap",
    ]  # fmt: skip


def _run_script() -> str:
    python = os.path.realpath(sys.executable)
    out = initramfs.GUEST_OUT
    cmd = [python, "-m", "verifier.oracle.vm.guest", "run", f"{out}/jobs.jsonl", f"{out}/results.jsonl"]
    return (
        f"cd {shlex.quote(str(REPO_ROOT))} || exit 1\n"
        "export PYTHONDONTWRITEBYTECODE=1 HOME=/tmp TMPDIR=/tmp\n"
        f"export PYTHONPATH={shlex.quote(str(REPO_ROOT))}\n"
        f"{shlex.join(cmd)}\n"
    )


def initrd_for(image: KernelImage, cache: Path) -> Path:
    dest = cache / "initramfs" / f"{image.package.package}.cpio"
    if not dest.is_file():
        initramfs.build(image, dest)
    return dest


def run_jobs(
    image: KernelImage, jobs: list[Job], cache: Path, *, timeout: float, echo: bool = False
) -> VmRun:
    """Boot `image`, load every job inside it, power off; results in job order (missing ones left out)."""
    initrd = initrd_for(image, cache)
    (cache / "runs").mkdir(parents=True, exist_ok=True)
    exchange = Path(tempfile.mkdtemp(prefix="run-", dir=cache / "runs"))
    try:
        write_jobs(exchange / "jobs.jsonl", jobs)
        (exchange / "run.sh").write_text(_run_script(), encoding="utf-8")
        return _boot(image, initrd, exchange, timeout, echo)
    finally:
        shutil.rmtree(exchange, ignore_errors=True)


def _boot(image: KernelImage, initrd: Path, exchange: Path, timeout: float, echo: bool) -> VmRun:
    cmd = qemu_command(image, initrd, exchange)
    start = time.monotonic()
    boot_seconds = None
    lines: list[str] = []
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    watchdog = threading.Timer(timeout, proc.kill)  # a guest that hangs silently is stopped too
    watchdog.start()
    try:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode(errors="replace").rstrip("\r\n")
            lines.append(line)
            if echo:
                print(line, file=sys.stderr, flush=True)
            if boot_seconds is None and UP_MARK in line:
                boot_seconds = time.monotonic() - start
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    if time.monotonic() - start >= timeout:
        lines.append(f"bpfcheck-vm: host timeout after {timeout:g} s")
    total = time.monotonic() - start
    uname = exchange / "uname.txt"
    release = uname.read_text().strip() if uname.is_file() else ""
    results = [result_from_dict(row) for row in read_jsonl(exchange / "results.jsonl")]
    return VmRun(release, results, boot_seconds, total, "\n".join(lines))
