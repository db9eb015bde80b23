"""Fuzzing, short budget: every input ends in a verdict or a clean InputError/ElfError.

Inputs: random bytes, real objects (corpus/build and a few small shared samples) with bits
flipped or bytes overwritten in one region, and instruction streams wrapped in a valid ELF.
The property (scripts/fuzz.py `run_input`) runs the reader, the structural checks and the
engine as verifier.pipeline does and records any exception that escapes a stage (other than
InputError from the reader and the engine's time-out) and any input that overruns its bound.
A few inputs also go through the CLI in a subprocess (exit status 0/1/2, one stderr line for
2, no traceback, no hang) and two big ones are checked for peak memory.
The long budget: `python scripts/fuzz.py --minutes N` (docs/fuzzing.md).
"""

from __future__ import annotations

import importlib.util
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verifier.errors import InputError
from verifier.isa import opcodes as op
from verifier.isa.decode import decode
from verifier.isa.insn import Insn
from verifier.rules.versions import all_versions, version_name

ROOT = Path(__file__).resolve().parent.parent


def _load_script(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


fuzz = _load_script("fuzz")
adv = _load_script("make_adversarial")

SEEDS = fuzz.seed_objects(limit=24)  # the smallest of the project's corpus, and the shared samples
SEED_BYTES = [p.read_bytes() for p in SEEDS]
FUZZ = settings(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None)
TIMEOUT = 4.0  # analysis seconds per program


def budget(examples: int) -> settings:
    return settings(FUZZ, max_examples=examples)


WORKDIR = Path(tempfile.mkdtemp(prefix="bpfcheck-fuzz-test-"))


KERNEL = st.sampled_from([version_name(v) for v in all_versions()])


def assert_clean(data: bytes, kernel: str = "6.18") -> None:
    outcome = fuzz.run_input(data, WORKDIR, kernels=(kernel,), timeout=TIMEOUT, hard_limit=30.0)
    crashes = [c for c in outcome.crashes if c.stage != "timeout"]
    assert not crashes, "\n".join(f"{c.stage}: {c.exception}: {c.message}\n{c.trace}" for c in crashes)
    assert outcome.input_error is not None or outcome.verdicts


def test_seeds_are_there() -> None:
    assert len(SEEDS) >= 10
    assert all(fuzz.regions(data) for data in SEED_BYTES)


# ---------------------------------------------------------------------------
# Harness self-checks: the property can fail


def test_a_crashing_stage_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    real = fuzz._real_stages()

    def broken(*args: object) -> object:
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(fuzz, "_STAGES", type(real)(real.load_object, real.for_kernel, broken, None))
    outcome = fuzz.run_input(SEED_BYTES[0], WORKDIR)
    assert [c.stage for c in outcome.crashes][:1] == ["structural"]
    assert outcome.crashes[0].exception == "ZeroDivisionError"


def test_a_hang_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    real = fuzz._real_stages()

    def spin(*args: object) -> object:
        while True:
            pass

    monkeypatch.setattr(fuzz, "_STAGES", type(real)(spin, real.for_kernel, real.structural_check, None))
    outcome = fuzz.run_input(SEED_BYTES[0], WORKDIR, hard_limit=0.5)
    assert [c.stage for c in outcome.crashes] == ["hang"]


def test_regions_of_a_real_object() -> None:
    kinds = {r.kind for r in fuzz.regions((ROOT / "verifier" / "examples" / "xdp_pass.o").read_bytes())}
    assert {"elf-header", "section-headers", "insns", "symtab", "strtab", "rel"} <= kinds


# ---------------------------------------------------------------------------
# Random bytes


@budget(25)
@given(st.binary(max_size=512))
def test_random_bytes(data: bytes) -> None:
    assert_clean(data)


@budget(15)
@given(st.binary(min_size=1, max_size=1024))
def test_random_bytes_behind_an_elf_magic(tail: bytes) -> None:
    header = b"\x7fELF\x02\x01\x01" + b"\0" * 9 + (1).to_bytes(2, "little") + (247).to_bytes(2, "little")
    assert_clean(header + tail)


@budget(50)
@given(st.binary(max_size=256))
def test_decoder_raises_only_input_error(data: bytes) -> None:
    try:
        insns = decode(data)
    except InputError:
        return
    assert all(isinstance(i, Insn) for i in insns)


# ---------------------------------------------------------------------------
# Mutated real objects

KINDS = ("elf-header", "section-headers", "rel", "symtab", "strtab", "btf", "btf-ext", "insns")
EDIT = st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255), st.booleans())


def apply_edits(data: bytes, kind: str, edits: list[tuple[float, int, bool]]) -> bytes:
    """Flip a bit (flag True: bit value % 8) or overwrite a byte, at fractions of a region of `kind`."""
    candidates = [r for r in fuzz.regions(data) if r.kind == kind] or [r for r in fuzz.regions(data)]
    region = candidates[int(edits[0][0] * len(candidates)) % len(candidates)] if edits else candidates[0]
    out = bytearray(data)
    for where, value, flip in edits:
        pos = region.start + int(where * (region.end - region.start))
        if pos >= len(out):
            continue
        out[pos] = out[pos] ^ (1 << (value % 8)) if flip else value
    return bytes(out)


@pytest.mark.parametrize("kind", KINDS)
def test_mutated_objects(kind: str) -> None:
    @budget(25)
    @given(st.sampled_from(range(len(SEED_BYTES))), st.lists(EDIT, min_size=1, max_size=6))
    def run(seed: int, edits: list[tuple[float, int, bool]]) -> None:
        assert_clean(apply_edits(SEED_BYTES[seed], kind, edits))

    run()


@budget(60)
@given(st.sampled_from(range(len(SEED_BYTES))), st.integers(0, 2**32))
def test_mutator_of_the_long_fuzzer(seed: int, rnd_seed: int) -> None:
    data, how = fuzz.mutate(SEED_BYTES[seed], random.Random(rnd_seed))
    assert_clean(data)


@budget(15)
@given(st.sampled_from(range(len(SEED_BYTES))), st.floats(0, 1))
def test_truncated_objects(seed: int, keep: float) -> None:
    data = SEED_BYTES[seed]
    assert_clean(data[: int(keep * len(data))])


# ---------------------------------------------------------------------------
# Instruction streams inside a valid ELF

OPCODES = sorted({v for k, v in vars(op).items() if k.isupper() and isinstance(v, int) and 0 <= v <= 0xFF})
INSN = st.builds(
    Insn,
    opcode=st.one_of(st.sampled_from(OPCODES), st.sampled_from([
        op.BPF_ALU64 | op.BPF_ADD | op.BPF_K, op.BPF_ALU64 | op.BPF_MOV | op.BPF_X, op.BPF_JMP | op.BPF_JEQ | op.BPF_K,
        op.BPF_JMP | op.BPF_JA, op.BPF_LDX | op.BPF_MEM | op.BPF_DW, op.BPF_STX | op.BPF_MEM | op.BPF_W, op.CALL,
        op.EXIT]), st.integers(0, 255)),
    dst=st.integers(0, 15),
    src=st.integers(0, 15),
    off=st.one_of(st.integers(-3, 3), st.sampled_from([-8, -512, -513, 0x7FFF, -0x8000])),
    imm=st.one_of(st.integers(-2, 8), st.integers(-(2**31), 2**31 - 1)),
)


def stream_object(insns: list[Insn], section: str) -> bytes:
    return adv.object_bytes(adv.ObjectSpec(section, adv.Func("fuzzed", insns)))


@budget(120)
@given(st.lists(INSN, min_size=1, max_size=24), st.sampled_from(fuzz.SECTIONS), KERNEL)
def test_instruction_streams(insns: list[Insn], section: str, kernel: str) -> None:
    assert_clean(stream_object(insns, section), kernel)


@budget(120)
@given(st.integers(0, 2**32), st.sampled_from([4, 16, 64, 200]), KERNEL)
def test_plausible_random_programs(rnd_seed: int, length: int, kernel: str) -> None:
    """The long fuzzer's generator: mostly valid opcodes, jumps in range, helper calls, ld_imm64."""
    assert_clean(fuzz.random_stream_object(random.Random(rnd_seed), length), kernel)


@budget(50)
@given(st.lists(INSN, min_size=1, max_size=12), st.lists(st.lists(INSN, min_size=1, max_size=6), max_size=3))
def test_streams_with_subprograms(main: list[Insn], subs: list[list[Insn]]) -> None:
    """A main program calling .text subprograms (R_BPF_64_32 relocations), bodies random."""
    names = [f"sub{i}" for i in range(len(subs))]
    head = adv.Func("fuzzed", [Insn(op.CALL, 0, op.BPF_PSEUDO_CALL, 0, -1) for _ in names] + main,
                    {i: name for i, name in enumerate(names)})
    spec = adv.ObjectSpec("xdp", head, [adv.Func(n, body) for n, body in zip(names, subs, strict=True)])
    assert_clean(adv.object_bytes(spec))


# ---------------------------------------------------------------------------
# Through the CLI, in a subprocess: exit status, stderr, no hang, bounded memory


def _cli_inputs() -> dict[str, bytes]:
    rnd = random.Random(7)
    inputs = {
        "random bytes": rnd.randbytes(300),
        "truncated object": SEED_BYTES[0][: len(SEED_BYTES[0]) // 2],
        "unbounded loop": stream_object([Insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_K, 0, 0, 0, 0),
                                         Insn(op.BPF_ALU64 | op.BPF_ADD | op.BPF_K, 0, 0, 0, 1),
                                         Insn(op.BPF_JMP | op.BPF_JA, 0, 0, -2, 0)], "socket"),
    }
    for i in range(3):
        inputs[f"mutant {i}"] = fuzz.mutate(SEED_BYTES[i % len(SEED_BYTES)], rnd)[0]
    return inputs


CLI_INPUTS = _cli_inputs()


@pytest.mark.parametrize("name", list(CLI_INPUTS))
@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_cli_contract(name: str, fmt: str, tmp_path: Path) -> None:
    path = tmp_path / "input.o"
    path.write_bytes(CLI_INPUTS[name])
    result = fuzz.run_cli(path, "--format", fmt, bound=60.0, timeout=5.0)
    assert not result.problems(), (result.returncode, result.stderr[-2000:])


def test_cli_many_objects_in_parallel(tmp_path: Path) -> None:
    """--jobs 2 over every CLI input at once: one unreadable object makes it exit 2, no traceback."""
    paths = []
    for i, data in enumerate(CLI_INPUTS.values()):
        paths.append(tmp_path / f"input{i}.o")
        paths[-1].write_bytes(data)
    result = fuzz.run_cli(paths[0], *map(str, paths[1:]), "--jobs", "2", "-q", bound=120.0, timeout=5.0)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert all(line.startswith("bpfcheck: error: ") for line in result.stderr.splitlines() if line.strip())


def test_cli_disasm_contract(tmp_path: Path) -> None:
    path = tmp_path / "input.o"
    for i, data in enumerate(CLI_INPUTS.values()):
        path.write_bytes(data)
        proc = subprocess.run([sys.executable, "-m", "verifier", "disasm", str(path)], capture_output=True,
                              text=True, timeout=60, check=False)
        assert proc.returncode in (0, 2), (i, proc.stderr[-2000:])
        assert "Traceback" not in proc.stderr


# the child's own peak: VmHWM belongs to its address space, while ru_maxrss keeps the peak of the
# (large) pytest process it was forked from across exec
RSS_PROBE = (
    "import resource, sys\n"
    "from verifier.cli import main\n"
    "sys.argv = ['bpfcheck', sys.argv[1], '--kernel', '6.18', '--no-witness', '--timeout', '5']\n"
    "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\nelse:\n    code = 0\n"
    "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')]\n"
    "print('RSS', hwm[0].split()[1] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _huge_claims() -> bytes:
    """A real object whose section sizes all claim 2**40 bytes and whose entry sizes claim 1."""
    data = bytearray((ROOT / "verifier" / "examples" / "xdp_pass.o").read_bytes())
    [headers] = [r for r in fuzz.regions(bytes(data)) if r.kind == "section-headers"]
    for start in range(headers.start + 64, headers.end, 64):
        data[start + 32:start + 40] = (1 << 40).to_bytes(8, "little")  # sh_size
        data[start + 56:start + 64] = (1).to_bytes(8, "little")  # sh_entsize
    return bytes(data)


def _huge_btf_counts() -> bytes:
    """A real object whose .BTF header claims 4 GiB of types and strings."""
    data = bytearray((ROOT / "verifier" / "examples" / "xdp_pass.o").read_bytes())
    btf = [r for r in fuzz.regions(bytes(data)) if r.kind == "btf"]
    for region in btf:
        data[region.start + 8:region.start + 24] = b"\xff\xff\xff\x7f" * 4  # type_off/len, str_off/len
    return bytes(data)


@pytest.mark.parametrize("make", [_huge_claims, _huge_btf_counts], ids=["huge-sections", "huge-btf"])
def test_big_claims_bounded_memory(make: object, tmp_path: Path) -> None:
    path = tmp_path / "input.o"
    path.write_bytes(make())  # type: ignore[operator]
    proc = subprocess.run([sys.executable, "-c", RSS_PROBE, str(path)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode in (0, 1, 2), proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    rss_kb = int(proc.stderr.split("RSS")[-1].split()[0])
    assert rss_kb < 500_000, f"peak RSS {rss_kb} kB"


# ---------------------------------------------------------------------------
# What fuzzing found (fixed; kept as regression tests; docs/fuzzing.md lists them)


def _load_stream(tmp_path: Path, insns: list[Insn], section: str = "socket") -> tuple[object, object]:
    from verifier.elf.reader import load_object

    path = tmp_path / "found.o"
    path.write_bytes(stream_object(insns, section))
    obj = load_object(str(path))
    return obj, obj.programs[0]


def test_found_witness_endian_odd_width(tmp_path: Path) -> None:
    from verifier.cfg.checks import structural_check
    from verifier.rules import for_kernel
    from verifier.witness import find_witness

    obj, program = _load_stream(tmp_path, [
        Insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_K, 1, 0, 0, 0),
        Insn(op.BPF_ALU | op.BPF_END | op.BPF_TO_BE, 1, 0, 0, 7),  # r1 = be7 r1
        Insn(op.BPF_JMP | op.BPF_JA, 0, 0, 5, 0),  # jump out of range: the finding
        Insn(op.EXIT, 0, 0, 0, 0),
    ])
    [finding] = structural_check(program, for_kernel("6.18"))
    find_witness(obj, program, finding, program.prog_type, timeout=5)  # None or a dict, never raises


def test_found_witness_invalid_alu_opcode(tmp_path: Path) -> None:
    from verifier.cfg.checks import structural_check
    from verifier.rules import for_kernel
    from verifier.witness import find_witness

    obj, program = _load_stream(tmp_path, [
        Insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_K, 0, 0, 0, 0),
        Insn(0xFF, 0, 0, 0, 0),  # BPF_ALU64 | 0xf0 | BPF_X: no such operation
        Insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_K, 0, 0, 0, 0),  # last insn is not an exit: the finding
    ])
    [finding] = structural_check(program, for_kernel("6.18"))
    assert finding.insn == 2
    find_witness(obj, program, finding, program.prog_type, timeout=5)  # None or a dict, never raises
