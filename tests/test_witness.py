"""Witnesses from z3 along a failing path, each replayed with the concrete interpreter."""

from __future__ import annotations

from verifier.concrete import build as b
from verifier.concrete import run
from verifier.elf.model import BpfObject, MapDef, MapRef, Program
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn
from verifier.verdict import Finding
from verifier.witness import find_witness

HASH, ARRAY = 1, 2  # BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_ARRAY


def _program(parts, prog_type="xdp", map_refs=None, maps=None) -> tuple[BpfObject, Program]:
    prog = Program("t", prog_type, prog_type, b.flatten(parts), map_refs=map_refs or {})
    return BpfObject("t.o", [prog], maps or []), prog


def _finding(insn: int, path=()) -> Finding:
    return Finding(insn, "invalid access", "test", path=list(path))


def _assert_replays(obj, prog, witness, insn: int, region: str | None = None, kind: str | None = None):
    """The witness is real: running the program concretely on it faults at `insn`."""
    assert witness is not None and witness["feasible"] is True
    assert witness["verified"] is True
    result = run(prog, obj, witness, prog_type=prog.prog_type)
    assert result.fault is not None and result.fault.insn == insn
    if region is not None:
        assert result.fault.region == region
    if kind is not None:
        assert result.fault.kind == kind
    return result


# if (data + 14 > data_end) return 0; return data[14];   (off by one: checks 14, reads byte 14)
PACKET_OFF_BY_ONE = [
    b.ldx(2, 1, 0, 4), b.ldx(3, 1, 4, 4), b.mov(4, 2), b.alu(4, "+", imm=14), b.jmp(4, ">", 2, src=3),
    b.ldx(0, 2, 14, 1), b.exit_(), b.mov(0, imm=0), b.exit_(),
]


def test_packet_off_by_one_witness_is_the_shortest_packet():
    obj, prog = _program(PACKET_OFF_BY_ONE)
    witness = find_witness(obj, prog, _finding(5, [(4, False)]), "xdp")
    assert witness is not None and witness["packet_len"] == 14
    result = _assert_replays(obj, prog, witness, 5, region="packet", kind="out-of-bounds")
    assert (result.fault.offset, result.fault.size) == (14, 1)


def test_packet_witness_without_an_engine_path_explores_branches():
    obj, prog = _program(PACKET_OFF_BY_ONE)
    witness = find_witness(obj, prog, _finding(5), "xdp")
    _assert_replays(obj, prog, witness, 5, region="packet")


def test_correct_bounds_check_has_no_witness():
    parts = list(PACKET_OFF_BY_ONE)
    parts[5] = b.ldx(0, 2, 13, 1)
    obj, prog = _program(parts)
    witness = find_witness(obj, prog, _finding(5, [(4, False)]), "xdp")
    assert witness is not None and witness["feasible"] is False and "imprecision" in str(witness["reason"])


def test_path_that_does_not_reach_the_instruction_gives_no_answer():
    obj, prog = _program(PACKET_OFF_BY_ONE)
    assert find_witness(obj, prog, _finding(5, [(4, True)]), "xdp") is None


LOOKUP_MAPS = [MapDef("values", HASH, 4, 16, 64)]
LOOKUP_REFS = {1: MapRef(0, op.BPF_PSEUDO_MAP_FD)}
# key = 7; r0 = bpf_map_lookup_elem(&values, &key)   (insns 0..5, call at 5)
LOOKUP = [b.st(10, -4, 7, 4), b.ld_imm64(1, 0, src=op.BPF_PSEUDO_MAP_FD), b.mov(2, 10), b.alu(2, "+", imm=-4),
          b.call(1)]


def test_null_map_value_dereference_witness_is_a_null_lookup():
    obj, prog = _program([*LOOKUP, b.ldx(0, 0, 0, 8), b.exit_()], "kprobe", LOOKUP_REFS, LOOKUP_MAPS)
    witness = find_witness(obj, prog, _finding(6), "kprobe")
    assert witness is not None and witness["map lookup at insn 5"] == "NULL"
    _assert_replays(obj, prog, witness, 6, kind="null")


def test_null_checked_map_value_has_no_null_witness():
    parts = [*LOOKUP, b.jmp(0, "==", 2, imm=0), b.ldx(0, 0, 0, 8), b.exit_(), b.mov(0, imm=0), b.exit_()]
    obj, prog = _program(parts, "kprobe", LOOKUP_REFS, LOOKUP_MAPS)
    witness = find_witness(obj, prog, _finding(7, [(6, False)]), "kprobe")
    assert witness is not None and witness["feasible"] is False


# idx = value->idx; if (idx > 16) return 0; return *(u32 *)(value + idx);   (value_size 16)
MAP_INDEX = [*LOOKUP, b.jmp(0, "==", 5, imm=0), b.ldx(1, 0, 0, 4), b.jmp(1, ">", 3, imm=16),
             b.alu(0, "+", src=1), b.ldx(0, 0, 0, 4), b.exit_(), b.mov(0, imm=0), b.exit_()]


def test_map_value_index_out_of_range_witness_gives_the_index():
    obj, prog = _program(MAP_INDEX, "kprobe", LOOKUP_REFS, LOOKUP_MAPS)
    witness = find_witness(obj, prog, _finding(10, [(6, False), (8, False)]), "kprobe")
    assert witness is not None and witness["map lookup at insn 5"] == "value"
    value = bytes.fromhex(str(witness["map value at insn 5"]))
    index = int.from_bytes(value[:4], "little")
    assert 13 <= index <= 16
    assert value[4:] == bytes(12)  # inputs that do not matter are zero
    result = _assert_replays(obj, prog, witness, 10, region="map value at insn 5", kind="out-of-bounds")
    assert result.fault.offset == index


def test_array_map_lookup_is_null_only_for_keys_past_max_entries():
    maps = [MapDef("arr", ARRAY, 4, 8, 4)]
    # key = bpf_get_prandom_u32(); r0 = lookup(&arr, &key); return *r0;
    parts = [b.call(7), b.stx(10, -4, 0, 4), b.ld_imm64(1, 0, src=op.BPF_PSEUDO_MAP_FD), b.mov(2, 10),
             b.alu(2, "+", imm=-4), b.call(1), b.ldx(0, 0, 0, 8), b.exit_()]
    obj, prog = _program(parts, "kprobe", {2: MapRef(0, op.BPF_PSEUDO_MAP_FD)}, maps)
    witness = find_witness(obj, prog, _finding(7), "kprobe")
    assert witness is not None and witness["map lookup at insn 6"] == "NULL"
    assert 4 <= int(witness["helper at insn 0"]) < 1 << 32  # type: ignore[call-overload]
    _assert_replays(obj, prog, witness, 7, kind="null")


def test_infeasible_path_is_reported_as_verifier_imprecision():
    # x = data[0]; y = x * 2; if (x > 10) return; value[y] where value_size is 32: y <= 20, never out of range.
    # (the verifier does not relate y to x, so it sees y in [0, 510] and rejects)
    maps = [MapDef("values", HASH, 4, 32, 64)]
    parts = [b.mov(6, 1), *LOOKUP, b.jmp(0, "==", 12, imm=0),  # 0..7
             b.ldx(2, 6, 0, 4), b.ldx(3, 6, 4, 4), b.mov(4, 2), b.alu(4, "+", imm=1),  # 8..11
             b.jmp(4, ">", 7, src=3), b.ldx(5, 2, 0, 1), b.mov(7, 5), b.alu(7, "*", imm=2),  # 12..15
             b.jmp(5, ">", 3, imm=10), b.alu(0, "+", src=7), b.ldx(0, 0, 0, 1), b.exit_(),  # 16..19
             b.mov(0, imm=0), b.exit_()]  # 20..21
    refs = {2: MapRef(0, op.BPF_PSEUDO_MAP_FD)}
    obj, prog = _program(parts, "xdp", refs, maps)
    path = [(7, False), (12, False), (16, False)]
    infeasible = find_witness(obj, prog, _finding(18, path), "xdp")
    assert infeasible is not None and infeasible["feasible"] is False
    # the same program with value_size 16 is really broken (y can be 16..20)
    obj.maps[0] = MapDef("values", HASH, 4, 16, 64)
    witness = find_witness(obj, prog, _finding(18, path), "xdp")
    _assert_replays(obj, prog, witness, 18, kind="out-of-bounds")
    assert witness is not None and witness["packet_len"] == 1


def test_ctx_field_witness_through_a_bpf_to_bpf_call():
    # main: buf on stack; i = skb->mark & 15; return get(&buf, i);   get: return *(u8 *)(buf + i)
    parts = [b.ldx(2, 1, 8, 4), b.alu(2, "&", imm=15), b.mov(1, 10), b.alu(1, "+", imm=-8),
             b.call_local(1), b.exit_(),
             b.alu(1, "+", src=2), b.ldx(0, 1, 0, 1), b.exit_()]
    obj, prog = _program(parts, "sched_cls")
    witness = find_witness(obj, prog, _finding(7), "sched_cls")
    assert witness is not None and 8 <= int(witness["ctx.mark"]) & 15  # type: ignore[call-overload]
    _assert_replays(obj, prog, witness, 7, region="stack#0", kind="out-of-bounds")


def test_sk_buff_packet_witness_with_helper_and_ctx_inputs():
    # if (skb->len > 100 && bpf_get_prandom_u32() == 5) { if (data + 2 > data_end) return; return data[2]; }
    parts = [b.mov(6, 1), b.ldx(1, 6, 0, 4), b.jmp(1, "<=", 9, imm=100), b.call(7), b.jmp(0, "!=", 7, imm=5),
             b.ldx(2, 6, 76, 4), b.ldx(3, 6, 80, 4), b.mov(4, 2), b.alu(4, "+", imm=2),
             b.jmp(4, ">", 2, src=3), b.ldx(0, 2, 2, 1), b.exit_(), b.mov(0, imm=0), b.exit_()]
    obj, prog = _program(parts, "sched_cls")
    witness = find_witness(obj, prog, _finding(10, [(2, False), (4, False), (9, False)]), "sched_cls")
    assert witness is not None and int(witness["ctx.len"]) > 100  # type: ignore[call-overload]
    assert witness["helper at insn 3"] == 5 and witness["packet_len"] == 2
    _assert_replays(obj, prog, witness, 10, region="packet")


def test_no_answer_for_non_memory_instructions_and_bad_indices():
    obj, prog = _program(PACKET_OFF_BY_ONE)
    assert find_witness(obj, prog, _finding(3), "xdp") is None
    assert find_witness(obj, prog, _finding(99), "xdp") is None
    assert find_witness(obj, prog, _finding(-1), "xdp") is None


def test_legacy_packet_loads_constrain_the_packet():
    # r0 = *(u16 *)skb[12] (LD_ABS, big-endian); if (r0 != 0x0800) return 0; return *(u8 *)(data + 14) unchecked
    ld_abs_h = Insn(op.BPF_LD | op.BPF_ABS | op.BPF_H, 0, 0, 0, 12)
    parts = [b.mov(6, 1), ld_abs_h, b.jmp(0, "!=", 3, imm=0x0800), b.ldx(2, 6, 76, 4), b.ldx(0, 2, 14, 1),
             b.exit_(), b.mov(0, imm=0), b.exit_()]
    obj, prog = _program(parts, "sched_cls")
    witness = find_witness(obj, prog, _finding(4, [(2, False)]), "sched_cls")
    assert witness is not None and witness["packet_len"] == 14
    assert str(witness["packet"])[24:28] == "0800"
    _assert_replays(obj, prog, witness, 4, region="packet")


def test_lookup_in_a_loop_gives_one_answer_per_iteration():
    # for (i = 0; i < 3; i++) { v = lookup(&values, &key); if (i == 2) sum += *v; }
    parts = [b.mov(6, imm=0), *LOOKUP, b.jmp(6, "!=", 1, imm=2), b.ldx(0, 0, 0, 8), b.alu(6, "+", imm=1),
             b.jmp(6, "<", -10, imm=3), b.exit_()]
    refs = {2: MapRef(0, op.BPF_PSEUDO_MAP_FD)}
    obj, prog = _program(parts, "kprobe", refs, LOOKUP_MAPS)
    path = [(7, True), (10, True), (7, True), (10, True), (7, False)]
    witness = find_witness(obj, prog, _finding(8, path), "kprobe")
    assert witness is not None
    answers = witness["map lookup at insn 6"]
    assert isinstance(answers, list) and len(answers) == 3 and answers[2] == "NULL"
    result = _assert_replays(obj, prog, witness, 8, kind="null")
    assert result.trace.count(6) == 3


def test_importing_the_witness_package_does_not_import_z3():
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys, verifier.witness; print('z3' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "False"
