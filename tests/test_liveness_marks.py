"""mark_read_all() marks exactly what one mark_read() per key marks, on any checkpoint chain."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.abstract.explorer import Checkpoint, mark_read, mark_read_all
from verifier.abstract.state import State

KEYS = st.sets(st.integers(0, 40), max_size=12)


def _chain(spec: list[tuple[set[int], set[int]]]) -> tuple[State, list[Checkpoint]]:
    """A path below checkpoints with the given (live, written) sets, oldest first."""
    nodes: list[Checkpoint] = []
    parent = None
    for live, written in spec:
        cp = Checkpoint(State(), parent, set(written), 0)
        cp.live = set(live)
        nodes.append(cp)
        parent = cp
    state = State()
    state.parent = parent
    return state, nodes


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(KEYS, KEYS), max_size=6), KEYS, KEYS)
def test_batched_marks_are_the_single_marks(spec, written, keys):
    one, one_nodes = _chain(spec)
    one.written = set(written)
    for key in keys:
        mark_read(one, key)
    batch, batch_nodes = _chain(spec)
    batch.written = set(written)
    mark_read_all(batch, keys)
    assert [n.live for n in batch_nodes] == [n.live for n in one_nodes]
