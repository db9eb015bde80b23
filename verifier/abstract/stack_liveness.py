"""6.18's stack liveness (kernel/bpf/liveness.c): which stack slots a checkpoint must compare.

Path-insensitive, per call chain: for every function instance (the function and the call sites
that led to it) and every frame of that chain, each instruction gets the slots it may read (the
union over all its visits) and the slots it must write (full 8-byte slots written by a store at a
fixed offset, intersected over its visits). A backward data-flow over the function's instructions
gives the slots live before each one: read there, or live after it and not surely written there
(calls have the next instruction as successor; `exit` has none). Reads a callee makes of its
callers' frames are reads of the call instruction in the caller's instance. The sets are brought
up to date when a path ends (bpf_update_live_stack()), not while it runs.

A slot of a checkpoint counts (bpf_stack_slot_alive()) when it is live before the checkpoint's
instruction in the innermost instance, or, for a caller's frame, live after the call (before it,
for a call that runs a callback) in that caller's instance. clean_func_state() turns the others
into STACK_INVALID, which anything matches.
"""

from __future__ import annotations

from collections.abc import Sequence, Set

from verifier.abstract.state import State

Chain = tuple[int, ...]


class _Instance:
    """struct func_instance: per frame of the chain, per instruction, the read/write/live masks."""

    __slots__ = ("chain", "depth", "may_read", "must_write", "must_set", "live", "dirty", "dropped", "entry")

    def __init__(self, chain: Chain, entry: int) -> None:
        self.chain = chain
        self.depth = len(chain) - 1  # frames 0..depth
        self.may_read: list[dict[int, int]] = [{} for _ in range(self.depth + 1)]
        self.must_write: list[dict[int, int]] = [{} for _ in range(self.depth + 1)]
        self.must_set: set[int] = set()  # instructions whose must_write was set once (must_write_set)
        self.live: list[dict[int, int]] = [{} for _ in range(self.depth + 1)]
        self.dirty: list[set[int]] = [set() for _ in range(self.depth + 1)]
        self.dropped = False  # a must_write shrank: must_write_acc is recomputed
        self.entry = entry  # the function's first instruction


class StackLiveness:
    def __init__(
        self,
        succ: Sequence[tuple[int, ...]],
        subprog_starts: Sequence[int],
        callback_calls: Set[int],
        may_leave: Set[int] = frozenset(),
    ) -> None:
        self.succ = succ
        # tail calls and LD_ABS/LD_IND: the function may end there, so a write after one is not
        # a write on every path to the function's end (the callers' slots stay live across the call)
        self.may_leave = may_leave
        preds: list[list[int]] = [[] for _ in succ]
        for t, ss in enumerate(succ):
            for s in ss:
                preds[s].append(t)
        self.preds = preds
        self.starts = subprog_starts
        self.ends = list(subprog_starts[1:]) + [len(succ)]
        self.callback_calls = callback_calls
        self.instances: dict[Chain, _Instance] = {}
        self.writes: dict[int, int] = {}  # frameno -> slots written by the instruction being run

    @staticmethod
    def chain_of(state: State, depth: int | None = None) -> Chain:
        """The function that owns frame 0, then the call site of every frame up to `depth`."""
        frames = state.frames
        last = len(frames) - 1 if depth is None else depth
        if not last:
            return (frames[0].subprog,)
        return (frames[0].subprog, *[frames[i].callsite for i in range(1, last + 1)])

    def _instance(self, state: State, chain: Chain) -> _Instance:
        inst = self.instances.get(chain)
        if inst is None:
            for d in range(len(chain)):  # the callers' instances first
                sub = chain[: d + 1]
                if sub not in self.instances:
                    self.instances[sub] = _Instance(sub, self.starts[state.frames[d].subprog])
            inst = self.instances[chain]
        return inst

    # ---- marks, as the verifier walks -----------------------------------------------------------

    def read(self, state: State, frameno: int, slot: int, idx: int) -> None:
        """bpf_mark_stack_read()"""
        self._read(self._instance(state, self.chain_of(state)), frameno, idx, 1 << slot)

    @staticmethod
    def _read(inst: _Instance, frameno: int, idx: int, mask: int) -> None:
        masks = inst.may_read[frameno]
        old = masks.get(idx, 0)
        if mask & ~old:
            masks[idx] = old | mask
            inst.dirty[frameno].add(idx)

    def write(self, frameno: int, slot: int) -> None:
        """bpf_mark_stack_write(): a full slot written by the instruction being run."""
        self.writes[frameno] = self.writes.get(frameno, 0) | 1 << slot

    def commit(self, state: State, idx: int) -> None:
        """bpf_commit_stack_write_marks() after a store: what it surely writes, over all its visits."""
        self._commit(self._instance(state, self.chain_of(state)), idx)

    def _commit(self, inst: _Instance, idx: int) -> None:
        writes = self.writes
        seen = idx in inst.must_set
        for frameno in range(inst.depth + 1):
            mask = writes.get(frameno, 0)
            if not mask and not seen:
                continue
            must = inst.must_write[frameno]
            old = must.get(idx, 0)
            if seen:
                mask &= old
            if old != mask:
                must[idx] = mask
                inst.dirty[frameno].add(idx)
            if old & ~mask:
                inst.dropped = True
        inst.must_set.add(idx)
        writes.clear()

    # ---- bpf_update_live_stack() -----------------------------------------------------------------

    def flush(self, state: State) -> None:
        """Bring the instances of `state`'s call chain up to date, innermost first: what a callee
        reads of its callers' frames, and surely writes there, becomes the call's in the caller."""
        for depth in range(len(state.frames) - 1, -1, -1):
            inst = self.instances.get(self.chain_of(state, depth))
            if inst is None or not (inst.dropped or any(inst.dirty)):
                continue
            for frameno in range(inst.depth + 1):
                if inst.dirty[frameno]:
                    self._propagate(inst, frameno)
            inst.dropped = False
            if inst.depth:
                self._to_outer(inst)

    def _propagate(self, inst: _Instance, frameno: int) -> None:
        may_read = inst.may_read[frameno]
        must = inst.must_write[frameno]
        live = inst.live[frameno]
        succ = self.succ
        preds = self.preds
        work = list(inst.dirty[frameno])
        inst.dirty[frameno].clear()
        while work:
            x = work.pop()
            ss = succ[x]
            if not ss:
                continue  # update_insn() leaves an exit alone
            out = 0
            for s in ss:
                out |= live.get(s, 0)
            new = may_read.get(x, 0) | (out & ~must.get(x, 0))
            if new != live.get(x, 0):
                live[x] = new
                work.extend(preds[x])

    def _must_write_acc(self, inst: _Instance, frameno: int) -> int:
        """must_write_acc at the function's entry: slots written on every path to its exits."""
        must = inst.must_write[frameno]
        lo = inst.entry
        hi = self.ends[self.starts.index(lo)]
        acc: dict[int, int] = {}
        succ = self.succ
        changed = True
        while changed:
            changed = False
            for x in range(hi - 1, lo - 1, -1):
                ss = succ[x]
                if not ss:
                    continue
                a = 0 if x in self.may_leave else -1
                for s in ss:
                    a &= acc.get(s, 0)
                a = (a & ((1 << 64) - 1)) | must.get(x, 0)
                if a != acc.get(x, 0):
                    acc[x] = a
                    changed = True
        return acc.get(lo, 0)

    def _to_outer(self, inst: _Instance) -> None:
        """propagate_to_outer_instance()"""
        outer = self.instances[inst.chain[:-1]]
        callsite = inst.chain[-1]
        self.writes.clear()
        for frameno in range(inst.depth):
            self.writes[frameno] = self._must_write_acc(inst, frameno)
            at_entry = inst.live[frameno].get(inst.entry, 0)
            if at_entry:
                self._read(outer, frameno, callsite, at_entry)
        self._commit(outer, callsite)

    # ---- bpf_stack_slot_alive() ----------------------------------------------------------------------

    def alive_keys(self, state: State, idx: int) -> set[int]:
        """The liveness keys of the stack slots of `state` (at instruction `idx`) that count."""
        frames = state.frames
        cur = len(frames) - 1
        insts = [self.instances.get(self.chain_of(state, d)) for d in range(cur + 1)]
        keys: set[int] = set()
        for frameno in range(cur + 1):
            mask = 0
            inner = insts[cur]
            if inner is not None:
                mask = inner.live[frameno].get(idx, 0)
            for i in range(frameno, cur):
                inst = insts[i]
                if inst is None:
                    continue
                callsite = frames[i + 1].callsite
                at = callsite if callsite in self.callback_calls else callsite + 1
                mask |= inst.live[frameno].get(at, 0)
            if not mask:
                continue
            base = frameno * 128 + 16
            for slot in frames[frameno].stack:
                if mask >> slot & 1:
                    keys.add(base + slot)
        return keys
