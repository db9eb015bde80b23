"""Load one program of a BPF object into the running kernel and report the verifier's verdict.

`load_with_kernel` runs the load in a child process by default (libbpf can
crash on odd objects, and a stuck load must not hang the caller); the child
is `verifier.oracle.worker`, which calls `load_in_process`.
"""

from __future__ import annotations

import ctypes
import errno as errno_mod
import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass

from verifier.errors import InputError
from verifier.oracle import libbpf as lb
from verifier.oracle.prog_types import resolve_prog_type
from verifier.oracle.unpriv import dropped_capabilities, unpriv_capable_map
from verifier.oracle.verdict import (
    LOAD_ERROR,
    KernelVerdict,
    classify,
    last_message,
    parse_stack_depths,
    parse_stats,
)

LOG_LEVEL_TRACE = 1  # every processed instruction and the reason for a rejection
LOG_LEVEL_STATS = 4  # "processed N insns ...", "verification time N usec", "stack depth N"
INITIAL_LOG_SIZE = 4 << 20
MAX_LOG_SIZE = 64 << 20
LOG_GROWTH = 4
DEFAULT_TIMEOUT = 120.0  # seconds for one load in the child process
ETIMEDOUT_MSG = "kernel load timed out"

_GENERIC_LIBBPF = ("failed to load object", "failed to load BPF skeleton")


@dataclass(slots=True)
class _Attempt:
    err: int
    log: str
    libbpf_msgs: list[str]


def _program_name(lib: ctypes.CDLL, prog: int) -> str:
    raw = lib.bpf_program__name(prog)
    return raw.decode() if raw else ""


def _select_program(lib: ctypes.CDLL, obj: int, program: str, companions: tuple[str, ...] = ()) -> int | None:
    """The program named `program` (autoload on, also in a `?` section); `companions` are loaded
    with it (a test's auxiliary programs); every other program gets autoload off."""
    chosen = None
    prog = lib.bpf_object__next_program(obj, None)
    while prog:
        name = _program_name(lib, prog)
        if name == program and chosen is None:
            chosen = prog
            lib.bpf_program__set_autoload(prog, True)
        elif name in companions:
            lib.bpf_program__set_autoload(prog, True)
        else:
            lib.bpf_program__set_autoload(prog, False)
        prog = lib.bpf_object__next_program(obj, prog)
    return chosen


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """How a test harness loads a program: extra `prog_flags` (BPF_F_STRICT_ALIGNMENT, ...) and
    the names of programs loaded alongside it; `fill_maps` sizes maps the object leaves at
    max_entries 0 (a project's own loader sets them before loading) as bpfcheck's reader does, and
    pins no map (pinning needs a BPF file system and is no part of verification); `type_if_unknown`
    applies the caller's program type only where libbpf cannot tell one from the section name (a
    project's loader names it: l3af's `tc-egress`, xdp-tutorial's `xdp_pass`)."""

    prog_flags: int = 0
    companions: tuple[str, ...] = ()
    fill_maps: bool = False
    unprivileged: bool = False  # as test_loader's @unpriv runs (verifier.oracle.unpriv)
    unpriv_caps: int = 0  # capabilities kept when unprivileged (a test's __caps_unpriv)
    type_if_unknown: bool = False


MAP_TYPE_PERF_EVENT_ARRAY, MAP_TYPE_STACK_TRACE = 4, 7
PROG_TYPE_UNSPEC = 0
STACK_TRACE_VALUE = 127 * 8  # PERF_MAX_STACK_DEPTH (the sysctl's default) u64 entries, as bcc's tools size it


def _fill_maps(lib: ctypes.CDLL, obj: int) -> None:
    """max_entries 0 -> 1 (the CPU count for perf event arrays), the rule of verifier.elf.maps; a stack
    trace map without a value size gets the default stack depth's; no map is pinned."""
    m = lib.bpf_object__next_map(obj, None)
    while m:
        lib.bpf_map__set_pin_path(m, None)
        map_type = lib.bpf_map__type(m)
        if lib.bpf_map__max_entries(m) == 0:
            perf = map_type == MAP_TYPE_PERF_EVENT_ARRAY
            lib.bpf_map__set_max_entries(m, (os.cpu_count() or 1) if perf else 1)
        if map_type == MAP_TYPE_STACK_TRACE and lib.bpf_map__value_size(m) == 0:
            lib.bpf_map__set_value_size(m, STACK_TRACE_VALUE)
        m = lib.bpf_object__next_map(obj, m)


def _skip_privileged_maps(lib: ctypes.CDLL, obj: int) -> None:
    """test_loader: in unprivileged runs, maps an unprivileged user cannot create are not created
    (libbpf then poisons the instructions that load them)."""
    m = lib.bpf_object__next_map(obj, None)
    while m:
        lib.bpf_map__set_autocreate(m, unpriv_capable_map(lib.bpf_map__type(m), lib.bpf_map__map_flags(m)))
        m = lib.bpf_object__next_map(obj, m)


def _attempt(
    lib: ctypes.CDLL,
    obj_path: str,
    program: str,
    prog_type: str | int | None,
    level: int,
    size: int,
    load: LoadOptions = LoadOptions(),
) -> _Attempt:
    if load.unprivileged:
        with dropped_capabilities(load.unpriv_caps):
            return _attempt_as_is(lib, obj_path, program, prog_type, level, size, load)
    return _attempt_as_is(lib, obj_path, program, prog_type, level, size, load)


def _attempt_as_is(
    lib: ctypes.CDLL,
    obj_path: str,
    program: str,
    prog_type: str | int | None,
    level: int,
    size: int,
    load: LoadOptions,
) -> _Attempt:
    lb.drain_messages()
    obj = lib.bpf_object__open_file(obj_path.encode(), None)
    if not obj:
        err = lb.last_errno() or errno_mod.EINVAL
        return _Attempt(err, "", lb.drain_messages())
    buf = ctypes.create_string_buffer(size)
    try:
        prog = _select_program(lib, obj, program, load.companions)
        if prog is None:
            return _Attempt(errno_mod.ENOENT, "", [f"no program named {program!r} in {obj_path}"])
        if prog_type is not None and not (load.type_if_unknown and lib.bpf_program__type(prog) != PROG_TYPE_UNSPEC):
            choice = resolve_prog_type(lib, prog_type)
            lib.bpf_program__set_type(prog, choice.prog_type)
            if choice.expected_attach_type is not None:
                lib.bpf_program__set_expected_attach_type(prog, choice.expected_attach_type)
        if load.prog_flags:
            lib.bpf_program__set_flags(prog, load.prog_flags)
        if load.fill_maps:
            _fill_maps(lib, obj)
        if load.unprivileged:
            _skip_privileged_maps(lib, obj)
        lib.bpf_program__set_log_buf(prog, buf, size)
        lib.bpf_program__set_log_level(prog, level)
        ret = lib.bpf_object__load(obj)
        log = buf.value.decode(errors="replace")
    finally:
        lib.bpf_object__close(obj)
    return _Attempt(-ret if ret < 0 else 0, log, lb.drain_messages())


def _load_attempts(
    lib: ctypes.CDLL,
    obj_path: str,
    program: str,
    prog_type: str | int | None,
    load: LoadOptions = LoadOptions(),
) -> _Attempt:
    """Trace + stats log, growing the buffer on ENOSPC; past MAX_LOG_SIZE, stats (and errors) only."""
    size = INITIAL_LOG_SIZE
    while True:
        result = _attempt(lib, obj_path, program, prog_type, LOG_LEVEL_TRACE | LOG_LEVEL_STATS, size, load)
        if result.err != errno_mod.ENOSPC:
            return result
        if size >= MAX_LOG_SIZE:
            break
        size = min(size * LOG_GROWTH, MAX_LOG_SIZE)
    return _attempt(lib, obj_path, program, prog_type, LOG_LEVEL_STATS, INITIAL_LOG_SIZE, load)


def _program_failed(msgs: list[str], program: str) -> bool:
    """libbpf said the program's own load failed ("prog 'p': failed to load", "BPF program load failed")."""
    head = f"prog '{program}': "
    return any(head in m and ("failed to load" in m or "load failed" in m) for m in msgs)


def _libbpf_reason(msgs: list[str]) -> str:
    lines = [m.strip() for m in msgs if m.strip()]
    specific = [m for m in lines if not any(g in m for g in _GENERIC_LIBBPF)]
    chosen = specific or lines
    return chosen[-1].removeprefix("libbpf: ") if chosen else ""


def load_in_process(
    obj_path: str, program: str, prog_type: str | int | None = None, load: LoadOptions = LoadOptions()
) -> KernelVerdict:
    """Load `program` of `obj_path` from this process (see `load_with_kernel`)."""
    try:
        lib = lb.libbpf()
    except lb.LibbpfMissing as exc:
        return KernelVerdict(LOAD_ERROR, errno_mod.ENOSYS, str(exc), "")
    if not os.path.isfile(obj_path):
        return KernelVerdict(LOAD_ERROR, errno_mod.ENOENT, f"no such object: {obj_path}", "")
    result = _load_attempts(lib, obj_path, program, prog_type, load)
    processed, states, verify_us = parse_stats(result.log)
    msg = last_message(result.log)
    if result.err and not msg and processed is not None and not _program_failed(result.libbpf_msgs, program):
        # the verifier accepted the program; the object failed afterwards (libbpf 1.1 fills a
        # prog array's `values = { [0] = &prog }` slots with programs this load left out)
        result = _Attempt(0, result.log, result.libbpf_msgs)
    if result.err and not msg:
        msg = _libbpf_reason(result.libbpf_msgs) or lb.strerror(result.err)
    verdict = classify(result.err, result.log, msg)
    depths = parse_stack_depths(result.log)
    return KernelVerdict(verdict, result.err, msg, result.log, processed, states, verify_us, depths)


def verdict_to_json(verdict: KernelVerdict) -> str:
    return json.dumps(asdict(verdict))


def verdict_from_json(text: str) -> KernelVerdict:
    data = json.loads(text)
    data["stack_depths"] = tuple(data.get("stack_depths") or ())
    return KernelVerdict(**data)


def _load_in_child(
    obj_path: str,
    program: str,
    prog_type: str | int | None,
    timeout: float,
    load: LoadOptions = LoadOptions(),
) -> KernelVerdict:
    cmd = [sys.executable, "-m", "verifier.oracle.worker"]
    if load.prog_flags:
        cmd.append(f"--flags={load.prog_flags}")
    cmd += [f"--with={name}" for name in load.companions]
    if load.unprivileged:
        cmd.append(f"--unpriv={load.unpriv_caps}")
    cmd += [obj_path, program]
    if prog_type is not None:
        cmd.append(str(prog_type))
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return KernelVerdict(LOAD_ERROR, errno_mod.ETIMEDOUT, f"{ETIMEDOUT_MSG} after {timeout:g} s", "")
    if proc.returncode == 2:
        raise InputError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "bad oracle input")
    if proc.returncode != 0 or not proc.stdout.strip():
        reason = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"
        return KernelVerdict(LOAD_ERROR, errno_mod.EIO, f"oracle child failed: {reason}", "")
    return verdict_from_json(proc.stdout)


def load_with_kernel(
    obj_path: str | os.PathLike[str],
    program: str,
    prog_type: str | int | None = None,
    *,
    isolate: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    load: LoadOptions = LoadOptions(),
) -> KernelVerdict:
    """Ask the running kernel to load `program` (a function name) of the object at `obj_path`.

    Only that program is loaded (the others get autoload off); everything is
    closed again before returning. `prog_type` overrides the type libbpf
    derives from the section ("xdp", "sched_cls", "cgroup_skb/egress" or the
    enum value). With `isolate` (the default) the load runs in a child process
    that is killed after `timeout` seconds. `load` adds program flags and companion
    programs, as a test harness does. Raises InputError for an unknown
    `prog_type`; every other failure is a verdict (LOAD_ERROR with a message).
    """
    path = os.fspath(obj_path)
    if isolate:
        return _load_in_child(path, program, prog_type, timeout, load)
    return load_in_process(path, program, prog_type, load)
