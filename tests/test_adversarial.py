"""Adversarial programs end within their bound with the kernel's verdict.

The objects come from scripts/make_adversarial.py (hand-assembled, written to a tmp dir);
each case carries the verdict the running Linux 6.18 kernel gave. The time bound is the
analysis time-out: an analysis that overruns it ends in verdict "error" (timeout), which
fails the test. `test_kernel_still_agrees` re-asks the running kernel where bpf() works.
"""

from __future__ import annotations

import importlib.util
import resource
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from kernel_recordings import drift

from verifier.abstract import AnalysisOptions
from verifier.pipeline import Stages, check_object
from verifier.rules.versions import parse_kernel_list

ROOT = Path(__file__).resolve().parent.parent
BOUND_S = 30.0  # analysis time-out per program; the slowest case takes about 10 s on 2 cores


def _load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


adv = _load_script("make_adversarial")


def _params() -> list[object]:
    out = []
    for name, case in adv.ADVERSARIAL.items():
        marks = []
        if case.slow:
            marks.append(pytest.mark.slow)
        if case.known_bug:
            marks.append(pytest.mark.xfail(reason=case.known_bug, strict=True))
        out.append(pytest.param(name, marks=marks, id=name))
    return out


def check(path: Path, kernel: str = "6.18", timeout: float = BOUND_S) -> list[object]:
    result = check_object(
        str(path), parse_kernel_list(kernel), AnalysisOptions(timeout=timeout), stages=Stages.real(),
        witnesses=False,
    )
    return result.verdicts


@pytest.mark.parametrize("name", _params())
def test_adversarial_program(name: str, tmp_path: Path) -> None:
    case = adv.ADVERSARIAL[name]
    path = adv.write_object(tmp_path / f"{name}.o", case.build())
    [verdict] = check(path, timeout=case.bound_s)
    messages = [f.kernel_message for f in verdict.findings]
    assert verdict.verdict == case.verdict, messages
    if case.message:
        assert any(case.message in m for m in messages), messages


@pytest.mark.parametrize(("adds", "kernel", "expected"), [
    (4094, "5.1", "accept"),  # 4096 insns: BPF_MAXINSNS before 5.2
    (4095, "5.1", "reject"),
    (4095, "5.2", "accept"),  # from 5.2 the limit is 1M (BPF_COMPLEXITY_LIMIT_INSNS)
])
def test_program_length_limit_by_version(adds: int, kernel: str, expected: str, tmp_path: Path) -> None:
    path = adv.write_object(tmp_path / "straight.o", adv.straight_line(adds))
    [verdict] = check(path, kernel)
    assert verdict.verdict == expected
    if expected == "reject":
        assert "E2BIG" in verdict.findings[0].kernel_message


def test_one_million_plus_one_insns_bounded_memory(tmp_path: Path) -> None:
    """The CLI reads and refuses a 1,000,001-instruction object in a subprocess under 1 GB."""
    path = adv.write_object(tmp_path / "big.o", adv.straight_line(999_999))
    probe = (
        "import resource, sys\n"
        "from verifier.cli import main\n"
        "sys.argv = ['bpfcheck', sys.argv[1], '--kernel', '6.18', '--no-witness', '--timeout', '30']\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\nelse:\n    code = 0\n"
        "print('RSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    rss_kb = int(proc.stderr.split("RSS")[-1].split()[0])
    assert rss_kb < 1_000_000, f"peak RSS {rss_kb} kB"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 4_000_000  # this process stayed sane too


def wrapping_counter_loop() -> object:
    """corpus/build/loops/bounded.o with one bit flipped by the fuzzer: the counter steps by 0x100001
    and the loop ends when its low 32 bits are 16, which takes the kernel past 1M insns (1.1 s)."""
    r = adv.asm
    o = adv.op
    insns = [
        r.mov64_imm(2, 0), r.ldx_mem(o.BPF_W, 1, 1, 0), r.mov64_imm(3, 0),
        r.mov64_reg(4, 2), r.alu64_imm(o.BPF_LSH, 4, 32), r.alu64_imm(o.BPF_RSH, 4, 32),
        r.mov64_reg(0, 1), r.alu64_reg(o.BPF_RSH, 0, 4), r.alu64_imm(o.BPF_AND, 0, 1), r.alu64_reg(o.BPF_ADD, 0, 3),
        r.alu64_imm(o.BPF_ADD, 2, 0x100001),
        r.mov64_reg(4, 2), r.alu64_imm(o.BPF_LSH, 4, 32), r.alu64_imm(o.BPF_RSH, 4, 32),
        r.mov64_reg(3, 0), r.jmp_imm(o.BPF_JEQ, 4, 16, 1), r.ja(-14), r.exit_insn(),
    ]
    return adv.ObjectSpec("socket", adv.Func("loop_bounded", insns))


@pytest.mark.xfail(reason="verifier/abstract/loops.py: no fast-forward for a counter that wraps in its low "
                          "32 bits; about 6 s of CPU to walk 1M insns (the issue asks < 5 s)", strict=False)
def test_wrapping_counter_loop_within_5s(tmp_path: Path) -> None:
    path = adv.write_object(tmp_path / "wrap.o", wrapping_counter_loop())
    [verdict] = check(path, timeout=5.0)
    assert verdict.verdict == "reject"
    assert "BPF program is too large. Processed 1000001 insn" in verdict.findings[0].kernel_message


def _kernel_params() -> list[object]:
    return [pytest.param(name, id=name) for name, case in adv.ADVERSARIAL.items() if not case.slow and not case.slow_in_kernel]


@pytest.mark.kernel
@pytest.mark.parametrize("name", _kernel_params())
def test_kernel_still_agrees(name: str, tmp_path: Path) -> None:
    """The live kernel still answers as the case records (taken on a 6.18 kernel); else kernel drift."""
    oracle = pytest.importorskip("verifier.oracle")
    if not oracle.kernel_available():
        pytest.skip("bpf() not permitted here")
    if oracle.host_kernel_version() != (6, 18):
        pytest.skip("expectations were taken on a 6.18 kernel")
    case = adv.ADVERSARIAL[name]
    spec = case.build()
    path = adv.write_object(tmp_path / f"{name}.o", spec)
    got = oracle.load_with_kernel(str(path), spec.main.name)
    if case.kernel_load_error:
        if not (got.verdict == "load_error" and got.errno == 7):  # E2BIG
            drift(f"adversarial {name}", "6.18", "load_error (E2BIG)", f"{got.verdict} ({got.msg})")
        return
    if got.verdict != case.verdict or case.message not in got.msg:
        drift(f"adversarial {name}", "6.18", f"{case.verdict} ({case.message})", f"{got.verdict} ({got.msg})")
