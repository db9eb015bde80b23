"""Random differential testing of `bpfcheck --unprivileged` against the running kernel loading as an
unprivileged user (the selftests' test_loader way: verifier.oracle.unpriv).

The programs are socket filters written as naked inline assembly and compiled with clang: three
unknown scalars (r6, r7 from bpf_get_prandom_u32(), r8 = skb->len), a lookup in an array map of
64-byte values, random ALU64/ALU32 operations and forward conditional jumps on the scalars (the
units of scripts/diff_fuzz.py), then one of a few pointer-arithmetic shapes on the map value
(adding or subtracting the scalar, on one or two paths, from a spilled pointer, scalar += pointer,
a constant then a variable) and an access through the result. Their verdicts turn on the
unprivileged rules: pointer arithmetic sanitation (sanitize_ptr_alu, the alu limit and the paths
it must agree on), pointer comparisons, leaks, and speculative paths.

    python scripts/diff_fuzz_unpriv.py --count 300 --seed 1
    python scripts/diff_fuzz_unpriv.py --count 300 --seed 1 --show 5     # print the first 5 disagreements

Needs root (bpf(); kernel.unprivileged_bpf_disabled is set from 2 to 0 for the run and restored),
libbpf.so.1 and clang-19. Exit 1 when a false accept was found.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPTS_DIR = Path(__file__).resolve().parent
for _path in (REPO_ROOT, SCRIPTS_DIR):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from diff_fuzz import ALU_NAMES, JMP_NAMES, Outcome, Unit, random_unit  # noqa: E402

from verifier.isa import opcodes as op  # noqa: E402

CLANG = os.environ.get("BPFCHECK_CLANG", "clang-19")
PROGRAM_NAME = "prog"
VALUE_SIZE = 64
SHAPES = ("add", "sub", "two_paths", "spill", "scalar_plus_ptr", "const_then_var", "add_twice", "branch_only")

HEADER = r"""
#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
struct v64 { long long a[8]; };
struct { __uint(type, 2); __uint(max_entries, 1); __type(key, int); __type(value, struct v64); } vals SEC(".maps");
char _license[] SEC("license") = "GPL";
"""


@dataclass(slots=True)
class UnprivProgram:
    units: list[Unit]
    shape: str
    size: int  # access size
    off: int  # access offset
    const: int  # the constant of const_then_var
    ret_ptr: bool = False  # return the pointer (a leak)

    def describe(self) -> str:
        parts = "; ".join(u.describe() for u in self.units)
        return f"unpriv {self.shape} size={self.size} off={self.off} const={self.const}: {parts}"


def random_program(rng: random.Random) -> UnprivProgram:
    count = rng.randint(0, 7)
    units = [random_unit(rng, i, count) for i in range(count)]
    size = rng.choice([1, 1, 2, 4, 8])
    room = VALUE_SIZE - size
    roll = rng.random()
    if roll < 0.45:
        mask = rng.choice([7, 15, 31, 63, 127, room, room | (room >> 1)])
        units.append(Unit(False, rng.random() < 0.5, op.BPF_AND, 6, None, mask))
    elif roll < 0.85:
        units.append(
            Unit(
                True,
                rng.random() < 0.5,
                rng.choice([op.BPF_JGT, op.BPF_JGE, op.BPF_JSGT]),
                6,
                None,
                rng.choice([room - 1, room, room + 1, 8, 40]),
                0,
            )
        )
        if rng.random() < 0.5:
            units.append(Unit(True, rng.random() < 0.5, op.BPF_JSLT, 6, None, rng.choice([0, -1, 1]), 0))
    return UnprivProgram(
        units,
        rng.choice(SHAPES),
        size,
        rng.choice([0, 0, 0, 8, -8, room, 1]),
        rng.choice([8, 16, 32, 56, 64, -8]),
        rng.random() < 0.03,
    )


def _reg(n: int, wide: bool) -> str:
    return f"r{n}" if wide else f"w{n}"


def unit_asm(unit: Unit, target: str) -> str:
    operand = _reg(unit.src, unit.wide) if unit.src is not None else str(unit.imm)
    dst = _reg(unit.dst, unit.wide)
    if unit.jmp:
        return f"if {dst} {JMP_NAMES[unit.code]} {operand} goto {target};"
    if unit.code == op.BPF_NEG:
        return f"{dst} = -{dst};"
    if unit.code == op.BPF_MOV:
        return f"{dst} = {operand};"
    if unit.code == op.BPF_ARSH:
        return f"{dst} s>>= {operand};"
    name = "%%" if unit.code == op.BPF_MOD else ALU_NAMES[unit.code]  # '%' starts an operand in inline asm
    return f"{dst} {name}= {operand};"


SIZE = {1: "u8", 2: "u16", 4: "u32", 8: "u64"}


def _access(reg: str, prog: UnprivProgram) -> str:
    return f"r1 = *({SIZE[prog.size]} *)({reg} {'+' if prog.off >= 0 else '-'} {abs(prog.off)});"


def render(prog: UnprivProgram) -> str:
    lines = [
        "r9 = r1;",
        "call 7; r6 = r0;",
        "call 7; r7 = r0;",
        "r8 = *(u32 *)(r9 + 0);",
        "r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[m] ll; call 1;",
        "if r0 == 0 goto 99f;",
    ]
    body = len(prog.units)
    for i, unit in enumerate(prog.units):
        lines.append(f"{10 + i}:")
        target = f"{10 + min(i + 1 + unit.skip, body)}f" if unit.skip else "99f"
        lines.append(unit_asm(unit, target))
    lines.append(f"{10 + body}:")
    shape = prog.shape
    if shape == "add":
        lines += ["r0 += r6;", _access("r0", prog)]
    elif shape == "sub":
        lines += ["r0 -= r6;", _access("r0", prog)]
    elif shape == "add_twice":
        lines += ["r7 &= 7;", "r0 += r6;", "r0 += r7;", _access("r0", prog)]
    elif shape == "two_paths":
        lines += [
            "if r7 > 1000 goto 97f;",
            "r0 += r6;",
            "goto 98f;",
            "97:",
            "r0 += 8;",
            "98:",
            _access("r0", prog),
        ]
    elif shape == "spill":
        lines += ["*(u64 *)(r10 - 16) = r0;", "r2 = *(u64 *)(r10 - 16);", "r2 += r6;", _access("r2", prog)]
    elif shape == "scalar_plus_ptr":
        lines += ["r6 += r0;", _access("r6", prog)]
    elif shape == "const_then_var":
        lines += [f"r0 += {prog.const};", "r0 += r6;", _access("r0", prog)]
    else:  # branch_only: an access guarded only by the branches above
        lines += ["r2 = r0;", "r2 += r6;", "if r6 > 56 goto 99f;", _access("r2", prog)]
    lines.append("r0 = r2;" if prog.ret_ptr else "r0 = 0;")
    lines += ["exit;", "99:", "r0 = 0;", "exit;"]
    asm = "\n".join(f'    "{line}\\n"' for line in lines)
    return (
        HEADER
        + f'SEC("socket") __attribute__((naked)) int {PROGRAM_NAME}(void)\n{{\n  asm volatile (\n{asm}\n'
        + '    :: [m]"i"(&vals) : "memory");\n}\n'
    )


def build(prog: UnprivProgram, out: Path) -> str | None:
    src = out.with_suffix(".c")
    src.write_text(render(prog))
    cmd = [CLANG, "-O2", "-g", "-target", "bpf", "-mcpu=v3", "-c", str(src), "-o", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        errors = [line for line in proc.stderr.splitlines() if "error" in line]
        return errors[0] if errors else proc.stderr.strip()[:200]
    return None


def judge(obj: Path, version: str) -> Outcome:
    from verifier.abstract import AnalysisOptions
    from verifier.oracle import LoadOptions, load_with_kernel
    from verifier.oracle.differential import check_program, engine_stages
    from verifier.oracle.unpriv import unprivileged_verdict

    kv = load_with_kernel(obj, PROGRAM_NAME, isolate=False, load=LoadOptions(unprivileged=True))
    verdict = unprivileged_verdict(kv)
    try:
        ours = check_program(
            obj, PROGRAM_NAME, version, engine_stages(), AnalysisOptions(unprivileged=True, timeout=30)
        )
    except Exception as exc:  # a crash of bpfcheck is a finding too
        return Outcome(verdict, kv.msg, "error", f"{type(exc).__name__}: {exc}", kv.log)
    if ours is None:
        return Outcome(verdict, kv.msg, "missing", "", kv.log)
    message = ours.findings[0].kernel_message if ours.findings else ""
    return Outcome(
        verdict, kv.msg, ours.verdict if ours.verdict in ("accept", "reject") else "error", message, kv.log
    )


@dataclass(slots=True)
class Found:
    program: UnprivProgram
    outcome: Outcome


@dataclass(slots=True)
class Result:
    total: int = 0
    compared: int = 0
    agree: int = 0
    verdict_agree: int = 0
    kernel_rejects: int = 0
    false_accepts: list[Found] = field(default_factory=list)
    classes: dict[tuple[str, str, str, str], Found] = field(default_factory=dict)


def run(count: int, seed: int) -> Result:
    from verifier.oracle import host_release

    rng = random.Random(seed)
    version = host_release()
    result = Result()
    with tempfile.TemporaryDirectory(prefix="diff_fuzz_unpriv_") as tmp:
        out = Path(tmp) / "prog.o"
        for _ in range(count):
            prog = random_program(rng)
            result.total += 1
            error = build(prog, out)
            if error is not None:
                print(f"build failed: {error} :: {prog.describe()}", file=sys.stderr)
                continue
            outcome = judge(out, version)
            if not outcome.comparable:
                continue
            result.compared += 1
            result.kernel_rejects += outcome.kernel == "reject"
            result.verdict_agree += not outcome.verdicts_differ
            result.agree += not outcome.disagrees
            if outcome.false_accept:
                result.false_accepts.append(Found(prog, outcome))
            if outcome.disagrees:
                result.classes.setdefault(outcome.key(), Found(prog, outcome))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=10, help="print up to this many disagreement classes")
    args = parser.parse_args(argv)
    from verifier.oracle import kernel_available
    from verifier.oracle.unpriv import unprivileged_bpf_allowed

    if not kernel_available():
        print("bpf() not permitted here: no kernel oracle", file=sys.stderr)
        return 2
    with unprivileged_bpf_allowed() as allowed:
        if not allowed:
            print("unprivileged bpf() cannot be enabled here", file=sys.stderr)
            return 2
        result = run(args.count, args.seed)
    print(
        f"{result.total} programs, {result.compared} compared, kernel rejected {result.kernel_rejects}; "
        f"verdicts agree {result.verdict_agree}, verdicts+messages agree {result.agree}; "
        f"false accepts {len(result.false_accepts)}; classes {len(result.classes)}"
    )
    for found in list(result.classes.values())[: args.show]:
        o = found.outcome
        print(f"\n[{'FALSE ACCEPT' if o.false_accept else 'disagree'}] kernel {o.kernel}: {o.kernel_msg}")
        print(f"  bpfcheck {o.ours}: {o.ours_msg}")
        print(f"  {found.program.describe()}")
    return 1 if result.false_accepts else 0


if __name__ == "__main__":
    raise SystemExit(main())
