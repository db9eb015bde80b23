"""A small busybox initramfs, built on the fly: load the package's virtio/9p modules, mount the host's
root read-only over 9p and run the loader inside it (`/init` below).

The archive is a plain (uncompressed) newc cpio; xz-compressed modules (Debian 6.12) are unpacked
while building it, so busybox's insmod never has to decompress.
"""

from __future__ import annotations

import lzma
import re
import shutil
import stat
from pathlib import Path

from verifier.oracle.vm.fetch import KernelImage, VmUnavailable

# What the guest needs: the virtio PCI transport, 9p over virtio, the 9p file system.
WANTED_MODULES = ("virtio_pci", "9pnet_virtio", "9p")
BUSYBOX_PATHS = ("/bin/busybox", "/usr/bin/busybox")

HOST_TAG = "hostroot"  # 9p mount tag of the host's / (read-only)
OUT_TAG = "bpfcheckout"  # 9p mount tag of the exchange directory (jobs in, results out)
GUEST_OUT = "/run/bpfcheck"  # where the exchange directory appears inside the chroot

_DEPENDS_RE = re.compile(rb"(?:^|\x00)depends=([^\x00]*)\x00")

INIT_SCRIPT = """#!/bin/busybox sh
/bin/busybox mkdir -p /bin /proc /sys /dev /host
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
for m in $(cat /modules.list); do insmod "/modules/$m" || echo "bpfcheck-vm: insmod $m failed"; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose {host} /host || {{ echo "bpfcheck-vm: cannot mount host root"; poweroff -f; }}
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs dev /host/dev
mount -t tmpfs tmp /host/tmp
mount -t tmpfs run /host/run
mkdir -p /host{out}
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 {out_tag} /host{out} || {{ echo "bpfcheck-vm: cannot mount exchange dir"; poweroff -f; }}
mount -t bpf bpf /host/sys/fs/bpf 2>/dev/null
mount -t debugfs debugfs /host/sys/kernel/debug 2>/dev/null
uname -r > /host{out}/uname.txt
echo "bpfcheck-vm: up $(uname -r) $(cut -d' ' -f1 /proc/uptime)"
chroot /host /bin/sh {out}/run.sh
echo "bpfcheck-vm: done $(cut -d' ' -f1 /proc/uptime)"
sync
poweroff -f
"""


def busybox_path() -> Path:
    for path in BUSYBOX_PATHS:
        if Path(path).is_file():
            return Path(path)
    raise VmUnavailable("busybox not found (apt-get install busybox-static)")


def _read_module(path: Path) -> bytes:
    data = path.read_bytes()
    return lzma.decompress(data) if path.name.endswith(".xz") else data


def _module_index(modules: Path) -> dict[str, Path]:
    """Module name (with '_' for '-') -> file, for every .ko / .ko.xz of the package."""
    index: dict[str, Path] = {}
    for path in modules.rglob("*.ko*"):
        name = path.name.split(".ko")[0].replace("-", "_")
        index.setdefault(name, path)
    return index


def _builtin(modules: Path) -> set[str]:
    listing = modules / "modules.builtin"
    if not listing.is_file():
        return set()
    return {Path(line).name.split(".ko")[0].replace("-", "_") for line in listing.read_text().split()}


def module_order(image: KernelImage, wanted: tuple[str, ...] = WANTED_MODULES) -> list[tuple[str, bytes]]:
    """(file name, bytes) of the wanted modules and their dependencies (from .modinfo), dependencies first."""
    index = _module_index(image.modules)
    builtin = _builtin(image.modules)
    order: list[tuple[str, bytes]] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        key = name.replace("-", "_")
        if key in seen or key in builtin:
            return
        seen.add(key)
        path = index.get(key)
        if path is None:
            raise VmUnavailable(f"{image.package.package}: module {name} not found")
        data = _read_module(path)
        match = _DEPENDS_RE.search(data)
        for dep in match.group(1).decode().split(",") if match else []:
            if dep:
                visit(dep)
        order.append((f"{key}.ko", data))

    for name in wanted:
        visit(name)
    return order


def _cpio_entry(name: str, mode: int, data: bytes = b"", ino: int = 1) -> bytes:
    fields = (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0)
    header = b"070701" + b"".join(f"{v:08x}".encode() for v in fields)
    out = header + name.encode() + b"\x00"
    out += b"\x00" * (-len(out) % 4)
    out += data + b"\x00" * (-len(data) % 4)
    return out


def build(image: KernelImage, dest: Path) -> Path:
    """Write the initramfs for this kernel to `dest` (a newc cpio archive)."""
    files: list[tuple[str, int, bytes]] = [
        ("bin", stat.S_IFDIR | 0o755, b""),
        ("modules", stat.S_IFDIR | 0o755, b""),
        ("bin/busybox", stat.S_IFREG | 0o755, busybox_path().read_bytes()),
    ]
    modules = module_order(image)
    for name, data in modules:
        files.append((f"modules/{name}", stat.S_IFREG | 0o644, data))
    files.append(("modules.list", stat.S_IFREG | 0o644, "\n".join(n for n, _ in modules).encode() + b"\n"))
    init = INIT_SCRIPT.format(host=HOST_TAG, out_tag=OUT_TAG, out=GUEST_OUT)
    files.append(("init", stat.S_IFREG | 0o755, init.encode()))
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".partial")
    with tmp.open("wb") as fh:
        for ino, (name, mode, data) in enumerate(files, start=2):
            fh.write(_cpio_entry(name, mode, data, ino))
        fh.write(_cpio_entry("TRAILER!!!", 0))
    shutil.move(tmp, dest)
    return dest
