"""bpfcheck's abstract interpreter against the kernel on randomly generated programs.

A short seeded run of scripts/diff_fuzz.py (C templates compiled with clang-19 and raw
instruction streams) must produce no false accept against the kernel's recorded answers
(tests/data/kernel_recordings/diff_fuzz_seeded.json). Every saved reproducer under
tests/data/engine_disagreements/NNN/ keeps the kernel's answers it was recorded with
(`recordings` in case.json, one per kernel release): bpfcheck at that release's rules must agree
with each (a reproducer not yet fixed is xfail, non-strict). Where bpf() works, the live kernel is
asked too; an answer that differs from the recording is kernel drift, a skip (tests/kernel_recordings.py).
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "scripts"))

import diff_fuzz  # noqa: E402
from kernel_recordings import Recording, drift, live_kernel_usable, recording_mode  # noqa: E402

REPRODUCERS = sorted(p for p in diff_fuzz.DATA_DIR.glob("*/case.json")) if diff_fuzz.DATA_DIR.is_dir() else []
SEEDED_COUNT = 40
SEED = 20240601
SEEDED = Recording.load("diff_fuzz_seeded")


@pytest.fixture(scope="module")
def judge(bpfcheck_engine) -> diff_fuzz.Judge:
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


def _answer(outcome: diff_fuzz.Outcome) -> dict[str, str]:
    return {"verdict": outcome.kernel, "msg": outcome.kernel_msg}


def test_seeded_run_has_no_false_accepts(judge: diff_fuzz.Judge) -> None:
    """bpfcheck at the recorded kernel's rules, on the recorded kernel answers of a seeded run."""
    if shutil.which(diff_fuzz.CLANG) is None:
        pytest.skip(f"{diff_fuzz.CLANG} not installed")
    rng = random.Random(SEED)
    live = live_kernel_usable()
    if recording_mode() and not live:
        pytest.skip("recording needs bpf()")
    compared, verdicts, bad, drifted = 0, set(), [], []
    with tempfile.TemporaryDirectory(prefix="seeded_") as tmp:
        for index in range(SEEDED_COUNT):
            case = diff_fuzz.random_case(rng)
            obj = Path(tmp) / f"case{index}.o"
            if case.build(obj) is not None:
                continue
            key = f"{index}:{case.describe()}"
            if recording_mode():
                SEEDED.store(key, _answer(judge.judge(obj)))
                continue
            recorded = SEEDED.answer(key)
            outcome = judge.judge_recorded(obj, recorded["verdict"], recorded["msg"], SEEDED.release or "host")
            if not outcome.comparable:
                continue
            compared += 1
            verdicts.add(outcome.kernel)
            if outcome.false_accept:
                bad.append(f"{case.describe()}: kernel ({SEEDED.release}) says {outcome.kernel_msg}")
            if live:
                now = _answer(judge.judge(obj))
                if now != recorded:
                    drifted.append((key, recorded, now))
    if recording_mode():
        return
    assert compared >= SEEDED_COUNT * 3 // 4, "most generated programs should be comparable"
    assert verdicts == {"accept", "reject"}, "the generators should make both kinds of program"
    assert not bad, "false accepts:\n" + "\n".join(bad)
    if drifted:
        key, recorded, now = drifted[0]
        drift(f"diff_fuzz seeded run ({len(drifted)} programs, first {key})", SEEDED.release, recorded, now)


@pytest.mark.parametrize("directory", _reproducer_params())
def test_reproducer_agrees_with_kernel(directory: Path, judge: diff_fuzz.Judge) -> None:
    meta = json.loads((directory / "case.json").read_text())
    recordings = meta["recordings"]
    for rec in recordings:  # bpfcheck at each recorded kernel's rules
        outcome = judge.judge_recorded(directory / "prog.o", rec["verdict"], rec["msg"], rec["release"])
        assert outcome.comparable, f"kernel verdict {outcome.kernel}: {outcome.kernel_msg}"
        assert not outcome.false_accept, f"FALSE ACCEPT: kernel {rec['release']} rejects ({outcome.kernel_msg})"
        assert not outcome.disagrees, (f"kernel {rec['release']}: {outcome.kernel} ({outcome.kernel_msg}); "
                                       f"bpfcheck {outcome.ours} ({outcome.ours_msg})")
    if not live_kernel_usable():
        return
    live = judge.judge(directory / "prog.o")
    release = diff_fuzz._kernel_version()
    same = [r for r in recordings if r["release"] == release]
    if recording_mode() and not same:
        meta["recordings"].append({"release": release, **_answer(live)})
        (directory / "case.json").write_text(json.dumps(meta, indent=2) + "\n")
        return
    recorded = same[0] if same else recordings[-1]
    shown = {"verdict": recorded["verdict"], "msg": recorded["msg"]}
    if _answer(live) != shown:
        drift(f"reproducer {directory.name}", recorded["release"], shown, _answer(live))


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
