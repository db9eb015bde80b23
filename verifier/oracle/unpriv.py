"""Loading as an unprivileged user, the way the kernel selftests' test_loader does it.

test_loader.c (tools/testing/selftests/bpf) runs a test's `@unpriv` variant only when the sysctl
kernel.unprivileged_bpf_disabled is 0, and then drops CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_PERFMON and
CAP_BPF from the effective set (cap_disable_effective(); the test's __caps_unpriv are enabled again)
before opening and loading the object; maps of types an unprivileged user cannot create
(is_unpriv_capable_map()) get autocreate off, so libbpf poisons the instructions that load them.

`dropped_capabilities()` does the capability part in this process; `unprivileged_bpf_allowed()`
sets the sysctl from 2 (disabled, an administrator may re-enable it) to 0 for the duration and
restores the original value afterwards. 1 is final until reboot: then unprivileged loads cannot be
made here.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import json
import os
import signal
import tempfile
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from verifier.oracle.verdict import ENV_REJECT, REJECT, KernelVerdict
from verifier.rules.maps import creatable_unprivileged

# include/uapi/linux/capability.h
CAP_NET_ADMIN = 12
CAP_SYS_ADMIN = 21
CAP_PERFMON = 38
CAP_BPF = 39
# test_loader.c drop_capabilities()
UNPRIV_DROPPED_CAPS = (1 << CAP_SYS_ADMIN) | (1 << CAP_NET_ADMIN) | (1 << CAP_PERFMON) | (1 << CAP_BPF)
_LINUX_CAPABILITY_VERSION_3 = 0x20080522

SYSCTL_UNPRIV_DISABLED = "/proc/sys/kernel/unprivileged_bpf_disabled"

def unpriv_capable_map(map_type: int, map_flags: int) -> bool:
    """May an unprivileged user create this map (test_loader's is_unpriv_capable_map(), the kernel's
    map_create() rule: verifier.rules.maps)?"""
    return creatable_unprivileged(map_type, map_flags)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


_CapPair = _CapData * 2


@cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _capget() -> _CapPair:
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = _CapPair()
    if _libc().capget(ctypes.byref(header), data) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"capget: {os.strerror(err)}")
    return data


def _capset(data: _CapPair) -> None:
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    if _libc().capset(ctypes.byref(header), data) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"capset: {os.strerror(err)}")


def effective_caps() -> int:
    data = _capget()
    return data[0].effective | (data[1].effective << 32)


def _set_effective(data: _CapPair, caps: int) -> None:
    data[0].effective = caps & 0xFFFFFFFF
    data[1].effective = (caps >> 32) & 0xFFFFFFFF


@contextmanager
def dropped_capabilities(keep: int = 0) -> Iterator[int]:
    """Drop test_loader's four capabilities from this process's effective set (all but those in
    `keep`, the test's __caps_unpriv) and restore them afterwards; yields the effective set used."""
    data = _capget()
    old = data[0].effective | (data[1].effective << 32)
    new = old & ~(UNPRIV_DROPPED_CAPS & ~keep)
    _set_effective(data, new)
    _capset(data)
    try:
        yield new
    finally:
        _set_effective(data, old)
        _capset(data)


def read_unpriv_sysctl() -> int | None:
    try:
        with open(SYSCTL_UNPRIV_DISABLED) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def _write_unpriv_sysctl(value: int) -> bool:
    try:
        with open(SYSCTL_UNPRIV_DISABLED, "w") as f:
            f.write(f"{value}\n")
    except OSError:
        return False
    return read_unpriv_sysctl() == value


def _holders_file() -> Path:
    """Where the users of the sysctl (SYSCTL_UNPRIV_DISABLED, one per machine) are kept."""
    tag = zlib.crc32(SYSCTL_UNPRIV_DISABLED.encode())
    return Path(tempfile.gettempdir()) / f"bpfcheck-unpriv-{tag:08x}.json"


@contextmanager
def _holders_locked() -> Iterator[dict]:
    """The processes inside unprivileged_bpf_allowed() and the sysctl's value before the first of
    them, kept in a file under an exclusive flock: several test runs on one machine share the one
    sysctl, and the last to leave puts it back (not the first, under the others' loads)."""
    holders = _holders_file()
    with open(holders.with_suffix(".lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            state = json.loads(holders.read_text())
        except (OSError, ValueError):
            state = {}
        state["pids"] = [pid for pid in state.get("pids", []) if _alive(pid)]
        yield state
        if state["pids"]:
            holders.write_text(json.dumps(state))
        else:
            holders.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def unprivileged_bpf_allowed() -> Iterator[bool]:
    """Yields True while unprivileged bpf() is allowed (the sysctl 0, set so from 2 when this process
    may write it, and put back in the end by the last process using it); False when it stays
    disabled (1, or no right to change it)."""
    if read_unpriv_sysctl() == 0 and not _holders_file().exists():
        yield True
        return
    try:
        with _holders_locked() as state:
            if "original" not in state or not state["pids"] and read_unpriv_sysctl() != 0:
                state["original"] = read_unpriv_sysctl()
            if read_unpriv_sysctl() == 2:
                _write_unpriv_sysctl(0)
            allowed = read_unpriv_sysctl() == 0
            state["pids"].append(os.getpid())
    except OSError:
        allowed = False
    # a SIGTERM must also put the value back: turn it into SystemExit for the duration
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        yield allowed
    finally:
        try:
            with _holders_locked() as state:
                if os.getpid() in state["pids"]:
                    state["pids"].remove(os.getpid())
                original = state.get("original")
                if not state["pids"] and original not in (None, 0) and read_unpriv_sysctl() == 0:
                    _write_unpriv_sysctl(original)
        except OSError:
            pass
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def unprivileged_verdict(verdict: KernelVerdict) -> str:
    """test_loader's reading of an unprivileged load: any refusal is a failure. EPERM while
    unprivileged bpf() is enabled is the kernel refusing this loader the program type (bpf_prog_load():
    only socket filters and cgroup skb programs without CAP_BPF), a reject; while it is disabled, EPERM
    says nothing about the program (ENV_REJECT stays)."""
    if verdict.verdict == ENV_REJECT and verdict.errno == errno.EPERM and read_unpriv_sysctl() == 0:
        return REJECT
    return verdict.verdict


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)
