"""Find a kernel's BTF in a file: the bytes of its `.BTF` type table, whatever the container.

Accepted (`--btf FILE`):
- raw BTF (`/sys/kernel/btf/vmlinux`, `bpftool btf dump file ... format raw`): magic 0xeB9F;
- an ELF file with a `.BTF` section (`vmlinux`, a module `.ko`);
- a BTFHub-style archive (`5.10.0-8-amd64.btf.tar.xz`): a tar (xz, gzip, bzip2 or none) holding
  one of the above;
- a compressed kernel image (`vmlinuz`, a bzImage): the payload is found by its compression
  magic (xz, zstd, gzip) and decompressed into a `vmlinux` ELF;
- a Debian kernel package (`linux-image-*.deb`): its `boot/vmlinuz-*`.

Every problem is a `BtfSourceError` (an `InputError`: one line, exit status 2).
"""

from __future__ import annotations

import gzip
import io
import lzma
import shutil
import struct
import subprocess
import tarfile
import zlib

from verifier.errors import InputError

BTF_MAGIC_LE = b"\x9f\xeb"
BTF_MAGIC_BE = b"\xeb\x9f"
ELF_MAGIC = b"\x7fELF"
XZ_MAGIC = b"\xfd7zXZ\x00"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
GZIP_MAGIC = b"\x1f\x8b\x08"
AR_MAGIC = b"!<arch>\n"
MAX_DEPTH = 4  # containers inside containers (deb -> data.tar.xz -> vmlinuz -> vmlinux)
MAX_VMLINUX = 1 << 30  # decompressed size we accept


class BtfSourceError(InputError):
    """The file holds no usable kernel BTF."""


def read_btf_bytes(path: str) -> bytes:
    """The raw BTF of the kernel described by `path` (see the module doc for the formats)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise BtfSourceError(f"{path}: cannot read BTF: {exc.strerror or exc}") from exc
    found = _extract(data, MAX_DEPTH)
    if found is None:
        raise BtfSourceError(
            f"{path}: no kernel BTF found (expected raw BTF, a vmlinux ELF with .BTF, a .btf.tar.xz, "
            "a vmlinuz or a linux-image .deb)"
        )
    return found


def _extract(data: bytes, depth: int) -> bytes | None:
    if depth < 0 or len(data) < 8:
        return None
    head = data[:8]
    if head[:2] in (BTF_MAGIC_LE, BTF_MAGIC_BE):
        return data
    if head[:4] == ELF_MAGIC:
        return elf_section(data, ".BTF")
    if head == AR_MAGIC:
        return _from_deb(data, depth - 1)
    if head[:6] == XZ_MAGIC or head[:3] == GZIP_MAGIC or head[:3] == b"BZh" or _is_tar(data):
        inner = _from_tar(data, depth - 1)
        if inner is not None:
            return inner
        plain = _decompress_at(data, 0)
        return _extract(plain, depth - 1) if plain else None
    if head[:4] == ZSTD_MAGIC:
        plain = _decompress_at(data, 0)
        return _extract(plain, depth - 1) if plain else None
    return _from_kernel_image(data, depth - 1)


def _is_tar(data: bytes) -> bool:
    return len(data) > 262 and data[257:262] == b"ustar"


def _from_tar(data: bytes, depth: int) -> bytes | None:
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
            members = [m for m in tar.getmembers() if m.isfile()]
            members.sort(key=_member_rank)
            for member in members:
                f = tar.extractfile(member)
                if f is None:
                    continue
                found = _extract(f.read(), depth)
                if found is not None:
                    return found
    except (tarfile.TarError, EOFError, lzma.LZMAError, OSError, zlib.error):
        return None
    return None


def _member_rank(member: tarfile.TarInfo) -> tuple[int, str]:
    """Look at the likely files first: *.btf, vmlinux, boot/vmlinuz-*."""
    name = member.name.rsplit("/", 1)[-1]
    if name.endswith(".btf") or name == "vmlinux":
        return (0, member.name)
    if name.startswith("vmlinuz") or name.startswith("vmlinux"):
        return (1, member.name)
    return (2, member.name)


def _from_deb(data: bytes, depth: int) -> bytes | None:
    """A Debian package is an `ar` archive; the files are in data.tar.*."""
    pos = len(AR_MAGIC)
    while pos + 60 <= len(data):
        header = data[pos : pos + 60]
        name = header[:16].decode("ascii", "replace").strip().rstrip("/")
        try:
            size = int(header[48:58].decode("ascii").strip())
        except ValueError:
            return None
        body = data[pos + 60 : pos + 60 + size]
        if name.startswith("data.tar"):
            tar_bytes = _decompress_at(body, 0) if body[:4] == ZSTD_MAGIC else body
            return _from_tar(tar_bytes, depth) if tar_bytes else None
        pos += 60 + size + (size & 1)
    return None


def _from_kernel_image(data: bytes, depth: int) -> bytes | None:
    """A bzImage: the compressed vmlinux starts at one of the magics inside it."""
    for magic in (XZ_MAGIC, ZSTD_MAGIC, GZIP_MAGIC):
        start = data.find(magic)
        while 0 <= start < len(data):
            plain = _decompress_at(data, start)
            if plain and plain[:4] == ELF_MAGIC:
                return _extract(plain, depth)
            start = data.find(magic, start + 1)
            if start > 0 and magic == GZIP_MAGIC and start > 1 << 20:
                break
    return None


def _decompress_at(data: bytes, start: int) -> bytes | None:
    """Decompress the stream at `start` (trailing bytes after the stream are ignored)."""
    blob = data[start:]
    try:
        if blob[:6] == XZ_MAGIC:
            return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(blob, MAX_VMLINUX)
        if blob[:3] == b"BZh":
            import bz2

            return bz2.BZ2Decompressor().decompress(blob)
        if blob[:3] == GZIP_MAGIC:
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(blob, MAX_VMLINUX)
        if blob[:4] == ZSTD_MAGIC:
            return _zstd(blob)
    except (lzma.LZMAError, zlib.error, OSError, EOFError, ValueError, gzip.BadGzipFile):
        return None
    return None


def _zstd(blob: bytes) -> bytes | None:
    """zstd is not in Python 3.11's standard library: use the `zstd` program when installed."""
    exe = shutil.which("zstd")
    if exe is None:
        raise BtfSourceError("the kernel image is zstd-compressed: install zstd (apt-get install zstd)")
    proc = subprocess.run([exe, "-dc", "-q"], input=blob, capture_output=True, timeout=300, check=False)
    return proc.stdout or None


def elf_section(data: bytes, wanted: str) -> bytes | None:
    """The contents of section `wanted` of a 64- or 32-bit ELF file of either byte order."""
    try:
        is64 = data[4] == 2
        endian = "<" if data[5] == 1 else ">"
        if is64:
            (shoff,) = struct.unpack_from(endian + "Q", data, 0x28)
            shentsize, shnum, shstrndx = struct.unpack_from(endian + "3H", data, 0x3A)
            entry = struct.Struct(endian + "IIQQQQIIQQ")
        else:
            (shoff,) = struct.unpack_from(endian + "I", data, 0x20)
            shentsize, shnum, shstrndx = struct.unpack_from(endian + "3H", data, 0x2E)
            entry = struct.Struct(endian + "IIIIIIIIII")
        headers = [entry.unpack_from(data, shoff + i * shentsize) for i in range(shnum)]
        strtab = headers[shstrndx]
        names = data[strtab[4] : strtab[4] + strtab[5]]
        for h in headers:
            end = names.find(b"\0", h[0])
            if names[h[0] : end] == wanted.encode():
                return data[h[4] : h[4] + h[5]]
    except (struct.error, IndexError):
        return None
    return None
