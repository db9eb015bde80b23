"""Shared fixtures: the kernel oracle and the bpfcheck engine, each skipped cleanly when absent."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # so `import corpus.manifest` works however pytest is started
    sys.path.insert(0, str(REPO_ROOT))


@pytest.fixture(scope="session")
def kernel_oracle() -> None:
    """Skip unless bpf() works here (root or CAP_BPF) and libbpf.so.1 loads."""
    from verifier.oracle import kernel_available

    if not kernel_available():
        pytest.skip("bpf() not permitted or libbpf missing: no kernel oracle")


@pytest.fixture(scope="session")
def bpfcheck_engine():
    """The pipeline stages with the abstract interpreter; skip while it is not importable."""
    from verifier.oracle.differential import engine_stages

    stages = engine_stages()
    if stages is None:
        pytest.skip("bpfcheck engine (verifier.abstract.analyze via verifier.pipeline) not available")
    return stages


@pytest.fixture
def pure_python_engine(request) -> None:
    """For tests that replace engine functions (monkeypatch): the compiled engine (verifier/native.py)
    calls its functions directly, so there the test runs again in a pure Python process instead."""
    import verifier

    if not verifier.ENGINE.startswith("compiled"):
        return
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", request.node.nodeid],
        cwd=request.config.rootpath,
        env={**os.environ, "BPFCHECK_PURE_PYTHON": "1"},
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout[-4000:]
    pytest.skip("passed in a pure Python process (the compiled engine cannot be monkeypatched)")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    """One line per case where the live kernel answered differently from its recording."""
    from kernel_recordings import DRIFT

    if not DRIFT:
        return
    releases = sorted({d["live_release"] for d in DRIFT})
    terminalreporter.section("kernel drift")
    terminalreporter.write_line(
        f"{len(DRIFT)} case(s) where the live kernel ({', '.join(releases)}) differs from its recording "
        "(skipped, not failed; `python scripts/kernel_drift.py` lists them, `--record` re-records):"
    )
    for d in DRIFT:
        terminalreporter.write_line(f"  {d['case']}: recorded on {d['recorded_release']}, live {d['live_release']}")
