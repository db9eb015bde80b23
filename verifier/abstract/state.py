"""Verifier state: call frames (registers + stack) and references.

Mirrors `struct bpf_verifier_state` / `bpf_func_state`. States are copied at
every fork; a copy is shallow where the parts are immutable (`Reg`, stack
slots), so forking costs a list copy and a dict copy per frame.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from verifier.abstract.regs import Reg, not_init

if TYPE_CHECKING:
    from verifier.abstract.explorer import Checkpoint

MAX_STACK: Final = 512
SLOT_SIZE: Final = 8
NUM_SLOTS: Final = MAX_STACK // SLOT_SIZE

# stack byte kinds (enum bpf_stack_slot_type)
INVALID: Final = "i"
MISC: Final = "m"
ZERO: Final = "z"
SPILL: Final = "s"

ALL_INVALID: Final = INVALID * 8
ALL_SPILL: Final = SPILL * 8


class Slot:
    """Eight stack bytes: per-byte kinds, and the register spilled there if any."""

    __slots__ = ("kinds", "spilled")

    def __init__(self, kinds: str, spilled: Reg | None = None) -> None:
        self.kinds = kinds  # 8 chars; index 0 is the lowest address of the slot
        self.spilled = spilled

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Slot) and self.kinds == other.kinds and self.spilled == other.spilled

    def __hash__(self) -> int:
        return hash((self.kinds, self.spilled))

    def __repr__(self) -> str:
        return f"Slot({self.kinds!r}, {self.spilled!r})"


class Frame:
    """One call frame: r0-r10 and up to 512 bytes of stack."""

    __slots__ = ("regs", "stack", "callsite", "subprog", "depth", "frameno", "in_callback", "callback_depth")

    def __init__(self, frameno: int, subprog: int, callsite: int) -> None:
        self.regs: list[Reg] = [not_init()] * 11
        self.stack: dict[int, Slot] = {}  # slot index (0 = fp-512 .. 63 = fp-8) -> slot
        self.callsite = callsite  # insn index of the call that made this frame (-1 for main)
        self.subprog = subprog
        self.depth = 0  # deepest stack byte used, as a positive number (for the combined stack check)
        self.frameno = frameno
        self.in_callback = -1  # helper id whose callback this frame runs, -1 for plain calls
        self.callback_depth = 0  # callbacks of the current call queued from this frame (6.7+)

    def copy(self) -> Frame:
        f = Frame(self.frameno, self.subprog, self.callsite)  # (not Frame.__new__: see Reg.evolve)
        f.regs = self.regs.copy()
        f.stack = self.stack.copy()
        f.depth = self.depth
        f.in_callback = self.in_callback
        f.callback_depth = self.callback_depth
        return f


class RefState:
    """An acquired reference (`struct bpf_reference_state`)."""

    __slots__ = ("id", "insn", "kind")

    def __init__(self, id: int, insn: int, kind: str) -> None:
        self.id = id
        self.insn = insn
        self.kind = kind  # "sock", "ringbuf", "ptr", "lock"...

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RefState) and (self.id, self.insn, self.kind) == (other.id, other.insn, other.kind)

    def __hash__(self) -> int:
        return hash((self.id, self.insn, self.kind))


# an entry of State.hist: an instruction, (insn, stack slot key) of a spill or fill or (insn, RETURNED),
# or (insn, LINKED_REGS, keys) of a jump that refined linked scalars
HistEntry = int | tuple[int, int] | tuple[int, int, tuple[int, ...]]

# the fields of a state (`Verifier.replace_state` copies them all)
STATE_FIELDS: Final = (
    "frames",
    "refs",
    "active_lock",
    "active_rcu",
    "preempt_locks",
    "irq_flags",
    "parent",
    "written",
    "path",
    "speculative",
    "loop_count",
    "hist",
    "nhist",
    "loops",
    "cmp_hint",
    "may_goto_depth",
)


class State:
    """A verifier state on one path."""

    __slots__ = STATE_FIELDS

    def __init__(self) -> None:
        self.frames: list[Frame] = []
        self.refs: tuple[RefState, ...] = ()
        self.active_lock: tuple[int, int] | None = None  # (map_index or -1, id) of the held spin lock
        self.active_rcu = False  # inside bpf_rcu_read_lock() (active_rcu_lock)
        self.preempt_locks = 0  # bpf_preempt_disable() calls not yet enabled again (active_preempt_locks)
        # bpf_local_irq_save() not yet restored, innermost last: (id, insn) (active_irq_id and the
        # REF_TYPE_IRQ references, each naming the one before)
        self.irq_flags: tuple[tuple[int, int], ...] = ()
        self.parent: Checkpoint | None = None  # the newest Checkpoint on this path
        self.written: set[int] = set()  # liveness keys written since `parent`
        self.path: tuple = ()  # linked list of branch decisions: (prev, insn, taken)
        self.speculative = False
        self.loop_count = 0
        # instructions since `parent` (ints, or (insn, stack slot key) for spills and fills)
        self.hist: list[HistEntry] = []
        # entries the kernel's instruction history got since `parent` (push_insn_history(): jump
        # points reached, register spills and fills); past 40 the next prune point checkpoints
        self.nhist = 0
        # loop heads seen on this path: insn -> the last few (processed, pending, path, shape, consts)
        self.loops: dict = {}
        # compare.py: the liveness key on which the last failed comparison of this state failed,
        # checked first when it is a checkpoint's; -1 for none
        self.cmp_hint = -1
        # may_goto fall-throughs taken on this path (may_goto_depth)
        self.may_goto_depth = 0

    @property
    def cur(self) -> Frame:
        return self.frames[-1]

    def copy(self) -> State:
        s = State.__new__(State)
        s.frames = [f.copy() for f in self.frames]
        s.refs = self.refs
        s.active_lock = self.active_lock
        s.active_rcu = self.active_rcu
        s.preempt_locks = self.preempt_locks
        s.irq_flags = self.irq_flags
        s.parent = self.parent
        s.written = self.written.copy()
        s.path = self.path
        s.speculative = self.speculative
        s.loop_count = self.loop_count
        s.hist = self.hist.copy()
        s.nhist = self.nhist
        s.loops = self.loops
        s.cmp_hint = self.cmp_hint
        s.may_goto_depth = self.may_goto_depth
        return s


def map_regs(state: State, pred: Callable[[Reg], object], fn: Callable[[Reg], Reg]) -> None:
    """bpf_for_each_reg_in_vstate(): apply fn to every register and spilled register, of every
    frame, for which pred holds."""
    for frame in state.frames:
        regs = frame.regs
        for i, r in enumerate(regs):
            if pred(r):
                regs[i] = fn(r)
        stack = frame.stack
        changed = None
        for slot, s in stack.items():
            sp = s.spilled
            if sp is not None and s.kinds[0] == SPILL and pred(sp):
                if changed is None:
                    changed = []
                changed.append((slot, s.kinds, sp))
        if changed is not None:
            for slot, kinds, sp in changed:
                stack[slot] = Slot(kinds, fn(sp))


# ---- liveness keys: registers and stack slots of each frame -----------------------------


def reg_key(frameno: int, regno: int) -> int:
    return frameno * 128 + regno


def slot_key(frameno: int, slot: int) -> int:
    return frameno * 128 + 16 + slot


def path_list(path: tuple) -> list[tuple[int, bool]]:
    out: list[tuple[int, bool]] = []
    while path:
        path, insn, taken = path
        out.append((insn, taken))
    out.reverse()
    return out
