"""Fuzz bpfcheck: every input must end in a verdict or a clean InputError/ElfError.

Inputs: random bytes, real objects with bytes flipped or overwritten in one region (ELF
header, section header table, relocations, symbol table, string tables, .BTF, .BTF.ext,
instruction bytes), and random instruction streams wrapped in a valid ELF
(scripts/make_adversarial.py writes it). `run_input` pushes one input through the stages
in this process (reader, structural checks, engine, witnesses, via verifier.pipeline with
recording wrappers) and returns the crashes it saw; `run_cli` runs the installed CLI in a
subprocess (exit status, stderr, no traceback, time bound).

    python scripts/fuzz.py --minutes 10 [--seed 1] [--out fuzz-findings] [--engine random|atheris]

Crashing inputs are saved under --out as <stage>-<exception>-<hash>.o with a .txt traceback.
tests/test_fuzz.py runs the same properties with hypothesis on a small budget.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import random
import signal
import struct
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verifier.errors import InputError
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn

ROOT = Path(__file__).resolve().parent.parent
SHARED_SAMPLES = Path("/work/shared/corpus/ebpf-samples/build")
SMALL_SHARED = ("stackok.o", "loop.o", "packet_overflow.o", "ptr_arith.o", "dependent_read.o",
                "badhelpercall.o", "map_in_map_legacy.o", "global_variable_2.o")
ANALYSIS_TIMEOUT = 3.0  # seconds per program (the engine's own bound)
HARD_LIMIT = 15.0  # seconds for one whole input in process: past it, a hang is recorded
MAX_PROGRAMS = 4  # programs of one input that are analysed (mutants of big objects have many)

_ELF64 = struct.Struct("<16sHHIQQQIHHHHHH")
_SHDR = struct.Struct("<IIQQQQIIQQ")
SHT_SYMTAB, SHT_STRTAB, SHT_REL, SHT_RELA = 2, 3, 9, 4
SHF_EXECINSTR = 0x4


def _load_sibling(name: str) -> Any:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


adversarial = _load_sibling("make_adversarial")


# ---------------------------------------------------------------------------
# Seeds and regions


def seed_objects(limit: int | None = None) -> list[Path]:
    """The project's compiled corpus and a few small real-world objects (those present)."""
    own = sorted((ROOT / "corpus" / "build").rglob("*.o"))
    shared = [SHARED_SAMPLES / n for n in SMALL_SHARED if (SHARED_SAMPLES / n).is_file()]
    seeds = sorted(own, key=lambda p: p.stat().st_size)[: limit or None] + shared
    return seeds


@dataclass(frozen=True, slots=True)
class Region:
    kind: str  # "elf-header", "section-headers", "rel", "symtab", "strtab", "btf", "btf-ext", "insns", "any"
    start: int
    end: int


def regions(data: bytes) -> list[Region]:
    """Where the interesting structures of a well-formed ELF64 little-endian object lie."""
    out = [Region("elf-header", 0, min(64, len(data))), Region("any", 0, len(data))]
    if len(data) < 64 or data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return out
    fields = _ELF64.unpack_from(data)
    shoff, shentsize, shnum, shstrndx = fields[6], fields[11], fields[12], fields[13]
    if shentsize != 64 or shoff + shnum * 64 > len(data):
        return out
    out.append(Region("section-headers", shoff, shoff + shnum * 64))
    headers = [_SHDR.unpack_from(data, shoff + i * 64) for i in range(shnum)]
    names = b""
    if shstrndx < shnum:
        _, _, _, _, off, size, *_ = headers[shstrndx]
        names = data[off:off + size]
    for name_off, sh_type, flags, _, off, size, *_ in headers:
        if size == 0 or off + size > len(data):
            continue
        name = names[name_off:names.find(b"\0", name_off)] if name_off < len(names) else b""
        kind = {SHT_REL: "rel", SHT_RELA: "rel", SHT_SYMTAB: "symtab", SHT_STRTAB: "strtab"}.get(sh_type)
        if name == b".BTF":
            kind = "btf"
        elif name == b".BTF.ext":
            kind = "btf-ext"
        elif flags & SHF_EXECINSTR:
            kind = "insns"
        if kind is not None:
            out.append(Region(kind, off, off + size))
    return out


# ---------------------------------------------------------------------------
# Mutations

INTERESTING = (0, 1, 0x7F, 0x80, 0xFF)
INTERESTING_WORDS = (0, 1, 7, 8, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFF8)


def flip_bits(data: bytes, region: Region, rnd: random.Random, count: int) -> bytes:
    out = bytearray(data)
    for _ in range(count):
        pos = rnd.randrange(region.start, region.end)
        out[pos] ^= 1 << rnd.randrange(8)
    return bytes(out)


def overwrite(data: bytes, region: Region, rnd: random.Random, count: int) -> bytes:
    """Put interesting bytes or 32-bit words at random places of `region`."""
    out = bytearray(data)
    for _ in range(count):
        pos = rnd.randrange(region.start, region.end)
        if rnd.random() < 0.5 and pos + 4 <= region.end:
            out[pos:pos + 4] = rnd.choice(INTERESTING_WORDS).to_bytes(4, "little")
        else:
            out[pos] = rnd.choice(INTERESTING) if rnd.random() < 0.7 else rnd.randrange(256)
    return bytes(out)


def truncate(data: bytes, rnd: random.Random) -> bytes:
    return data[: rnd.randrange(len(data))]


def mutate(data: bytes, rnd: random.Random) -> tuple[bytes, str]:
    """One mutant of a well-formed object and a short description of what was done."""
    by_kind: dict[str, list[Region]] = {}
    for candidate in regions(data):
        by_kind.setdefault(candidate.kind, []).append(candidate)
    region = rnd.choice(by_kind[rnd.choice(sorted(by_kind))])  # each kind alike, however many sections
    if region.end <= region.start:
        return truncate(data, rnd), "truncate"
    how = rnd.random()
    count = rnd.choice((1, 1, 2, 4, 16))
    if how < 0.45:
        return flip_bits(data, region, rnd, count), f"flip {count} in {region.kind}"
    if how < 0.9:
        return overwrite(data, region, rnd, count), f"overwrite {count} in {region.kind}"
    return truncate(data, rnd), "truncate"


# ---------------------------------------------------------------------------
# Random instruction streams

_ALU_OPS = (op.BPF_ADD, op.BPF_SUB, op.BPF_MUL, op.BPF_DIV, op.BPF_OR, op.BPF_AND, op.BPF_LSH, op.BPF_RSH,
            op.BPF_NEG, op.BPF_MOD, op.BPF_XOR, op.BPF_MOV, op.BPF_ARSH, op.BPF_END)
_JMP_OPS = (op.BPF_JEQ, op.BPF_JGT, op.BPF_JGE, op.BPF_JSET, op.BPF_JNE, op.BPF_JSGT, op.BPF_JSGE,
            op.BPF_JLT, op.BPF_JLE, op.BPF_JSLT, op.BPF_JSLE)
_SIZES = (op.BPF_B, op.BPF_H, op.BPF_W, op.BPF_DW)
_IMMS = (0, 1, -1, 2, 7, 8, 16, 31, 32, 63, 64, 0x7FFFFFFF, -0x80000000, 255, 4096)


def _s16(value: int) -> int:
    return max(-0x8000, min(0x7FFF, value))


def random_insn(rnd: random.Random, index: int, length: int) -> list[Insn]:
    """One plausible instruction (or an ld_imm64 pair) at `index` of a `length`-slot stream."""
    reg = lambda: rnd.choice((0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 11))  # noqa: E731 - a small chooser
    imm = rnd.choice(_IMMS) if rnd.random() < 0.6 else rnd.randint(-0x80000000, 0x7FFFFFFF)
    off = rnd.choice((0, 0, -8, -16, -512, -513, 4, 8, 1, 2)) if rnd.random() < 0.8 else rnd.randint(-0x8000, 0x7FFF)
    jump = _s16(rnd.randint(-index - 2, length - index))
    kind = rnd.random()
    if kind < 0.35:
        cls = rnd.choice((op.BPF_ALU64, op.BPF_ALU))
        src = rnd.choice((op.BPF_K, op.BPF_X))
        alu_off = 0 if rnd.random() < 0.85 else rnd.choice((1, 8, 16, 32))  # cpu v4: sdiv/smod, movsx
        return [Insn(cls | rnd.choice(_ALU_OPS) | src, reg(), reg() if src else 0, alu_off, imm)]
    if kind < 0.38:
        return [Insn(op.BPF_LDX | op.BPF_MEMSX | rnd.choice(_SIZES[:3]), reg(), reg(), off, 0)]
    if kind < 0.40:
        return [rnd.choice((Insn(op.BPF_JMP | op.BPF_JCOND, 0, op.BPF_MAY_GOTO, jump, 0),
                            Insn(op.BPF_JMP32 | op.BPF_JA, 0, 0, 0, jump),
                            Insn(op.CALL, 0, op.BPF_PSEUDO_KFUNC_CALL, 0, rnd.randrange(1, 100000))))]
    if kind < 0.55:
        cls = rnd.choice((op.BPF_JMP, op.BPF_JMP32))
        src = rnd.choice((op.BPF_K, op.BPF_X))
        return [Insn(cls | rnd.choice(_JMP_OPS) | src, reg(), reg() if src else 0, jump, imm)]
    if kind < 0.65:
        return [Insn(op.BPF_LDX | op.BPF_MEM | rnd.choice(_SIZES), reg(), reg(), off, 0)]
    if kind < 0.72:
        return [Insn(op.BPF_STX | op.BPF_MEM | rnd.choice(_SIZES), reg(), reg(), off, 0)]
    if kind < 0.77:
        return [Insn(op.BPF_ST | op.BPF_MEM | rnd.choice(_SIZES), reg(), 0, off, imm)]
    if kind < 0.84:
        return [Insn(op.CALL, 0, 0, 0, rnd.randrange(0, 220))]
    if kind < 0.87:
        return [Insn(op.CALL, 0, op.BPF_PSEUDO_CALL, 0, _s16(rnd.randint(-index - 1, length - index)))]
    if kind < 0.91:
        value = rnd.getrandbits(64)
        low, high = value & 0xFFFFFFFF, value >> 32
        s32 = lambda v: v - (1 << 32) if v & 0x80000000 else v  # noqa: E731
        pseudo = 0 if rnd.random() < 0.7 else rnd.randrange(1, 8)
        return [Insn(op.LD_IMM64, reg(), pseudo, 0, s32(low), imm64=value, next_imm=s32(high)),
                Insn(0, 0, 0, 0, s32(high), is_ld_imm64_tail=True)]
    if kind < 0.93:
        return [Insn(op.BPF_JMP | op.BPF_JA, 0, 0, jump, 0)]
    if kind < 0.95:
        return [Insn(op.BPF_STX | rnd.choice((op.BPF_W, op.BPF_DW)) | op.BPF_ATOMIC, reg(), reg(), off,
                     rnd.choice((op.BPF_ADD, op.BPF_ADD | op.BPF_FETCH, op.BPF_XCHG, op.BPF_CMPXCHG, 0x02)))]
    if kind < 0.97:
        return [Insn(rnd.randrange(256), rnd.randrange(16), rnd.randrange(16), rnd.randint(-0x8000, 0x7FFF),
                     rnd.randint(-0x80000000, 0x7FFFFFFF))]
    return [Insn(op.EXIT, 0, 0, 0, 0)]


SECTIONS = ("socket", "xdp", "tc", "kprobe/sys_open", "tracepoint/syscalls/sys_enter_open", "cgroup_skb/egress",
            "raw_tracepoint/sys_enter", "perf_event", "sk_msg", "lwt_in")


def random_program(rnd: random.Random, length: int) -> list[Insn]:
    """A stream of `length` (or length + 1) slots, usually starting with r0 = 0 and ending in exit."""
    insns: list[Insn] = [Insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_K, 0, 0, 0, 0)] if rnd.random() < 0.8 else []
    while len(insns) < length - 1:
        insns.extend(random_insn(rnd, len(insns), length))
    if rnd.random() < 0.9:
        insns.append(Insn(op.EXIT, 0, 0, 0, 0))
    return insns


def random_stream_object(rnd: random.Random, length: int) -> bytes:
    spec = adversarial.ObjectSpec(rnd.choice(SECTIONS), adversarial.Func("fuzzed", random_program(rnd, length)))
    return adversarial.object_bytes(spec)


# ---------------------------------------------------------------------------
# The properties


@dataclass(slots=True)
class Crash:
    stage: str  # "reader", "structural", "engine", "witness", "pipeline", "hang"
    exception: str
    message: str
    trace: str

    def key(self) -> str:
        """Deduplication key: stage, exception type, innermost project frame."""
        frames = [line.strip() for line in self.trace.splitlines() if line.strip().startswith("File ")]
        inner = next((f for f in reversed(frames) if "/verifier/" in f), frames[-1] if frames else "")
        return f"{self.stage}|{self.exception}|{inner}"


@dataclass(slots=True)
class Outcome:
    crashes: list[Crash] = field(default_factory=list)
    verdicts: list[str] = field(default_factory=list)  # "accept"/"reject"/"error:<category>" per program
    input_error: str | None = None


class _HardLimit(BaseException):
    """Raised by SIGPROF when one input overruns HARD_LIMIT seconds of CPU (not an Exception: nothing
    swallows it). CPU time, not SIGALRM: the pipeline's own --timeout guard owns the real-time timer."""


@contextmanager
def _hard_limit(seconds: float) -> Iterator[None]:
    if seconds <= 0 or not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise _HardLimit(f"no end after {seconds:g} s")

    previous = signal.signal(signal.SIGPROF, on_alarm)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def _recording(stage: str, fn: Callable[..., Any] | None, crashes: list[Crash],
               allowed: tuple[type[BaseException], ...] = ()) -> Callable[..., Any] | None:
    """`fn`, recording any exception it raises except `allowed` ones and time-outs, then re-raising."""
    if fn is None:
        return None
    from verifier.pipeline import is_timeout

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            if not isinstance(exc, allowed) and not is_timeout(exc):
                crashes.append(Crash(stage, type(exc).__name__, _first_line(exc), traceback.format_exc()))
            raise

    return wrapper


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else ""


_STAGES: Any = None


def _real_stages() -> Any:
    global _STAGES
    if _STAGES is None:
        from verifier.pipeline import Stages

        _STAGES = Stages.real()
    return _STAGES


def run_input(data: bytes, workdir: Path, kernels: tuple[str, ...] = ("6.18",), witnesses: bool = False,
              timeout: float = ANALYSIS_TIMEOUT, hard_limit: float = HARD_LIMIT) -> Outcome:
    """Check `data` as an object file through every stage as verifier.pipeline does (its first
    MAX_PROGRAMS programs); crashes are recorded, never raised."""
    from dataclasses import replace

    from verifier.abstract import AnalysisOptions
    from verifier.pipeline import check_program, kernel_label, read_object
    from verifier.rules import for_kernel
    from verifier.rules.versions import parse_kernel_list

    outcome = Outcome()
    path = workdir / "input.o"
    path.write_bytes(data)
    real = _real_stages()
    stages = replace(
        real,
        load_object=_recording("reader", real.load_object, outcome.crashes, (InputError,)),
        structural_check=_recording("structural", real.structural_check, outcome.crashes),
        analyze_program=_recording("engine", real.analyze_program, outcome.crashes),
        find_witness=_recording("witness", real.find_witness, outcome.crashes) if witnesses else None,
    )
    options = AnalysisOptions(timeout=timeout)
    start = time.perf_counter()
    try:
        with _hard_limit(hard_limit):
            obj = read_object(str(path), stages)
            if not obj.programs:  # check_object's own InputError
                raise InputError(f"{path}: no BPF programs in this object")
            rules = [(kernel_label(k), for_kernel(k)) for k in parse_kernel_list(",".join(kernels))]
            for program in obj.programs[:MAX_PROGRAMS]:
                for label, rule in rules:
                    verdict = check_program(obj, program, label, rule, options, stages)
                    category = verdict.findings[0].category if verdict.findings else ""
                    if category == "timeout":  # a clean end, but no small input should need the whole bound
                        outcome.crashes.append(Crash("timeout", "Timeout", f"{program.name} at {label}", ""))
                    outcome.verdicts.append(verdict.verdict if verdict.verdict != "error" else f"error:{category}")
    except InputError as exc:
        outcome.input_error = str(exc)
        if "\n" in str(exc).strip():
            outcome.crashes.append(Crash("pipeline", "MultiLineInputError", _first_line(exc), str(exc)))
    except _HardLimit as exc:
        outcome.crashes.append(Crash("hang", "Hang", f"{exc} (after {time.perf_counter() - start:.1f} s)",
                                     traceback.format_exc()))
    except Exception as exc:  # the pipeline lets only InputError out: anything else is a pipeline bug
        outcome.crashes.append(Crash("pipeline", type(exc).__name__, _first_line(exc), traceback.format_exc()))
    return outcome


@dataclass(slots=True)
class CliResult:
    returncode: int | None  # None: killed after the time bound
    stdout: str
    stderr: str

    def problems(self) -> list[str]:
        """What breaks the CLI's contract: exit 0/1/2/3 (3: a program could not be decided, e.g. a
        relocation a mutant broke), one stderr line for 2, no traceback, no hang."""
        out = []
        if self.returncode is None:
            out.append("hang: killed after the time bound")
            return out
        if self.returncode not in (0, 1, 2, 3):
            out.append(f"exit status {self.returncode}")
        if "Traceback" in self.stderr:
            out.append("traceback on stderr")
        if self.returncode == 2 and len([ln for ln in self.stderr.splitlines() if ln.strip()]) != 1:
            out.append(f"exit 2 with {len(self.stderr.splitlines())} stderr lines")
        return out


def run_cli(path: Path, *extra: str, bound: float = 60.0, timeout: float = ANALYSIS_TIMEOUT) -> CliResult:
    import subprocess

    cmd = [sys.executable, "-m", "verifier", str(path), "--kernel", "6.18", "--timeout", f"{timeout:g}",
           "--no-witness", *extra]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=bound, check=False)
    except subprocess.TimeoutExpired as exc:
        return CliResult(None, str(exc.stdout or ""), str(exc.stderr or ""))
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


# ---------------------------------------------------------------------------
# The long fuzzer


def generate(rnd: random.Random, seeds: list[bytes]) -> tuple[bytes, str]:
    """One input: a mutant of a seed (70%), a random instruction stream (25%) or random bytes."""
    pick = rnd.random()
    if pick < 0.7:
        data, how = mutate(rnd.choice(seeds), rnd)
        if rnd.random() < 0.2:
            data, how2 = mutate(data, rnd)
            how = f"{how}; {how2}"
        return data, how
    if pick < 0.95:
        length = rnd.choice((2, 4, 8, 16, 32, 64, 200))
        return random_stream_object(rnd, length), f"random stream of {length}"
    return rnd.randbytes(rnd.choice((0, 1, 16, 64, 200, 4096))), "random bytes"


def save_crash(out: Path, data: bytes, crash: Crash, how: str) -> Path:
    digest = hashlib.sha1(data).hexdigest()[:12]
    base = out / f"{crash.stage}-{crash.exception}-{digest}"
    base.with_suffix(".o").write_bytes(data)
    base.with_suffix(".txt").write_text(f"{how}\n{crash.stage}: {crash.exception}: {crash.message}\n\n{crash.trace}")
    return base.with_suffix(".o")


def fuzz_random(minutes: float, seed: int, out: Path, witnesses: bool) -> dict[str, Path]:
    from verifier.rules.versions import all_versions, version_name

    rnd = random.Random(seed)
    versions = all_versions()
    seeds = [p.read_bytes() for p in seed_objects()]
    found: dict[str, Path] = {}
    deadline = time.monotonic() + minutes * 60
    runs = 0
    with tempfile.TemporaryDirectory(prefix="bpfcheck-fuzz-") as tmp:
        while time.monotonic() < deadline:
            data, how = generate(rnd, seeds)
            kernels = ("6.18", version_name(rnd.choice(versions)))
            outcome = run_input(data, Path(tmp), kernels=kernels, witnesses=witnesses)
            runs += 1
            for crash in outcome.crashes:
                if crash.key() not in found:
                    found[crash.key()] = save_crash(out, data, crash, how)
                    print(f"[{runs}] NEW {crash.stage}: {crash.exception}: {crash.message}  ({how}) -> "
                          f"{found[crash.key()]}", flush=True)
            if runs % 200 == 0:
                print(f"[{runs}] {len(found)} distinct crashes", flush=True)
    print(f"{runs} inputs, {len(found)} distinct crashes")
    return found


def fuzz_atheris(minutes: float, out: Path, witnesses: bool) -> None:
    import atheris  # type: ignore[import-not-found]

    seeds = [p.read_bytes() for p in seed_objects()]
    tmp = Path(tempfile.mkdtemp(prefix="bpfcheck-atheris-"))
    run_input(seeds[0], tmp)  # import every stage first, so that coverage instrumentation reaches them
    atheris.instrument_all()
    found: set[str] = set()

    def one_input(raw: bytes) -> None:
        provider = atheris.FuzzedDataProvider(raw)
        rnd = random.Random(provider.ConsumeInt(8))
        data, how = generate(rnd, seeds) if provider.ConsumeBool() else (raw, "atheris bytes")
        slow = 4.0  # coverage instrumentation slows the engine down about this much
        outcome = run_input(data, tmp, witnesses=witnesses, timeout=ANALYSIS_TIMEOUT * slow, hard_limit=HARD_LIMIT * slow)
        for crash in outcome.crashes:
            if crash.key() not in found:
                found.add(crash.key())
                print(f"NEW {crash.stage}: {crash.exception}: {crash.message} -> {save_crash(out, data, crash, how)}",
                      flush=True)

    atheris.Setup([sys.argv[0], f"-max_total_time={int(minutes * 60)}"], one_input)
    atheris.Fuzz()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--out", type=Path, default=Path("fuzz-findings"))
    parser.add_argument("--engine", choices=("random", "atheris"), default="random")
    parser.add_argument("--witnesses", action="store_true", help="also run the z3 witness search on rejections")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"seed {args.seed}, {len(seed_objects())} seed objects, findings in {args.out}/", flush=True)
    if args.engine == "atheris":
        if importlib.util.find_spec("atheris") is None:
            print("atheris is not installed (pip install atheris); use --engine random", file=sys.stderr)
            return 2
        fuzz_atheris(args.minutes, args.out, args.witnesses)
        return 0
    found = fuzz_random(args.minutes, args.seed, args.out, args.witnesses)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
