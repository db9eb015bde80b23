"""The recording/drift machinery of the kernel tests, and BPFCHECK_NO_KERNEL."""

from __future__ import annotations

import json

import kernel_recordings as kr
import pytest

from verifier.oracle import probe


def test_a_different_live_answer_is_drift_not_failure(monkeypatch, tmp_path):
    monkeypatch.setattr(kr, "DATA_DIR", tmp_path)
    monkeypatch.delenv(kr.RECORD_ENV, raising=False)
    report = tmp_path / "drift.jsonl"
    monkeypatch.setenv(kr.REPORT_ENV, str(report))
    rec = kr.Recording("demo", "6.18.44-fc", {"case": {"verdict": "reject", "msg": "old words"}})
    before = len(kr.DRIFT)
    kr.compare_live(rec, "case", {"verdict": "reject", "msg": "old words"})  # same answer: nothing happens
    with pytest.raises(
        pytest.skip.Exception, match=r"kernel drift: demo:case: recorded on 6.18.44-fc.*new words"
    ):
        kr.compare_live(rec, "case", {"verdict": "reject", "msg": "new words"})
    assert len(kr.DRIFT) == before + 1
    kr.DRIFT.pop()  # keep this session's summary about real drift only
    entry = json.loads(report.read_text())
    assert entry["recorded_release"] == "6.18.44-fc" and "new words" in entry["live"]


def test_recording_mode_stores_the_live_answer(monkeypatch, tmp_path):
    monkeypatch.setattr(kr, "DATA_DIR", tmp_path)
    monkeypatch.setenv(kr.RECORD_ENV, "1")
    rec = kr.Recording("demo")
    kr.compare_live(rec, "case", {"verdict": "accept", "msg": ""})
    saved = json.loads((tmp_path / "demo.json").read_text())
    assert saved["release"] == kr.live_release() and saved["answers"]["case"]["verdict"] == "accept"
    assert kr.Recording.load("demo").answers == saved["answers"]


def test_a_missing_recording_fails_with_how_to_record(monkeypatch, tmp_path):
    monkeypatch.setattr(kr, "DATA_DIR", tmp_path)
    with pytest.raises(pytest.fail.Exception, match="kernel_drift.py --record"):
        kr.Recording.load("nothing").answer("case")


def test_no_kernel_env_makes_the_oracle_unavailable(monkeypatch):
    monkeypatch.setenv(probe.NO_KERNEL_ENV, "1")
    probe.kernel_available.cache_clear()
    try:
        assert probe.kernel_disabled() and probe.kernel_available() is False
    finally:
        probe.kernel_available.cache_clear()
    monkeypatch.setenv(probe.NO_KERNEL_ENV, "0")
    assert not probe.kernel_disabled()
