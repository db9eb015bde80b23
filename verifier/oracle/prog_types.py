"""Program type names <-> the kernel's `enum bpf_prog_type`, as libbpf knows them.

Accepted spellings: the kernel's name ("sched_cls", "socket_filter"), a libbpf
section name ("tc", "socket", "cgroup_skb/egress": also gives the expected
attach type), or the enum value itself.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

from verifier.errors import InputError
from verifier.oracle import libbpf as lb

_MAX_PROG_TYPE = 64


@dataclass(frozen=True, slots=True)
class ProgTypeChoice:
    prog_type: int
    expected_attach_type: int | None = None  # None: leave libbpf's choice from the section name


def prog_type_name(lib: ctypes.CDLL, value: int) -> str | None:
    raw = lib.libbpf_bpf_prog_type_str(value)
    return raw.decode() if raw else None


def resolve_prog_type(lib: ctypes.CDLL, spec: str | int) -> ProgTypeChoice:
    """Turn a user's program-type spelling into libbpf's enum values; InputError when unknown."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.isdigit()):
        value = int(spec)
        if prog_type_name(lib, value) is None:
            raise InputError(f"unknown program type number {value}")
        return ProgTypeChoice(value)
    for value in range(1, _MAX_PROG_TYPE):
        name = prog_type_name(lib, value)
        if name is None:
            break
        if name == spec:
            return ProgTypeChoice(value)
    prog_type, attach = ctypes.c_int(0), ctypes.c_int(0)
    lb.drain_messages()
    ret = lib.libbpf_prog_type_by_name(spec.encode(), ctypes.byref(prog_type), ctypes.byref(attach))
    lb.drain_messages()
    if ret < 0:
        raise InputError(f"unknown program type {spec!r}")
    return ProgTypeChoice(prog_type.value, attach.value)
