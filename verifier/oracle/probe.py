"""Is the kernel usable as an oracle here? (bpf() permitted and libbpf present)."""

from __future__ import annotations

import ctypes
import os
import re
import struct
from functools import cache

from verifier.oracle import libbpf as lb

BPF_PROG_TYPE_SOCKET_FILTER = 1

# r0 = 0; exit
_TRIVIAL_PROGRAM = struct.pack("<BBhi", 0xB7, 0x00, 0, 0) + struct.pack("<BBhi", 0x95, 0x00, 0, 0)


def _load_trivial(lib: ctypes.CDLL) -> bool:
    insns = ctypes.create_string_buffer(_TRIVIAL_PROGRAM, len(_TRIVIAL_PROGRAM))
    fd = lib.bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, b"bpfcheck_probe", b"GPL", insns, 2, None)
    lb.drain_messages()
    if fd < 0:
        return False
    os.close(fd)
    return True


NO_KERNEL_ENV = "BPFCHECK_NO_KERNEL"


def kernel_disabled() -> bool:
    """True when BPFCHECK_NO_KERNEL is set (to anything but "" or "0"): act as if bpf() were denied."""
    return os.environ.get(NO_KERNEL_ENV, "") not in ("", "0")


@cache
def kernel_available() -> bool:
    """True when a trivial socket_filter program loads (answer cached for the process).

    False without trying when BPFCHECK_NO_KERNEL is set, as on a machine where bpf() is denied.
    """
    if kernel_disabled():
        return False
    try:
        lib = lb.libbpf()
    except lb.LibbpfMissing:
        return False
    try:
        return _load_trivial(lib)
    except OSError:
        return False


def host_release() -> str:
    """The running kernel's `uname -r` ("6.18.44-fc-v1045"): the identity a kernel answer is recorded under."""
    return os.uname().release


def host_kernel_version() -> tuple[int, int]:
    """(major, minor) of the running kernel, from uname ("6.18.44-fc" -> (6, 18))."""
    m = re.match(r"(\d+)\.(\d+)", os.uname().release)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)
