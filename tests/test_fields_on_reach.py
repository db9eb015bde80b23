"""do_check() checks an instruction's fields when it reaches the instruction, at every version.

kernel/bpf/verifier.c (5.10.262 and 6.12.117 alike): the reserved-field checks of BPF_CALL, BPF_JA,
BPF_EXIT, BPF_ST, check_alu_op() and check_cond_jmp_op() sit in do_check(); the passes before it
(check_subprogs / add_subprog_and_kfunc, resolve_pseudo_ldimm64, check_cfg) do not make them. Code
that a constant branch makes dead is removed, never checked: libbpf 1.x leaves an unresolved weak
kfunc as a kfunc call with imm 0 behind `if (&kfunc_ksym == 0)`, which a 5.10 kernel (no kfuncs,
src_reg 2 is a reserved value there) accepts. Our own programs, one near-miss pair per check.
"""

from __future__ import annotations

import pytest

from verifier.abstract import AnalysisOptions
from verifier.cfg.checks import reach_field_findings, structural_check
from verifier.elf.model import BpfObject, Program
from verifier.isa import encode as asm
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn
from verifier.pipeline import Stages, check_program
from verifier.rules import for_kernel

R0_0 = asm.mov64_imm(0, 0)
EXIT = asm.exit_insn()
KFUNC_UNRESOLVED = asm.call_kfunc(0)  # what libbpf leaves for a weak kfunc the kernel lacks


def _guarded(bad: Insn, value: int) -> list[Insn]:
    """r1 = value; if r1 == 0 goto +1; <bad>; r0 = 0; exit: `bad` is dead when value is 0."""
    return asm.program(asm.mov64_imm(1, value), asm.jmp_imm(op.BPF_JEQ, 1, 0, 1), bad, R0_0, EXIT)


def _verdict(insns: list[Insn], kernel: str) -> tuple[str, str]:
    prog = Program("p", "tracepoint", "tracepoint", insns)
    obj = BpfObject("t.o", [prog], [])
    v = check_program(obj, prog, kernel, for_kernel(kernel), AnalysisOptions(timeout=10), Stages.real())
    return v.verdict, v.findings[0].kernel_message if v.findings else ""


BAD_FIELDS = [
    pytest.param(KFUNC_UNRESOLVED, "5.10", "BPF_CALL uses reserved fields", id="kfunc-call-before-5.14"),
    pytest.param(
        Insn(op.BPF_JMP | op.BPF_CALL, 1, 0, 0, 1), "6.18", "BPF_CALL uses reserved fields", id="call-dst"
    ),
    pytest.param(asm.alu64_imm(op.BPF_DIV, 2, 0), "6.18", "div by zero", id="div-by-zero"),
    pytest.param(asm.alu64_imm(op.BPF_LSH, 2, 64), "5.10", "invalid shift 64", id="shift"),
    pytest.param(
        Insn(op.BPF_ALU64 | op.BPF_NEG, 2, 0, 0, 1), "5.10", "BPF_NEG uses reserved fields", id="neg"
    ),
    pytest.param(
        Insn(op.BPF_ST | op.BPF_MEM | op.BPF_DW, 10, 1, -8, 0),
        "6.1",
        "BPF_ST uses reserved fields",
        id="st-src",
    ),  # fmt: skip
    pytest.param(asm.mov64_imm(10, 0), "6.12", "frame pointer is read only", id="fp-write"),
]


@pytest.mark.parametrize(("bad", "kernel", "message"), BAD_FIELDS)
def test_field_problem_rejected_where_reached(bad: Insn, kernel: str, message: str) -> None:
    assert _verdict(_guarded(bad, 1), kernel) == ("reject", message)


@pytest.mark.parametrize(("bad", "kernel", "message"), BAD_FIELDS)
def test_field_problem_in_dead_code_accepted(bad: Insn, kernel: str, message: str) -> None:
    assert _verdict(_guarded(bad, 0), kernel) == ("accept", "")


def test_unsupported_instruction_is_explained_where_reached() -> None:
    prog = Program("p", "tracepoint", "tracepoint", _guarded(KFUNC_UNRESOLVED, 1))
    obj = BpfObject("t.o", [prog], [])
    v = check_program(obj, prog, "5.10", for_kernel("5.10"), AnalysisOptions(timeout=10), Stages.real())
    (finding,) = v.findings
    assert (finding.insn, finding.category) == (2, "unsupported-insn")
    assert "5.14" in finding.message  # kfuncs: absent 5.12.9, present 5.14-rc5 (rules/data/NOTES.md)


def test_static_pass_still_checks_every_instruction() -> None:
    """Without the engine (reader-only pipelines), structural_check keeps the static field pass."""
    prog = Program("p", "tracepoint", "tracepoint", _guarded(KFUNC_UNRESOLVED, 0))
    rules = for_kernel("5.10")
    assert structural_check(prog, rules)[0].kernel_message == "BPF_CALL uses reserved fields"
    assert structural_check(prog, rules, insn_fields=False) == []
    assert set(reach_field_findings(prog, rules)) == {2}
    assert reach_field_findings(prog, for_kernel("6.18")) == {}
