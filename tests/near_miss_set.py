"""The near-miss set (tests/data/near_miss): small C programs written for bpfcheck, one rule each,
with what four real kernels answered (answers.json: `uname -r` -> "<file>:<program>" -> verdict
and last log line; 6.18.44 is the host, the others ran under qemu with scripts/kernel_vm.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "near_miss"
CLANG = shutil.which("clang-19") or shutil.which("clang")


def answers() -> dict[str, dict[str, dict[str, str]]]:
    return json.loads((DATA / "answers.json").read_text())["answers"]


def cpu_flags() -> dict[str, str]:
    return json.loads((DATA / "answers.json").read_text())["compile"]


def include_flags() -> list[str]:
    """As corpus/build.py: the multiarch include folder holds asm/ headers on Debian."""
    flags = []
    try:
        triple = subprocess.run(["gcc", "-print-multiarch"], capture_output=True, text=True).stdout.strip()
    except OSError:
        triple = ""
    if triple and Path(f"/usr/include/{triple}").is_dir():
        flags += ["-I", f"/usr/include/{triple}"]
    return flags


@cache
def build(source: str, folder: str) -> Path | None:
    """The object of `source` built in `folder` (None where clang cannot build it)."""
    if CLANG is None:
        return None
    out = Path(folder) / (Path(source).stem + ".o")
    cmd = [
        CLANG,
        "-O2",
        "-g",
        "-target",
        "bpf",
        f"-mcpu={cpu_flags()[source]}",
        "-D__TARGET_ARCH_x86",
        *include_flags(),
        "-c",
        str(DATA / source),
        "-o",
        str(out),
    ]
    if subprocess.run(cmd, capture_output=True).returncode != 0:
        return None
    return out
