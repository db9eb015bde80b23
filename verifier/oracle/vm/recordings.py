"""What each VM kernel answered, kept in the repository so tests never need a VM.

tests/data/kernels/<uname -r>/<set>.jsonl   one Result per line (sorted by id), each with `release`
tests/data/kernels/<uname -r>/run.json      how the recording was made: package, timings

Third-party objects (the `realworld` set) never enter the repository: their answers go to
$BPFCHECK_VM_LABELS/<uname -r>/ (default /work/build/vm/labels), and `export_labels` writes them as
<set>.verdicts.jsonl files in the format of ../shared/realworld for benchmarks/realworld.py --labels.
"""

from __future__ import annotations

import json
import os
import statistics
from pathlib import Path

from verifier.oracle.vm.boot import VmRun
from verifier.oracle.vm.jobs import Result, dump_line, read_jsonl, result_from_dict
from verifier.oracle.vm.kernels import KernelPackage

REPO_ROOT = Path(__file__).resolve().parents[3]
RECORDINGS = REPO_ROOT / "tests" / "data" / "kernels"
OUTSIDE = Path(os.environ.get("BPFCHECK_VM_LABELS", "/work/build/vm/labels"))
OUTSIDE_SETS = ("realworld",)


def root_for(set_name: str) -> Path:
    """Where a set's recordings live: the repository, or outside it for third-party objects."""
    return OUTSIDE if set_name in OUTSIDE_SETS else RECORDINGS


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


def export_labels(results: dict[str, Result], dest: Path) -> dict[str, int]:
    """Write realworld answers as dest/<set>.verdicts.jsonl (object, program, verdict, msg, processed,
    states, verify_us, backend: the fields benchmarks/realworld.py reads); returns programs per set."""
    by_set: dict[str, list[dict]] = {}
    for rid in sorted(results):
        r = results[rid]
        head, _, program = rid.partition(":")
        obj = head.removeprefix("realworld/")
        row = {"object": obj, "program": program, "verdict": r.verdict, "msg": r.msg,
               "processed": r.processed or 0, "states": r.states or 0, "verify_us": r.verify_us or 0,
               "backend": r.backend, "release": r.release}  # fmt: skip
        by_set.setdefault(obj.split("/", 1)[0], []).append(row)
    dest.mkdir(parents=True, exist_ok=True)
    for name, rows in by_set.items():
        text = "".join(json.dumps(row, sort_keys=True) + "\n" for row in rows)
        (dest / f"{name}.verdicts.jsonl").write_text(text, encoding="utf-8")
    return {name: len(rows) for name, rows in by_set.items()}
