"""Conformance of bpfcheck with the kernel's own verifier selftests (tools/testing/selftests/bpf/progs).

Give it a Linux source tree, a folder of `verifier_*.c` files, or a folder of objects already
built from them. C files are compiled outside the repository (into --build-dir) with the flags the
selftests use; each test program's expectations are read from the object's BTF decl tags
(`__success`, `__failure`, `__msg`, `__flag`, `__retval`, `__auxiliary` and the `_unpriv`
variants: "comment:test_expect_failure", ...). Then, for every test program:

* privileged mode: the running kernel loads it (with the test's load flags and its auxiliary
  programs) where bpf() works; its verdict is the ground truth, else the annotation is;
* bpfcheck checks it at the host's kernel version with the same flags;
* unprivileged mode (tests that have one): bpfcheck --unprivileged against the running kernel
  loading it as test_loader.c does (CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_PERFMON and CAP_BPF dropped
  from the effective set, maps an unprivileged user cannot create left uncreated, refusals of the
  program type counted as rejects); kernel.unprivileged_bpf_disabled is set from 2 to 0 for the
  run and restored afterwards. Where that cannot be done, the annotation is the truth.

It prints one row per file (programs, verdict agreement, false accepts, message agreement on the
rejects both agree on, unprivileged agreement) and the totals; --details lists every disagreement,
--json writes everything.

    python scripts/selftests_conformance.py ~/linux --build-dir /tmp/st
    python scripts/selftests_conformance.py my_verifier_tests/ --include my_headers/ --details
    python scripts/selftests_conformance.py /tmp/st/obj --json report.json

Exit status: 0 when no false accept was found, 1 otherwise, 2 for bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from verifier.errors import InputError  # noqa: E402

CLANG = os.environ.get("BPFCHECK_CLANG", "clang-19")
# tools/testing/selftests/bpf/Makefile's BPF_CFLAGS, as far as they matter for these files.
CFLAGS = [
    "-g",
    "-O2",
    "-target",
    "bpf",
    "-mcpu=v3",
    "-D__TARGET_ARCH_x86",
    "-DENABLE_ATOMICS_TESTS",
    "-std=gnu11",
    "-fno-strict-aliasing",
    "-Wno-compare-distinct-pointer-types",
]
# Where a Linux tree keeps the headers the selftests include (relative to the tree's root).
TREE_INCLUDES = (
    "tools/testing/selftests/bpf/progs",
    "tools/testing/selftests/bpf",
    "tools/lib",
    "tools/include",
    "tools/include/uapi",
)
TAG_PREFIX = "comment:"
ACCEPT, REJECT = "accept", "reject"
# include/uapi/linux/bpf.h: the load flags a test may name in __flag().
PROG_FLAGS = {
    "BPF_F_STRICT_ALIGNMENT": 1 << 0,
    "BPF_F_ANY_ALIGNMENT": 1 << 1,
    "BPF_F_TEST_RND_HI32": 1 << 2,
    "BPF_F_TEST_STATE_FREQ": 1 << 3,
    "BPF_F_SLEEPABLE": 1 << 4,
    "BPF_F_XDP_HAS_FRAGS": 1 << 5,
    "BPF_F_XDP_DEV_BOUND_ONLY": 1 << 6,
    "BPF_F_TEST_REG_INVARIANTS": 1 << 7,
}
HOST_ARCH = "X86_64"


# ---------------------------------------------------------------------------------------------
# Expectations from the object's BTF decl tags (the selftests' bpf_misc.h)


@dataclass(slots=True)
class Mode:
    """What a test expects in one mode (privileged or unprivileged)."""

    active: bool = False
    expect: str = ACCEPT
    msgs: list[str] = field(default_factory=list)
    explicit: bool = False  # __success / __failure named for this mode


@dataclass(slots=True)
class TestSpec:
    program: str
    description: str = ""
    priv: Mode = field(default_factory=Mode)
    unpriv: Mode = field(default_factory=Mode)
    prog_flags: int = 0
    aux_priv: bool = False  # __auxiliary: loaded alongside the privileged runs
    aux_unpriv: bool = False  # __auxiliary_unpriv: alongside the unprivileged ones
    archs: list[str] = field(default_factory=list)
    caps_unpriv: int = 0  # __caps_unpriv: capabilities the unprivileged run keeps

    @property
    def auxiliary(self) -> bool:
        return self.aux_priv or self.aux_unpriv

    @property
    def runs_here(self) -> bool:
        return not self.archs or HOST_ARCH in self.archs


def _flag_value(text: str) -> int:
    value = 0
    for part in text.split("|"):
        part = part.strip()
        if part in PROG_FLAGS:
            value |= PROG_FLAGS[part]
        else:
            try:
                value |= int(part, 0)
            except ValueError:
                raise InputError(f"unknown __flag value {part!r}") from None
    return value


def _caps_value(text: str) -> int:
    """test_loader's parse_caps(): capability numbers joined by '|' (bpf_misc.h defines CAP_*)."""
    value = 0
    for part in text.split("|"):
        try:
            value |= 1 << int(part.strip(), 0)
        except ValueError:
            raise InputError(f"unknown __caps_unpriv value {part!r}") from None
    return value


def _numbered(value: str) -> str:
    """`__msg` tags carry a counter first ("12=R0 invalid mem access"); older headers do not."""
    head, sep, rest = value.partition("=")
    return rest if sep and head.isdigit() else value


def apply_tag(spec: TestSpec, tag: str) -> None:
    """One decl tag of the selftests' bpf_misc.h into `spec` (unknown tags are ignored)."""
    key, _, value = tag.removeprefix(TAG_PREFIX).partition("=")
    if key == "test_expect_failure":
        spec.priv.active, spec.priv.expect, spec.priv.explicit = True, REJECT, True
    elif key == "test_expect_success":
        spec.priv.active, spec.priv.expect, spec.priv.explicit = True, ACCEPT, True
    elif key == "test_expect_failure_unpriv":
        spec.unpriv.active, spec.unpriv.expect, spec.unpriv.explicit = True, REJECT, True
    elif key == "test_expect_success_unpriv":
        spec.unpriv.active, spec.unpriv.expect, spec.unpriv.explicit = True, ACCEPT, True
    elif key == "test_expect_msg":
        spec.priv.active = True
        spec.priv.msgs.append(_numbered(value))
    elif key == "test_expect_msg_unpriv":
        spec.unpriv.active = True
        spec.unpriv.msgs.append(_numbered(value))
    elif key == "test_retval":
        spec.priv.active = True
    elif key == "test_retval_unpriv":
        spec.unpriv.active = True
    elif key == "test_description":
        spec.description = value
    elif key == "test_prog_flags":
        spec.prog_flags |= _flag_value(value)
    elif key == "test_auxiliary":
        spec.aux_priv = True
    elif key == "test_auxiliary_unpriv":
        spec.aux_unpriv = True
    elif key == "test_arch":
        spec.archs.append(value)
    elif key == "test_caps_unpriv":
        spec.unpriv.active = True
        spec.caps_unpriv |= _caps_value(value)


def read_specs(obj_path: str) -> list[TestSpec]:
    """Every program of the object with its expectations, in the object's order."""
    from verifier.elf.btf import KIND_DECL_TAG, KIND_FUNC
    from verifier.elf.reader import load_object

    obj = load_object(obj_path)
    specs = {p.name: TestSpec(p.name) for p in obj.programs}
    btf = obj.btf
    if btf is not None:
        for t in btf.types[1:]:
            if t is None or t.kind != KIND_DECL_TAG or not t.name.startswith(TAG_PREFIX):
                continue
            target = btf.get(t.size_or_type)
            if target is not None and target.kind == KIND_FUNC and target.name in specs:
                apply_tag(specs[target.name], t.name)
    for spec in specs.values():
        finish(spec)
    return list(specs.values())


def finish(spec: TestSpec) -> None:
    """test_loader's defaults once every tag is read."""
    if not spec.priv.active and not spec.unpriv.active:
        spec.priv.active = True  # no mode named: privileged, expecting success
    if spec.unpriv.active and not spec.unpriv.explicit:
        spec.unpriv.expect = spec.priv.expect  # the unprivileged run inherits the result ...
    if spec.unpriv.active and not spec.unpriv.msgs:
        spec.unpriv.msgs = list(spec.priv.msgs)  # ... and the messages


# ---------------------------------------------------------------------------------------------
# Messages: __msg is a substring, with {{regex}} parts (bpf_misc.h)


def msg_pattern(expected: str) -> re.Pattern[str]:
    parts = re.split(r"\{\{(.*?)\}\}", expected)
    regex = "".join(part if i % 2 else re.escape(part) for i, part in enumerate(parts))
    return re.compile(regex)


def messages_in_order(expected: Sequence[str], log: str) -> bool:
    """test_loader's rule: each expected message appears in the log after the previous one."""
    pos = 0
    for text in expected:
        m = msg_pattern(text).search(log, pos)
        if m is None:
            return False
        pos = m.end()
    return True


# ---------------------------------------------------------------------------------------------
# Building


def find_sources(source: Path) -> tuple[list[Path], list[Path]]:
    """(C files, objects): a Linux tree's progs/verifier_*.c, or a folder's verifier_*.c / *.o."""
    progs = source / "tools/testing/selftests/bpf/progs"
    folder = progs if progs.is_dir() else source
    if not folder.is_dir():
        raise InputError(f"{source}: not a directory")
    c_files = sorted(folder.glob("verifier_*.c"))
    objects = sorted(folder.glob("*.o")) if not c_files else []
    if not c_files and not objects:
        raise InputError(f"{folder}: no verifier_*.c files and no objects")
    return c_files, objects


def include_dirs(source: Path, extra: Sequence[str], build_dir: Path) -> list[str]:
    dirs = [str(Path(d).resolve()) for d in extra]
    dirs.append(str(build_dir / "include"))
    dirs += [str(source / rel) for rel in TREE_INCLUDES if (source / rel).is_dir()]
    return dirs


def ensure_vmlinux_h(build_dir: Path) -> None:
    """vmlinux.h of the running kernel (bpftool), for the files that include it."""
    target = build_dir / "include" / "vmlinux.h"
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    bpftool = shutil.which("bpftool")
    btf = Path("/sys/kernel/btf/vmlinux")
    if bpftool is None or not btf.exists():
        return
    out = subprocess.run(
        [bpftool, "btf", "dump", "file", str(btf), "format", "c"], capture_output=True, check=False
    )
    if out.returncode == 0:
        target.write_bytes(out.stdout)


def build(c_file: Path, build_dir: Path, includes: Sequence[str]) -> tuple[Path | None, str]:
    obj = build_dir / "obj" / (c_file.stem + ".o")
    obj.parent.mkdir(parents=True, exist_ok=True)
    if obj.exists() and obj.stat().st_mtime >= c_file.stat().st_mtime:
        return obj, ""
    cmd = [
        CLANG,
        *CFLAGS,
        *[f"-I{d}" for d in includes],
        "-idirafter",
        "/usr/include/x86_64-linux-gnu",
        "-c",
        str(c_file),
        "-o",
        str(obj),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        errors = [line for line in proc.stderr.splitlines() if "error:" in line]
        return None, (errors[0] if errors else proc.stderr.strip()[-200:])
    return obj, ""


# ---------------------------------------------------------------------------------------------
# Judging one test


@dataclass(slots=True)
class Outcome:
    file: str
    program: str
    description: str
    mode: str  # "priv" or "unpriv"
    expected: str  # the annotation
    kernel: str  # the running kernel's verdict ("accept", "reject", "env_reject", "load_error", "n/a")
    truth: str  # what bpfcheck is judged against: the kernel's verdict where it has one, else the annotation
    bpfcheck: str  # "accept", "reject", "error"
    kernel_msg: str = ""
    bpfcheck_msg: str = ""
    expected_msgs: list[str] = field(default_factory=list)

    @property
    def comparable(self) -> bool:
        return self.truth in (ACCEPT, REJECT)

    @property
    def agrees(self) -> bool:
        return self.truth == self.bpfcheck

    @property
    def false_accept(self) -> bool:
        return self.truth == REJECT and self.bpfcheck == ACCEPT

    @property
    def both_reject(self) -> bool:
        return self.truth == REJECT and self.bpfcheck == REJECT

    @property
    def message_agrees(self) -> bool:
        if self.kernel == REJECT:
            return _norm(self.kernel_msg) == _norm(self.bpfcheck_msg)
        return bool(self.expected_msgs) and messages_in_order(self.expected_msgs[-1:], self.bpfcheck_msg)


def _norm(text: str) -> str:
    return " ".join(text.split())


def _bpfcheck(obj_path: str, spec: TestSpec, kernel: str, unprivileged: bool) -> tuple[str, str]:
    from verifier.abstract import AnalysisOptions
    from verifier.btf.kernel import host_btf_path
    from verifier.pipeline import Stages, check_object

    # the running kernel's BTF, as `bpfcheck --kernel host` reads it (map fields, typed pointers)
    host_btf = host_btf_path()
    options = AnalysisOptions(
        unprivileged=unprivileged,
        timeout=60.0,
        prog_flags=spec.prog_flags,
        kernel_btf=((kernel, host_btf),) if host_btf else (),
    )
    try:
        result = check_object(
            obj_path, [kernel], options, prog_filter=spec.program, stages=Stages.real(), witnesses=False
        )
    except InputError as exc:
        return "error", str(exc)
    verdicts = [v for v in result.verdicts if v.name == spec.program]
    if not verdicts:
        return "error", "program not found"
    verdict = verdicts[0]
    msg = verdict.findings[0].kernel_message if verdict.findings else ""
    return verdict.verdict, msg


def judge_file(obj_path: str, use_kernel: bool, kernel: str, unpriv_kernel: bool = False) -> list[Outcome]:
    from verifier.oracle import LoadOptions, load_with_kernel
    from verifier.oracle.unpriv import unprivileged_verdict

    name = Path(obj_path).stem
    specs = read_specs(obj_path)
    companions = tuple(s.program for s in specs if s.aux_priv)
    unpriv_companions = tuple(s.program for s in specs if s.aux_unpriv)
    outcomes: list[Outcome] = []
    for spec in specs:
        if spec.auxiliary or not spec.runs_here:
            continue
        if spec.priv.active:
            k_verdict, k_msg = "n/a", ""
            if use_kernel:
                kv = load_with_kernel(obj_path, spec.program, load=LoadOptions(spec.prog_flags, companions))
                k_verdict, k_msg = kv.verdict, kv.msg
            truth = k_verdict if k_verdict in (ACCEPT, REJECT) or use_kernel else spec.priv.expect
            ours, our_msg = _bpfcheck(obj_path, spec, kernel, unprivileged=False)
            outcomes.append(
                Outcome(
                    name,
                    spec.program,
                    spec.description,
                    "priv",
                    spec.priv.expect,
                    k_verdict,
                    truth,
                    ours,
                    k_msg,
                    our_msg,
                    spec.priv.msgs,
                )
            )
        # bpfcheck --unprivileged is a loader without all four capabilities: no __caps_unpriv
        if spec.unpriv.active and not spec.caps_unpriv:
            k_verdict, k_msg, truth = "n/a", "", spec.unpriv.expect
            if unpriv_kernel:
                load = LoadOptions(spec.prog_flags, unpriv_companions, unprivileged=True)
                kv = load_with_kernel(obj_path, spec.program, load=load)
                k_verdict, k_msg = unprivileged_verdict(kv), kv.msg
                truth = k_verdict
            ours, our_msg = _bpfcheck(obj_path, spec, kernel, unprivileged=True)
            outcomes.append(
                Outcome(
                    name,
                    spec.program,
                    spec.description,
                    "unpriv",
                    spec.unpriv.expect,
                    k_verdict,
                    truth,
                    ours,
                    k_msg,
                    our_msg,
                    spec.unpriv.msgs,
                )
            )
    return outcomes


def _judge_job(job: tuple[str, bool, str, bool]) -> list[Outcome] | str:
    try:
        return judge_file(*job)
    except Exception as exc:  # one unreadable object must not stop the run
        return f"{job[0]}: {type(exc).__name__}: {exc}"


# ---------------------------------------------------------------------------------------------
# Report


@dataclass(slots=True)
class Row:
    file: str
    programs: int = 0
    compared: int = 0
    agree: int = 0
    false_accepts: int = 0
    false_rejects: int = 0
    errors: int = 0
    not_comparable: int = 0
    both_reject: int = 0
    msg_agree: int = 0
    unpriv_compared: int = 0
    unpriv_agree: int = 0
    unpriv_false_accepts: int = 0

    def add(self, o: Outcome) -> None:
        if o.mode == "unpriv":
            if not o.comparable:
                return
            self.unpriv_compared += 1
            self.unpriv_agree += o.agrees
            self.unpriv_false_accepts += o.false_accept
            return
        self.programs += 1
        if not o.comparable:
            self.not_comparable += 1
            return
        self.compared += 1
        self.agree += o.agrees
        self.false_accepts += o.false_accept
        self.false_rejects += o.truth == ACCEPT and o.bpfcheck == REJECT
        self.errors += o.bpfcheck not in (ACCEPT, REJECT)
        if o.both_reject:
            self.both_reject += 1
            self.msg_agree += o.message_agrees


def _pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:5.1f}%" if b else "   - "


def summarize(outcomes: Iterable[Outcome]) -> tuple[list[Row], Row]:
    rows: dict[str, Row] = {}
    total = Row("TOTAL")
    for o in outcomes:
        rows.setdefault(o.file, Row(o.file)).add(o)
        total.add(o)
    return sorted(rows.values(), key=lambda r: r.file), total


def print_table(rows: list[Row], total: Row, out=sys.stdout) -> None:
    head = (
        f"{'file':<36} {'progs':>5} {'agree':>13} {'FA':>3} {'FR':>3} {'err':>3} {'n/c':>3} "
        f"{'msg (both reject)':>18} {'unpriv':>14} {'uFA':>3}"
    )
    print(head, file=out)
    print("-" * len(head), file=out)
    for r in [*rows, total]:
        if r is total:
            print("-" * len(head), file=out)
        print(
            f"{r.file:<36} {r.programs:>5} {r.agree:>4}/{r.compared:<3} {_pct(r.agree, r.compared)} "
            f"{r.false_accepts:>3} {r.false_rejects:>3} {r.errors:>3} {r.not_comparable:>3} "
            f"{r.msg_agree:>5}/{r.both_reject:<3} {_pct(r.msg_agree, r.both_reject)} "
            f"{r.unpriv_agree:>4}/{r.unpriv_compared:<3} {_pct(r.unpriv_agree, r.unpriv_compared)} "
            f"{r.unpriv_false_accepts:>3}",
            file=out,
        )


def print_details(outcomes: Iterable[Outcome], out=sys.stdout) -> None:
    for o in outcomes:
        if not o.comparable:
            continue
        if o.agrees and (not o.both_reject or o.message_agrees):
            continue
        kind = "FALSE ACCEPT" if o.false_accept else ("message" if o.agrees else "disagree")
        print(f"[{kind}] {o.file}:{o.program} ({o.mode}) truth={o.truth} bpfcheck={o.bpfcheck}", file=out)
        if o.kernel_msg or o.bpfcheck_msg:
            print(f"    kernel:   {o.kernel_msg}", file=out)
            print(f"    bpfcheck: {o.bpfcheck_msg}", file=out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="a Linux source tree, or a folder of verifier_*.c files or of objects")
    parser.add_argument(
        "--build-dir",
        default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "bpfcheck-selftests"),
        help="where C files are compiled (outside the repository)",
    )
    parser.add_argument("--include", "-I", action="append", default=[], help="an extra include directory")
    parser.add_argument("--only", action="append", default=[], help="only files whose name contains this")
    parser.add_argument("--no-kernel", action="store_true", help="judge against the annotations only")
    parser.add_argument("--jobs", "-j", type=int, default=1)
    parser.add_argument("--details", action="store_true", help="list every disagreement")
    parser.add_argument("--json", metavar="FILE", help="write every outcome as JSON")
    args = parser.parse_args(argv)

    from verifier.oracle import host_kernel_version, kernel_available
    from verifier.oracle.unpriv import unprivileged_bpf_allowed

    try:
        source = Path(args.source).resolve()
        build_dir = Path(args.build_dir).resolve()
        c_files, objects = find_sources(source)
    except InputError as exc:
        print(f"selftests_conformance: {exc}", file=sys.stderr)
        return 2
    if args.only:
        c_files = [f for f in c_files if any(o in f.name for o in args.only)]
        objects = [f for f in objects if any(o in f.name for o in args.only)]
    if c_files:
        ensure_vmlinux_h(build_dir)
        includes = include_dirs(source, args.include, build_dir)
        for c_file in c_files:
            obj, error = build(c_file, build_dir, includes)
            if obj is None:
                print(f"build failed: {c_file.name}: {error}", file=sys.stderr)
            else:
                objects.append(obj)
    use_kernel = not args.no_kernel and kernel_available()
    kernel = ".".join(str(p) for p in host_kernel_version())
    with ExitStack() as stack:
        unpriv_kernel = use_kernel and stack.enter_context(unprivileged_bpf_allowed())
        jobs = [(str(o), use_kernel, kernel, unpriv_kernel) for o in objects]
        if args.jobs > 1:
            with ProcessPoolExecutor(args.jobs) as pool:
                results = list(pool.map(_judge_job, jobs))
        else:
            results = [_judge_job(job) for job in jobs]
    outcomes: list[Outcome] = []
    for result in results:
        if isinstance(result, str):
            print(f"skipped: {result}", file=sys.stderr)
        else:
            outcomes.extend(result)
    rows, total = summarize(outcomes)
    judge = "its verdicts" if use_kernel else "annotations only"
    unpriv_judge = "its unprivileged verdicts" if unpriv_kernel else "annotations"
    print(f"kernel {kernel} ({judge}; unpriv: {unpriv_judge}), {len(objects)} objects")
    print_table(rows, total)
    if args.details:
        print_details(outcomes)
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(o) for o in outcomes], indent=1))
    return 1 if total.false_accepts or total.unpriv_false_accepts else 0


if __name__ == "__main__":
    sys.exit(main())
