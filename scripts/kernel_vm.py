"""Real 5.10, 6.1 and 6.12 kernels (Debian packages, booted under qemu with TCG) as oracles.

    python scripts/kernel_vm.py fetch   [--kernel all]             download + unpack (cached)
    python scripts/kernel_vm.py boot    [--kernel 6.1]             boot once, print uname -r and timings
    python scripts/kernel_vm.py collect [--kernel all] [--set corpus,shared,fuzz] [--missing]
                                        fetch, boot, load every program, write tests/data/kernels/<uname -r>/
    python scripts/kernel_vm.py compare [--kernel all] [--set corpus,shared] [--json]
                                        bpfcheck --kernel V against those recordings
    python scripts/kernel_vm.py collect --kernel 5.10 --set realworld
    python scripts/kernel_vm.py export  --kernel 5.10 [--out DIR]
                                        the real-project sets of ../shared/realworld (built under
                                        $BPFCHECK_REALWORLD), recorded outside the repository in
                                        $BPFCHECK_VM_LABELS; export writes <set>.verdicts.jsonl for
                                        benchmarks/realworld.py --labels DIR --kernel 5.10

The cache (packages, unpacked kernels, the private apt state) is $BPFCHECK_VM_CACHE or
~/.cache/bpfcheck/kernels. Exit status: 0 done, 1 disagreements (compare), 2 bad usage,
3 the VM cannot run here (no qemu, no packages: the reason is printed).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from verifier.oracle.vm import recordings  # noqa: E402
from verifier.oracle.vm.boot import run_jobs  # noqa: E402
from verifier.oracle.vm.fetch import VmUnavailable, fetch  # noqa: E402
from verifier.oracle.vm.kernels import KERNELS, KernelPackage, cache_dir, cached_vmlinuz, kernel_for  # noqa: E402
from verifier.oracle.vm.sets import EXTRA_SETS, SETS, jobs_for  # noqa: E402

EXIT_DISAGREE, EXIT_USAGE, EXIT_UNAVAILABLE = 1, 2, 3
BOOT_TIMEOUT = 600.0
SECONDS_PER_JOB = 120.0


def _kernels(text: str) -> list[KernelPackage]:
    if text == "all":
        return list(KERNELS)
    try:
        return [kernel_for(part.strip()) for part in text.split(",") if part.strip()]
    except KeyError as exc:
        known = ", ".join(k.series for k in KERNELS)
        raise SystemExit(f"kernel_vm: unknown kernel {exc.args[0]!r} (known: {known}, all)") from None


def _sets(text: str) -> list[str]:
    names = [s.strip() for s in text.split(",") if s.strip()]
    bad = [s for s in names if s not in SETS + EXTRA_SETS]
    if bad or not names:
        raise SystemExit(f"kernel_vm: unknown set {bad or text!r} (known: {', '.join(SETS + EXTRA_SETS)})")
    return names


def cmd_fetch(args: argparse.Namespace) -> int:
    for package in _kernels(args.kernel):
        image = fetch(package, cache_dir())
        print(f"{package.series}: {image.vmlinuz}")
    return 0


def cmd_boot(args: argparse.Namespace) -> int:
    for package in _kernels(args.kernel):
        image = fetch(package, cache_dir())
        run = run_jobs(image, [], cache_dir(), timeout=BOOT_TIMEOUT, echo=args.verbose)
        if not run.release:
            print(run.console[-2000:], file=sys.stderr)
            raise VmUnavailable(f"{package.package} did not come up")
        print(
            f"{package.series}: uname -r {run.release}, boot {run.boot_seconds:.1f} s, total {run.total_seconds:.1f} s"
        )
    return 0


def cmd_collect(args: argparse.Namespace) -> int:
    for package in _kernels(args.kernel):
        image = fetch(package, cache_dir())
        for set_name in _sets(args.set):
            jobs = jobs_for(set_name, tuple(args.project or ()))
            if args.missing:  # only what the recording lacks or could not load (a run cut short before)
                recorded = recordings.read(package.release, set_name, recordings.root_for(set_name))
                jobs = [j for j in jobs if j.id not in recorded or recorded[j.id].verdict == "load_error"]
            if args.limit:
                jobs = jobs[: args.limit]
            if not jobs:
                print(f"{package.series} {set_name}: no programs (set not available here)")
                continue
            timeout = BOOT_TIMEOUT + SECONDS_PER_JOB * len(jobs)
            run = run_jobs(image, jobs, cache_dir(), timeout=timeout, echo=args.verbose)
            if not run.release:
                print(run.console[-2000:], file=sys.stderr)
                raise VmUnavailable(f"{package.package} did not come up")
            path = recordings.write(package, set_name, run, recordings.root_for(set_name))
            missing = len(jobs) - len(run.results)
            print(f"{package.series} {set_name}: {len(run.results)} answers from {run.release} "
                  f"(boot {run.boot_seconds or 0:.1f} s, total {run.total_seconds:.0f} s"
                  f"{f', {missing} missing' if missing else ''}) -> {path}")  # fmt: skip
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from verifier.oracle.differential import engine_stages
    from verifier.oracle.vm.compare import compare_recording

    stages = engine_stages()
    if stages is None:
        raise VmUnavailable("bpfcheck engine not importable")
    status = 0
    report = []
    for package in _kernels(args.kernel):
        for set_name in _sets(args.set):
            root = recordings.root_for(set_name)
            recorded = recordings.read(package.release, set_name, root)
            if not recorded:
                print(
                    f"{package.series} {set_name}: no recording under {recordings.recording_dir(package.release, root)}"
                )
                continue
            result = compare_recording(package.series, package.release, recorded, stages,
                                       btf=cached_vmlinuz(package))  # fmt: skip
            report.append({"kernel": package.series, "release": package.release, "set": set_name,
                           "compared": len(result.agreement.compared), "agreement": result.agreement.rate,
                           "false_accepts": [d.id for d in result.differences if d.bpfcheck == "accept"],
                           "disagreements": [d.line() for d in result.differences]})  # fmt: skip
            if not args.json:
                print(f"{set_name}: {result.summary()}")
                for diff in result.differences:
                    print(f"  {diff.line()}")
            if result.differences:
                status = EXIT_DISAGREE
    if args.json:
        print(json.dumps(report, indent=2))
    return status


def cmd_export(args: argparse.Namespace) -> int:
    for package in _kernels(args.kernel):
        root = recordings.root_for("realworld")
        recorded = recordings.read(package.release, "realworld", root)
        if not recorded:
            print(f"{package.series}: no realworld recording under {recordings.recording_dir(package.release, root)}")
            continue
        dest = args.out or recordings.recording_dir(package.release, root) / "labels"
        counts = recordings.export_labels(recorded, dest)
        print(f"{package.series}: {', '.join(f'{k} {v}' for k, v in sorted(counts.items()))} -> {dest}")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="kernel_vm.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("fetch", "boot", "collect", "compare", "export"):
        p = sub.add_parser(name)
        p.add_argument("--kernel", default="all", help="5.10, 6.1, 6.12, a list, or all")
        if name in ("collect", "compare"):
            p.add_argument(
                "--set", default=",".join(SETS), help="corpus, shared, fuzz (default all three), realworld"
            )
        if name == "collect":
            p.add_argument("--limit", type=int, default=0, help="only the first N programs of each set")
            p.add_argument("--project", action="append", help="realworld: only this project's set (repeatable)")
            p.add_argument(
                "--missing",
                action="store_true",
                help="only programs the recording lacks or has as load errors",
            )
        if name in ("boot", "collect"):
            p.add_argument("--verbose", "-v", action="store_true", help="echo the guest's console")
        if name == "compare":
            p.add_argument("--json", action="store_true")
        if name == "export":
            p.add_argument("--out", type=Path, default=None, help="folder for <set>.verdicts.jsonl")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else 0
    handlers = {"fetch": cmd_fetch, "boot": cmd_boot, "collect": cmd_collect, "compare": cmd_compare,
                "export": cmd_export}  # fmt: skip
    try:
        return handlers[args.command](args)
    except VmUnavailable as exc:
        print(f"kernel_vm: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
