#!/usr/bin/env python3
"""List kernel drift: where the running kernel answers differently from the recorded answers.

The tests that talk to the kernel (tests/kernel_recordings.py) compare bpfcheck with recorded kernel
answers and report a live kernel that answers differently as *drift* (a skip). This runs those tests
and prints every drifted case with both answers and both kernel releases, so the differences can be
turned into facts (verifier/rules/builds.py). With `--record`, the live answers replace the
recordings (review them with `git diff tests/data`); bpfcheck must then agree with the new
recordings at the running kernel's rules, which is what makes a new build a fact.

    python scripts/kernel_drift.py            # list drift (exit 0; 1 when there is drift)
    python scripts/kernel_drift.py --record   # re-record with the running kernel
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
KERNEL_TESTS = [
    "tests/test_scalar_kernel.py",
    "tests/test_engine_random_differential.py",
    "tests/test_differential.py",
    "tests/test_cfg_kernel_differential.py",
    "tests/test_adversarial.py",
    "tests/test_oracle_kernel.py",
    "tests/test_unpriv_kernel.py",
    "tests/test_dynptr_slice.py",
    "tests/test_const_map_key.py",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="replace the recordings with the live answers")
    parser.add_argument("--json", action="store_true", help="one JSON object per drifted case")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO_ROOT))
    from verifier.oracle import host_release, kernel_available

    if not kernel_available():
        print(
            "bpf() not permitted here (or BPFCHECK_NO_KERNEL is set): no live kernel to compare",
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory(prefix="drift_") as tmp:
        report = Path(tmp) / "drift.jsonl"
        env = dict(os.environ, BPFCHECK_DRIFT_REPORT=str(report))
        if args.record:
            env["BPFCHECK_RECORD"] = "1"
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            "not slow",
            *KERNEL_TESTS,
        ]
        proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
        entries = [json.loads(line) for line in report.read_text().splitlines()] if report.exists() else []
    tail = proc.stdout.strip().splitlines()[-1:] if proc.stdout.strip() else []
    if args.json:
        for entry in entries:
            print(json.dumps(entry))
    else:
        verb = "re-recorded with" if args.record else "compared with"
        print(f"kernel tests {verb} the running kernel {host_release()}: {' '.join(tail)}")
        if not entries:
            print("no drift: the running kernel answers as recorded")
        for entry in entries:
            print(
                f"- {entry['case']}\n    recorded ({entry['recorded_release']}): {entry['recorded']}\n"
                f"    live     ({entry['live_release']}): {entry['live']}"
            )
    if proc.returncode not in (0, 5):
        print(proc.stdout[-3000:], file=sys.stderr)
        return 3
    return 1 if entries else 0


if __name__ == "__main__":
    raise SystemExit(main())
