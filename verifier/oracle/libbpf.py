"""ctypes binding to the few libbpf.so.1 functions the oracle needs.

Only this module touches ctypes. libbpf's own diagnostics are routed to a
callback that collects them (so nothing is printed on stderr); `drain_messages`
hands them to the caller.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform
import threading
from functools import cache

LIBBPF_NAMES = ("libbpf.so.1", "libbpf.so")

# int (*libbpf_print_fn_t)(enum libbpf_print_level level, const char *fmt, va_list ap)
# On x86-64 a va_list argument is passed as a pointer, so it can be handed on to
# vsnprintf unchanged. Elsewhere the messages are dropped instead of formatted.
_PRINT_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
_VA_LIST_IS_POINTER = platform.machine() in ("x86_64", "AMD64")
_MSG_BUF_SIZE = 4096

_lock = threading.Lock()
_messages: list[str] = []


class LibbpfMissing(RuntimeError):
    """libbpf.so.1 (or one of the symbols used) could not be loaded."""


def _format_with_libc(fmt: bytes, ap: int | None) -> str:
    libc = _libc()
    if libc is None or not _VA_LIST_IS_POINTER or ap is None:
        return fmt.decode(errors="replace")
    buf = ctypes.create_string_buffer(_MSG_BUF_SIZE)
    libc.vsnprintf(buf, _MSG_BUF_SIZE, fmt, ctypes.c_void_p(ap))
    return buf.value.decode(errors="replace")


def _collect(level: int, fmt: bytes | None, ap: int | None) -> int:
    if fmt:
        text = _format_with_libc(fmt, ap)
        with _lock:
            _messages.append(text)
    return 0


_print_callback = _PRINT_FN(_collect)  # kept alive for the life of the process


def drain_messages() -> list[str]:
    """Return (and forget) what libbpf printed since the last call."""
    with _lock:
        out = list(_messages)
        _messages.clear()
    return out


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    libc = ctypes.CDLL(name, use_errno=True)
    libc.vsnprintf.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_void_p]
    libc.vsnprintf.restype = ctypes.c_int
    return libc


def _declare(lib: ctypes.CDLL) -> None:
    vp, cp, ci, sz = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_size_t
    protos: dict[str, tuple[list[object], object]] = {
        "libbpf_set_print": ([_PRINT_FN], ctypes.c_void_p),
        "bpf_object__open_file": ([cp, vp], vp),
        "bpf_object__next_program": ([vp, vp], vp),
        "bpf_object__next_map": ([vp, vp], vp),
        "bpf_map__type": ([vp], ci),
        "bpf_map__max_entries": ([vp], ctypes.c_uint32),
        "bpf_map__set_max_entries": ([vp, ctypes.c_uint32], ci),
        "bpf_map__value_size": ([vp], ctypes.c_uint32),
        "bpf_map__set_value_size": ([vp, ctypes.c_uint32], ci),
        "bpf_map__set_pin_path": ([vp, cp], ci),
        "bpf_map__map_flags": ([vp], ctypes.c_uint32),
        "bpf_map__set_autocreate": ([vp, ctypes.c_bool], ci),
        "bpf_object__load": ([vp], ci),
        "bpf_object__close": ([vp], None),
        "bpf_program__name": ([vp], cp),
        "bpf_program__section_name": ([vp], cp),
        "bpf_program__type": ([vp], ci),
        "bpf_program__expected_attach_type": ([vp], ci),
        "bpf_program__insn_cnt": ([vp], sz),
        "bpf_program__set_autoload": ([vp, ctypes.c_bool], ci),
        "bpf_program__set_flags": ([vp, ctypes.c_uint32], ci),
        "bpf_program__set_log_level": ([vp, ctypes.c_uint32], ci),
        "bpf_program__set_log_buf": ([vp, ctypes.c_char_p, sz], ci),
        "bpf_program__set_type": ([vp, ci], ci),
        "bpf_program__set_expected_attach_type": ([vp, ci], ci),
        "libbpf_bpf_prog_type_str": ([ci], cp),
        "libbpf_prog_type_by_name": ([cp, ctypes.POINTER(ci), ctypes.POINTER(ci)], ci),
        "bpf_prog_load": ([ci, cp, cp, vp, sz, vp], ci),
    }
    for name, (argtypes, restype) in protos.items():
        try:
            fn = getattr(lib, name)
        except AttributeError as exc:
            raise LibbpfMissing(f"libbpf has no symbol {name}") from exc
        fn.argtypes = argtypes
        fn.restype = restype


@cache
def libbpf() -> ctypes.CDLL:
    """The loaded libbpf with prototypes declared and printing captured."""
    last_error: OSError | None = None
    for name in LIBBPF_NAMES:
        try:
            lib = ctypes.CDLL(name, use_errno=True)
        except OSError as exc:
            last_error = exc
            continue
        _declare(lib)
        lib.libbpf_set_print(_print_callback)
        return lib
    raise LibbpfMissing(f"cannot load libbpf: {last_error}")


def last_errno() -> int:
    return ctypes.get_errno()


def strerror(err: int) -> str:
    return os.strerror(err) if err else ""
