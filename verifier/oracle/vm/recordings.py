"""What each VM kernel answered, kept in the repository so tests never need a VM.

tests/data/kernels/<uname -r>/<set>.jsonl   one Result per line (sorted by id), each with `release`
tests/data/kernels/<uname -r>/run.json      how the recording was made: package, timings
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from verifier.oracle.vm.boot import VmRun
from verifier.oracle.vm.jobs import Result, dump_line, read_jsonl, result_from_dict
from verifier.oracle.vm.kernels import KernelPackage

REPO_ROOT = Path(__file__).resolve().parents[3]
RECORDINGS = REPO_ROOT / "tests" / "data" / "kernels"


def recording_dir(release: str, root: Path = RECORDINGS) -> Path:
    return root / release


def read(release: str, set_name: str, root: Path = RECORDINGS) -> dict[str, Result]:
    rows = read_jsonl(recording_dir(release, root) / f"{set_name}.jsonl")
    return {row["id"]: result_from_dict(row) for row in rows}


def releases(root: Path = RECORDINGS) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def write(package: KernelPackage, set_name: str, run: VmRun, root: Path = RECORDINGS) -> Path:
    """Merge `run`'s results into the set's recording (newer answers replace older ones)."""
    directory = recording_dir(run.release, root)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{set_name}.jsonl"
    merged = {row["id"]: result_from_dict(row) for row in read_jsonl(path)}
    merged.update({r.id: r for r in run.results})
    path.write_text("".join(dump_line(merged[k]) + "\n" for k in sorted(merged)), encoding="utf-8")
    _write_run_info(directory, package, set_name, run)
    return path


def _write_run_info(directory: Path, package: KernelPackage, set_name: str, run: VmRun) -> None:
    info_path = directory / "run.json"
    info = json.loads(info_path.read_text(encoding="utf-8")) if info_path.is_file() else {}
    info.update({"package": package.package, "series": package.series, "release": run.release})
    seconds = [r.seconds for r in run.results]
    info.setdefault("sets", {})[set_name] = {
        "programs": len(run.results),
        "boot_seconds": round(run.boot_seconds, 1) if run.boot_seconds is not None else None,
        "total_seconds": round(run.total_seconds, 1),
        "load_seconds_median": round(statistics.median(seconds), 3) if seconds else None,
        "load_seconds_max": round(max(seconds), 3) if seconds else None,
        "accelerator": "tcg",
    }
    info_path.write_text(json.dumps(info, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def results_of(release: str, root: Path = RECORDINGS) -> dict[str, Result]:
    """Every recorded answer of one kernel, all sets together."""
    out: dict[str, Result] = {}
    for path in sorted(recording_dir(release, root).glob("*.jsonl")):
        out.update({row["id"]: result_from_dict(row) for row in read_jsonl(path)})
    return out
