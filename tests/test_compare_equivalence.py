"""The fast paths of state comparison give the same answers as the plain algorithm.

`states_equal` checks first the key the last failed comparison against the same checkpoint failed
on, and skips registers and stack slots shared unchanged with the checkpoint. Here every comparison
of real explorations is also answered by the plain walk below (the comparison as it was before
those fast paths), and the answers must be the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import verifier.abstract.explorer as explorer
from verifier.abstract.compare import IdMap, regsafe, slotsafe, states_equal
from verifier.abstract.regs import SCALAR, Reg
from verifier.abstract.scalar import Scalar
from verifier.abstract.state import Frame, Slot, State
from verifier.oracle.differential import default_options
from verifier.pipeline import check_object

SHARED = Path("/work/shared/corpus/ebpf-samples")
PROJECT = Path(__file__).resolve().parent.parent / "corpus" / "build"


def plain_states_equal(
    old: State,
    cur: State,
    live: set[int],
    allow_uninit: bool,
    precise: set[int] | None = None,
    base_ids: bool = False,
) -> bool:
    """states_equal() without fast paths: every live register, then every live slot, frame by frame."""
    if len(old.frames) != len(cur.frames):
        return False
    if old.active_lock != cur.active_lock and (old.active_lock is None or cur.active_lock is None):
        return False
    idmap = IdMap(base_ids)
    for depth, (of, cf) in enumerate(zip(old.frames, cur.frames, strict=True)):
        if of.callsite != cf.callsite:
            return False
        for r in range(11):
            key = depth * 128 + r
            if key in live and not regsafe(of.regs[r], cf.regs[r], idmap, precise is None or key in precise):
                return False
        for slot, oslot in of.stack.items():
            key = depth * 128 + 16 + slot
            if key not in live:
                continue
            if 512 - 8 * slot > (cf.depth + 7) // 8 * 8 and any(
                k != "i" and (k != "m" or not allow_uninit) for k in oslot.kinds
            ):  # beyond the current frame's allocated stack
                return False
            if not slotsafe(
                oslot, cf.stack.get(slot), idmap, allow_uninit, precise is None or key in precise
            ):
                return False
    if len(old.refs) != len(cur.refs):
        return False
    return all(idmap.check(o.id, c.id) for o, c in zip(old.refs, cur.refs, strict=True))


def _checked(monkeypatch) -> dict[bool, int]:
    fast = explorer.states_equal
    seen = {True: 0, False: 0}

    def both(old, cur, live, allow_uninit, precise=None, exact_scalars=False, base_ids=False, plans=None):
        got = fast(old, cur, live, allow_uninit, precise, exact_scalars, base_ids, plans)
        if not exact_scalars:  # (unprivileged explore_alu_limits: scalars compared for equality)
            assert got == plain_states_equal(old, cur, live, allow_uninit, precise, base_ids)
        seen[got] += 1
        return got

    monkeypatch.setattr(explorer, "states_equal", both)
    return seen


def _verdict(path: Path, program: str, kernel: str, stages) -> str:
    result = check_object(str(path), [kernel], default_options(), program, stages=stages)
    return next(v.verdict for v in result.verdicts if program in (v.name, v.section))


@pytest.mark.parametrize(
    "obj,program,kernel",
    [
        ("cilium/bpf_xdp_dsr_linux.o", "2/18", "6.18"),
        ("cilium/bpf_lxc.o", "2/11", "6.18"),
        ("cilium/bpf_lxc.o", "2/9", "5.2"),  # 5.2: no precision, every scalar compared
        ("falco/probe.o", "raw_tracepoint/filler/cpu_hotplug_e", "6.18"),
    ],
)
def test_shared_corpus_comparisons(pure_python_engine, monkeypatch, bpfcheck_engine, obj, program, kernel):
    path = SHARED / obj
    if not path.is_file():
        pytest.skip(f"no shared corpus at {SHARED}")
    seen = _checked(monkeypatch)
    assert _verdict(path, program, kernel, bpfcheck_engine) in ("accept", "reject")
    assert seen[True] and seen[False] > 5


def _state_with_slot(slot: Slot) -> State:
    state = State()
    frame = Frame(0, 0, -1)
    frame.stack[61] = slot
    frame.depth = 24
    state.frames.append(frame)
    return state


@pytest.mark.parametrize("kinds", ["ssssmzii", "ssssssss", "smmmmmmm"])
@pytest.mark.parametrize("old_id,cur_id", [(0, 0), (5, 0), (5, 7), (0, 7)])
def test_spilled_scalar_ids(kinds, old_id, cur_id):
    """A narrow spill is compared byte by byte: a linked old scalar against an unlinked current one
    takes a fresh id per byte, and the second byte then fails; the fast path must agree."""
    old = _state_with_slot(Slot(kinds, Reg(SCALAR, Scalar.from_urange(0, 0xFFFFFFFF), id=old_id)))
    cur = _state_with_slot(Slot(kinds, Reg(SCALAR, Scalar.const(0), id=cur_id)))
    live = {16 + 61}
    expected = plain_states_equal(old, cur, live, True)
    assert states_equal(old, cur, live, True) == expected
    old.cmp_hint = 16 + 61  # the same answer when the slot is checked first, alone
    assert states_equal(old, cur, live, True) == expected
