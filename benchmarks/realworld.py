"""bpfcheck over the real-project sets of ../shared/realworld, against the 6.18 kernel's recorded verdicts.

    python benchmarks/realworld.py [--root DIR] [--set NAME ...] [--kernel 6.18] [--btf FILE]
                                   [--timeout S] [--jobs N] [--json FILE|-] [--details]

The objects are built outside the repository with ../shared/realworld/build/build-<set>.sh into
ROOT/<project>/... (ROOT: --root, $BPFCHECK_REALWORLD, default /work/build/realworld); the labels
are ../shared/realworld/<set>.verdicts.jsonl ($BPFCHECK_REALWORLD_LABELS). Sets whose objects are
not built are reported as such and skipped.

Per set: programs compared (the kernel accepted or rejected them; load_error / env_reject /
core_reject are not verifier verdicts and are left out), verdict agreement, false accepts (bpfcheck
accepts, the kernel rejects), false rejects, undecided (bpfcheck timed out, failed, or could not
load the program), and for programs both accept: processed instructions equal to the kernel's and
within 10% of it, and total_states the same way. Time: bpfcheck's analysis seconds summed over the
compared programs the kernel timed, beside the kernel's own `verification time` (the labels'
verify_us), and their ratio; below the table, every program over 50x the kernel's time where the
kernel needs at least 1 ms (--slowest N lists the N largest ratios instead).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from verifier.errors import InputError  # noqa: E402

DEFAULT_ROOT = Path(os.environ.get("BPFCHECK_REALWORLD", "/work/build/realworld"))
_LABEL_DIRS = (REPO_ROOT.parent / "shared" / "realworld", Path("/work/shared/realworld"))
DEFAULT_LABELS = Path(
    os.environ.get("BPFCHECK_REALWORLD_LABELS")
    or next((d for d in _LABEL_DIRS if d.is_dir()), _LABEL_DIRS[0])
)
COMPARED = ("accept", "reject")
NEAR = 0.10  # "within 10%"


@dataclass(slots=True)
class Program:
    """One labelled program and what bpfcheck said of it."""

    set: str
    object: str
    program: str
    kernel: str  # the kernel's verdict
    kernel_msg: str
    kernel_processed: int
    kernel_states: int
    kernel_us: int = 0  # the kernel's verification time (0: not recorded)
    ours: str = "missing"  # accept, reject, error (timeout, load-error, internal-error), missing
    category: str = ""
    msg: str = ""
    processed: int = 0
    states: int = 0
    seconds: float = 0.0


@dataclass(slots=True)
class SetSummary:
    set: str
    built: bool
    labelled: int = 0
    compared: int = 0
    agree: int = 0
    false_accepts: int = 0
    false_rejects: int = 0
    undecided: int = 0
    both_accept: int = 0
    processed_exact: int = 0
    processed_near: int = 0
    states_exact: int = 0
    states_near: int = 0
    seconds: float = 0.0
    timed_seconds: float = 0.0  # bpfcheck, over the compared programs the kernel timed
    kernel_seconds: float = 0.0  # the kernel, over the same programs
    programs: list[Program] = field(default_factory=list)

    @property
    def agreement(self) -> float:
        return self.agree / self.compared if self.compared else 1.0

    @property
    def ratio(self) -> float:
        return self.timed_seconds / self.kernel_seconds if self.kernel_seconds else 0.0


def near(ours: int, kernel: int) -> bool:
    return abs(ours - kernel) <= NEAR * kernel


def label_sets(labels: Path) -> list[str]:
    return sorted(p.name.removesuffix(".verdicts.jsonl") for p in labels.glob("*.verdicts.jsonl"))


def load_labels(labels: Path, name: str) -> list[Program]:
    rows = []
    for line in (labels / f"{name}.verdicts.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        rows.append(
            Program(
                name,
                row["object"],
                row["program"],
                row["verdict"],
                row.get("msg", ""),
                row.get("processed", 0) or 0,
                row.get("states", 0) or 0,
                row.get("verify_us", 0) or 0,
            )
        )
    return rows


def fill_ours(
    programs: list[Program], root: Path, kernel: str, btf: str | None, timeout: float, jobs: int
) -> None:
    """Check every built object once and attach bpfcheck's verdict to each labelled program."""
    from verifier.abstract import AnalysisOptions
    from verifier.oracle.differential import find_verdict
    from verifier.pipeline import iter_check_objects, kernel_label
    from verifier.rules.versions import parse_kernel

    target = parse_kernel(kernel)
    options = AnalysisOptions(
        timeout=timeout, kernel_btf=((kernel_label(target), btf),) if btf is not None else ()
    )
    by_object: dict[str, list[Program]] = defaultdict(list)
    for p in programs:
        by_object[p.object].append(p)
    paths = [str(root / obj) for obj in by_object if (root / obj).is_file()]
    for result in iter_check_objects(paths, [target], options, jobs=jobs, witnesses=False):
        obj = Path(result.path).relative_to(root).as_posix()
        verdicts = list(result.verdicts)
        for p in by_object[obj]:
            if result.error is not None:
                p.ours, p.category, p.msg = "error", "load-error", str(result.error)
                continue
            v = find_verdict(verdicts, p.program)
            if v is None:
                continue
            p.ours = v.verdict
            p.processed, p.states, p.seconds = v.stats.processed, v.stats.states, v.stats.seconds
            if v.findings:
                p.category, p.msg = v.findings[0].category, v.findings[0].message


def summarise(name: str, built: bool, programs: list[Program]) -> SetSummary:
    s = SetSummary(name, built, labelled=len(programs), programs=programs)
    for p in programs:
        s.seconds += p.seconds
        if p.kernel not in COMPARED:
            continue
        s.compared += 1
        if p.kernel_us and p.ours in COMPARED:
            s.timed_seconds += p.seconds
            s.kernel_seconds += p.kernel_us / 1e6
        if p.ours not in COMPARED:
            s.undecided += 1
            continue
        if p.ours == p.kernel:
            s.agree += 1
        elif p.ours == "accept":
            s.false_accepts += 1
        else:
            s.false_rejects += 1
        if p.ours == p.kernel == "accept":
            s.both_accept += 1
            s.processed_exact += p.processed == p.kernel_processed
            s.processed_near += near(p.processed, p.kernel_processed)
            s.states_exact += p.states == p.kernel_states
            s.states_near += near(p.states, p.kernel_states)
    return s


def pct(n: int, d: int) -> str:
    return f"{100 * n / d:5.1f}%" if d else "    -"


def table(sums: list[SetSummary]) -> str:
    head = (
        f"{'set':22} {'cmp':>4} {'agree':>6} {'FA':>3} {'FR':>3} {'und':>3} {'both':>5} "
        f"{'proc=':>6} {'proc~10%':>8} {'st=':>6} {'st~10%':>6} {'secs':>7} {'ours s':>7} {'kern s':>7} {'ratio':>6}"
    )
    lines = [head, "-" * len(head)]
    total = SetSummary("total", True)
    for s in sums:
        if not s.built:
            lines.append(f"{s.set:22} not built")
            continue
        lines.append(
            f"{s.set:22} {s.compared:>4} {pct(s.agree, s.compared):>6} {s.false_accepts:>3} {s.false_rejects:>3} "
            f"{s.undecided:>3} {s.both_accept:>5} {pct(s.processed_exact, s.both_accept):>6} "
            f"{pct(s.processed_near, s.both_accept):>8} {pct(s.states_exact, s.both_accept):>6} "
            f"{pct(s.states_near, s.both_accept):>6} {s.seconds:>7.1f} {s.timed_seconds:>7.2f} "
            f"{s.kernel_seconds:>7.3f} {_ratio(s.ratio):>6}"
        )
        for f in ("compared", "agree", "false_accepts", "false_rejects", "undecided", "both_accept",
                  "processed_exact", "processed_near", "states_exact", "states_near", "seconds",
                  "timed_seconds", "kernel_seconds"):  # fmt: skip
            setattr(total, f, getattr(total, f) + getattr(s, f))
    lines.append("-" * len(head))
    lines.append(
        f"{'total':22} {total.compared:>4} {pct(total.agree, total.compared):>6} {total.false_accepts:>3} "
        f"{total.false_rejects:>3} {total.undecided:>3} {total.both_accept:>5} "
        f"{pct(total.processed_exact, total.both_accept):>6} {pct(total.processed_near, total.both_accept):>8} "
        f"{pct(total.states_exact, total.both_accept):>6} {pct(total.states_near, total.both_accept):>6} "
        f"{total.seconds:>7.1f} {total.timed_seconds:>7.2f} {total.kernel_seconds:>7.3f} {_ratio(total.ratio):>6}"
    )
    return "\n".join(lines)


def _ratio(r: float) -> str:
    return f"{r:.1f}x" if r else "-"


SLOW_RATIO = 50.0  # issue 15: no program over 50x the kernel's time ...
SLOW_MIN_US = 1000  # ... where the kernel needs at least 1 ms


def slow_programs(sums: list[SetSummary], slowest: int = 0) -> str:
    """Programs over SLOW_RATIO times the kernel's time where the kernel needs SLOW_MIN_US or more;
    with `slowest`, the `slowest` largest ratios of all timed programs instead."""
    timed = [
        (p.seconds * 1e6 / p.kernel_us, p)
        for s in sums
        for p in s.programs
        if p.kernel in COMPARED and p.ours in COMPARED and p.kernel_us
    ]
    timed.sort(key=lambda rp: -rp[0])
    if slowest:
        rows = timed[:slowest]
        title = f"the {len(rows)} largest ratios to the kernel's time"
    else:
        rows = [(r, p) for r, p in timed if r > SLOW_RATIO and p.kernel_us >= SLOW_MIN_US]
        title = f"{len(rows)} programs over {SLOW_RATIO:.0f}x the kernel's time where it needs >= {SLOW_MIN_US} us"
    lines = [title]
    for r, p in rows:
        lines.append(
            f"  {r:7.1f}x  ours {p.seconds:8.3f} s  kernel {p.kernel_us / 1e6:8.4f} s  "
            f"processed {p.processed} (kernel {p.kernel_processed})  {p.set}: {p.object}:{p.program}"
        )
    return "\n".join(lines)


def details(sums: list[SetSummary]) -> str:
    lines = []
    for s in sums:
        for p in s.programs:
            if p.kernel not in COMPARED or p.ours == p.kernel:
                continue
            lines.append(
                f"{s.set}: {p.object}:{p.program}: kernel {p.kernel}, bpfcheck {p.ours} [{p.category}] {p.msg}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="bpfcheck against the kernel on real-project sets.")
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="where the sets are built")
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS, help="folder of <set>.verdicts.jsonl")
    parser.add_argument("--set", action="append", dest="sets", help="only this set (repeatable)")
    parser.add_argument("--kernel", default="6.18", help="kernel version bpfcheck checks against")
    parser.add_argument(
        "--btf", default=None, help="target kernel BTF (default: /sys/kernel/btf/vmlinux when it exists)"
    )
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds per program (bpfcheck's default)"
    )
    parser.add_argument("--jobs", "-j", type=int, default=1, help="objects checked in parallel")
    parser.add_argument(
        "--json", dest="json_out", help="write per-set summaries and programs as JSON (- for stdout)"
    )
    parser.add_argument("--details", action="store_true", help="list every disagreement")
    parser.add_argument(
        "--slowest", type=int, default=0, metavar="N", help="list the N largest time ratios to the kernel's"
    )
    args = parser.parse_args(argv)

    if not args.labels.is_dir():
        print(f"realworld: no labels at {args.labels}", file=sys.stderr)
        return 2
    names = args.sets or label_sets(args.labels)
    unknown = [n for n in names if not (args.labels / f"{n}.verdicts.jsonl").is_file()]
    if unknown:
        print(f"realworld: unknown set(s) {', '.join(unknown)}", file=sys.stderr)
        return 2
    btf = args.btf
    if btf is None and Path("/sys/kernel/btf/vmlinux").is_file():
        btf = "/sys/kernel/btf/vmlinux"
    sums = []
    started = time.monotonic()
    for name in names:
        programs = load_labels(args.labels, name)
        built = any((args.root / p.object).is_file() for p in programs)
        if built:
            try:
                fill_ours(programs, args.root, args.kernel, btf, args.timeout, args.jobs)
            except InputError as exc:
                print(f"realworld: {exc}", file=sys.stderr)
                return 2
        sums.append(summarise(name, built, programs))
        print(f"{name}: done ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    if args.json_out:
        doc = [asdict(s) | {"agreement": s.agreement} for s in sums]
        text = json.dumps(doc, indent=1)
        if args.json_out == "-":
            print(text)
            return 0
        Path(args.json_out).write_text(text, encoding="utf-8")
    print(table(sums))
    print()
    print(slow_programs(sums, args.slowest))
    if args.details:
        print()
        print(details(sums))
    return 0


if __name__ == "__main__":
    sys.exit(main())
