"""Runs inside the VM (chrooted into the host's root over 9p):

    python -m verifier.oracle.vm.guest run JOBS.jsonl RESULTS.jsonl   # supervisor
    python -m verifier.oracle.vm.guest serve                          # one job per stdin line

The supervisor feeds jobs to a `serve` child and appends each answer to RESULTS as soon as it
comes (so a VM that stops early keeps what it measured). A child that crashes or takes longer
than the per-job timeout is killed, the job is recorded as a load error, and a fresh child goes on.
"""

from __future__ import annotations

import dataclasses
import errno as errno_mod
import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

from verifier.oracle.verdict import LOAD_ERROR, KernelVerdict
from verifier.oracle.vm.jobs import (
    LOG_TAIL_LINES,
    RAW,
    Job,
    Result,
    dump_line,
    job_from_dict,
    read_jsonl,
    result_from_verdict,
)

JOB_TIMEOUT = float(os.environ.get("BPFCHECK_VM_JOB_TIMEOUT", "600"))


def _load(job: Job) -> KernelVerdict:
    if job.backend == RAW:
        from verifier.oracle.raw_loader import load_raw

        return load_raw(job.object, job.program, job.prog_type)
    from verifier.oracle.loader import LoadOptions, load_in_process

    load = LoadOptions(fill_maps=job.fill_maps, type_if_unknown=job.type_if_unknown)
    return load_in_process(job.object, job.program, job.prog_type, load)


def _libbpf_messages(job: Job) -> str:
    """What libbpf said while failing to load (the kernel printed nothing): the reason is in there."""
    from verifier.oracle import libbpf as lb
    from verifier.oracle.loader import LOG_LEVEL_TRACE, _attempt

    try:
        attempt = _attempt(lb.libbpf(), job.object, job.program, job.prog_type, LOG_LEVEL_TRACE, 1 << 20)
    except Exception as exc:  # noqa: BLE001 - diagnostics only
        return f"libbpf messages unavailable: {exc}"
    lines = [m.rstrip() for m in attempt.libbpf_msgs if m.strip()]
    return "\n".join(lines[-LOG_TAIL_LINES:])


def serve() -> int:
    release = os.uname().release
    for line in sys.stdin:
        if not line.strip():
            continue
        job = job_from_dict(json.loads(line))
        start = time.monotonic()
        try:
            verdict = _load(job)
        except Exception as exc:  # noqa: BLE001 - one bad object must not stop the run
            verdict = KernelVerdict(
                LOAD_ERROR, errno_mod.EIO, f"loader failed: {type(exc).__name__}: {exc}", ""
            )
        result = result_from_verdict(job, verdict, time.monotonic() - start, release)
        if verdict.verdict == LOAD_ERROR and not verdict.log and job.backend != RAW:
            result = dataclasses.replace(result, log_tail=_libbpf_messages(job))
        sys.stdout.write(dump_line(result) + "\n")
        sys.stdout.flush()
    return 0


def _spawn() -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "verifier.oracle.vm.guest", "serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )


def _answer(child: subprocess.Popen[str], timeout: float) -> str | None:
    assert child.stdout is not None
    ready, _, _ = select.select([child.stdout], [], [], timeout)
    if not ready:
        return None
    line = child.stdout.readline()
    return line if line.strip() else None


def _failed(job: Job, reason: str, seconds: float) -> Result:
    return Result(job.id, LOAD_ERROR, errno_mod.EIO, reason, seconds=round(seconds, 3), release=os.uname().release,
                  backend=job.backend)  # fmt: skip


def run(jobs_path: Path, results_path: Path) -> int:
    done = {row["id"] for row in read_jsonl(results_path)}
    jobs = [job_from_dict(row) for row in read_jsonl(jobs_path)]
    child: subprocess.Popen[str] | None = None
    with results_path.open("a", encoding="utf-8") as out:
        for n, job in enumerate(jobs, start=1):
            if job.id in done:
                continue
            if child is None or child.poll() is not None:
                child = _spawn()
            assert child.stdin is not None
            start = time.monotonic()
            try:
                child.stdin.write(dump_line(job) + "\n")
                child.stdin.flush()
                line = _answer(child, JOB_TIMEOUT)
            except (BrokenPipeError, OSError):
                line = None
            if line is None:
                reason = "loader timed out" if child.poll() is None else f"loader died (exit {child.poll()})"
                child.kill()
                child.wait()
                child = None
                line = dump_line(_failed(job, reason, time.monotonic() - start)) + "\n"
            out.write(line)
            out.flush()
            os.fsync(out.fileno())
            if n % 25 == 0:
                print(f"bpfcheck-vm: {n}/{len(jobs)}", flush=True)
    if child is not None and child.stdin is not None:
        child.stdin.close()
        child.wait()
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["serve"]:
        return serve()
    if len(argv) == 3 and argv[0] == "run":
        return run(Path(argv[1]), Path(argv[2]))
    print("usage: python -m verifier.oracle.vm.guest run JOBS RESULTS | serve", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
