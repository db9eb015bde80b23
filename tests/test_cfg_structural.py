"""structural_check: the kernel's pre-analysis checks, one near-miss pair per rule and version.

A small fake rules object (the KernelRules API: has / limit / version) keeps these tests
independent of the rules tables; its feature versions are the ones the task states.
"""

from __future__ import annotations

import dataclasses

import pytest

from verifier.cfg.checks import structural_check
from verifier.elf.model import MapRef, Program, Subprog
from verifier.isa import encode as asm
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn

FEATURES = {
    "jmp_ext": (4, 14), "bpf_to_bpf_calls": (4, 16), "jmp32": (5, 1), "global_data": (5, 2),
    "bounded_loops": (5, 3), "cap_bpf": (5, 8), "btf_id_ld_imm64": (5, 10), "atomics": (5, 12),
    "kfuncs": (5, 14), "pseudo_func": (5, 13), "cpu_v4": (6, 6), "may_goto": (6, 9), "arena": (6, 9),
}


class FakeRules:
    def __init__(self, text: str) -> None:
        major, minor = text.split(".")
        self.version = (int(major), int(minor))

    def has(self, feature: str) -> bool:
        return self.version >= FEATURES[feature]  # KeyError for unknown names, like the real rules

    def limit(self, name: str, unprivileged: bool = False) -> int:
        if name == "max_insns":
            return 4096 if unprivileged or self.version < (5, 2) else 1_000_000
        if name == "max_subprogs":
            return 256
        raise KeyError(name)


def make(*parts: Insn | list[Insn], **fields: object) -> Program:
    return Program("p", "xdp", "xdp", asm.program(*parts), **fields)  # type: ignore[arg-type]


def socket(program: Program) -> Program:
    """The same instructions as a socket filter: a type an unprivileged loader may load."""
    return dataclasses.replace(program, section="socket", prog_type="socket_filter")


def message(program: Program, kernel: str = "6.18", unprivileged: bool = False) -> str | None:
    findings = structural_check(socket(program) if unprivileged else program, FakeRules(kernel), unprivileged=unprivileged)
    assert len(findings) <= 1
    return findings[0].kernel_message if findings else None


R0_0 = asm.mov64_imm(0, 0)
EXIT = asm.exit_insn()
MINIMAL = (R0_0, EXIT)
ALL_KERNELS = ["4.14", "4.15", "4.16", "4.19", "5.1", "5.2", "5.3", "5.10", "5.13", "6.1", "6.6", "6.7", "6.18"]


@pytest.mark.parametrize("kernel", ALL_KERNELS)
def test_minimal_program_passes_everywhere(kernel: str) -> None:
    assert message(make(*MINIMAL), kernel) is None
    assert message(make(*MINIMAL), kernel, unprivileged=True) is None


# --- size ------------------------------------------------------------------------------


def test_empty_program_is_e2big() -> None:
    findings = structural_check(make(), FakeRules("6.18"))
    assert findings[0].kernel_message == "E2BIG" and findings[0].category == "program-too-large"
    assert findings[0].insn == -1


def big_program(count: int) -> Program:
    return make(*[R0_0] * (count - 1), EXIT)


def test_size_limit_by_version_and_privilege() -> None:
    assert message(big_program(4096), "5.1") is None
    assert message(big_program(4097), "5.1") == "E2BIG"
    assert message(big_program(4097), "5.2") is None
    assert message(big_program(4097), "5.2", unprivileged=True) == "E2BIG"


@pytest.mark.parametrize("kernel", ["4.14", "5.10", "6.18"])
def test_unprivileged_loader_gets_two_program_types(kernel: str) -> None:
    """bpf_prog_load(): -EPERM for every type but socket_filter and cgroup_skb, after the size check."""
    xdp = make(*MINIMAL)
    assert message(xdp, kernel) is None
    assert structural_check(xdp, FakeRules(kernel), unprivileged=True)[0].kernel_message == "EPERM"
    cgroup = dataclasses.replace(xdp, section="cgroup_skb/egress", prog_type="cgroup_skb")
    assert structural_check(cgroup, FakeRules(kernel), unprivileged=True) == []
    assert message(big_program(4097), kernel, unprivileged=True) == "E2BIG"


# --- check_subprogs ----------------------------------------------------------------------


def test_fall_off_the_end() -> None:
    assert message(make(R0_0)) == "last insn is not an exit or jmp"
    assert message(make(R0_0, asm.ja(-2))) is None  # ends in a jump back: fine
    # before 4.16 there is no check_subprogs: check_cfg sees the edge leave the program
    assert message(make(R0_0), "4.15") == "jump out of range from insn 0 to 1"


def test_jump_out_of_range() -> None:
    assert message(make(asm.ja(5), R0_0, EXIT)) == "jump out of range from insn 0 to 6"
    assert message(make(asm.jmp_imm(op.BPF_JEQ, 0, 0, -2), EXIT)) == "jump out of range from insn 0 to -1"
    assert message(make(R0_0, asm.jmp_imm(op.BPF_JEQ, 0, 0, 0), EXIT)) is None
    assert message(make(asm.ja(5), R0_0, EXIT), "4.14") == "jump out of range from insn 0 to 6"


def test_gotol_uses_imm_for_its_target() -> None:
    assert message(make(R0_0, asm.gotol(0), EXIT)) is None
    assert message(make(R0_0, asm.gotol(7), EXIT)) == "jump out of range from insn 1 to 9"


CALLS = (asm.call_pseudo(2), R0_0, EXIT, asm.mov64_imm(0, 1), EXIT)  # main 0..2, sub 3..4


def test_bpf_to_bpf_call_passes_from_416() -> None:
    assert message(make(*CALLS), "4.16") is None
    assert message(make(*CALLS), "6.18") is None


def test_bpf_to_bpf_call_before_416_leaves_the_callee_unreachable() -> None:
    findings = structural_check(make(*CALLS), FakeRules("4.15"))
    assert findings[0].kernel_message == "unreachable insn 3"
    assert findings[0].category == "unsupported-insn"
    assert "4.16" in findings[0].message


@pytest.mark.parametrize(
    ("kernel", "text"),
    [
        ("4.16", "function calls to other bpf functions are allowed for root only"),
        ("5.7", "function calls to other bpf functions are allowed for root only"),
        ("5.8", "function calls to other bpf functions are allowed for CAP_BPF and CAP_SYS_ADMIN"),
        ("5.13", "function calls to other bpf functions are allowed for CAP_BPF and CAP_SYS_ADMIN"),
        ("5.14", "loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN"),
        ("6.18", "loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN"),
    ],
)
def test_unprivileged_calls(kernel: str, text: str) -> None:
    findings = structural_check(socket(make(*CALLS)), FakeRules(kernel), unprivileged=True)
    assert findings[0].kernel_message == text and findings[0].category == "privilege"
    assert findings[0].insn == 0


def test_unprivileged_from_analysis_options() -> None:
    from verifier.abstract import AnalysisOptions

    findings = structural_check(socket(make(*CALLS)), FakeRules("6.18"), options=AnalysisOptions(unprivileged=True))
    assert findings[0].category == "privilege"
    assert structural_check(make(*CALLS), FakeRules("6.18"), options=AnalysisOptions()) == []


def test_unprivileged_kfunc_call_from_514_only() -> None:
    # kfuncs: absent from 5.12.9, present in 5.14-rc5, no 5.13 tree read (rules/data/NOTES.md)
    kfunc = make(asm.call_kfunc(100), R0_0, EXIT)
    assert message(kfunc, "5.14", unprivileged=True).startswith("loading/calling other bpf")  # type: ignore[union-attr]
    assert message(kfunc, "5.14") is None


def test_call_to_invalid_destination() -> None:
    assert message(make(asm.call_pseudo(100), EXIT)) == "call to invalid destination"
    assert message(make(asm.call_pseudo(-5), EXIT)) == "call to invalid destination"


def test_too_many_subprograms() -> None:
    def calls(count: int) -> Program:
        # main: count calls, r0 = 0, exit; then count one-insn subs: insn i calls count + 2 + i
        return make(*[asm.call_pseudo(count + 1)] * count, R0_0, *[EXIT] * (count + 1))

    assert message(calls(255)) is None  # 256 functions: the maximum
    findings = structural_check(calls(256), FakeRules("6.18"))
    assert findings[0].kernel_message == "too many subprograms" and findings[0].insn == 255


def test_jump_into_another_subprogram() -> None:
    prog = make(asm.call_pseudo(3), asm.jmp_imm(op.BPF_JEQ, 0, 0, 3), R0_0, EXIT, R0_0, EXIT)
    assert message(prog) == "jump out of range from insn 1 to 5"


def test_function_must_end_in_exit_or_jump() -> None:
    assert message(make(asm.call_pseudo(1), R0_0, R0_0, EXIT)) == "last insn is not an exit or jmp"
    assert message(make(asm.call_pseudo(1), EXIT, R0_0, R0_0)) == "last insn is not an exit or jmp"
    assert message(make(asm.call_pseudo(1), EXIT, R0_0, EXIT)) is None


def test_program_subprogs_are_not_trusted_over_call_targets() -> None:
    prog = make(*CALLS, subprogs=[Subprog(0, "main"), Subprog(1, "bogus")])
    assert message(prog) is None


# --- check_cfg ---------------------------------------------------------------------------

LOOP = (R0_0, asm.alu64_imm(op.BPF_ADD, 0, 1), asm.jmp_imm(op.BPF_JLT, 0, 10, -2), EXIT)


def test_loops_need_53_and_privilege() -> None:
    assert message(make(*LOOP), "5.2") == "back-edge from insn 2 to 1"
    assert message(make(*LOOP), "5.3") is None
    assert message(make(*LOOP), "5.3", unprivileged=True) == "back-edge from insn 2 to 1"
    assert message(make(*LOOP), "6.18", unprivileged=True) == "back-edge from insn 2 to 1"


def test_back_edge_finding_explains() -> None:
    (finding,) = structural_check(make(*LOOP), FakeRules("4.19"))
    assert finding.category == "back-edge" and finding.insn == 2 and "5.3" in finding.message


# a loop entered at its condition: the edge that closes it is a plain fall-through (1 -> 2... -> 3)
ROTATED_LOOP = (R0_0, asm.ja(1), asm.alu64_imm(op.BPF_ADD, 0, 1), asm.jmp_imm(op.BPF_JLT, 0, 10, -2), EXIT)


def test_fall_through_back_edge_is_rejected_before_67() -> None:
    assert message(make(*ROTATED_LOOP), "6.6") == "back-edge from insn 2 to 3"
    assert message(make(*ROTATED_LOOP), "6.7") is None
    assert message(make(*ROTATED_LOOP), "6.7", unprivileged=True) == "back-edge from insn 2 to 3"


RECURSION = (asm.call_pseudo(1), EXIT, asm.call_pseudo(-1), EXIT)  # sub at 2 calls itself


def test_recursion_is_a_back_edge_until_67() -> None:
    assert message(make(*RECURSION), "6.6") == "back-edge from insn 2 to 2"
    assert message(make(*RECURSION), "6.7") is None  # left to the analysis (call stack checks)


def test_unreachable_insn() -> None:
    assert message(make(R0_0, EXIT, asm.mov64_imm(0, 1), EXIT)) == "unreachable insn 2"
    assert message(make(R0_0, asm.jmp_imm(op.BPF_JEQ, 0, 0, 1), EXIT, asm.mov64_imm(0, 1), EXIT)) is None


def test_dead_branch_target_order_is_depth_first() -> None:
    # both 3 and 4 are unreachable: the kernel reports the lowest index
    assert message(make(R0_0, EXIT, EXIT, R0_0, EXIT)) == "unreachable insn 2"


# --- ld_imm64 ----------------------------------------------------------------------------

LD = asm.ld_imm64


def test_ld_imm64_tail_must_be_clean() -> None:
    head, tail = LD(0, 1)
    bad_tail = Insn(0, 1, 0, 0, 0, is_ld_imm64_tail=True)
    assert message(make(head, tail, EXIT)) is None
    assert message(make(head, bad_tail, EXIT)) == "invalid bpf_ld_imm64 insn"
    # a head as the last insn: the ld_imm64 pass sees it first before 5.10, check_subprogs after
    assert message(make(R0_0, EXIT, head), "5.9") == "invalid bpf_ld_imm64 insn"
    assert message(make(R0_0, EXIT, head), "5.10") == "last insn is not an exit or jmp"


def test_jump_into_the_middle_of_ld_imm64() -> None:
    # selftests verifier/ld_imm64.c "test1 ld_imm64"
    prog = make(asm.jmp_imm(op.BPF_JEQ, 1, 0, 1), LD(0, 0), LD(0, 0), LD(0, 1), LD(0, 1), asm.mov64_imm(0, 2), EXIT)
    assert message(prog, "6.7") == "jump into the middle of ldimm64 insn 1"
    findings = structural_check(prog, FakeRules("6.6"))  # older: do_check meets the tail
    assert findings[0].kernel_message == "invalid BPF_LD_IMM insn" and findings[0].insn == 2


def test_ld_imm64_next_insn_is_after_the_tail() -> None:
    assert message(make(LD(0, 5), EXIT), "6.7") is None
    assert message(make(LD(0, 5), EXIT), "6.6") is None


def test_unrecognized_ld_imm64_src() -> None:
    assert message(make(LD(1, 0, src=7), R0_0, EXIT)) == "unrecognized bpf_ld_imm64 insn"
    assert message(make(LD(1, 3, src=op.BPF_PSEUDO_MAP_FD), R0_0, EXIT)) is None


def test_global_data_needs_52() -> None:
    prog = make(asm.ld_map_value(1, 3, 8), R0_0, EXIT)
    findings = structural_check(prog, FakeRules("5.1"))
    assert findings[0].kernel_message == "unrecognized bpf_ld_imm64 insn"
    assert findings[0].category == "unsupported-insn" and "5.2" in findings[0].message
    assert message(prog, "5.2") is None


def test_map_refs_decide_the_pseudo_kind() -> None:
    prog = make(LD(1, 0), R0_0, EXIT, map_refs={0: MapRef(0, op.BPF_PSEUDO_MAP_VALUE, 4)})
    assert message(prog, "5.1") == "unrecognized bpf_ld_imm64 insn"
    assert message(prog, "5.2") is None


def test_map_fd_with_offset_in_tail() -> None:
    head, _ = LD(1, 3, src=op.BPF_PSEUDO_MAP_FD)
    prog = make(head, Insn(0, 0, 0, 0, 4, is_ld_imm64_tail=True), R0_0, EXIT)
    assert message(prog, "5.2") == "unrecognized bpf_ld_imm64 insn"
    assert message(prog, "5.1") is None


def callback_program(with_func_refs: bool = True) -> Program:
    # r2 = callback (insn 4: pc + 1 + 3); r0 = 0; exit; callback: r0 = 0; exit
    head = Insn(op.LD_IMM64, 2, op.BPF_PSEUDO_FUNC, 0, 3, imm64=3, next_imm=0)
    tail = Insn(0, 0, 0, 0, 0, is_ld_imm64_tail=True)
    return make(head, tail, R0_0, EXIT, R0_0, EXIT, func_refs={0: 4} if with_func_refs else {})


def test_pseudo_func_needs_513_and_makes_the_callback_reachable() -> None:
    assert message(callback_program(), "5.13") is None
    assert message(callback_program(), "6.18") is None
    assert message(callback_program(with_func_refs=False), "6.18") is None
    findings = structural_check(callback_program(), FakeRules("5.12"))
    assert findings[0].kernel_message == "unrecognized bpf_ld_imm64 insn"
    assert findings[0].category == "unsupported-insn"


# --- instruction set by version ----------------------------------------------------------

JMP32 = asm.jmp32_imm(op.BPF_JEQ, 0, 0, 0)


@pytest.mark.parametrize(
    ("insn", "first", "old_message"),
    [
        (JMP32, "5.1", "unknown opcode 16"),
        (asm.gotol(0), "6.6", "unknown opcode 06"),
        (Insn(op.BPF_ALU64 | op.BPF_END, 0, 0, 0, 16), "6.6", "unknown opcode d7"),
        (asm.ldx_memsx(op.BPF_B, 0, 10, -8), "6.6", "BPF_LDX uses reserved fields"),
        (asm.alu64_reg(op.BPF_MOV, 0, 1, off=8), "6.6", "BPF_MOV uses reserved fields"),
        (asm.alu64_reg(op.BPF_DIV, 0, 1, off=1), "6.6", "BPF_ALU uses reserved fields"),
        (asm.may_goto(1), "6.9", "unknown opcode e5"),
        (asm.atomic(op.BPF_DW, op.BPF_ADD | op.BPF_FETCH, 10, 1, -8), "5.12", "BPF_STX uses reserved fields"),
        (asm.atomic(op.BPF_DW, op.BPF_XCHG, 10, 1, -8), "5.12", "BPF_STX uses reserved fields"),
        (asm.call_kfunc(5), "5.14", "BPF_CALL uses reserved fields"),
    ],
)
def test_new_instructions_on_old_kernels(insn: Insn, first: str, old_message: str) -> None:
    prog = make(asm.mov64_imm(1, 1), asm.st_mem(op.BPF_DW, 10, -8, 0), insn, R0_0, EXIT)
    major, minor = (int(x) for x in first.split("."))
    before = f"{major}.{minor - 1}" if minor else {5: "4.20", 6: "5.19"}[major]
    assert message(prog, first) is None
    findings = structural_check(prog, FakeRules(before))
    assert findings[0].kernel_message == old_message
    assert findings[0].category == "unsupported-insn"
    assert first in findings[0].message


def test_jmp32_before_416_is_not_even_a_jump() -> None:
    prog = make(asm.mov64_imm(0, 0), JMP32, EXIT)
    assert message(prog, "4.15") == "unknown insn class 6"
    # its branch target is unreachable when only the jump leads there
    prog = make(R0_0, asm.jmp32_imm(op.BPF_JEQ, 0, 0, 1), EXIT, EXIT)
    findings = structural_check(prog, FakeRules("4.15"))
    assert findings[0].kernel_message == "unreachable insn 3" and findings[0].category == "unsupported-insn"


def test_garbage_opcodes() -> None:
    assert message(make(Insn(0xFF, 0, 0, 0, 0), EXIT)) == "unknown opcode ff"
    assert message(make(Insn(0x00, 0, 0, 0, 0), EXIT)) == "unknown opcode 00"
    assert message(make(Insn(0x8D, 0, 0, 0, 0), EXIT)) == "unknown opcode 8d"  # BPF_CALL|BPF_X
    assert message(make(Insn(0xFF, 0, 0, 0, 0), EXIT), "4.15") == "invalid BPF_ALU opcode f0"


def test_pass_order_changed_in_510() -> None:
    # test_verifier "empty prog" expectations: unknown opcode 00 became last insn is not an exit or jmp
    prog = make(Insn(0, 0, 0, 0, 0))
    assert message(prog, "5.9") == "unknown opcode 00"
    assert message(prog, "5.10") == "last insn is not an exit or jmp"


def test_may_goto_zero_offset() -> None:
    prog = make(R0_0, asm.may_goto(0), EXIT)
    assert message(prog, "6.13") == "invalid may_goto off 0 imm 0"
    assert message(prog, "6.14") is None
    assert message(make(R0_0, asm.may_goto(1), asm.mov64_imm(0, 1), EXIT), "6.13") is None


def test_atomics() -> None:
    xadd = asm.atomic(op.BPF_DW, op.BPF_ADD, 10, 1, -8)
    base = (asm.mov64_imm(1, 1), asm.st_mem(op.BPF_DW, 10, -8, 0))
    assert message(make(*base, xadd, R0_0, EXIT), "4.14") is None
    cmpxchg = asm.atomic(op.BPF_DW, op.BPF_CMPXCHG, 10, 1, -8)
    assert message(make(*base, cmpxchg, R0_0, EXIT), "5.12") is None
    bad = asm.atomic(op.BPF_DW, 0x02, 10, 1, -8)
    assert message(make(*base, bad, R0_0, EXIT)) == "BPF_ATOMIC uses invalid atomic opcode 02"


# --- reserved fields and registers (do_check on sight) -----------------------------------


@pytest.mark.parametrize(
    ("insn", "text"),
    [
        (Insn(op.BPF_ALU64 | op.BPF_ADD | op.BPF_K, 0, 1, 0, 1), "BPF_ALU uses reserved fields"),
        (Insn(op.BPF_ALU64 | op.BPF_ADD | op.BPF_X, 0, 1, 0, 1), "BPF_ALU uses reserved fields"),
        (Insn(op.BPF_ALU64 | op.BPF_ADD | op.BPF_K, 0, 0, 1, 1), "BPF_ALU uses reserved fields"),
        (Insn(op.BPF_ALU64 | op.BPF_NEG, 0, 0, 0, 1), "BPF_NEG uses reserved fields"),
        (Insn(op.BPF_ALU | op.BPF_END | op.BPF_TO_BE, 0, 0, 0, 8), "BPF_END uses reserved fields"),
        (Insn(op.BPF_ALU64 | op.BPF_END | op.BPF_TO_BE, 0, 0, 0, 16), "unknown opcode df"),
        (Insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_K, 0, 0, 1, 1), "BPF_MOV uses reserved fields"),
        (Insn(op.BPF_ALU | op.BPF_MOV | op.BPF_X, 0, 1, 32, 0), "BPF_MOV uses reserved fields"),
        (Insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_X, 0, 1, 1, 5),
         "addr_space_cast insn can only convert between address space 1 and 0"),
        (Insn(op.BPF_ST | op.BPF_MEM | op.BPF_DW, 10, 1, -8, 0), "BPF_ST uses reserved fields"),
        (Insn(op.BPF_STX | op.BPF_MEM | op.BPF_DW, 10, 0, -8, 1), "BPF_STX uses reserved fields"),
        (Insn(op.BPF_LDX | op.BPF_MEM | op.BPF_DW, 0, 10, -8, 1), "BPF_LDX uses reserved fields"),
        (Insn(op.BPF_JMP | op.BPF_JEQ | op.BPF_K, 0, 1, 0, 0), "BPF_JMP/JMP32 uses reserved fields"),
        (Insn(op.BPF_JMP | op.BPF_JEQ | op.BPF_X, 0, 1, 0, 3), "BPF_JMP/JMP32 uses reserved fields"),
        (Insn(op.BPF_JMP | op.BPF_JA, 0, 0, 0, 1), "BPF_JA uses reserved fields"),
        (Insn(op.BPF_JMP32 | op.BPF_JA, 0, 0, 1, 0), "BPF_JA uses reserved fields"),
        (Insn(op.CALL, 1, 0, 0, 1), "BPF_CALL uses reserved fields"),
        (Insn(op.CALL, 0, 3, 0, 1), "BPF_CALL uses reserved fields"),
        (Insn(op.BPF_JMP | op.BPF_JCOND, 0, 0, 0, 5), "invalid may_goto imm 5"),
        (Insn(op.BPF_LD | op.BPF_ABS | op.BPF_W, 1, 0, 0, 0), "BPF_LD_[ABS|IND] uses reserved fields"),
        (Insn(op.BPF_LD | op.BPF_ABS | op.BPF_W, 0, 1, 0, 0), "BPF_LD_[ABS|IND] uses reserved fields"),
        (Insn(op.BPF_JMP | op.BPF_JLE | op.BPF_K, 11, 1, 0, 0), "R11 is invalid"),  # dst read first (6.6+)
        (asm.mov64_imm(11, 0), "R11 is invalid"),
        (asm.mov64_reg(0, 12), "R12 is invalid"),
        (asm.mov64_imm(10, 0), "frame pointer is read only"),
        (asm.ldx_mem(op.BPF_DW, 10, 1, 0), "frame pointer is read only"),
        (asm.alu64_imm(op.BPF_DIV, 0, 0), "div by zero"),
        (asm.alu32_imm(op.BPF_MOD, 0, 0), "div by zero"),
        (asm.alu64_imm(op.BPF_LSH, 0, 64), "invalid shift 64"),
        (asm.alu32_imm(op.BPF_RSH, 0, 32), "invalid shift 32"),
        (asm.alu64_imm(op.BPF_ARSH, 0, -1), "invalid shift -1"),
    ],
)
def test_field_checks(insn: Insn, text: str) -> None:
    prog = make(R0_0, insn, R0_0, EXIT)
    findings = structural_check(prog, FakeRules("6.18"))
    assert [f.kernel_message for f in findings] == [text]
    assert findings[0].insn == 1


@pytest.mark.parametrize(
    "insn",
    [
        asm.alu64_imm(op.BPF_LSH, 0, 63),
        asm.alu32_imm(op.BPF_RSH, 0, 31),
        asm.alu64_imm(op.BPF_DIV, 0, 3),
        asm.alu64_reg(op.BPF_DIV, 0, 1),
        asm.mov64_reg(0, 10),
        Insn(op.BPF_ALU | op.BPF_END | op.BPF_TO_BE, 0, 0, 0, 32),
        Insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_X, 0, 1, 1, 1),  # addr_space_cast(r1, 0, 1)
        asm.ld_abs(op.BPF_H, 12),
        asm.ld_ind(op.BPF_B, 1, 0),
        asm.stx_mem(op.BPF_DW, 10, 1, -8),
        asm.call_helper(5),
    ],
)
def test_field_checks_near_misses_pass(insn: Insn) -> None:
    assert message(make(R0_0, asm.mov64_imm(1, 0), insn, R0_0, EXIT)) is None


def test_ld_imm64_off_is_reserved() -> None:
    head, tail = LD(1, 5)
    bad = Insn(head.opcode, 1, 0, 8, head.imm, imm64=head.imm64)
    assert message(make(bad, tail, R0_0, EXIT)) == "BPF_LD_IMM64 uses reserved fields"
    assert message(make(head, tail, R0_0, EXIT)) is None


def test_cond_jump_register_check_order_by_version() -> None:
    prog = make(R0_0, Insn(op.BPF_JMP | op.BPF_JLE | op.BPF_K, 11, 1, 0, 0), EXIT)
    assert message(prog, "6.6") == "R11 is invalid"
    assert message(prog, "6.5") == "BPF_JMP/JMP32 uses reserved fields"


def test_field_checks_can_be_left_to_the_engine() -> None:
    from verifier.cfg.checks import insn_field_message

    bad = asm.alu64_imm(op.BPF_DIV, 0, 0)
    prog = make(R0_0, bad, EXIT)
    assert structural_check(prog, FakeRules("6.18"), insn_fields=False) == []
    assert insn_field_message(bad, FakeRules("6.18")) == "div by zero"
    assert insn_field_message(R0_0, FakeRules("6.18")) is None
    # control-flow problems are still reported without the field checks
    assert structural_check(make(R0_0), FakeRules("6.18"), insn_fields=False)[0].category == "last-insn-not-exit"


def test_jump_reserved_message_before_51() -> None:
    prog = make(R0_0, Insn(op.BPF_JMP | op.BPF_JEQ | op.BPF_K, 0, 1, 0, 0), EXIT)
    assert message(prog, "4.19") == "BPF_JMP uses reserved fields"


def test_field_check_reports_lowest_index() -> None:
    prog = make(R0_0, asm.alu64_imm(op.BPF_DIV, 0, 0), asm.mov64_imm(11, 0), EXIT)
    findings = structural_check(prog, FakeRules("6.18"))
    assert findings[0].insn == 1 and findings[0].category == "div-by-zero"


def test_real_rules_when_available() -> None:
    rules_module = pytest.importorskip("verifier.rules")
    rules = rules_module.for_kernel("5.2")
    assert structural_check(make(*LOOP), rules)[0].kernel_message == "back-edge from insn 2 to 1"
    assert structural_check(make(*LOOP), rules_module.for_kernel("6.18")) == []
