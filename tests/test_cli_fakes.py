"""Stand-ins for the reader and the engine, so the CLI and reports are tested on their own.

The fake reader accepts any file that starts with the ELF magic and decides
what it holds from the file name: "bad" -> a rejected XDP program (the bundled
xdp_bad example, with path, state and witness), "pass" -> an accepted one,
"loop" -> a back-edge before 5.3, "loaderr" -> a program with a load error,
"slow" -> an analysis that never ends, "crash" -> an analysis that raises,
"imprecise" -> a rejection z3 shows infeasible, "nowit" -> a rejection without witness,
"empty" -> no programs.
"""

from __future__ import annotations

import os
import time

from verifier.elf.model import BpfObject, Program, SourceLine, Subprog
from verifier.errors import ElfError
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn
from verifier.pipeline import Stages
from verifier.verdict import ACCEPT, REJECT, Finding, ProgramVerdict, Stats

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "verifier", "examples")
XDP_BAD_O = os.path.join(EXAMPLES, "xdp_bad.o")
XDP_PASS_O = os.path.join(EXAMPLES, "xdp_pass.o")

_BAD_SOURCE = {
    16: "\tvoid *data = (void *)(long)ctx->data;",
    20: "\tif (eth->h_source[0] & 1)",
    23: "}",
}


def xdp_bad_program(name: str = "xdp_bad") -> Program:
    """The seven instructions clang-19 makes of xdp_bad.c, with its line info."""
    insns = [
        Insn(op.BPF_LDX | op.BPF_MEM | op.BPF_W, 1, 1, 0, 0),
        Insn(op.BPF_LDX | op.BPF_MEM | op.BPF_B, 1, 1, 6, 0),
        Insn(op.BPF_ALU64 | op.BPF_AND | op.BPF_K, 1, 0, 0, 1),
        Insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_K, 0, 0, 0, 2),
        Insn(op.BPF_JMP | op.BPF_JEQ | op.BPF_K, 1, 0, 1, 0),
        Insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_K, 0, 0, 0, 1),
        Insn(op.BPF_JMP | op.BPF_EXIT, 0, 0, 0, 0),
    ]
    lines = {0: 16, 1: 20, 4: 23, 6: 23}
    return Program(
        name=name,
        section="xdp",
        prog_type="xdp",
        insns=insns,
        subprogs=[Subprog(0, name)],
        line_info={i: SourceLine("./xdp_bad.c", n, 2, _BAD_SOURCE[n]) for i, n in lines.items()},
    )


def fake_load_object(path: str) -> BpfObject:
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head != b"\x7fELF":
        raise ElfError(f"{path}: not an ELF file")
    base = os.path.basename(path)
    programs: list[Program] = []
    if "empty" not in base:
        programs.append(xdp_bad_program(base.split(".")[0].replace("-", "_")))
    if "loaderr" in base:
        programs[0].load_errors.append("unresolved relocation to extern 'missing_map'")
    if "many" in base:
        programs.append(xdp_bad_program("second_prog"))
    return BpfObject(path=path, programs=programs, maps=[], license="GPL")


def fake_for_kernel(kernel: object) -> object:
    return kernel


def fake_structural_check(program: Program, rules: object) -> list[Finding]:
    if "loop" in program.name and tuple(rules) < (5, 3):  # type: ignore[arg-type]
        return [Finding(insn=4, kernel_message="back-edge from insn 4 to 1", category="back-edge")]
    return []


def bad_finding(program: Program) -> Finding:
    return Finding(
        insn=1,
        kernel_message="invalid access to packet, off=6 size=1, R1(id=0,off=6,r=0)",
        category="packet-bounds",
        source=program.line_info[1],
        path=[(4, False)],
        state={"r1": "packet + 0, verified range 0", "r10": "fp"},
        witness={"packet length": 0},
    )


def fake_analyze(obj: BpfObject, program: Program, rules: object, options: object) -> ProgramVerdict:
    name = program.name
    if "slow" in name:
        time.sleep(30)
    if "crash" in name:
        raise RuntimeError("engine fell over\nsecond line")
    stats = Stats(insns=program.insn_count, processed=7, states=1, peak_states=1, stack_depth=0)
    verdict = ProgramVerdict(name, program.section, program.prog_type, str(rules), ACCEPT, stats=stats)
    if "pass" in name or "loop" in name or "big" in name:
        if "big" in name:
            verdict.stats.processed = 900_000
        return verdict
    finding = bad_finding(program)
    if "imprecise" in name:
        finding.witness = {"feasible": False}
    if "nowit" in name:
        finding.witness = None
    verdict.verdict = REJECT
    verdict.findings = [finding]
    return verdict


FAKE_STAGES = Stages(fake_load_object, fake_for_kernel, fake_structural_check, fake_analyze)


def write_fake_object(directory: str, name: str) -> str:
    """A file the fake reader takes for an object (only the ELF magic matters)."""
    path = os.path.join(directory, name)
    with open(path, "wb") as handle:
        handle.write(b"\x7fELF" + bytes(60))
    return path


def test_fake_reader_refuses_non_elf(tmp_path) -> None:
    path = tmp_path / "x.o"
    path.write_text("hello")
    try:
        fake_load_object(str(path))
    except ElfError as exc:
        assert "not an ELF" in str(exc)
    else:
        raise AssertionError("the fake reader must refuse text")
