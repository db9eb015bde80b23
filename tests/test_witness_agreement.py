"""The symbolic executor and the concrete interpreter compute the same values on random programs."""

from __future__ import annotations

import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.concrete import build as b
from verifier.concrete import run
from verifier.concrete.ctx_layouts import layout_for
from verifier.elf.model import BpfObject, Program
from verifier.witness.executor import INDEX, Executor
from verifier.witness.sym_alu import bv

OPERATORS = ["+", "-", "*", "/", "%", "|", "&", "^", "<<", ">>", "s>>", "=", "neg"]
REGS = st.integers(0, 5)
IMMS = st.one_of(st.sampled_from([0, 1, -1, 31, 32, 63, 0x7FFFFFFF, -0x80000000]), st.integers(-(1 << 31), (1 << 31) - 1))


@st.composite
def alu_insns(draw):
    operator = draw(st.sampled_from(OPERATORS))
    is64 = draw(st.booleans())
    off = 1 if operator in ("/", "%") and draw(st.booleans()) else 0
    if operator == "=" and draw(st.booleans()):
        off = draw(st.sampled_from([8, 16, 32] if is64 else [8, 16]))
    if draw(st.booleans()):
        return b.alu(draw(REGS), operator, src=draw(REGS), is64=is64, off=off)
    return b.alu(draw(REGS), operator, imm=draw(IMMS), is64=is64, off=off)


@settings(max_examples=60, deadline=None)
@given(st.lists(alu_insns(), min_size=1, max_size=12), st.lists(st.integers(0, 0xFFFFFFFF), min_size=6, max_size=6))
def test_straight_line_alu_agrees(body, ctx_values):
    # r0..r5 = ctx fields of __sk_buff (then r1 no longer holds ctx), random ALU, exit
    loads = [b.ldx(r, 1, 4 * (r + 1), 4) for r in (0, 2, 3, 4, 5)] + [b.ldx(1, 1, 8, 4)]
    prog = Program("t", "sched_cls", "sched_cls", b.flatten([*loads, *body, b.exit_()]))
    obj = BpfObject("t.o", [prog], [])
    inputs = {f"ctx+{4 * (i + 1)}:4": v for i, v in enumerate(ctx_values)}
    expected = run(prog, obj, inputs).exit_value

    executor = Executor(prog, obj, layout_for("sched_cls"))
    state = executor.initial_state()
    while executor.step(state):
        pass
    ctx = z3.Array("ctx", INDEX, z3.BitVecSort(8))
    solver = z3.Solver()
    for i, value in enumerate(ctx_values):
        for k in range(4):
            solver.add(z3.Select(ctx, bv(4 * (i + 1) + k)) == (value >> (8 * k)) & 0xFF)
    assert solver.check() == z3.sat
    assert solver.model().eval(state.regs[0], model_completion=True).as_long() == expected
