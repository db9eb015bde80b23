"""Record verifier logs of rejected programs from the running kernel, for tests/test_explain*.py.

Run as root on a machine where bpf() works: `python tests/data/kernel_logs/record.py`.
For each program below it writes NAME.log (the log exactly as printed) and NAME.json (the
kernel's `uname -r`, the object, the program, the log level and how the log is framed):

- `raw`: the kernel's log buffer as-is (what bpf(BPF_PROG_LOAD) returns, or veristat prints),
- `libbpf`: what libbpf prints on a failed load (`libbpf: prog 'x': -- BEGIN PROG LOAD LOG --`),
- `bpftool`: the whole output of `bpftool prog load OBJ PIN` (`-d` for level 2: level 1|2|4).

Level 4 (BPF_LOG_STATS alone) gives a log without the instruction trace: the error and the stats.

The tests read these files; they never need the live kernel.
"""

from __future__ import annotations

import ctypes
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
    lb.drain_messages()
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
        return "".join(lb.drain_messages())
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
        "ret_cgroup_skb_ingress_2.l1.raw",
        "corpus/build/return/ranges.o",
        "ret_cgroup_skb_ingress_2",
        1,
        "raw",
    ),
)


def main() -> int:
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
