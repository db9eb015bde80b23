"""Stack slots compared for pruning exactly as the kernel's stacksafe() (NOT_EXACT) does.

A pruning rule more generous than the kernel's makes bpfcheck skip paths the kernel walks: wrong
counts at best, a false accept at worst. Facts from kernel/bpf/verifier.c (v6.18) stacksafe() and
scalar_reg_for_stack(); the katran balancer's counts depend on the first one (processed 38,353
instead of the kernel's 69,286 while a 4-byte spill matched a spilled unknown scalar).
"""

from __future__ import annotations

from verifier.abstract.compare import IdMap, slotsafe
from verifier.abstract.regs import PTR_TO_STACK, const_reg, pointer_reg, scalar_reg, unknown_reg
from verifier.abstract.scalar import Scalar
from verifier.abstract.state import Slot

U32 = scalar_reg(Scalar.from_urange(0, 0xFFFFFFFF))


def _safe(old: Slot, cur: Slot | None, allow_uninit: bool = True, precise: bool = False) -> bool:
    return slotsafe(old, cur, IdMap(), allow_uninit, precise)


def test_spilled_unknown_scalar_matches_misc_bytes_and_64_bit_spills_only() -> None:
    old = Slot("ssssssss", unknown_reg())
    assert _safe(old, Slot("mmmmmmmm"))
    assert _safe(old, Slot("ssssssss", U32))
    assert not _safe(old, Slot("ssssmmmm", U32))  # a narrow spill: the byte kinds differ
    assert not _safe(old, Slot("zzzzzzzz"))  # zero bytes are not an unbounded scalar


def test_zero_bytes_match_zero_bytes_not_a_spilled_zero() -> None:
    assert _safe(Slot("zzzzzzzz"), Slot("zzzzzzzz"))
    assert not _safe(Slot("zzzzzzzz"), Slot("ssssssss", const_reg(0)))


def test_misc_bytes_match_zero_and_anything_when_uninitialised_reads_are_allowed() -> None:
    spilled_ptr = Slot("ssssssss", pointer_reg(PTR_TO_STACK, frameno=0))
    assert _safe(Slot("mmmmmmmm"), Slot("zzzzzzzz"), allow_uninit=False)
    assert _safe(Slot("mmmmmmmm"), spilled_ptr, allow_uninit=True)
    # unprivileged: the pointer could be read back and leaked where the old path read misc bytes
    assert not _safe(Slot("mmmmmmmm"), spilled_ptr, allow_uninit=False)
    assert not _safe(Slot("mmmmmmmm"), Slot("ssssmmmm", U32), allow_uninit=False)


def test_precise_spill_needs_the_range() -> None:
    old = Slot("ssssssss", scalar_reg(Scalar.from_urange(0, 10)))
    assert _safe(old, Slot("mmmmmmmm"), precise=False)
    assert not _safe(old, Slot("mmmmmmmm"), precise=True)
    assert _safe(old, Slot("ssssssss", const_reg(3)), precise=True)
    assert not _safe(old, Slot("ssssssss", const_reg(11)), precise=True)


def test_a_comparison_hint_from_a_deeper_state_is_ignored() -> None:
    """The key the last comparison failed on may belong to a frame these states do not have
    (tetragon's event_execve: an internal error at a callback's convergence)."""
    from verifier.abstract.compare import states_equal
    from verifier.abstract.state import Frame, State

    old, cur = State(), State()
    old.frames.append(Frame(0, 0, -1))
    cur.frames.append(Frame(0, 0, -1))
    old.cmp_hint = 128 + 3  # R3 of frame 1
    assert states_equal(old, cur, {3, 128 + 3}, True)


def test_a_loop_state_with_another_callback_unroll_depth_is_progress() -> None:
    """is_state_visited()'s 'infinite loop detected' also needs the same callback_unroll_depth: a
    bpf_loop body entered once more is progress (tetragon's event_execve at 6.12 was refused)."""
    from verifier.abstract.compare import states_identical
    from verifier.abstract.state import Frame, State

    def state(depth: int) -> State:
        s = State()
        frame = Frame(0, 0, -1)
        frame.regs[1] = unknown_reg()
        frame.callback_depth = depth
        s.frames.append(frame)
        return s

    assert states_identical(state(1), state(1))
    assert not states_identical(state(1), state(2))
