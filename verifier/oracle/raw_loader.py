"""Load one program with the bpf() syscall directly, for legacy objects libbpf 1.x refuses
(`maps` sections with `struct bpf_map_def`, iproute2 layouts, section names libbpf does not know).

bpfcheck's own ELF reader (verifier.elf) supplies the linked instructions, the maps and the
ld_imm64 map references; maps are created as the object describes them (the reader already
raises a zero max_entries to 1, or to the CPU count for perf event arrays; a map-in-map with
value_size 0 gets 4), the references are patched with the new fds, and the program is loaded
with a verifier log (level 1|4). No BTF is passed (no func_info: bpfcheck's reader drops it for
legacy objects, so a callback's address is refused as the kernel refuses it here). Everything is
closed before returning.

`union bpf_attr` layouts (include/uapi/linux/bpf.h, stable since 4.x):
  BPF_MAP_CREATE: map_type@0 key_size@4 value_size@8 max_entries@12 map_flags@16 inner_map_fd@20
  BPF_MAP_UPDATE_ELEM: map_fd@0 key@8 value@16 flags@24; BPF_MAP_FREEZE: map_fd@0
  BPF_PROG_LOAD: prog_type@0 insn_cnt@4 insns@8 license@16 log_level@24 log_size@28 log_buf@32
                 kern_version@40 prog_flags@44 prog_name@48 prog_ifindex@64 expected_attach_type@68
"""

from __future__ import annotations

import ctypes
import dataclasses
import errno as errno_mod
import functools
import os
import struct

from verifier.errors import InputError
from verifier.oracle.verdict import (
    LOAD_ERROR,
    KernelVerdict,
    classify,
    last_message,
    parse_stack_depths,
    parse_stats,
)

SYS_BPF = 321  # x86-64
BPF_MAP_CREATE, BPF_MAP_UPDATE_ELEM, BPF_PROG_LOAD, BPF_MAP_FREEZE = 0, 2, 5, 22
MAP_TYPE_ARRAY = 2
MAPS_OF_MAPS = (12, 13)  # BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_HASH_OF_MAPS
BPF_F_RDONLY_PROG = 1 << 7
ATTR_SIZE = 128
LOG_LEVEL = 1 | 4
LOG_SIZES = (16 << 20, 64 << 20)
# Objects without a license section (Falco's probe.o) are loaded as their own loaders load them.
DEFAULT_LICENSE = "GPL"


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def _bpf(libc: ctypes.CDLL, cmd: int, attr: ctypes.Array) -> int:
    ret = libc.syscall(ctypes.c_long(SYS_BPF), ctypes.c_long(cmd), attr, ctypes.c_long(ATTR_SIZE))
    return int(ret) if ret >= 0 else -ctypes.get_errno()


def _create_map(libc: ctypes.CDLL, m, fds: list[int]) -> int:
    inner_fd = 0
    value_size = m.value_size
    if m.type in MAPS_OF_MAPS:
        inner = m.inner
        spec = (inner.type, inner.key_size, inner.value_size, inner.max_entries, inner.flags) if inner else (
            MAP_TYPE_ARRAY, 4, 4, 1, 0)  # fmt: skip
        inner_fd = _create_raw(libc, *spec, 0)
        if inner_fd < 0:
            return inner_fd
        fds.append(inner_fd)
        value_size = value_size or 4
    flags = m.flags | (BPF_F_RDONLY_PROG if m.readonly else 0)
    fd = _create_raw(libc, m.type, m.key_size, value_size, m.max_entries, flags, inner_fd)
    if fd >= 0 and m.initial:
        _fill(libc, fd, m.initial, freeze=m.readonly)
    return fd


def _create_raw(
    libc: ctypes.CDLL, map_type: int, key: int, value: int, entries: int, flags: int, inner: int
) -> int:
    attr = ctypes.create_string_buffer(ATTR_SIZE)
    struct.pack_into("<IIIIII", attr, 0, map_type, key, value, max(entries, 1), flags, inner)
    return _bpf(libc, BPF_MAP_CREATE, attr)


def _fill(libc: ctypes.CDLL, fd: int, data: bytes, freeze: bool) -> None:
    key = ctypes.create_string_buffer(4)
    value = ctypes.create_string_buffer(data, len(data))
    attr = ctypes.create_string_buffer(ATTR_SIZE)
    struct.pack_into("<IIQQQ", attr, 0, fd, 0, ctypes.addressof(key), ctypes.addressof(value), 0)
    _bpf(libc, BPF_MAP_UPDATE_ELEM, attr)
    if freeze:
        attr = ctypes.create_string_buffer(ATTR_SIZE)
        struct.pack_into("<I", attr, 0, fd)
        _bpf(libc, BPF_MAP_FREEZE, attr)


def _patched(program, fds: list[int]) -> bytes:
    from verifier.isa.encode import encode

    insns = list(program.insns)
    for index, ref in program.map_refs.items():
        insns[index] = dataclasses.replace(insns[index], src=ref.pseudo, imm=fds[ref.map_index])
        insns[index + 1] = dataclasses.replace(insns[index + 1], imm=ref.offset)
    return encode(insns)


def _load(libc: ctypes.CDLL, prog_type: int, code: bytes, license: bytes, kern_version: int, level: int,
          size: int) -> tuple[int, str]:  # fmt: skip
    insns = ctypes.create_string_buffer(code, len(code))
    lic = ctypes.create_string_buffer(license + b"\x00")
    log = ctypes.create_string_buffer(size)
    attr = ctypes.create_string_buffer(ATTR_SIZE)
    struct.pack_into("<IIQQIIQII", attr, 0, prog_type, len(code) // 8, ctypes.addressof(insns),
                     ctypes.addressof(lic), level, size, ctypes.addressof(log), kern_version, 0)  # fmt: skip
    fd = _bpf(libc, BPF_PROG_LOAD, attr)
    text = log.value.decode(errors="replace")
    if fd >= 0:
        os.close(fd)
        return 0, text
    return -fd, text


def _kernel_code() -> int:
    parts = [int(p) for p in os.uname().release.split("-")[0].split(".")[:3] if p.isdigit()] + [0, 0, 0]
    return (parts[0] << 16) | (parts[1] << 8) | min(parts[2], 255)


@functools.lru_cache(maxsize=4)
def _read_object(obj_path: str, mtime_ns: int):
    """The parsed object, kept for the next program of the same file (Falco's probe.o has hundreds)."""
    from verifier.elf.reader import load_object

    return load_object(obj_path)


def load_raw(obj_path: str, program: str, prog_type: str | int | None) -> KernelVerdict:
    """Load `program` (function or section name) of a legacy object with bpf() and report the verdict."""
    try:
        obj = _read_object(obj_path, os.stat(obj_path).st_mtime_ns)
    except OSError as exc:
        return KernelVerdict(LOAD_ERROR, exc.errno or errno_mod.ENOENT, f"cannot read object: {exc}", "")
    except InputError as exc:
        return KernelVerdict(LOAD_ERROR, errno_mod.EINVAL, f"cannot read object: {exc}", "")
    chosen = next((p for p in obj.programs if p.name == program), None) or next(
        (p for p in obj.programs if p.section == program), None)  # fmt: skip
    if chosen is None:
        return KernelVerdict(LOAD_ERROR, errno_mod.ENOENT, f"no program named {program!r}", "")
    if chosen.load_errors:  # libbpf would refuse it too (an unresolved relocation, ...)
        return KernelVerdict(LOAD_ERROR, errno_mod.EINVAL, chosen.load_errors[0], "")
    if prog_type is None or not str(prog_type).isdigit():
        return KernelVerdict(
            LOAD_ERROR, errno_mod.EINVAL, f"raw loads need a program type number, got {prog_type!r}", ""
        )
    libc = _libc()
    inner_fds: list[int] = []
    map_fds: list[int] = []
    try:
        for m in obj.maps:
            fd = _create_map(libc, m, inner_fds)
            if fd < 0:
                return KernelVerdict(LOAD_ERROR, -fd, f"map {m.name}: {os.strerror(-fd)}", "")
            map_fds.append(fd)
        code = _patched(chosen, map_fds)
        kern_version = obj.kern_version or _kernel_code()
        license = (obj.license or DEFAULT_LICENSE).encode()
        err, log = 0, ""
        for size in LOG_SIZES:
            err, log = _load(libc, int(prog_type), code, license, kern_version, LOG_LEVEL, size)
            if err != errno_mod.ENOSPC:
                break
        else:
            err, log = _load(libc, int(prog_type), code, license, kern_version, 4, LOG_SIZES[0])
    finally:
        for fd in map_fds + inner_fds:
            os.close(fd)
    processed, states, verify_us = parse_stats(log)
    msg = last_message(log) or (os.strerror(err) if err else "")
    return KernelVerdict(
        classify(err, log, msg), err, msg, log, processed, states, verify_us, parse_stack_depths(log)
    )
