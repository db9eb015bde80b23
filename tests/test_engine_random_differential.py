"""bpfcheck's abstract interpreter against the running kernel on randomly generated programs.

A short seeded run of scripts/diff_fuzz.py (C templates compiled with clang-19 and raw
instruction streams) must produce no false accept: bpfcheck never says "accept" where the kernel
rejects. Every saved reproducer under tests/data/engine_disagreements/NNN/ is one known
disagreement, replayed from its object file and marked xfail (non-strict) with its class as
the reason: a fixed one shows as XPASS. Marker `kernel`: skipped where bpf() is not permitted.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "scripts"))

import diff_fuzz  # noqa: E402

pytestmark = pytest.mark.kernel

REPRODUCERS = sorted(p for p in diff_fuzz.DATA_DIR.glob("*/case.json")) if diff_fuzz.DATA_DIR.is_dir() else []
SEEDED_COUNT = 40
SEED = 20240601


@pytest.fixture(scope="module")
def judge(kernel_oracle: None, bpfcheck_engine) -> diff_fuzz.Judge:
    return diff_fuzz.Judge(timeout=8.0)  # a reproducer that runs into it still disagrees


def _reason(meta: dict) -> str:
    return (f"kernel {meta['kernel']} ({meta['kernel_msg']}); bpfcheck {meta['bpfcheck']} "
            f"({meta['bpfcheck_msg']})")


def _reproducer_params() -> list:
    params = []
    for path in REPRODUCERS:
        meta = json.loads(path.read_text())
        if meta.get("fixed"):  # a regression test now: bpfcheck must agree with the kernel
            params.append(pytest.param(path.parent, id=path.parent.name))
            continue
        mark = pytest.mark.xfail(strict=False, reason=_reason(meta))
        params.append(pytest.param(path.parent, id=path.parent.name, marks=mark))
    return params


def test_seeded_run_has_no_false_accepts(judge: diff_fuzz.Judge) -> None:
    if shutil.which(diff_fuzz.CLANG) is None:
        pytest.skip(f"{diff_fuzz.CLANG} not installed")
    result = diff_fuzz.run(SEEDED_COUNT, SEED, judge, do_shrink=False)
    assert len(result.compared) >= SEEDED_COUNT * 3 // 4, "most generated programs should be comparable"
    kernel_verdicts = {o.kernel for _, o in result.compared}
    assert kernel_verdicts == {"accept", "reject"}, "the generators should make both kinds of program"
    bad = [f"{c.describe()}: kernel says {o.kernel_msg}" for c, o in result.false_accepts]
    assert not bad, "false accepts:\n" + "\n".join(bad)


@pytest.mark.parametrize("directory", _reproducer_params())
def test_reproducer_agrees_with_kernel(directory: Path, judge: diff_fuzz.Judge) -> None:
    outcome = judge.judge(directory / "prog.o")
    assert outcome.comparable, f"kernel verdict {outcome.kernel}: {outcome.kernel_msg}"
    assert not outcome.false_accept, f"FALSE ACCEPT: kernel rejects ({outcome.kernel_msg})"
    assert not outcome.disagrees, (f"kernel {outcome.kernel} ({outcome.kernel_msg}); "
                                   f"bpfcheck {outcome.ours} ({outcome.ours_msg})")


def test_shape_blanks_numbers_and_registers() -> None:
    assert diff_fuzz.shape("R3 off=-8 size=9") == diff_fuzz.shape("R4 off=-16 size=1")
    assert diff_fuzz.shape("R3 invalid mem access 'scalar'") != diff_fuzz.shape("R3 invalid mem access 'map'")


def test_raw_programs_are_well_formed(tmp_path: Path) -> None:
    """Every generated raw stream passes bpfcheck's structural checks (a jump never leaves the program)."""
    import random

    from verifier.elf.reader import load_object

    rng = random.Random(7)
    cfg_checks = pytest.importorskip("verifier.cfg.checks")
    rules = pytest.importorskip("verifier.rules").for_kernel((6, 18))
    for index in range(30):
        prog = diff_fuzz.random_raw(rng)
        path = tmp_path / f"raw_{index}.o"
        path.write_bytes(diff_fuzz.elf_object("xdp", "prog", diff_fuzz.raw_insns(prog)))
        obj = load_object(str(path))
        assert [p.name for p in obj.programs] == ["prog"]
        assert cfg_checks.structural_check(obj.programs[0], rules) == [], prog.describe()
