"""Precision tracking (`mark_chain_precision`, `backtrack_insn`, `propagate_precision`).

A scalar's exact range matters only where it decided something: a pointer
offset, a helper's size argument, a branch the verifier did not follow, the
return value. From such a use the instructions of the path are walked
backwards to find the registers and stack slots the value came from, and
those are marked precise in every checkpoint on the way. Checkpoints compare
imprecise scalars as "any scalar", which is what keeps real programs small
(kernels from 5.3; older ones compare every scalar exactly).

Keys are the liveness keys of `state.py`: frameno*128 + regno for registers,
frameno*128 + 16 + slot for stack slots.
"""

from __future__ import annotations

from typing import Final

from verifier.abstract import helper_semantics as hs
from verifier.abstract.regs import SCALAR
from verifier.abstract.state import SPILL, State
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn

# instructions one marking may walk back through before it gives up and treats every scalar of
# the checkpoints above as precise (sound: fewer states are pruned, never more)
MAX_BACKTRACK_STEPS: Final = 20_000

# a history entry (insn, RETURNED): the function returned to its caller at `insn` without an exit
# instruction (a tail call or a failed LD_ABS in a subprogram); walked back like BPF_EXIT
RETURNED: Final = -2

# a history entry (insn, LINKED_REGS, keys): a conditional jump that refined the scalars `keys` as
# copies of one another (6.12+, bt_sync_linked_regs()): when one is marked, all are
LINKED_REGS: Final = -3


class _Untrackable(Exception):
    """The path crosses something the backtracking does not follow (callbacks)."""


def _lookup_scalar(state: State, key: int) -> bool:
    frameno, rest = divmod(key, 128)
    if frameno >= len(state.frames):
        return False
    frame = state.frames[frameno]
    if rest < 16:
        return rest < 11 and frame.regs[rest].type == SCALAR
    s = frame.stack.get(rest - 16)
    return s is not None and s.spilled is not None and s.kinds[0] == SPILL and s.spilled.type == SCALAR


def _add_same_ids(mask: set[int], state: State) -> None:
    """mark_precise_scalar_ids() (6.4-6.11): every register and spilled scalar of `state` that shares
    an id with a scalar in `mask` joins it."""
    ids = set()
    frames = state.frames
    for key in mask:
        frameno, rest = divmod(key, 128)
        if frameno >= len(frames):
            continue
        frame = frames[frameno]
        if rest < 16:
            reg = frame.regs[rest] if rest < 11 else None
        else:
            s = frame.stack.get(rest - 16)
            reg = s.spilled if s is not None and s.kinds[0] == SPILL else None
        if reg is not None and reg.id and reg.type == SCALAR:
            ids.add(reg.id)
    if not ids:
        return
    for frame in frames:
        base = frame.frameno * 128
        for r in range(10):
            if frame.regs[r].id in ids:
                mask.add(base + r)
        for slot, s in frame.stack.items():
            sp = s.spilled
            if sp is not None and s.kinds[0] == SPILL and sp.type == SCALAR and sp.id in ids:
                mask.add(base + 16 + slot)


_BT_OTHER: Final = 0  # calls, exits, loads of immediates and packet data: `_backtrack`
_BT_NONE: Final = 1  # jumps: nothing moves
_BT_ALU: Final = 2  # dst keeps its mark; src, when read, joins it
_BT_MOV: Final = 3  # dst's mark moves to src (an immediate: it ends)
_BT_LDX: Final = 4  # dst's mark moves to the stack slot it was filled from, if any
_BT_STORE: Final = 5  # a stack slot's mark moves to the register spilled there (STX), or ends (ST)
_BT_CALL: Final = 6  # a helper or kfunc call: R0-R5 end (callback helpers and bpf-to-bpf calls: OTHER)
_BT_JMPX: Final = 7  # `if dst <op> src`: when either is marked, both are (each bounded the other)


def _is_atomic_load(insn: Insn) -> bool:
    """is_atomic_load_insn(): a load-acquire, which backtrack_insn() walks as a BPF_LDX (6.15+); a
    store-release is walked as a plain BPF_STX."""
    return (insn.opcode & 7) == op.BPF_STX and (insn.opcode & 0xE0) == op.BPF_ATOMIC and insn.imm == op.BPF_LOAD_ACQ


def _bt_decode(insn: Insn) -> tuple[int, int, int]:
    """What backtrack_insn() (`_backtrack`) does with an instruction, as (kind, dst, src): src is
    the source register it reads, or -1."""
    opcode = insn.opcode
    cls = opcode & 7
    src = insn.src if opcode & op.BPF_X else -1
    if cls == op.BPF_ALU or cls == op.BPF_ALU64:
        code = opcode & 0xF0
        if code == op.BPF_MOV:
            return _BT_MOV, insn.dst, src
        return _BT_ALU, insn.dst, -1 if code in (op.BPF_NEG, op.BPF_END) else src
    if cls == op.BPF_LDX or _is_atomic_load(insn):
        return _BT_LDX, insn.dst, -1
    if cls == op.BPF_STX or cls == op.BPF_ST:
        if (opcode & 0xE0) == op.BPF_ATOMIC and insn.imm != op.BPF_STORE_REL:
            return _BT_OTHER, 0, 0
        return _BT_STORE, insn.dst, insn.src if cls == op.BPF_STX else -1
    if cls == op.BPF_JMP or cls == op.BPF_JMP32:
        code = opcode & 0xF0
        if code not in (op.BPF_CALL, op.BPF_EXIT):
            if src >= 0 and code != op.BPF_JA:
                return _BT_JMPX, insn.dst, src
            return _BT_NONE, 0, 0
        if code == op.BPF_CALL and insn.src != op.BPF_PSEUDO_CALL and not (
            insn.src == 0 and insn.imm in hs.CALLBACK_HELPERS
        ):
            return _BT_CALL, 0, 0
    return _BT_OTHER, 0, 0


class PrecisionMixin:
    track_precision: bool
    precise_scalar_ids = False  # mark_precise_scalar_ids() (6.4-6.11)
    _bt_table: list[tuple[int, int, int]] | None = None  # per instruction: _bt_decode()
    _bt_subseq = -1  # the instruction walked after the one being backtracked (-1: not known)
    callback_callsites: set[int]

    def scalar_keys(self, state: State) -> set[int]:
        keys: set[int] = set()
        for frame in state.frames:
            base = frame.frameno * 128
            for r, reg in enumerate(frame.regs):
                if reg.type == SCALAR:
                    keys.add(base + r)
            for slot, s in frame.stack.items():
                if s.spilled is not None and s.spilled.type == SCALAR:
                    keys.add(base + 16 + slot)
        return keys

    def precise_regs(self, state: State, *regnos: int) -> None:
        """mark_chain_precision() for registers of the current frame."""
        if not self.track_precision:
            return
        frame = state.frames[-1]
        base = frame.frameno * 128
        keys = {base + r for r in regnos if frame.regs[r].type == SCALAR}
        if keys:
            self.mark_precise(state, keys)

    def precise_key(self, state: State, key: int) -> None:
        if self.track_precision:
            self.mark_precise(state, {key})

    def mark_precise(self, state: State, keys, from_current_insn: bool = True) -> None:
        """Backtrack from the instruction being checked; as the kernel (skip_first), the walk starts
        with the instruction before it, since the value that matters is the one it reads."""
        node = state.parent
        if node is None or node.all_precise:
            return  # no checkpoint above this point still compares scalars by precision
        mask: set[int] = set(keys)
        if not mask:
            return
        # typed locals: the compiled engine keeps them as machine ints, not Python objects
        idx: int
        skey: int
        kind: int
        dst: int
        src: int
        linked: tuple[int, ...]
        hist = state.hist
        skip_last = False  # the instruction being checked is the history's last entry: not walked
        if from_current_insn and hist:
            last = hist[-1]
            skip_last = (last[0] if type(last) is tuple else last) == self.idx
        fr = len(state.frames) - 1
        budget = MAX_BACKTRACK_STEPS
        scalar_ids = self.precise_scalar_ids
        if scalar_ids:
            _add_same_ids(mask, state)
        # the instruction walked after the entry being looked at (backtrack_insn()'s subseq_idx;
        # -1 when not known): tells a call's straight-line continuation from a callback's return
        nxt = self.idx if from_current_insn else -1
        try:
            while True:
                budget -= len(hist) - 1 if skip_last else len(hist)
                if budget < 0:
                    raise _Untrackable  # a very long walk: count everything above as precise
                table = self._bt_table
                if table is None:
                    table = self._bt_table = [_bt_decode(insn) for insn in self.insns]
                entries = reversed(hist)
                if skip_last:
                    skip_last = False
                    next(entries)
                for entry in entries:
                    if isinstance(entry, tuple):
                        if len(entry) == 3:  # a jump that refined linked scalars: bt_sync_linked_regs()
                            idx, _, linked = entry
                            subseq = nxt
                            nxt = idx
                            if not mask.isdisjoint(linked):
                                mask.update(linked)
                            kind, dst, src = table[idx]
                            if kind == _BT_JMPX and (fr * 128 + dst in mask or fr * 128 + src in mask):
                                mask.add(fr * 128 + dst)
                                mask.add(fr * 128 + src)
                            if not mask.isdisjoint(linked):
                                mask.update(linked)
                            continue
                        idx, skey = entry
                        if skey == RETURNED:
                            fr = self._backtrack_exit(mask, fr)
                            nxt = -1
                            continue
                    else:
                        idx, skey = entry, -1
                    subseq = nxt
                    nxt = idx
                    kind, dst, src = table[idx]
                    if kind == _BT_NONE:
                        continue
                    if kind == _BT_JMPX:
                        dkey = fr * 128 + dst
                        skey2 = fr * 128 + src
                        if dkey in mask or skey2 in mask:
                            mask.add(dkey)
                            mask.add(skey2)
                        continue
                    if kind == _BT_ALU or kind == _BT_MOV:  # a result not in the mask changes nothing
                        dkey = fr * 128 + dst
                        if dkey in mask:
                            if kind == _BT_MOV:
                                mask.discard(dkey)
                                if src >= 0:
                                    mask.add(fr * 128 + src)
                                elif not mask:
                                    return
                            elif src >= 0:
                                mask.add(fr * 128 + src)
                        continue
                    if kind == _BT_LDX:
                        dkey = fr * 128 + dst
                        if dkey in mask:
                            mask.discard(dkey)
                            if skey >= 0:
                                mask.add(skey)
                            elif not mask:
                                return
                        continue
                    if kind == _BT_CALL:
                        base = fr * 128
                        for r in range(6):
                            mask.discard(base + r)
                        if not mask:
                            return
                        continue
                    if kind == _BT_STORE:
                        if fr * 128 + dst in mask:
                            # "stx & st shouldn't be using _scalar_ dst_reg to access memory": a
                            # pointer subtraction; backtrack_insn() gives up (-ENOTSUPP)
                            raise _Untrackable()
                        if skey >= 0 and skey in mask:
                            mask.discard(skey)
                            if src >= 0:
                                mask.add(fr * 128 + src)
                            elif not mask:
                                return
                        continue
                    self._bt_subseq = subseq
                    fr = self._backtrack(entry, mask, fr)
                    if not mask:
                        return
                if node is None:
                    return
                if node.all_precise:
                    return
                nstate = node.state
                new = {k for k in mask - node.precise if _lookup_scalar(nstate, k)}
                if not new:
                    return
                node.precise |= new
                mask = new
                if scalar_ids:  # mark_precise_scalar_ids() of the state about to be walked
                    _add_same_ids(mask, nstate)
                hist = node.hist_before
                fr = len(nstate.frames) - 1
                nxt = node.insn
                node = node.parent
        except _Untrackable:
            while node is not None and not node.all_precise:
                node.all_precise = True
                node = node.parent

    def give_up_precision(self, state: State) -> None:
        """The path has run so long without a checkpoint that walking it back is not worth it:
        every checkpoint above counts all its scalars as precise from now on."""
        node = state.parent
        while node is not None and not node.all_precise:
            node.all_precise = True
            node = node.parent
        del state.hist[:-1]  # keep the instruction being executed: its transfer may annotate it

    def _backtrack(self, entry, mask: set[int], fr: int) -> int:
        """backtrack_insn(): the registers and slots an instruction's result came from."""
        idx: int
        skey: int
        if type(entry) is tuple:
            idx, skey = entry
            if skey == RETURNED:
                return self._backtrack_exit(mask, fr)
        else:
            idx, skey = entry, -1
        insn = self.insns[idx]
        opcode = insn.opcode
        cls = opcode & 7
        base = fr * 128
        if cls == op.BPF_ALU or cls == op.BPF_ALU64:
            dkey = base + insn.dst
            if dkey not in mask:
                return fr
            code = opcode & 0xF0
            if code == op.BPF_MOV:
                mask.discard(dkey)
                if opcode & op.BPF_X:
                    mask.add(base + insn.src)
            elif opcode & op.BPF_X and code not in (op.BPF_NEG, op.BPF_END):
                mask.add(base + insn.src)
            return fr
        if cls == op.BPF_LDX or _is_atomic_load(insn):
            dkey = base + insn.dst
            if dkey in mask:
                mask.discard(dkey)
                if skey >= 0:
                    mask.add(skey)
            return fr
        if cls == op.BPF_STX or cls == op.BPF_ST:
            if base + insn.dst in mask:
                raise _Untrackable()  # a scalar used as the address: pointer subtraction (-ENOTSUPP)
            if (opcode & 0xE0) == op.BPF_ATOMIC and insn.imm != op.BPF_STORE_REL:
                aop = insn.imm
                if aop & op.BPF_FETCH:
                    mask.discard(base + (0 if aop == op.BPF_CMPXCHG else insn.src))
                return fr
            if skey >= 0 and skey in mask:
                mask.discard(skey)
                if cls == op.BPF_STX:
                    mask.add(base + insn.src)
            return fr
        if cls == op.BPF_LD:
            if insn.is_ld_imm64:
                mask.discard(base + insn.dst)
            else:
                mask.discard(base)
            return fr
        # jumps
        code = opcode & 0xF0
        if code == op.BPF_CALL:
            if insn.src == op.BPF_PSEUDO_CALL:
                # walking back out of the callee into its caller: arguments map to the caller
                args = [k - base for k in mask if base <= k < base + 6 and k - base >= 1]
                for k in [k for k in mask if base <= k < base + 128]:
                    mask.discard(k)
                if fr == 0:
                    return fr
                for r in args:
                    mask.add(base - 128 + r)
                return fr - 1
            if insn.src == 0 and insn.imm in hs.CALLBACK_HELPERS and self._bt_subseq != idx + 1:
                if idx not in self.callback_callsites or fr == 0 or self._bt_subseq < 0:
                    raise _Untrackable()
                # backtrack_insn(): from a callback's body back to the call that runs it (6.7+):
                # the callback's R1-R5 were set by the helper; anything else of its frame is not
                # followed (the kernel's -ENOTSUPP / "BUG regs")
                r_args = {base + r for r in range(1, 6)}
                if any(base <= k < base + 128 and k not in r_args for k in mask):
                    raise _Untrackable()
                mask.difference_update(r_args)
                return fr - 1
            for r in range(0, 6):  # a helper call (straight on: the callback's bodies came before)
                mask.discard(base + r)
            return fr
        if code == op.BPF_EXIT:
            if self._bt_subseq in self.callback_callsites:
                # a callback returning to the call that runs it: its R0 is not the caller's, and
                # the caller's R1-R5 are the helper's
                for r in range(0, 6):
                    mask.discard(base + r)
                return fr + 1
            return self._backtrack_exit(mask, fr)
        if opcode & op.BPF_X and code != op.BPF_JA:
            # dreg <cond> sreg: both need precision before the jump if either does
            dkey, skey2 = base + insn.dst, base + insn.src
            if dkey in mask or skey2 in mask:
                mask.add(dkey)
                mask.add(skey2)
        return fr

    @staticmethod
    def _backtrack_exit(mask: set[int], fr: int) -> int:
        """Walking back from the caller into the callee that returned here: R0 came from it."""
        base = fr * 128
        r0 = base in mask
        mask.discard(base)
        if r0:
            mask.add(base + 128)
        return fr + 1
