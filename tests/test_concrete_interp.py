"""The concrete interpreter: ALU semantics, memory regions, faults, calls, helpers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verifier.concrete import build as b
from verifier.concrete import run
from verifier.concrete.alu import alu, condition, endian
from verifier.elf.model import BpfObject, MapDef, MapRef, Program
from verifier.errors import InputError
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn

U64 = (1 << 64) - 1


def _prog(parts, prog_type="xdp", map_refs=None) -> Program:
    return Program("t", prog_type, prog_type, b.flatten(parts), map_refs=map_refs or {})


def _obj(prog: Program, maps=None) -> BpfObject:
    return BpfObject("t.o", [prog], maps or [])


def _exec(parts, inputs=None, prog_type="xdp", maps=None, map_refs=None):
    prog = _prog(parts, prog_type, map_refs)
    return run(prog, _obj(prog, maps), inputs)


# ---- ALU -------------------------------------------------------------------------------
def test_div_and_mod_by_zero():
    assert alu(op.BPF_DIV, 7, 0, True) == 0
    assert alu(op.BPF_MOD, 7, 0, True) == 7
    assert alu(op.BPF_MOD, (1 << 40) + 7, 0, False) == 7  # 32-bit: dst truncated


def test_signed_division():
    minus7 = -7 & U64
    assert alu(op.BPF_DIV, minus7, 2, True, off=1) == -3 & U64
    assert alu(op.BPF_MOD, minus7, 2, True, off=1) == -1 & U64
    llong_min = 1 << 63
    assert alu(op.BPF_DIV, llong_min, U64, True, off=1) == llong_min
    assert alu(op.BPF_MOD, llong_min, U64, True, off=1) == 0
    assert alu(op.BPF_DIV, minus7, 0, True, off=1) == 0
    assert alu(op.BPF_MOD, minus7, 0, True, off=1) == minus7


def test_movsx_and_alu32_zero_extension():
    assert alu(op.BPF_MOV, 0, 0x80, True, off=8) == U64 - 0x7F
    assert alu(op.BPF_MOV, 0, 0x8000, False, off=16) == 0xFFFF8000
    assert alu(op.BPF_ADD, 0xFFFFFFFF, 1, False) == 0
    assert alu(op.BPF_ARSH, 1 << 63, 63, True) == U64


def test_byte_swaps():
    assert endian(0x1122334455667788, 16, to_be=True, is64=False) == 0x8877
    assert endian(0x1122334455667788, 32, to_be=False, is64=False) == 0x55667788
    assert endian(0x1122334455667788, 64, to_be=False, is64=True) == 0x8877665544332211


def test_jmp32_compares_low_halves():
    assert condition(op.BPF_JEQ, (1 << 32) | 5, 5, is64=False)
    assert not condition(op.BPF_JEQ, (1 << 32) | 5, 5, is64=True)
    assert condition(op.BPF_JSLT, U64, 0, is64=True)
    assert not condition(op.BPF_JLT, U64, 0, is64=True)


@given(st.integers(0, U64), st.integers(0, U64))
def test_alu32_results_fit_32_bits(a, c):
    for operation in (op.BPF_ADD, op.BPF_SUB, op.BPF_MUL, op.BPF_DIV, op.BPF_MOD, op.BPF_LSH, op.BPF_ARSH):
        assert 0 <= alu(operation, a, c, False) <= 0xFFFFFFFF


# ---- programs --------------------------------------------------------------------------
def test_exit_value_and_trace():
    result = _exec([b.mov(0, imm=3), b.alu(0, "*", imm=5), b.exit_()])
    assert result.exit_value == 15 and result.trace == [0, 1, 2] and result.fault is None


def _packet_prog(check: int, read_at: int):
    """if data + check > data_end: return 0; return data[read_at]"""
    return [b.ldx(2, 1, 0, 4), b.ldx(3, 1, 4, 4), b.mov(4, 2), b.alu(4, "+", imm=check),
            b.jmp(4, ">", 2, src=3), b.ldx(0, 2, read_at, 1), b.exit_(), b.mov(0, imm=0), b.exit_()]


def test_packet_read_in_bounds_and_out_of_bounds():
    ok = _exec(_packet_prog(14, 13), {"packet": "00" * 13 + "2a"})
    assert ok.exit_value == 42 and ok.fault is None
    bad = _exec(_packet_prog(14, 14), {"packet_len": 14})
    assert bad.fault is not None
    assert (bad.fault.insn, bad.fault.kind, bad.fault.region, bad.fault.offset, bad.fault.size) == (
        5, "out-of-bounds", "packet", 14, 1)
    short = _exec(_packet_prog(14, 14), {"packet_len": 13})
    assert short.fault is None and short.exit_value == 0


def test_sk_buff_packet_pointers_and_ctx_fields():
    parts = [b.ldx(0, 1, 0, 4), b.ldx(2, 1, 76, 4), b.ldx(3, 1, 80, 4), b.alu(3, "-", src=2),
             b.alu(0, "+", src=3), b.exit_()]
    result = _exec(parts, {"ctx.len": 100, "packet_len": 60}, prog_type="sched_cls")
    assert result.exit_value == 160


def test_stack_spill_keeps_pointer():
    parts = [b.stx(10, -8, 1, 8), b.ldx(6, 10, -8, 8), b.ldx(0, 6, 12, 4), b.exit_()]
    assert _exec(parts, {"ctx.ingress_ifindex": 9}).exit_value == 9


def test_stack_out_of_bounds():
    result = _exec([b.st(10, -520, 1, 8), b.exit_()])
    assert result.fault is not None and result.fault.region == "stack#0" and result.fault.offset == -8


def test_null_dereference():
    result = _exec([b.mov(1, imm=0), b.ldx(0, 1, 4, 4), b.exit_()])
    assert result.fault is not None and result.fault.kind == "null"
    assert result.fault.describe() == "the instruction at index 1 dereferenced NULL"


LOOKUP_MAPS = [MapDef("counts", 1, 4, 8, 16)]  # BPF_MAP_TYPE_HASH
LOOKUP = [b.st(10, -4, 7, 4), b.ld_imm64(1, 0, src=op.BPF_PSEUDO_MAP_FD), b.mov(2, 10),
          b.alu(2, "+", imm=-4), b.call(1), b.ldx(0, 0, 0, 8), b.exit_()]


def test_map_lookup_from_contents_and_override():
    refs = {1: MapRef(0, op.BPF_PSEUDO_MAP_FD)}
    found = _exec(LOOKUP, {"maps": {"counts": {"07000000": "0500000000000000"}}}, maps=LOOKUP_MAPS,
                  map_refs=refs)
    assert found.exit_value == 5
    missing = _exec(LOOKUP, {}, maps=LOOKUP_MAPS, map_refs=refs)
    assert missing.fault is not None and missing.fault.kind == "null" and missing.fault.insn == 6
    forced = _exec(LOOKUP, {"map lookup at insn 5": "value", "map value at insn 5": "09"}, maps=LOOKUP_MAPS,
                   map_refs=refs)
    assert forced.exit_value == 9


def test_map_value_out_of_bounds():
    refs = {1: MapRef(0, op.BPF_PSEUDO_MAP_FD)}
    parts = LOOKUP[:5] + [b.ldx(0, 0, 8, 1), b.exit_()]
    result = _exec(parts, {"map lookup at insn 5": "value"}, maps=LOOKUP_MAPS, map_refs=refs)
    assert result.fault is not None
    assert (result.fault.kind, result.fault.region, result.fault.offset) == (
        "out-of-bounds", "map value at insn 5", 8)


def test_bpf_to_bpf_call_has_its_own_stack_and_restores_callee_saved():
    parts = [b.mov(6, imm=10), b.mov(1, imm=4), b.call_local(2), b.alu(0, "+", src=6), b.exit_(),
             b.st(10, -8, 1, 8), b.mov(6, imm=99), b.mov(0, 1), b.alu(0, "*", imm=3), b.exit_()]
    result = _exec(parts)
    assert result.exit_value == 22
    assert result.trace == [0, 1, 2, 5, 6, 7, 8, 9, 3, 4]


def test_helper_returns_from_inputs():
    parts = [b.call(7), b.mov(6, 0), b.call(5), b.alu(0, "+", src=6), b.exit_()]
    assert _exec(parts, {"helper at insn 0": (1 << 32) + 3, "helper returns": [100]}).exit_value == 103


def test_global_data_is_readonly_for_rodata():
    maps = [MapDef(".rodata", 2, 4, 8, 1, kind="data", readonly=True, initial=b"\x05" + bytes(7))]
    refs = {0: MapRef(0, op.BPF_PSEUDO_MAP_VALUE, 0)}
    parts = [b.ld_imm64(1, 0, src=op.BPF_PSEUDO_MAP_VALUE), b.ldx(0, 1, 0, 1), b.st(1, 0, 1, 1), b.exit_()]
    result = _exec(parts, maps=maps, map_refs=refs)
    assert result.fault is not None and result.fault.kind == "readonly" and result.fault.insn == 3


def test_max_steps_stops_an_infinite_loop():
    result = _exec([b.ja(-1)], None)
    assert result.stopped == "max-steps" and result.fault is None


def test_bad_inputs_raise_input_error():
    with pytest.raises(InputError):
        _exec([b.exit_()], {"packet": "zz"})
    with pytest.raises(InputError):
        _exec([b.exit_()], {"ctx.nonexistent": 1})
    with pytest.raises(InputError):
        _exec([b.exit_()], "not a dict")  # type: ignore[arg-type]


def test_legacy_packet_load_is_big_endian_and_ends_the_program_out_of_range():
    parts = [Insn(op.BPF_LD | op.BPF_ABS | op.BPF_H, 0, 0, 0, 12), b.alu(0, "+", imm=1), b.exit_()]
    assert _exec(parts, {"packet": "00" * 12 + "0800"}, prog_type="sched_cls").exit_value == 0x0801
    short = _exec(parts, {"packet_len": 13}, prog_type="sched_cls")
    assert short.exit_value == 0 and short.trace == [0] and short.fault is None


def test_register_number_out_of_range_is_a_bad_instruction():
    result = _exec([Insn(op.BPF_ALU64 | op.BPF_MOV, 12, 0, 0, 1), b.exit_()])
    assert result.fault is not None and result.fault.kind == "bad-insn"
