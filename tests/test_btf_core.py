"""CO-RE relocations against a target BTF, on hand-built BTF (libbpf's relo_core.c semantics)."""

from __future__ import annotations

import pytest

from tests.btf_builder import BtfBuilder
from verifier.btf import core
from verifier.btf.kernel import KernelBtf
from verifier.elf.btf import parse_btf
from verifier.elf.model import CoreReloc
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn


def ldx(off: int, size_code: int = op.BPF_W) -> Insn:
    return Insn(op.BPF_LDX | op.BPF_MEM | size_code, 0, 1, off, 0)


def mov(imm: int) -> Insn:
    return Insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_K, 0, 0, 0, imm)


def local_btf():
    """struct task { int pid; int tgid; unsigned char flags:3; }; enum e { A = 1, B = 2 };
    struct task___old { int tgid; };"""
    b = BtfBuilder()
    i32 = b.int_("int", 4, signed=True)
    u8 = b.int_("unsigned char", 1)
    task = b.struct(
        "task", 12, [("pid", i32, 0), ("tgid", i32, 32), ("flags", u8, 64)], bitfields={"flags": 3}
    )
    e = b.enum("e", [("A", 1), ("B", 2)])
    old = b.struct("task___old", 4, [("tgid", i32, 0)])
    arr = b.array(i32, i32, 4)
    holder = b.struct("holder", 16, [("vals", arr, 0)])
    return parse_btf(b.build()), {"task": task, "e": e, "old": old, "holder": holder}


def target(
    *, pid_at: int = 64, with_tgid: bool = True, enum_b: int | None = 7, holder_len: int = 4
) -> KernelBtf:
    b = BtfBuilder()
    i32 = b.int_("int", 4, signed=True)
    i64 = b.int_("long", 8, signed=True)
    members = [("pad", i64, 0), ("pid", i32, pid_at)]
    if with_tgid:
        members.append(("tgid", i32, pid_at + 32))
    b.struct("task", 24, members)
    values = [("A", 1)] + ([("B", enum_b)] if enum_b is not None else [])
    b.enum("e", values)
    arr = b.array(i32, i32, holder_len)
    b.struct("holder", 4 * holder_len, [("vals", arr, 0)])
    return KernelBtf.from_bytes(b.build(), "test")


def relocate(insns, relos, tgt):
    btf, _ = local_btf()
    return core.relocate(btf, relos, insns, tgt)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("task", "task"),
        ("task___old", "task"),
        ("task___", "task___"),
        ("a___b___c", "a___b"),
        ("___x", "___x"),
    ],
)
def test_essential_name(name: str, expected: str) -> None:
    assert core.essential_name(name) == expected


def test_field_offset_moves_with_the_target() -> None:
    _, ids = local_btf()
    done = relocate([ldx(4)], [CoreReloc(0, ids["task"], "0:1", core.FIELD_BYTE_OFFSET)], target(pid_at=64))
    assert done.insns[0].off == 12  # tgid right after pid at byte 8
    assert not done.poisoned and not done.errors


def test_missing_field_poisons_the_instruction_with_libbpfs_text() -> None:
    _, ids = local_btf()
    done = relocate(
        [ldx(4)], [CoreReloc(0, ids["task"], "0:1", core.FIELD_BYTE_OFFSET)], target(with_tgid=False)
    )
    assert done.insns[0] == Insn(op.CALL, 0, 0, 0, core.POISON_IMM)
    assert done.poisoned[0] == f"<byte_off> [{ids['task']}] struct task.tgid (0:1 @ offset 4)"


def test_field_exists_is_zero_or_one() -> None:
    _, ids = local_btf()
    relo = [CoreReloc(0, ids["task"], "0:1", core.FIELD_EXISTS)]
    assert relocate([mov(1)], relo, target(with_tgid=False)).insns[0].imm == 0
    assert relocate([mov(1)], relo, target()).insns[0].imm == 1


def test_flavor_matches_the_plain_name() -> None:
    _, ids = local_btf()
    done = relocate([ldx(0)], [CoreReloc(0, ids["old"], "0:0", core.FIELD_BYTE_OFFSET)], target(pid_at=32))
    assert done.insns[0].off == 8


def test_enum_value_and_existence() -> None:
    _, ids = local_btf()
    value = [CoreReloc(0, ids["e"], "1", core.ENUMVAL_VALUE)]
    exists = [CoreReloc(0, ids["e"], "1", core.ENUMVAL_EXISTS)]
    assert relocate([mov(2)], value, target(enum_b=7)).insns[0].imm == 7
    assert relocate([mov(1)], exists, target(enum_b=None)).insns[0].imm == 0
    missing = relocate([mov(2)], value, target(enum_b=None))
    assert missing.poisoned[0] == f"<enumval_value> [{ids['e']}] enum e::B = 2"


def test_type_exists_and_size() -> None:
    _, ids = local_btf()
    assert relocate([mov(1)], [CoreReloc(0, ids["task"], "0", core.TYPE_EXISTS)], target()).insns[0].imm == 1
    assert relocate([mov(12)], [CoreReloc(0, ids["task"], "0", core.TYPE_SIZE)], target()).insns[0].imm == 24
    empty = KernelBtf.from_bytes(BtfBuilder().build(), "empty")
    assert relocate([mov(1)], [CoreReloc(0, ids["task"], "0", core.TYPE_EXISTS)], empty).insns[0].imm == 0


def test_array_index_beyond_the_target_array_poisons() -> None:
    _, ids = local_btf()
    relo = [CoreReloc(0, ids["holder"], "0:0:3", core.FIELD_BYTE_OFFSET)]
    assert relocate([ldx(12)], relo, target(holder_len=4)).insns[0].off == 12
    assert 0 in relocate([ldx(12)], relo, target(holder_len=2)).poisoned


def test_bitfield_shifts() -> None:
    _, ids = local_btf()
    relo = [CoreReloc(0, ids["task"], "0:2", core.FIELD_RSHIFT_U64)]
    b = BtfBuilder()
    u8 = b.int_("unsigned char", 1)
    b.struct("task", 4, [("flags", u8, 4)], bitfields={"flags": 5})
    done = relocate([mov(61)], relo, KernelBtf.from_bytes(b.build(), "t"))
    assert done.insns[0].imm == 64 - 5


def test_wrong_expected_value_is_a_load_error() -> None:
    _, ids = local_btf()
    done = relocate([ldx(40)], [CoreReloc(0, ids["task"], "0:1", core.FIELD_BYTE_OFFSET)], target())
    assert done.errors and "value: got 40" in done.errors[0]


def test_ambiguous_candidates_are_a_load_error() -> None:
    _, ids = local_btf()
    b = BtfBuilder()
    i32 = b.int_("int", 4, signed=True)
    b.struct("task", 8, [("pid", i32, 0), ("tgid", i32, 32)])
    b.struct("task___2", 8, [("tgid", i32, 0), ("pid", i32, 32)])
    done = relocate(
        [ldx(4)],
        [CoreReloc(0, ids["task"], "0:1", core.FIELD_BYTE_OFFSET)],
        KernelBtf.from_bytes(b.build(), "t"),
    )
    assert done.errors and "ambiguity" in done.errors[0]


def test_uapi_enum_guards_without_btf_follow_the_rule_tables() -> None:
    from verifier.btf.guards import resolve_without_btf
    from verifier.rules import for_kernel

    b = BtfBuilder()
    e = b.enum("bpf_func_id", [("BPF_FUNC_unspec", 0), ("BPF_FUNC_get_current_task_btf", 158)])
    i32 = b.int_("int", 4, signed=True)
    s = b.struct("sock___x", 4, [("mark", i32, 0)])
    btf = parse_btf(b.build())
    exists = [CoreReloc(0, e, "1", core.ENUMVAL_EXISTS)]
    assert resolve_without_btf(btf, exists, [mov(1)], for_kernel("5.10")).insns[0].imm == 0  # helper: 5.11
    assert resolve_without_btf(btf, exists, [mov(1)], for_kernel("5.11")).insns[0].imm == 1
    value = [CoreReloc(0, e, "1", core.ENUMVAL_VALUE)]
    assert resolve_without_btf(btf, value, [mov(158)], for_kernel("5.10")).insns[0].imm == core.POISON_IMM
    other = resolve_without_btf(btf, [CoreReloc(0, s, "0:0", core.FIELD_EXISTS)], [mov(1)], for_kernel("5.10"))
    assert other.insns[0].imm == 1
    assert other.notes and "bpf_core_field_exists(struct sock___x.mark" in other.notes[0]
    assert "assumed 1 as compiled" in other.notes[0]


def test_zero_sized_struct_with_a_flexible_array_relocates() -> None:
    """struct args { u64 args[0]; } has size 0: libbpf takes 0 as its size, not as a failure."""
    def with_flex(b: BtfBuilder) -> int:
        u64 = b.int_("unsigned long long", 8)
        idx = b.int_("int", 4, signed=True)
        return b.struct("args", 0, [("args", b.array(u64, idx, 0), 0)])

    local = BtfBuilder()
    local_id = with_flex(local)
    tgt = BtfBuilder()
    with_flex(tgt)
    relo = [CoreReloc(0, local_id, "0:0", core.FIELD_BYTE_OFFSET)]
    done = core.relocate(parse_btf(local.build()), relo, [ldx(0)], KernelBtf.from_bytes(tgt.build(), "test"))
    assert not done.poisoned and not done.errors
    assert done.insns[0].off == 0
