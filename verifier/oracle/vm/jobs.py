"""What a VM is asked to load (a job) and what it answered (a result): one JSON object per line."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from verifier.oracle.verdict import KernelVerdict

LIBBPF = "libbpf"
RAW = "raw"  # bpf() directly, for legacy objects libbpf 1.x refuses (verifier.oracle.raw_loader)
LOG_TAIL_LINES = 12


@dataclass(frozen=True, slots=True)
class Job:
    id: str  # stable key of the program: "<set>/<object>:<program>"
    object: str  # absolute path (the host's root is the guest's root)
    program: str
    prog_type: str | None = None
    backend: str = LIBBPF
    fill_maps: bool = False  # size maps left at max_entries 0, as the project's loader would
    type_if_unknown: bool = False  # libbpf loads: `prog_type` only where libbpf cannot tell it from the section


@dataclass(frozen=True, slots=True)
class Result:
    id: str
    verdict: str
    errno: int
    msg: str
    processed: int | None = None
    states: int | None = None
    verify_us: int | None = None
    stack_depths: tuple[int, ...] = field(default=())
    log_tail: str = ""
    seconds: float = 0.0  # wall clock of the load inside the guest
    release: str = ""  # the guest's `uname -r`
    backend: str = LIBBPF


def result_from_verdict(job: Job, verdict: KernelVerdict, seconds: float, release: str) -> Result:
    tail = "\n".join(verdict.log.strip().splitlines()[-LOG_TAIL_LINES:])
    return Result(
        job.id,
        verdict.verdict,
        verdict.errno,
        verdict.msg,
        verdict.processed,
        verdict.states,
        verdict.verify_us,
        tuple(verdict.stack_depths),
        tail,
        round(seconds, 3),
        release,
        job.backend,
    )


def dump_line(item: Job | Result) -> str:
    return json.dumps(asdict(item), sort_keys=True)


def job_from_dict(data: dict) -> Job:
    keys = ("id", "object", "program", "prog_type", "backend", "fill_maps", "type_if_unknown")
    return Job(**{k: data[k] for k in keys if k in data})


def result_from_dict(data: dict) -> Result:
    known = set(Result.__dataclass_fields__)
    values = {k: v for k, v in data.items() if k in known}
    values["stack_depths"] = tuple(values.get("stack_depths") or ())
    return Result(**values)


def read_jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line:
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut short when the guest stopped
    return rows


def write_jobs(path: Path, jobs: list[Job]) -> None:
    path.write_text("".join(dump_line(j) + "\n" for j in jobs), encoding="utf-8")
