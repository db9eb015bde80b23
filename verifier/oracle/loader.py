"""Load one program of a BPF object into the running kernel and report the verifier's verdict."""

from __future__ import annotations

import ctypes
import errno as errno_mod
import os
from dataclasses import dataclass

from verifier.oracle import libbpf as lb
from verifier.oracle.verdict import LOAD_ERROR, KernelVerdict, classify, last_message, parse_stats

LOG_LEVEL_TRACE = 1  # every processed instruction and the reason for a rejection
LOG_LEVEL_STATS = 4  # "processed N insns ...", "verification time N usec"
INITIAL_LOG_SIZE = 4 << 20
MAX_LOG_SIZE = 64 << 20
LOG_GROWTH = 4

_GENERIC_LIBBPF = ("failed to load object", "failed to load BPF skeleton")


@dataclass(slots=True)
class _Attempt:
    err: int
    log: str
    libbpf_msgs: list[str]


def _program_name(lib: ctypes.CDLL, prog: int) -> str:
    raw = lib.bpf_program__name(prog)
    return raw.decode() if raw else ""


def _attempt(lib: ctypes.CDLL, obj_path: str, program: str, level: int, size: int) -> _Attempt:
    lb.drain_messages()
    obj = lib.bpf_object__open_file(obj_path.encode(), None)
    if not obj:
        err = lb.last_errno() or errno_mod.EINVAL
        return _Attempt(err, "", lb.drain_messages())
    buf = ctypes.create_string_buffer(size)
    try:
        found = False
        prog = lib.bpf_object__next_program(obj, None)
        while prog:
            if _program_name(lib, prog) == program:
                found = True
                lib.bpf_program__set_log_buf(prog, buf, size)
                lib.bpf_program__set_log_level(prog, level)
            else:
                lib.bpf_program__set_autoload(prog, False)
            prog = lib.bpf_object__next_program(obj, prog)
        if not found:
            return _Attempt(errno_mod.ENOENT, "", [f"no program named {program!r} in {obj_path}"])
        ret = lib.bpf_object__load(obj)
        log = buf.value.decode(errors="replace")
    finally:
        lib.bpf_object__close(obj)
    return _Attempt(-ret if ret < 0 else 0, log, lb.drain_messages())


def _load_attempts(lib: ctypes.CDLL, obj_path: str, program: str) -> _Attempt:
    """Trace + stats log, growing the buffer on ENOSPC; past MAX_LOG_SIZE, stats (and errors) only."""
    size = INITIAL_LOG_SIZE
    while True:
        result = _attempt(lib, obj_path, program, LOG_LEVEL_TRACE | LOG_LEVEL_STATS, size)
        if result.err != errno_mod.ENOSPC:
            return result
        if size >= MAX_LOG_SIZE:
            break
        size = min(size * LOG_GROWTH, MAX_LOG_SIZE)
    return _attempt(lib, obj_path, program, LOG_LEVEL_STATS, INITIAL_LOG_SIZE)


def _libbpf_reason(msgs: list[str]) -> str:
    lines = [m.strip() for m in msgs if m.strip()]
    specific = [m for m in lines if not any(g in m for g in _GENERIC_LIBBPF)]
    chosen = specific or lines
    return chosen[-1].removeprefix("libbpf: ") if chosen else ""


def load_with_kernel(obj_path: str, program: str) -> KernelVerdict:
    """Ask the running kernel to load `program` (a function name) of the object at `obj_path`.

    Only that program is loaded (the others get autoload off); everything is
    closed again before returning.
    """
    try:
        lib = lb.libbpf()
    except lb.LibbpfMissing as exc:
        return KernelVerdict(LOAD_ERROR, errno_mod.ENOSYS, str(exc), "")
    if not os.path.isfile(obj_path):
        return KernelVerdict(LOAD_ERROR, errno_mod.ENOENT, f"no such object: {obj_path}", "")
    result = _load_attempts(lib, obj_path, program)
    verdict = classify(result.err, result.log)
    processed, states, verify_us = parse_stats(result.log)
    msg = last_message(result.log)
    if verdict == LOAD_ERROR and not msg:
        msg = _libbpf_reason(result.libbpf_msgs) or lb.strerror(result.err)
    return KernelVerdict(verdict, result.err, msg, result.log, processed, states, verify_us)
