"""Benchmark bpfcheck against the kernel's own verifier, per program and in total.

    python benchmarks/run.py [--corpus project|shared|loops|all] [--kernel 6.18] [--no-kernel] [--limit N]
                             [--json FILE]

Columns: insns, processed (bpfcheck), states, analysis seconds, peak Python memory of
the analysis (tracemalloc, with --memory only: it slows the analysis down), the kernel's own verification time ("verification time N usec"
from the oracle's stats log; for shared-corpus objects libbpf cannot load, the time a 6.18
kernel recorded in ebpf-samples.verdicts.jsonl, marked *), and the ratio bpfcheck / kernel.
Kernel columns are empty where bpf() is not permitted. Process peak RSS is printed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import tracemalloc
from dataclasses import asdict, dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from corpus.manifest import load_manifest  # noqa: E402
from verifier.errors import InputError  # noqa: E402
from verifier.oracle import kernel_available, load_with_kernel  # noqa: E402
from verifier.oracle.differential import default_options, engine_stages  # noqa: E402

_SHARED_DIRS = (REPO_ROOT.parent / "shared" / "corpus", Path("/work/shared/corpus"))  # main, or a worktree
SHARED_CORPUS = Path(
    os.environ.get("BPFCHECK_SHARED_CORPUS") or next((d for d in _SHARED_DIRS if d.is_dir()), _SHARED_DIRS[0])
)
SHARED_VERDICTS = SHARED_CORPUS / "ebpf-samples.verdicts.jsonl"


@dataclass(slots=True)
class Target:
    source: str  # "project" or "shared"
    path: Path
    program: str
    recorded_us: int | None = None  # kernel time recorded elsewhere (shared corpus)


@dataclass(slots=True)
class Row:
    source: str
    program: str
    verdict: str
    insns: int
    processed: int
    states: int
    seconds: float
    peak_kib: float
    kernel_verdict: str = ""
    kernel_us: int | None = None
    kernel_recorded: bool = False

    @property
    def ratio(self) -> float | None:
        if not self.kernel_us:
            return None
        return self.seconds * 1e6 / self.kernel_us


def project_targets() -> list[Target]:
    return [Target("project", e.object_path, e.name) for e in load_manifest()]


def shared_targets() -> list[Target]:
    if not SHARED_VERDICTS.is_file():
        return []
    out = []
    for line in SHARED_VERDICTS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["verdict"] in ("accept", "reject"):
            out.append(Target("shared", SHARED_CORPUS / row["object"], row["program"], row.get("verify_us")))
    return out


def loop_targets(workdir: Path) -> list[Target]:
    """The adversarial loops of scripts/make_adversarial.py (counted, endless, growing state, ...),
    built into `workdir`: the cases where walking a loop to the kernel's 1M limit is the cost."""
    sys.path.insert(0, str(REPO_ROOT / "scripts"))
    import make_adversarial as adv

    out = []
    for name, case in adv.ADVERSARIAL.items():
        if "loop" not in name or case.slow:
            continue
        spec = case.build()
        out.append(Target("loops", adv.write_object(workdir / f"{name}.o", spec), spec.main.name))
    return out


def analyse(target: Target, kernel: str, stages: object) -> Row:
    from verifier.pipeline import check_object

    if tracemalloc.is_tracing():
        tracemalloc.reset_peak()
    base = SHARED_CORPUS if target.source == "shared" else REPO_ROOT / "corpus" / "build"
    where = target.path.relative_to(base).as_posix() if target.path.is_relative_to(base) else target.path.name
    label = f"{where}:{target.program}"
    try:
        prog_filter = target.program
        result = check_object(str(target.path), [kernel], default_options(), prog_filter, stages=stages)
        verdicts = [v for v in result.verdicts if target.program in (v.name, v.section)]
    except InputError as exc:
        return Row(target.source, label, f"error: {exc}", 0, 0, 0, 0.0, 0.0)
    peak = tracemalloc.get_traced_memory()[1] / 1024 if tracemalloc.is_tracing() else 0.0
    if not verdicts:
        return Row(target.source, label, "missing", 0, 0, 0, 0.0, peak)
    v = verdicts[0]
    s = v.stats
    return Row(target.source, label, v.verdict, s.insns, s.processed, s.peak_states or s.states, s.seconds, peak)


def add_kernel(row: Row, target: Target, use_kernel: bool) -> None:
    if use_kernel:
        kv = load_with_kernel(target.path, target.program)
        row.kernel_verdict = kv.verdict
        row.kernel_us = kv.verify_us
    if row.kernel_us is None and target.recorded_us is not None:
        row.kernel_us = target.recorded_us
        row.kernel_recorded = True


def fmt_table(rows: list[Row]) -> str:
    head = f"{'program':58} {'verdict':8} {'kernel':8} {'insns':>7} {'proc':>8} {'states':>7} "
    head += f"{'ours ms':>9} {'peak KiB':>9} {'kern us':>9} {'ratio':>8}"
    lines = [head, "-" * len(head)]
    for r in rows:
        kus = "" if r.kernel_us is None else f"{r.kernel_us}{'*' if r.kernel_recorded else ''}"
        ratio = "" if r.ratio is None else f"{r.ratio:.1f}x"
        lines.append(
            f"{r.program[-58:]:58} {r.verdict[:8]:8} {r.kernel_verdict[:8]:8} {r.insns:>7} {r.processed:>8} "
            f"{r.states:>7} {r.seconds * 1000:>9.1f} {r.peak_kib:>9.0f} {kus:>9} {ratio:>8}"
        )
    return "\n".join(lines)


def fmt_totals(rows: list[Row]) -> str:
    out = []
    for source in sorted({r.source for r in rows}):
        sel = [r for r in rows if r.source == source]
        ours = sum(r.seconds for r in sel)
        timed = [r for r in sel if r.kernel_us]
        kern = sum(r.kernel_us or 0 for r in timed) / 1e6
        ours_timed = sum(r.seconds for r in timed)
        ratio = f"{ours_timed / kern:.1f}x" if kern else "n/a"
        out.append(
            f"{source}: {len(sel)} programs, insns {sum(r.insns for r in sel)}, processed "
            f"{sum(r.processed for r in sel)}, bpfcheck {ours:.2f} s, kernel {kern:.3f} s "
            f"over {len(timed)} programs (ratio {ratio}), max peak {max((r.peak_kib for r in sel), default=0):.0f} KiB"
        )
        # issue 15: no program over 50x the kernel's time where the kernel needs at least 1 ms
        slow = sorted((r for r in timed if (r.kernel_us or 0) >= 1000 and (r.ratio or 0) > 50), key=lambda r: -(r.ratio or 0))
        out.append(f"  {len(slow)} programs over 50x where the kernel needs >= 1 ms" + ":" * bool(slow))
        out += [f"    {r.ratio:.1f}x {r.seconds:.3f} s (kernel {r.kernel_us} us) {r.program}" for r in slow]
        worst = max(timed, key=lambda r: r.ratio or 0, default=None)
        if worst is not None and worst.ratio:
            out.append(f"  largest ratio {worst.ratio:.1f}x: {worst.program} ({worst.seconds:.3f} s, kernel {worst.kernel_us} us)")
    maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.append(f"process peak RSS: {maxrss_kib / 1024:.0f} MiB")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark bpfcheck against the kernel verifier.")
    parser.add_argument("--corpus", choices=("project", "shared", "loops", "all"), default="all")
    parser.add_argument("--kernel", default="6.18", help="kernel version bpfcheck checks against")
    parser.add_argument("--no-kernel", action="store_true", help="do not load programs into the kernel")
    parser.add_argument("--limit", type=int, default=0, help="at most N programs per corpus")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    parser.add_argument(
        "--memory", action="store_true",
        help="measure each analysis' peak Python memory with tracemalloc (several times slower)",
    )
    args = parser.parse_args(argv)

    stages = engine_stages()
    if stages is None:
        print("bpfcheck engine not available (verifier.pipeline / verifier.abstract.analyze)", file=sys.stderr)
        return 1
    use_kernel = not args.no_kernel and kernel_available()
    if not use_kernel and not args.no_kernel:
        print("note: bpf() not available, kernel columns from recorded data only", file=sys.stderr)
    targets: list[Target] = []
    workdir = tempfile.TemporaryDirectory(prefix="bench_loops_")
    makers = (("project", project_targets), ("shared", shared_targets),
              ("loops", lambda: loop_targets(Path(workdir.name))))
    for source, make in makers:
        if args.corpus in (source, "all"):
            chosen = make()
            targets += chosen[: args.limit] if args.limit else chosen
    if args.memory:
        tracemalloc.start()
    rows = []
    for target in targets:
        row = analyse(target, args.kernel, stages)
        add_kernel(row, target, use_kernel)
        rows.append(row)
    if args.memory:
        tracemalloc.stop()
    print(fmt_table(rows))
    print()
    print(fmt_totals(rows))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) | {"ratio": r.ratio} for r in rows], indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
