"""Path exploration in the kernel's manner (`do_check` + `is_state_visited`).

Depth-first over paths: a conditional jump whose outcome is unknown pushes the
taken branch and continues with the fall-through. At every prune point the
current state is compared with the fully explored states kept there; if one
of them covers it, the path ends. Liveness is tracked the way the kernel
tracks it, dynamically: a read marks the register or stack slot live in every
checkpoint up the path until one where it was written.
"""

from __future__ import annotations

import time

from verifier.abstract.compare import ComparePlan, states_equal, states_identical
from verifier.abstract.reject import AnalysisTimeout, Reject, TooComplex
from verifier.abstract.stack_liveness import StackLiveness
from verifier.abstract.state import State
from verifier.isa.insn import Insn


class Checkpoint:
    """An explored state kept at a prune point (`struct bpf_verifier_state_list`)."""

    __slots__ = (
        "state", "parent", "branches", "live", "written", "insn", "hits", "miss", "precise", "all_precise",
        "hist_before", "static_regs", "cmp_live", "loop_entry", "backedges", "dfs_depth", "plans",
    )

    def __init__(self, state: State, parent: Checkpoint | None, written: set[int], insn: int) -> None:
        self.state = state
        self.parent = parent
        self.branches = 1
        self.live: set[int] = set()
        self.written = written
        self.insn = insn
        self.hits = 0
        self.miss = 0
        self.precise: set[int] = set()  # keys of scalars whose exact value mattered below
        self.all_precise = False  # precision could not be tracked: every scalar counts
        self.hist_before: list = []  # instructions from `parent` to this checkpoint
        self.static_regs: set[int] | None = None  # 6.18: registers live by the static analysis
        self.cmp_live: set[int] | None = None  # what states_equal() compares, once complete
        self.plans: list[ComparePlan] | None = None  # states_equal()'s compare_plan() of cmp_live
        # iterator loops (iter_calls.py): the loop entry whose iterations this state lies on (its
        # marks are complete once that entry is), the backedges recorded against this entry
        self.loop_entry: Checkpoint | None = None
        self.backedges: list | None = None
        self.dfs_depth: int = parent.dfs_depth + 1 if parent is not None else 0

    def compare_live(self) -> set[int]:
        """The keys compared: read marks, or (6.18) the static register set with the stack's read marks."""
        if self.static_regs is None:
            return self.live
        if self.cmp_live is None:
            self.cmp_live = self.static_regs | {k for k in self.live if k & 127 >= 16}
        return self.cmp_live


def mark_read(state: State, key: int) -> None:
    """A read of `key` on the current path: mark it live up the checkpoint chain."""
    if key in state.written:
        return
    node = state.parent
    while node is not None:
        live = node.live
        if key in live:
            return
        live.add(key)
        if key in node.written:
            return
        node = node.parent


def mark_read_all(state: State, keys: set[int]) -> None:
    """mark_read() of every key: one walk up the checkpoint chain for all of them."""
    pending = set(keys) - state.written
    node = state.parent
    while pending and node is not None:
        live = node.live
        pending -= live  # marked here: marked above too
        live |= pending
        pending -= node.written
        node = node.parent


def static_reg_keys(state: State, idx: int, live_before: list[int]) -> set[int]:
    """clean_func_state(): per frame, the registers live before its instruction (the call
    instruction for a caller's frame), as liveness keys."""
    keys: set[int] = set()
    frames = state.frames
    last = len(frames) - 1
    for d in range(last + 1):
        ip = idx if d == last else frames[d + 1].callsite
        mask = live_before[ip]
        base = d * 128
        for r in range(10):
            if mask >> r & 1:
                keys.add(base + r)
    return keys


def finish_path(node: Checkpoint | None, loop_done=None) -> None:
    """update_branch_counts(): one fewer live path below these checkpoints; `loop_done(node)` for
    each that ends with backedges recorded against it (maybe_exit_scc())."""
    while node is not None:
        node.branches -= 1
        if node.branches:
            return
        if node.backedges and loop_done is not None:
            loop_done(node)
        node = node.parent


class ExplorerMixin:
    """The main loop. Transfer functions come from the other mixins."""

    # filled by the Verifier class
    insns: list[Insn]
    prune_points: set[int]
    callback_callsites: set[int]
    iter_next_insns: set[int]
    may_goto_insns: frozenset[int]
    explore_alu_limits: bool
    complexity_limit: int
    jmp_seq_limit: int
    deadline: float
    allow_uninit_stack: bool
    stack_liveness: StackLiveness | None
    processed: int
    jmps: int

    def reset_counters(self) -> None:
        self.processed = 0
        self.total_states = 0
        self.peak_states = 0
        self.cur_states = 0
        self.jmps = 0
        self.prev_jmps = 0
        self.prev_insns = 0

    def explore(self, initial: State, start: int) -> None:
        self.explored: dict[tuple[int, int], list[Checkpoint]] = {}
        self.pending: list[tuple[State, int]] = []
        self.replay_after: dict[int, int] = {}  # loop head -> processed count before which no replay (loops.py)
        self.cur_states = 0
        state = initial
        idx = start
        insns = self.insns
        prune_points = self.prune_points
        jmp_points = self.jmp_points
        step = self.step
        limit = self.complexity_limit
        while True:
            self.state = state
            while True:
                # do_check(): the instruction counts before is_state_visited() may prune there
                self.processed += 1
                if self.processed > limit:
                    raise TooComplex(
                        f"BPF program is too large. Processed {self.processed} insn", "too-complex"
                    )
                if idx in prune_points:
                    if self.visit(state, idx):
                        break
                    if idx in jmp_points:
                        state.nhist += 1
                if not self.processed & 0x3FFF and time.monotonic() > self.deadline:
                    raise AnalysisTimeout()
                self.idx = idx
                hist = state.hist
                hist.append(idx)
                if len(hist) > 4096:
                    self.give_up_precision(state)
                idx = step(state, insns[idx], idx)
                if idx < 0:
                    break
            finish_path(state.parent, self.loop_done)
            if not self.pending:
                return
            state, idx = self.pending.pop()
            if self.stack_liveness is not None:
                self.stack_liveness.flush(state)  # bpf_update_live_stack() after pop_stack()

    def push_branch(self, state: State, target: int) -> None:
        """push_stack(): queue the other side of a branch for later."""
        if getattr(self, "replay", None) is not None:
            return
        if state.parent is not None:
            state.parent.branches += 1
        self.pending.append((state, target))
        if len(self.pending) > self.jmp_seq_limit:
            raise TooComplex(f"The sequence of {len(self.pending)} jumps is too complex.", "too-complex")

    def visit(self, state: State, idx: int) -> bool:
        """is_state_visited(): True when the current path can stop here.

        A new checkpoint is added only after at least 2 jumps and 8 instructions since the last
        one (inside a loop: 20 jumps or 100 instructions), unless the prune point forces one.
        Explored states are kept per instruction and call site, newest first; a state that keeps
        missing is dropped from the search list (miss_cnt > hit_cnt * n + n)."""
        # is_force_checkpoint(), or a long instruction history since the last checkpoint
        force = idx in self.force_checkpoints or (state.nhist > 40 and self.history_forces_checkpoint)
        add_new = force or (self.jmps - self.prev_jmps >= 2 and self.processed - self.prev_insns >= 8)
        key = (idx, state.frames[-1].callsite)
        lst = self.explored.get(key)
        in_loop = False
        may_goto_live: set[int] | None = None
        if lst is not None:
            at_callback = idx in self.callback_callsites
            at_iter_next = idx in self.iter_next_insns
            track = self.track_precision
            i = len(lst) - 1
            while i >= 0:
                cp = lst[i]
                branches = cp.branches
                if not branches:
                    if cp.loop_entry is not None and self.loop_pending(cp):
                        # inside an iterator loop still explored: its marks are not complete (iter_calls.py)
                        if self.loop_state_covers(cp, state):
                            return True
                    elif states_equal(
                        cp.state, state, cp.cmp_live if cp.cmp_live is not None else self.checkpoint_live(cp),
                        self.allow_uninit_stack, None if (cp.all_precise or not track) else cp.precise,
                        self.explore_alu_limits, self.scalar_ids_by_base, cp.plans,
                    ):
                        cp.hits += 1
                        # the rest of this path would read what the old one read, and need what it needed
                        mark_read_all(state, cp.live)
                        if track:
                            if cp.all_precise:
                                self.mark_precise(state, self.scalar_keys(state), from_current_insn=False)
                            elif cp.precise:
                                self.mark_precise(state, cp.precise, from_current_insn=False)
                        return True
                    if add_new:
                        cp.miss += 1
                    if cp.miss > cp.hits * 3 + 3:
                        del lst[i]
                        self.cur_states -= 1
                    i -= 1
                    continue
                if at_callback:
                    # calls_callback(): the callback's body came back to its call (calls.py)
                    if self.callback_converged(cp, state):
                        return True
                elif at_iter_next:
                    # is_iter_next_insn(): an ACTIVE iterator came back to its _next call (iter_calls.py)
                    if self.iter_active_at_call(state) and self.iter_converged(cp, state):
                        return True
                else:
                    # an ancestor of this path: we came round a loop; at a may_goto, one taken fewer or
                    # more times than here (6.10+; 6.9: any) ends the path when it covers this state
                    # (RANGE_WITHIN), and 6.9 looks for no infinite loop there
                    depth_differs = cp.state.may_goto_depth != state.may_goto_depth
                    at_may_goto = idx in self.may_goto_insns
                    any_depth = at_may_goto and not self.feature("may_goto_depth_differs")
                    if at_may_goto and (depth_differs or any_depth):
                        if may_goto_live is None and self.static_live is not None:
                            may_goto_live = static_reg_keys(state, idx, self.static_live)  # one per visit
                        if self.iter_converged(cp, state, may_goto_live):
                            return True
                    if not depth_differs and not any_depth and states_identical(cp.state, state):
                        raise Reject(f"infinite loop detected at insn {idx}", "infinite-loop")
                    if not force and self.jmps - self.prev_jmps < 20 and self.processed - self.prev_insns < 100:
                        add_new = False
                    if not in_loop:
                        in_loop = True
                        self.loop_visit(state, idx)
                if add_new:
                    cp.miss += 1
                n = 64 if force and cp.branches else 3
                if cp.miss > cp.hits * n + n:
                    del lst[i]
                    self.cur_states -= 1
                i -= 1
        if not add_new:
            return False
        if lst is None:
            lst = self.explored[key] = []
        self.prev_jmps = self.jmps
        self.prev_insns = self.processed
        cp = Checkpoint(state.copy(), state.parent, state.written, idx)
        if self.static_live is not None:
            cp.static_regs = static_reg_keys(state, idx, self.static_live)
        cp.state.parent = None
        cp.state.hist = []
        cp.hist_before = state.hist
        state.hist = []
        state.nhist = 0
        lst.append(cp)
        state.parent = cp
        state.written = set()
        self.total_states += 1
        self.cur_states += 1
        if self.cur_states > self.peak_states:
            self.peak_states = self.cur_states
        return False

    def checkpoint_live(self, cp: Checkpoint) -> set[int]:
        """The keys compared at a complete checkpoint: read marks; in 6.18 what clean_func_state()
        leaves (static register liveness, and the stack slots bpf_stack_slot_alive())."""
        if cp.static_regs is None:
            return cp.live
        if cp.cmp_live is None:
            if self.stack_liveness is not None:
                cp.cmp_live = cp.static_regs | self.stack_liveness.alive_keys(cp.state, cp.insn)
            else:
                cp.cmp_live = cp.compare_live()
            cp.plans = []  # (cmp_live stays as it is: the plan, once made, too)
        return cp.cmp_live

    def _evict(self, lst: list[Checkpoint]) -> None:
        """Drop complete states that never helped (the kernel's miss_cnt heuristic)."""
        keep = [cp for cp in lst if cp.branches or cp.hits * 3 + 3 > cp.miss]
        if len(keep) < len(lst):
            self.cur_states -= len(lst) - len(keep)
            lst[:] = keep
