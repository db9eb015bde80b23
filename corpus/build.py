"""Compile the corpus: every corpus/src/**/*.c into corpus/build/<same path>.o.

    python corpus/build.py [--out DIR]

Objects are rebuilt only when their source (or a header under corpus/src) is
newer. A source may add compiler flags with a first line such as
``// bpfcheck-build: -mcpu=v4``; without an -mcpu flag, -mcpu=v1 is used so the
objects only contain instructions every kernel knows.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import subprocess
import sys
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent
SRC_DIR = CORPUS_DIR / "src"
DEFAULT_OUT = CORPUS_DIR / "build"
CLANG = os.environ.get("BPFCHECK_CLANG", "clang-19")
BASE_FLAGS = ["-O2", "-g", "-target", "bpf", "-Wall", "-Wno-unused-function"]
DEFAULT_CPU = "-mcpu=v1"
FLAGS_MARKER = "bpfcheck-build:"


def extra_flags(source: Path) -> list[str]:
    """Flags from the source's first line ``// bpfcheck-build: ...`` (empty when absent)."""
    with source.open(encoding="utf-8") as fh:
        first = fh.readline().strip()
    if first.startswith("//") and FLAGS_MARKER in first:
        return shlex.split(first.split(FLAGS_MARKER, 1)[1])
    return []


def include_flags() -> list[str]:
    """<linux/*.h> needs <asm/types.h>, which lives in the host's multiarch include directory."""
    flags = ["-I", str(SRC_DIR)]
    multiarch = Path("/usr/include") / f"{platform.machine()}-linux-gnu"
    if multiarch.is_dir():
        flags += ["-I", str(multiarch)]
    return flags


def compile_command(source: Path, obj: Path) -> list[str]:
    extra = extra_flags(source)
    cpu = [] if any(f.startswith("-mcpu=") for f in extra) else [DEFAULT_CPU]
    return [CLANG, *BASE_FLAGS, *cpu, *include_flags(), *extra, "-c", str(source), "-o", str(obj)]


def sources() -> list[Path]:
    return sorted(SRC_DIR.rglob("*.c"))


def is_stale(source: Path, obj: Path, newest_header: float) -> bool:
    if not obj.exists():
        return True
    built = obj.stat().st_mtime
    return source.stat().st_mtime > built or newest_header > built


def build(out_dir: Path) -> int:
    """Build every stale object; return the process exit status."""
    headers = list(SRC_DIR.rglob("*.h"))
    newest_header = max((h.stat().st_mtime for h in headers), default=0.0)
    for source in sources():
        rel = source.relative_to(SRC_DIR).with_suffix(".o")
        obj = out_dir / rel
        if not is_stale(source, obj, newest_header):
            print(f"up-to-date {obj}")
            continue
        obj.parent.mkdir(parents=True, exist_ok=True)
        try:
            proc = subprocess.run(compile_command(source, obj), capture_output=True, text=True)
        except FileNotFoundError:
            print(f"error: compiler {CLANG} not found", file=sys.stderr)
            return 127
        if proc.returncode != 0:
            obj.unlink(missing_ok=True)
            print(f"FAILED {source}", file=sys.stderr)
            print(proc.stderr, end="", file=sys.stderr)
            return proc.returncode or 1
        print(f"built {obj}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compile the bpfcheck C corpus with clang -target bpf.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default corpus/build)")
    args = parser.parse_args(argv)
    return build(args.out.resolve())


if __name__ == "__main__":
    sys.exit(main())
