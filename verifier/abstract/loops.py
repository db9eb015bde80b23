"""Predicting the complexity limit of a loop without walking it to the end.

The kernel walks a loop it cannot bound one iteration at a time until it has
processed 1,000,000 instructions. When bpfcheck sees the same loop iteration
three times in a row on one path — the state at the loop head differing only
in constant scalars that move by the same step each time, the same branch
decisions, the same number of instructions — it checks whether that iteration
would still be the same K iterations later, K being enough iterations to pass
the limit on the loop's own path alone:

* every operand of a branch that changes from one iteration to the next moves by a
  fixed step without wrapping (in the width compared, signed and unsigned), so
  ordered comparisons keep the outcome both ends agree on;
* equality tests against a varying constant cannot flip in between (the
  progression never meets the other constant, or stays on one side of the
  other range);
* running the iteration from the extrapolated state takes the same decisions
  and comes back to the loop head with the constants moved by one more step.

Then the kernel would reach its limit: the verdict is the kernel's "BPF program
is too large" at once. Anything else falls back to walking the loop.
"""

from __future__ import annotations

from typing import Final

from verifier.abstract.loop_replay import NotReplayable, compile_iteration, const_registers, same_iterations
from verifier.abstract.regs import SCALAR, Reg
from verifier.abstract.reject import Reject, TooComplex
from verifier.abstract.scalar import Scalar
from verifier.abstract.state import SPILL, STATE_FIELDS, Slot, State

_U64: Final = (1 << 64) - 1
_MAX_PATH_WALK: Final = 512
_CONST: Final = "c"


class _Abort(Exception):
    pass


def _signed_bits(v: int, bits: int = 64) -> int:
    return v - (1 << bits) if v >> (bits - 1) else v


def _shape(state: State) -> tuple[tuple, tuple[int, ...]]:
    """The state with its constant scalars taken out, and those constants."""
    shape: list = []
    consts: list[int] = []
    for frame in state.frames:
        for reg in frame.regs:
            if reg.type == SCALAR and reg.var.is_const and not reg.id:
                shape.append(_CONST)
                consts.append(reg.var.const_value)
            else:
                shape.append(reg)
        for slot in sorted(frame.stack):
            s = frame.stack[slot]
            sp = s.spilled
            if sp is not None and s.kinds == SPILL * 8 and sp.type == SCALAR and sp.var.is_const and not sp.id:
                shape.append((slot, _CONST))
                consts.append(sp.var.const_value)
            else:
                shape.append((slot, s))
        shape.append(("frame", frame.callsite))
    shape.append(("refs", len(state.refs), state.active_lock, state.active_rcu, state.preempt_locks, len(state.irq_flags)))
    return tuple(shape), tuple(consts)


def _with_consts(state: State, consts: list[int]) -> State:
    new = state.copy()
    it = iter(consts)
    for frame in new.frames:
        for r, reg in enumerate(frame.regs):
            if reg.type == SCALAR and reg.var.is_const and not reg.id:
                frame.regs[r] = Reg(SCALAR, Scalar.const(next(it)))
        for slot in sorted(frame.stack):
            s = frame.stack[slot]
            sp = s.spilled
            if sp is not None and s.kinds == SPILL * 8 and sp.type == SCALAR and sp.var.is_const and not sp.id:
                frame.stack[slot] = Slot(s.kinds, Reg(SCALAR, Scalar.const(next(it))))
    return new


def _decisions_between(path: tuple, ancestor: tuple) -> list[tuple[int, bool]] | None:
    """The branch decisions taken since `ancestor` (an older value of the same path)."""
    out: list[tuple[int, bool]] = []
    node = path
    for _ in range(_MAX_PATH_WALK):
        if node is ancestor:
            out.reverse()
            return out
        if not node:
            return None
        node, insn, taken = node
        out.append((insn, taken))
    return None


def _within_reach(path: tuple, ancestor: tuple) -> bool:
    """_decisions_between(path, ancestor) is not None, without building the list."""
    node = path
    for _ in range(_MAX_PATH_WALK):
        if node is ancestor:
            return True
        if not node:
            return False
        node = node[0]
    return False


def _attempt_at(n: int) -> bool:
    """Whether to try the fast-forward at the n-th iteration in a row on one path: at every power
    of two from the eighth (a loop the walk would end within 8 more iterations is not jumped
    anyway). A loop that ends after m iterations is tried about log2(m) times instead of m times
    (each try runs the iteration two or three times away from the search, and the three
    iterations before it take the state's shape); a loop that never ends is still recognised by
    the time it has run twice as many iterations. Most loop heads are reached only a few times on
    a path before it is pruned: those pay for nothing."""
    return n >= 8 and n & (n - 1) == 0


class LoopMixin:
    def loop_visit(self, state: State, idx: int) -> None:
        """Called at a loop head (an ancestor of this path is waiting at `idx`)."""
        recs = state.loops.get(idx, ())
        n = 1  # iterations in a row on this path
        if recs and _within_reach(state.path, recs[-1][2]):
            n = recs[-1][5] + 1
        else:
            recs = ()
        # the state's shape is needed only for the three iterations that end at a try
        shape = consts = None
        if _attempt_at(n) or _attempt_at(n + 1) or _attempt_at(n + 2):
            shape, consts = _shape(state)
            if recs and recs[-1][3] is not None and recs[-1][3] != shape:
                recs, n = (), 1
        rec = (self.processed, len(self.pending), state.path, shape, consts, n)
        recs = (recs + (rec,))[-3:]
        state.loops = {**state.loops, idx: recs}
        if len(recs) == 3 and _attempt_at(n) and recs[0][3] is not None and recs[0][3] == recs[1][3] == shape:
            try:
                self._try_fast_forward(state, idx, recs)
            except _Abort:
                pass

    def _try_fast_forward(self, state: State, idx: int, recs: tuple) -> None:
        (p1, q1, path1, _, c1, _), (p2, q2, path2, _, c2, _), (p3, q3, path3, _, c3, _) = recs
        if p3 - p2 != p2 - p1 or q3 - q2 != q2 - q1 or p3 == p2:
            raise _Abort
        decisions = _decisions_between(path3, path2)
        if decisions is None or decisions != _decisions_between(path2, path1):
            raise _Abort
        steps = [(b - a) & _U64 for a, b in zip(c2, c3, strict=True)]
        if not any(steps):
            # the iteration comes back to the same state: the kernel's next checkpoint on the
            # loop finds it again ("infinite loop detected"), and so does the walk
            raise _Abort
        if steps != [(b - a) & _U64 for a, b in zip(c1, c2, strict=True)]:
            self._replay_to_limit(state, idx, decisions, q3 - q2)  # constants that do not move by fixed steps
        near = self._sandbox_iteration(state, idx, decisions)
        length = len(near[0])
        if length == 0:
            raise _Abort
        signed_steps = [_signed_bits(s) for s in steps]
        remaining = self.complexity_limit - self.processed
        k_limit = remaining // length + 1
        if k_limit < 8:
            raise _Abort

        one = self._sandbox_iteration(_with_consts(state, [(v + s) & _U64 for v, s in zip(c3, steps, strict=True)]),
                                      idx, decisions)

        def same_at(k: int) -> bool:
            """The iteration k steps ahead takes the same course as this one, and so do all between."""
            far_consts = [(v + k * s) & _U64 for v, s in zip(c3, signed_steps, strict=True)]
            try:
                far = self._sandbox_iteration(_with_consts(state, far_consts), idx, decisions)
                _same_outcomes(near[1], one[1], far[1], k)
            except _Abort:
                return False
            far_shape, far_after = far[2]
            expect = [(v + s) & _U64 for v, s in zip(far_consts, steps, strict=True)]
            return far_shape == near[2][0] and list(far_after) == expect

        if same_at(k_limit):
            self.processed = self.complexity_limit + 1
            raise TooComplex(f"BPF program is too large. Processed {self.processed} insn", "too-complex")
        # a loop that ends: when every iteration is the same straight path (all its branches
        # decided, nothing left for later), jump to the last iteration before the course changes
        deterministic = p3 - p2 == length and q3 == q2 and all(e[4] != -1 for e in near[1])
        if not deterministic:
            self._replay_to_limit(state, idx, decisions, q3 - q2)
        lo, hi = 0, k_limit
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if same_at(mid):
                lo = mid
            else:
                hi = mid
        if lo < 8:
            raise _Abort
        jumped = _with_consts(state, [(v + lo * s) & _U64 for v, s in zip(c3, signed_steps, strict=True)])
        for name in STATE_FIELDS:
            setattr(state, name, getattr(jumped, name))
        state.loops = {k: v for k, v in state.loops.items() if k != idx}
        self.processed += lo * length

    def _replay_to_limit(self, state: State, idx: int, decisions: list[tuple[int, bool]], pending_growth: int) -> None:
        """Replay the iteration on its constants (loop_replay.py) up to the complexity limit: TooComplex
        when every replayed iteration is the same one, else _Abort (the loop is walked)."""
        if pending_growth or self.processed < self.replay_after.get(idx, 0):
            raise _Abort
        near = self._sandbox_iteration(state, idx, decisions)
        length = len(near[0])
        if length == 0 or near[2][0] != _shape(state)[0]:
            raise _Abort
        try:
            steps = compile_iteration(self.insns, near[0], decisions, near[1], state)
        except NotReplayable:
            raise _Abort from None
        iterations = (self.complexity_limit - self.processed) // length + 1
        if iterations < 8:
            raise _Abort
        same = same_iterations(steps, const_registers(state), near[3], iterations)
        if same < iterations:
            # the course changes after `same` iterations: walk them before trying again
            self.replay_after[idx] = self.processed + max(same, 1) * length
            raise _Abort
        self.processed = self.complexity_limit + 1
        raise TooComplex(f"BPF program is too large. Processed {self.processed} insn", "too-complex")

    def _sandbox_iteration(self, state: State, idx: int, decisions: list[tuple[int, bool]]):
        """Run one iteration from the loop head along `decisions`, away from the real search."""
        saved = (self.state, self.idx, self.replay, self._replay_pos, self.sandbox_log, self.jmps, self.stack_liveness)
        self.stack_liveness = None  # (nor do its stack reads count for the kernel's liveness)
        work = state.copy()
        work.parent = None
        work.written = set()
        work.hist = []
        self.replay = decisions
        self._replay_pos = 0
        self.sandbox_log = []
        insns = []
        try:
            i = idx
            for _ in range(100_000):
                self.state = work
                self.idx = i
                work.hist.append(i)
                nxt = self.step(work, self.insns[i], i)
                insns.append(i)
                if nxt < 0:
                    raise _Abort
                i = nxt
                if i == idx:
                    break
            else:
                raise _Abort
            if self._replay_pos != len(decisions):
                raise _Abort
            return insns, self.sandbox_log, _shape(work), const_registers(work)
        except Reject:
            raise _Abort from None
        except Exception as exc:  # a replay that left the recorded path
            if type(exc).__name__ == "_ReplayDone":
                raise _Abort from None
            raise
        finally:
            # (the jumps a try-out walks are not the kernel's: they must not move its checkpoints)
            self.state, self.idx, self.replay, self._replay_pos, self.sandbox_log, self.jmps, self.stack_liveness = saved


def _progression(a0: Scalar, a1: Scalar, ak: Scalar, k: int, bits: int) -> tuple[int, int] | None:
    """(start, step) of an operand that moves by a fixed step per iteration without wrapping in
    `bits` (unsigned and signed views) over k iterations; None when it does not."""
    if not (a0.is_const and a1.is_const and ak.is_const):
        return None
    mask = (1 << bits) - 1
    v0, v1, vk = a0.const_value & mask, a1.const_value & mask, ak.const_value & mask
    step = _signed_bits((v1 - v0) & mask, bits)
    if (v0 + k * step) & mask != vk:
        return None  # not linear
    if not 0 <= v0 + k * step <= mask:
        return None
    s0 = _signed_bits(v0, bits)
    if not -(1 << (bits - 1)) <= s0 + k * step < 1 << (bits - 1):
        return None
    return v0, step


def _same_outcomes(near: list, one: list, far: list, k: int) -> None:
    """Every branch of the iteration keeps its outcome for all iterations 0..k.

    Each entry: (insn, op, dst value, src value, predicted outcome, is32). Operands that move must
    move linearly without wrapping; then ordered tests are monotone and keep the outcome their two
    ends agree on, and an equality test keeps it unless the progression meets the other side."""
    if not len(near) == len(one) == len(far):
        raise _Abort
    for n, o, f in zip(near, one, far, strict=True):
        if n[0] != f[0] or n[0] != o[0] or n[4] != f[4] or n[4] != o[4]:
            raise _Abort
        name, is32, pred = n[1], n[5], n[4]
        bits = 32 if is32 else 64
        moving = []
        for pos in (2, 3):
            if n[pos] == o[pos] == f[pos]:
                continue
            prog = _progression(n[pos], o[pos], f[pos], k, bits)
            if prog is None:
                raise _Abort
            moving.append((pos, prog))
        if not moving or name not in ("jeq", "jne", "jset"):
            continue
        if name == "jset" or len(moving) == 2:
            raise _Abort
        pos, (v0, step) = moving[0]
        other = n[5 - pos]  # the fixed operand
        mask = (1 << bits) - 1
        vk = v0 + k * step
        lo, hi = min(v0, vk), max(v0, vk)
        if other.is_const:
            v = other.const_value & mask
            if step and lo <= v <= hi and (v - v0) % step == 0:
                raise _Abort  # the progression meets it
            continue
        umin, umax = (other.u32min, other.u32max) if is32 else (other.umin, other.umax)
        if hi < umin or lo > umax:
            continue  # always on one side of the range: always unequal
        tmask = other.var_off.mask & mask
        contiguous = (tmask & (tmask + 1)) == 0 and umax - umin <= tmask
        if pred == -1 and umin <= lo and hi <= umax and contiguous:
            continue  # always inside a range without holes: never decided
        raise _Abort
