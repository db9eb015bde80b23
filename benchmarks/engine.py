"""The compiled engine (mypyc) against the pure Python one: CPU time of the analysis per object.

    python benchmarks/engine.py [OBJ ...] [--kernel 6.18] [--repeat 3]

Each engine runs in its own process (BPFCHECK_PURE_PYTHON=1 for the pure one); the time is
time.process_time() around each program's analysis (object loading excluded), best of --repeat
runs, so other processes on the machine matter little. Verdicts and processed counts are compared:
any difference is printed and the exit status is 1. Without objects: the shared corpus's largest
Cilium object and the project corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BPFCHECK_SHARED_CORPUS", "/work/shared/corpus")) / "ebpf-samples"

_CHILD = """
import dataclasses, json, sys, time
import verifier
import verifier.abstract.analyze as analyze
from verifier.abstract import AnalysisOptions
from verifier.pipeline import Stages, check_object

kernel, repeat, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
spent = [0.0]

def timed(*args, **kwargs):
    started = time.process_time()
    try:
        return analyze.analyze_program(*args, **kwargs)
    finally:
        spent[0] += time.process_time() - started

stages = dataclasses.replace(Stages.real(), analyze_program=timed)
out = {"engine": verifier.ENGINE, "objects": []}
for path in paths:
    best, rows = None, []
    for _ in range(repeat):
        spent[0] = 0.0
        result = check_object(path, [kernel], AnalysisOptions(timeout=600), None, stages=stages)
        best = spent[0] if best is None else min(best, spent[0])
        rows = [(v.name, v.verdict, v.stats.processed) for v in result.verdicts]
    out["objects"].append({"path": path, "cpu": best, "rows": rows})
print(json.dumps(out))
"""


def run(paths: list[str], kernel: str, repeat: int, pure: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "BPFCHECK_PURE_PYTHON"}
    if pure:
        env["BPFCHECK_PURE_PYTHON"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, kernel, str(repeat), *paths],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compiled against pure Python engine, CPU time.")
    parser.add_argument("objects", nargs="*")
    parser.add_argument("--kernel", default="6.18")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    paths = args.objects or [
        *(str(p) for p in [SHARED / "cilium" / "bpf_xdp_dsr_linux.o"] if p.is_file()),
        *sorted(str(p) for p in (REPO_ROOT / "corpus" / "build").rglob("*.o")),
    ]
    compiled = run(paths, args.kernel, args.repeat, pure=False)
    if not compiled["engine"].startswith("compiled"):
        print(f"no compiled engine here: {compiled['engine']}", file=sys.stderr)
        return 1
    pure = run(paths, args.kernel, args.repeat, pure=True)
    status = 0
    total_pure = total_compiled = 0.0
    processed = 0
    print(f"{'object':60} {'processed':>10} {'pure s':>8} {'compiled s':>10} {'speed-up':>8}")
    for p, c in zip(pure["objects"], compiled["objects"], strict=True):
        count = sum(row[2] for row in p["rows"])
        processed += count
        total_pure += p["cpu"]
        total_compiled += c["cpu"]
        ratio = p["cpu"] / c["cpu"] if c["cpu"] else 0.0
        if len(paths) <= 20 or p["cpu"] > 0.5:
            print(f"{p['path'][-60:]:60} {count:>10} {p['cpu']:>8.3f} {c['cpu']:>10.3f} {ratio:>7.2f}x")
        if p["rows"] != c["rows"]:
            status = 1
            print(f"  DIFFERENT RESULTS: pure {p['rows']} compiled {c['rows']}")
    print(
        f"total: {len(paths)} objects, {processed} processed, pure {total_pure:.2f} s "
        f"({total_pure * 1e6 / max(processed, 1):.1f} us/insn), compiled {total_compiled:.2f} s "
        f"({total_compiled * 1e6 / max(processed, 1):.1f} us/insn): {total_pure / max(total_compiled, 1e-9):.2f}x"
    )
    return status


if __name__ == "__main__":
    sys.exit(main())
