"""Compile a test's own BPF C source with clang and read the object (skip where clang cannot)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from verifier.abstract import AnalysisOptions
from verifier.elf.reader import load_object
from verifier.pipeline import Stages, check_program
from verifier.rules import for_kernel

CLANG = shutil.which("clang-19") or shutil.which("clang")


def compile_c(source: str, folder: Path):
    """`source` built with `clang -O2 -g -target bpf` in `folder`, read as an object."""
    if CLANG is None:
        pytest.skip("clang is not installed")
    (folder / "progs.c").write_text(source)
    build = subprocess.run(
        [CLANG, "-O2", "-g", "-target", "bpf", "-c", "progs.c", "-o", "progs.o"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    if build.returncode != 0:
        pytest.skip(f"cannot compile BPF C here: {build.stderr.strip().splitlines()[-1:]}")
    return load_object(str(folder / "progs.o"))


def verdict_of(obj, name: str, kernel: str, timeout: float = 10) -> str:
    """bpfcheck's verdict ('accept', 'reject', ...) for program `name` of `obj` at `kernel`."""
    prog = next(p for p in obj.programs if p.name == name)
    return check_program(
        obj, prog, kernel, for_kernel(kernel), AnalysisOptions(timeout=timeout), Stages.real()
    ).verdict


def verdict_and_message(obj, name: str, kernel: str, timeout: float = 10) -> tuple[str, str]:
    """bpfcheck's verdict for program `name` of `obj` at `kernel`, and the kernel message of its
    first finding ("" when there is none)."""
    prog = next(p for p in obj.programs if p.name == name)
    verdict = check_program(
        obj, prog, kernel, for_kernel(kernel), AnalysisOptions(timeout=timeout), Stages.real()
    )
    return verdict.verdict, (verdict.findings[0].kernel_message if verdict.findings else "")
