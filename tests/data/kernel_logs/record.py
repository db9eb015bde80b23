"""Record verifier logs of rejected programs from the running kernel, for tests/test_explain*.py.

Run as root on a machine where bpf() works: `python tests/data/kernel_logs/record.py`.
For each program below it writes NAME.log (the log exactly as printed) and NAME.json (the
kernel's `uname -r`, the object, the program, the log level and how the log is framed):

- `raw`: the kernel's log buffer as-is (what bpf(BPF_PROG_LOAD) returns, or veristat prints),
- `libbpf`: what libbpf prints on a failed load (`libbpf: prog 'x': -- BEGIN PROG LOAD LOG --`),
- `bpftool`: the whole output of `bpftool prog load OBJ PIN` (`-d` for level 2: level 1|2|4).

Level 4 (BPF_LOG_STATS alone) gives a log without the instruction trace: the error and the stats.

`record.py --build` compiles this folder's own C programs first (core_missing_field.c).
The tests read these files; they never need the live kernel. `record.py --survey` measures
`bpfcheck explain` on every corpus program the running kernel rejects (nothing is written).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

from verifier.oracle import libbpf as lb  # noqa: E402

LOG_SIZE = 16 << 20
PRINT_SIZE = (
    4 << 20
)  # libbpf prints a whole framed log as one message: the oracle's 4 KiB buffer would cut it

_PRINT_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
_printed: list[str] = []
_print_buffer = ctypes.create_string_buffer(PRINT_SIZE)


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.vsnprintf.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_void_p]
    return libc


def _collect(level: int, fmt: bytes | None, ap: int | None) -> int:
    """libbpf's print callback (x86-64: va_list is a pointer, handed on to vsnprintf)."""
    if fmt:
        _LIBC.vsnprintf(_print_buffer, PRINT_SIZE, fmt, ctypes.c_void_p(ap))
        _printed.append(_print_buffer.value.decode(errors="replace"))
    return 0


_LIBC = _libc()
_print_callback = _PRINT_FN(_collect)


@dataclass(frozen=True)
class Recording:
    name: str  # file stem
    object: str  # relative to the repository root
    program: str
    level: int
    framing: str  # "raw", "libbpf" or "bpftool"


def _programs(lib: ctypes.CDLL, obj: int) -> list[int]:
    out, prog = [], lib.bpf_object__next_program(obj, None)
    while prog:
        out.append(prog)
        prog = lib.bpf_object__next_program(obj, prog)
    return out


def load_log(path: str, program: str, level: int, framed: bool) -> str:
    """Load one program of `path`; the raw log buffer, or libbpf's printed messages when `framed`."""
    lib = lb.libbpf()
    lib.libbpf_set_print(_print_callback)
    _printed.clear()
    obj = lib.bpf_object__open_file(path.encode(), None)
    if not obj:
        raise SystemExit(f"cannot open {path}")
    buf = ctypes.create_string_buffer(LOG_SIZE)
    try:
        for prog in _programs(lib, obj):
            if lib.bpf_program__name(prog).decode() != program:
                lib.bpf_program__set_autoload(prog, False)
                continue
            if not framed:
                lib.bpf_program__set_log_buf(prog, buf, LOG_SIZE)
            lib.bpf_program__set_log_level(prog, level)
        status = lib.bpf_object__load(obj)
    finally:
        lib.bpf_object__close(obj)
    if status == 0:
        raise SystemExit(f"{path} {program}: the kernel accepted it")
    if framed:
        return "".join(_printed)
    return buf.value.decode(errors="replace")


def bpftool_log(path: str, level: int) -> str:
    pin = "/sys/fs/bpf/bpfcheck_record_explain"
    args = ["bpftool", *(["-d"] if level > 1 else []), "prog", "load", path, pin]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if os.path.exists(pin):
        os.unlink(pin)
        raise SystemExit(f"{path}: the kernel accepted it")
    return done.stdout + done.stderr


RECORDINGS = (
    Recording("xdp_bad.l1.libbpf", "verifier/examples/xdp_bad.o", "xdp_bad", 1, "libbpf"),
    Recording("xdp_bad.l2.raw", "verifier/examples/xdp_bad.o", "xdp_bad", 2, "raw"),
    Recording("xdp_bad.bpftool", "verifier/examples/xdp_bad.o", "xdp_bad", 1, "bpftool"),
    Recording("map_no_null_check.l1.raw", "corpus/build/map/null_check.o", "map_no_null_check", 1, "raw"),
    Recording(
        "map_no_null_check.l2.libbpf", "corpus/build/map/null_check.o", "map_no_null_check", 2, "libbpf"
    ),
    Recording("idx_off_by_one.l1.libbpf", "corpus/build/map/var_index.o", "idx_off_by_one", 1, "libbpf"),
    Recording("idx_off_by_one.l2.raw", "corpus/build/map/var_index.o", "idx_off_by_one", 2, "raw"),
    Recording(
        "pkt_off_by_one.l2.libbpf", "corpus/build/packet/xdp_off_by_one.o", "pkt_off_by_one", 2, "libbpf"
    ),
    Recording("ringbuf_leak.l1.raw", "corpus/build/refs/ringbuf.o", "ringbuf_leak", 1, "raw"),
    Recording(
        "call_global_unchecked.l1.libbpf",
        "corpus/build/calls/global_func.o",
        "call_global_unchecked",
        1,
        "libbpf",
    ),
    Recording("stack_misaligned.l2.raw", "corpus/build/stack/misaligned.o", "stack_misaligned", 2, "raw"),
    Recording("loop_infinite.l1.raw", "corpus/build/loops/unbounded.o", "loop_infinite", 1, "raw"),
    Recording("ctx_read_past_end.l1.libbpf", "corpus/build/ctx/access.o", "ctx_read_past_end", 1, "libbpf"),
    Recording("reg_uninit_read.l2.raw", "corpus/build/stack/uninit_reg.o", "reg_uninit_read", 2, "raw"),
    Recording(
        "pkt_off_by_one.bpftool-d", "corpus/build/packet/xdp_off_by_one.o", "pkt_off_by_one", 2, "bpftool"
    ),
    Recording("xdp_bad.l4.raw", "verifier/examples/xdp_bad.o", "xdp_bad", 4, "raw"),
    Recording(
        "map_no_null_check.l4.libbpf", "corpus/build/map/null_check.o", "map_no_null_check", 4, "libbpf"
    ),
    Recording("loop_infinite.l4.raw", "corpus/build/loops/unbounded.o", "loop_infinite", 4, "raw"),
    Recording(
        "tail_call_wrong_map.l1.raw", "corpus/build/calls/tail_call.o", "tail_call_wrong_map", 1, "raw"
    ),
    Recording(
        "loop_helper_bad_callback_ret.l1.libbpf",
        "corpus/build/calls/bpf_loop.o",
        "loop_helper_bad_callback_ret",
        1,
        "libbpf",
    ),
    Recording(
        "stack_combined_too_big.l2.raw",
        "corpus/build/calls/combined_stack.o",
        "stack_combined_too_big",
        2,
        "raw",
    ),
    Recording("ctx_read_past_end.l4.raw", "corpus/build/ctx/access.o", "ctx_read_past_end", 4, "raw"),
    # our own object (core_missing_field.c here): libbpf rewrites the log of a poisoned CO-RE read
    Recording(
        "core_missing_field.l1.libbpf",
        "tests/data/kernel_logs/core_missing_field.o",
        "core_missing_field",
        1,
        "libbpf",
    ),
    Recording(
        "core_missing_field.l2.raw",
        "tests/data/kernel_logs/core_missing_field.o",
        "core_missing_field",
        2,
        "raw",
    ),
    Recording(
        "ret_cgroup_skb_ingress_2.l1.raw",
        "corpus/build/return/ranges.o",
        "ret_cgroup_skb_ingress_2",
        1,
        "raw",
    ),
)


def survey(levels: tuple[int, ...] = (1, 2, 4)) -> int:
    """Measure `explain` on every program corpus/manifest.toml expects the running kernel to reject:
    load it at each log level (raw and libbpf-framed), explain the log, count the outcomes.
    Nothing is written; prints one line per log that is not explained in agreement."""
    import tomllib
    from collections import Counter

    from verifier.abstract import AnalysisOptions
    from verifier.errors import InputError
    from verifier.explain.explain import explain_log

    kernel = ".".join(platform.release().split(".")[:2])
    manifest = tomllib.loads((ROOT / "corpus" / "manifest.toml").read_text())
    counts: Counter[str] = Counter()
    for entry in manifest["program"]:
        if "message" not in entry or "prog_type" in entry:
            continue
        path = str(ROOT / "corpus" / "build" / entry["object"])
        for level in levels:
            for framed in (False, True):
                log = load_log(path, entry["name"], level, framed)
                log_file = Path("/tmp/bpfcheck_survey.log")
                log_file.write_text(log)
                name = None if framed else entry["name"]
                try:
                    result = explain_log(str(log_file), path, name, kernel, AnalysisOptions(timeout=30))
                except InputError as exc:
                    counts["misfit"] += 1
                    print(f"misfit {entry['object']} {entry['name']} level {level} framed {framed}: {exc}")
                    continue
                outcome = result.agreement.outcome if result.agreement else "none"
                located = result.finding.insn >= 0 and result.finding.source is not None
                counts[f"{outcome}{'' if located else ', not located'}"] += 1
                if outcome != "agrees":
                    print(
                        f"{outcome} {entry['object']} {entry['name']} level {level} framed {framed}: {result.agreement.note}"
                    )
    print(dict(counts))
    return 0


def build() -> None:
    """Compile this folder's own C programs (clang-19 and libbpf-dev, as verifier/examples/build.sh)."""
    include = f"/usr/include/{platform.machine()}-linux-gnu"
    for source in sorted(HERE.glob("*.c")):
        subprocess.run(
            ["clang-19", "-O2", "-g", "-target", "bpf", f"-I{include}", f"-fdebug-prefix-map={HERE}=.", "-c",
             source.name, "-o", source.with_suffix(".o").name],
            cwd=HERE, check=True,
        )  # fmt: skip


def main() -> int:
    if sys.argv[1:] == ["--survey"]:
        return survey()
    if sys.argv[1:] == ["--build"]:
        build()
        return 0
    kernel = platform.release()
    only = set(sys.argv[1:])
    for rec in RECORDINGS:
        if only and rec.name not in only:
            continue
        path = str(ROOT / rec.object)
        if rec.framing == "bpftool":
            log = bpftool_log(path, rec.level)
        else:
            log = load_log(path, rec.program, rec.level, rec.framing == "libbpf")
        (HERE / f"{rec.name}.log").write_text(log)
        meta = {
            "kernel": kernel,
            "object": rec.object,
            "program": rec.program,
            "log_level": rec.level,
            "framing": rec.framing,
            "recorded_with": "tests/data/kernel_logs/record.py",
        }
        (HERE / f"{rec.name}.json").write_text(json.dumps(meta, indent=2) + "\n")
        print(f"{rec.name}: {len(log.splitlines())} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
