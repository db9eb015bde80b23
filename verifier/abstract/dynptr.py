"""struct bpf_dynptr on the stack (6.0+): the kernel's STACK_DYNPTR slots.

A dynptr takes two stack slots (16 bytes at an 8-byte aligned, constant offset). Each slot holds
a register of type STACK_DYNPTR: `mem_size` is the dynptr type (enum bpf_dynptr_type), `off` is
1 in the first (lower) slot, and a ring buffer dynptr carries the reference it holds
(`ref_obj_id`), released by bpf_ringbuf_submit_dynptr()/discard_dynptr(). Loads from the slots
are refused; a store into them destroys the dynptr, or is refused when the dynptr holds a
reference (destroy_if_dynptr_stack_slot()). Source: kernel/bpf/verifier.c (process_dynptr_func(),
mark_stack_slots_dynptr(), destroy_if_dynptr_stack_slot(), is_dynptr_reg_valid_init()), Debian
linux-source 6.12.117.
"""

from __future__ import annotations

from typing import Final

from verifier.abstract.regs import STACK_DYNPTR, Reg
from verifier.abstract.reject import Reject
from verifier.abstract.scalar import Scalar
from verifier.abstract.state import INVALID, SPILL, Slot

# enum bpf_dynptr_type
DYNPTR_LOCAL: Final = 1
DYNPTR_RINGBUF: Final = 2
DYNPTR_SKB: Final = 3
DYNPTR_XDP: Final = 4
DYNPTR_TYPE_NAMES: Final = {DYNPTR_LOCAL: "local", DYNPTR_RINGBUF: "ringbuf", DYNPTR_SKB: "skb", DYNPTR_XDP: "xdp"}
# the DYNPTR_TYPE_* flag of an argument -> the dynptr type it asks for
ARG_DYNPTR_TYPES: Final = {
    "DYNPTR_TYPE_LOCAL": DYNPTR_LOCAL,
    "DYNPTR_TYPE_RINGBUF": DYNPTR_RINGBUF,
    "DYNPTR_TYPE_SKB": DYNPTR_SKB,
    "DYNPTR_TYPE_XDP": DYNPTR_XDP,
}
# kfuncs that build a dynptr in their third argument (`struct bpf_dynptr *ptr__uninit`:
# KF_ARG_PTR_TO_DYNPTR with MEM_UNINIT and the type check_kfunc_args() gives it)
KFUNC_DYNPTR_BUILDERS: Final = {"bpf_dynptr_from_skb": "DYNPTR_TYPE_SKB", "bpf_dynptr_from_xdp": "DYNPTR_TYPE_XDP"}
REFCOUNTED: Final = frozenset({DYNPTR_RINGBUF})
# kfuncs taking an initialised dynptr (`const struct bpf_dynptr *p`: KF_ARG_PTR_TO_DYNPTR, MEM_RDONLY)
# -> its argument registers, for a target whose BTF is not known (with it, the prototype tells:
# btf_ptr.kfunc_dynptr_args); kernel/bpf/helpers.c of 6.12
KFUNC_DYNPTR_ARGS: Final = {
    "bpf_dynptr_slice": (1,),
    "bpf_dynptr_slice_rdwr": (1,),
    "bpf_dynptr_adjust": (1,),
    "bpf_dynptr_is_null": (1,),
    "bpf_dynptr_is_rdonly": (1,),
    "bpf_dynptr_size": (1,),
    "bpf_dynptr_clone": (1,),  # (its second, `clone__uninit`, is built: not modelled)
}


def dynptr_slot(stack: dict[int, Slot], slot: int) -> Reg | None:
    """The STACK_DYNPTR register of a slot, if it holds one."""
    s = stack.get(slot)
    if s is not None and s.spilled is not None and s.spilled.type == STACK_DYNPTR:
        return s.spilled
    return None


def first_slot(stack: dict[int, Slot], addr: int, regno: int, uninit_ok: bool) -> int:
    """dynptr_get_spi(): the lower stack slot of the dynptr at byte `addr` (constant, aligned)."""
    if addr % 8:
        raise Reject(f"cannot pass in dynptr at an offset={addr}", "helper-arg", (regno,))
    if addr < -512 or addr + 16 > 0:
        if uninit_ok:
            raise Reject(f"invalid write to stack R{regno} off={addr} size=16", "stack-bounds", (regno,))
        raise Reject(f"Expected an initialized dynptr as arg #{regno - 1}", "helper-arg", (regno,))
    return (512 + addr) >> 3


def is_initialized(stack: dict[int, Slot], lo: int) -> Reg | None:
    """is_dynptr_reg_valid_init(): the first slot's register when both slots hold one dynptr."""
    first = dynptr_slot(stack, lo)
    second = dynptr_slot(stack, lo + 1)
    if first is None or second is None or first.off != 1 or second.off != 0:
        return None
    return first


def destroy(stack: dict[int, Slot], slot: int) -> None:
    """destroy_if_dynptr_stack_slot(): a write into either slot of a dynptr kills both slots;
    a dynptr that holds a reference cannot be overwritten."""
    reg = dynptr_slot(stack, slot)
    if reg is None:
        return
    lo = slot if reg.off == 1 else slot - 1
    if reg.mem_size in REFCOUNTED:
        raise Reject("cannot overwrite referenced dynptr", "reference")
    for s in (lo, lo + 1):
        if dynptr_slot(stack, s) is not None:
            stack[s] = Slot(INVALID * 8, None)


def destroy_range(stack: dict[int, Slot], lo_addr: int, hi_addr: int) -> None:
    """Every dynptr a write to the bytes [lo_addr, hi_addr) touches."""
    if not stack:
        return
    for slot in range((512 + lo_addr) >> 3, ((512 + hi_addr - 1) >> 3) + 1):
        destroy(stack, slot)


def mark(stack: dict[int, Slot], lo: int, dtype: int, ref_obj_id: int) -> None:
    """mark_stack_slots_dynptr(): both slots become the dynptr (an old unreferenced one is destroyed)."""
    destroy(stack, lo)
    destroy(stack, lo + 1)
    base = Reg(STACK_DYNPTR, Scalar.const(0), mem_size=dtype, ref_obj_id=ref_obj_id)
    stack[lo] = Slot(SPILL * 8, base.evolve(off=1))
    stack[lo + 1] = Slot(SPILL * 8, base)


def unmark_with_clones(stack: dict[int, Slot], lo: int, ref_obj_id: int) -> None:
    """unmark_stack_slots_dynptr(): the released dynptr, and the clones of this frame that share its
    reference (bpf_dynptr_clone()), are uninitialised again."""
    unmark(stack, lo)
    if not ref_obj_id:
        return
    for slot in sorted(stack):
        reg = dynptr_slot(stack, slot)
        if reg is not None and reg.off == 1 and reg.ref_obj_id == ref_obj_id:
            unmark(stack, slot)


def unmark(stack: dict[int, Slot], lo: int) -> None:
    """unmark_stack_slots_dynptr(): a released dynptr's slots are uninitialised again."""
    stack[lo] = Slot(INVALID * 8, None)
    stack[lo + 1] = Slot(INVALID * 8, None)
