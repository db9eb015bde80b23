"""The program sets a VM kernel is asked about: the project corpus, the shared corpus, the fuzz
cases, and (on request) the real-project sets of ../shared/realworld built outside the repository.

Job ids are stable across machines ("corpus/alu/atomics.o:atomic_add",
"shared/ebpf-samples/build/foo.o:prog"): recordings are keyed by them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from verifier.oracle.vm.jobs import LIBBPF, RAW, Job

REPO_ROOT = Path(__file__).resolve().parents[3]
CORPUS_BUILD = REPO_ROOT / "corpus" / "build"
SHARED_CORPUS = Path(os.environ.get("BPFCHECK_SHARED_CORPUS", "/work/shared/corpus"))
SHARED_VERDICTS = "ebpf-samples.verdicts.jsonl"

FUZZ_CASES = REPO_ROOT / "tests" / "data" / "engine_disagreements"  # differential fuzzing's regressions

# real-project objects (built with ../shared/realworld/build/*.sh) and the 6.18 labels listing them
REALWORLD_ROOT = Path(os.environ.get("BPFCHECK_REALWORLD", "/work/build/realworld"))
REALWORLD_LABELS = Path(os.environ.get("BPFCHECK_REALWORLD_LABELS", "/work/shared/realworld"))

SETS = ("corpus", "shared", "fuzz")  # the default, recorded in the repository
EXTRA_SETS = ("realworld",)  # third-party objects: recorded outside the repository (recordings.root_for)


def corpus_jobs() -> list[Job]:
    """Every program of corpus/manifest.toml (objects under corpus/build)."""
    from corpus.manifest import load_manifest

    return [
        Job(f"corpus/{e.object}:{e.name}", str(CORPUS_BUILD / e.object), e.name, e.prog_type, LIBBPF)
        for e in load_manifest()
    ]


def shared_rows(root: Path = SHARED_CORPUS) -> list[dict]:
    path = root / SHARED_VERDICTS
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def shared_jobs(root: Path = SHARED_CORPUS) -> list[Job]:
    """Every program the shared corpus's 6.18 recording lists, loaded the way it was (libbpf or raw)."""
    jobs = []
    rows = [row for row in shared_rows(root) if "program" in row]  # else no loader could read the object
    # programs a kernel verified first, load errors last: a run cut short keeps what compares
    rows.sort(key=lambda row: row.get("verdict") == "load_error")
    for row in rows:
        backend = RAW if row.get("backend") == RAW else LIBBPF
        # the recorded type: raw loads need it, and libbpf does not know every old section name ("xdp_prog")
        prog_type = str(row["prog_type"]) if row.get("prog_type") else None
        jobs.append(Job(f"shared/{row['object']}:{row['program']}", str(root / row["object"]), row["program"],
                        prog_type, backend))  # fmt: skip
    return jobs


def fuzz_jobs(root: Path = FUZZ_CASES) -> list[Job]:
    """Every program of the differential fuzzer's recorded cases (tests/data/engine_disagreements/*/prog.o)."""
    from verifier.oracle.objects import list_programs

    jobs = []
    for obj in sorted(root.glob("*/prog.o")):
        for prog in list_programs(obj):
            jobs.append(Job(f"fuzz/{obj.parent.name}/prog.o:{prog.name}", str(obj), prog.name, None, LIBBPF))
    return jobs


def realworld_jobs(
    root: Path = REALWORLD_ROOT, labels: Path = REALWORLD_LABELS, projects: tuple[str, ...] = ()
) -> list[Job]:
    """Every labelled program of the real-project sets (`projects`, default all) built under `root`.

    Ids are "realworld/<object as labelled>:<program>" (the object path starts with the set's folder).
    libbpf loads pick the type from the section as the projects' loaders do, the labelled type only where
    libbpf cannot tell one (sections the projects' own loaders type: `tc-egress`); raw loads need the type.
    Maps the object leaves at max_entries 0 are sized (the projects' loaders set them) as the
    6.18 labels were made and as bpfcheck's reader does.
    """
    jobs = []
    for path in sorted(labels.glob("*.verdicts.jsonl")):
        if projects and path.name.removesuffix(".verdicts.jsonl") not in projects:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if "program" not in row or not (root / row["object"]).is_file():
                continue
            backend = RAW if row.get("backend") == RAW else LIBBPF
            prog_type = str(row["prog_type"]) if row.get("prog_type") else None
            jobs.append(Job(f"realworld/{row['object']}:{row['program']}", str(root / row["object"]),
                            row["program"], prog_type, backend, fill_maps=True,
                            type_if_unknown=backend != RAW))  # fmt: skip
    return jobs


def jobs_for(name: str, projects: tuple[str, ...] = ()) -> list[Job]:
    if name == "corpus":
        return corpus_jobs()
    if name == "shared":
        return shared_jobs()
    if name == "fuzz":
        return fuzz_jobs()
    if name == "realworld":
        return realworld_jobs(projects=projects)
    raise KeyError(name)


def split_id(job_id: str) -> tuple[str, str, str]:
    """ "corpus/alu/atomics.o:atomic_add" -> ("corpus", "alu/atomics.o", "atomic_add").

    Object paths hold no ':'; program (section) names may ("uprobe/libc:malloc"): the first ':' splits.
    """
    head, _, program = job_id.partition(":")
    set_name, _, obj = head.partition("/")
    return set_name, obj, program


def object_path(job_id: str) -> Path:
    set_name, obj, _ = split_id(job_id)
    roots = {"corpus": CORPUS_BUILD, "shared": SHARED_CORPUS, "fuzz": FUZZ_CASES, "realworld": REALWORLD_ROOT}
    return roots[set_name] / obj
