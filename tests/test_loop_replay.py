"""Replaying a loop iteration on its constants (verifier/abstract/loop_replay.py)."""

from __future__ import annotations

from verifier.abstract.loop_replay import _Alu, _Imm, _Jump, run_iteration, same_iterations
from verifier.abstract.scalar import Scalar
from verifier.isa import opcodes as op

# i += 1; acc += i; if acc s< 0 goto out (not taken); if i != r6 goto head (taken, r6 unknown)
TRIANGLE = [
    _Alu(7, op.BPF_ADD, None, 1, True, 0),
    _Alu(8, op.BPF_ADD, 7, 0, True, 0),
    _Jump(op.BPF_JSLT, "jslt", False, 8, _Imm(0), False, 0),
    _Jump(op.BPF_JNE, "jne", False, 7, Scalar.unknown(), True, -1),
]


def test_an_accumulator_replays_until_the_limit():
    assert same_iterations(TRIANGLE, {7: 3, 8: 6}, {7: 4, 8: 10}, 50_000) == 50_000


def test_the_first_iteration_must_be_the_walked_one():
    assert same_iterations(TRIANGLE, {7: 3, 8: 6}, {7: 4, 8: 11}, 10) == 0


def test_a_branch_that_flips_stops_the_replay():
    leave_at_100 = [*TRIANGLE[:2], _Jump(op.BPF_JGT, "jgt", False, 8, _Imm(100), False, 0), TRIANGLE[3]]
    # acc: 10, 15, 21, ..., 91 (i = 13), then 105 > 100 flips the exit test
    assert same_iterations(leave_at_100, {7: 3, 8: 6}, {7: 4, 8: 10}, 1000) == 10


def test_an_undecided_test_must_narrow_nothing():
    # i != r6 with r6 in [0, 20]: once i reaches 20 (an edge of r6), the taken side narrows r6
    bounded = [*TRIANGLE[:3], _Jump(op.BPF_JNE, "jne", False, 7, Scalar.from_urange(0, 20), True, -1)]
    values = {7: 3, 8: 6}
    steps = 0
    while run_iteration(bounded, values):
        steps += 1
    assert values[7] == 20 and steps == 16


def test_values_that_come_back_are_not_replayed():
    # i ^= 1 flips between two states: the kernel prunes it (or calls the loop infinite)
    flip = [_Alu(7, op.BPF_XOR, None, 1, True, 0), _Jump(op.BPF_JNE, "jne", False, 8, Scalar.unknown(), True, -1)]
    assert same_iterations(flip, {7: 0, 8: 5}, {7: 1, 8: 5}, 100) < 100
