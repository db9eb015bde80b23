"""Open-coded iterators (6.4+): `struct bpf_iter_<type>` on the stack, the kernel's STACK_ITER slots.

An iterator takes `size / 8` stack slots at an 8-byte aligned, constant offset. Each slot holds a
register of type STACK_ITER: `btf_id` is the iterator type (ITER_TYPES), `mem_size` its state
(ACTIVE, DRAINED), `range` its depth (the number of `_next` calls that returned an element on this
path: it keeps a loop of iterations from looking like an infinite loop, and is not compared when
states are); the first (lowest) slot carries the reference the iterator holds (`ref_obj_id`),
released by `_destroy`. Loads from the slots are refused as from any special slot; a store into
them turns their bytes into plain data (scrub_spilled_slot()), the reference staying held.

Iterators other than num and bits come from the target's kfunc flags table and BTF (generic_type(),
IterMixin.iter_type()). Sources: kernel/bpf/verifier.c v6.18.2 (process_iter_arg(), mark_stack_slots_iter(),
unmark_stack_slots_iter(), is_iter_reg_valid_uninit(), is_iter_reg_valid_init(),
stack_slot_obj_get_spi(), process_iter_next_call(), check_stack_write_fixed_off()),
kernel/bpf/helpers.c (BTF_ID_FLAGS(func, bpf_iter_num_new, KF_ITER_NEW), bpf_iter_num_next
KF_ITER_NEXT | KF_RET_NULL, bpf_iter_num_destroy KF_ITER_DESTROY; the same in 6.4.6 and 6.12.117).
"""

from __future__ import annotations

from typing import Final, NamedTuple

from verifier.abstract.regs import STACK_ITER, Reg
from verifier.abstract.scalar import Scalar
from verifier.abstract.state import INVALID, MISC, SPILL, Slot

# enum bpf_iter_state
ACTIVE: Final = 1
DRAINED: Final = 2


class IterType(NamedTuple):
    code: int  # the iterator's identity in a STACK_ITER register (btf_id)
    size: int  # sizeof(struct bpf_iter_<name>)
    elem_size: int  # _next returns a read-only pointer to this many bytes
    feature: str  # the rules feature that says the target has it ("": the kfunc flags say so)
    scalar_args: tuple[int, ...]  # _new's scalar arguments (registers); others are ignored (`__ign`)
    rcu_protected: bool = False  # KF_RCU_PROTECTED: usable only inside an RCU critical section


# iterators whose kfuncs bpfcheck models, by <name> of bpf_iter_<name>_{new,next,destroy}, all
# in the common kfunc set (every program type):
# - num: struct bpf_iter_num { __u64 __opaque[1]; }, bpf_iter_num_new(it, int start, int end),
#   int *bpf_iter_num_next() (kernel/bpf/bpf_iter.c, 6.4+);
# - bits: struct bpf_iter_bits { __u64 __opaque[2]; }, bpf_iter_bits_new(it, const u64
#   *unsafe_ptr__ign, u32 nr_words), int *bpf_iter_bits_next() (kernel/bpf/helpers.c, 6.11+)
ITER_TYPES: Final[dict[str, IterType]] = {
    "num": IterType(1, 8, 4, "open_coded_iterators", (2, 3)),
    "bits": IterType(2, 16, 4, "iter_bits", (3,)),
}
METHODS: Final = ("new", "next", "destroy")
# an IRQ flag (bpf_local_irq_save(), 6.14+) is kept as a one-slot stack object of its own code: the
# kernel's STACK_IRQ_FLAG, refused to loads and scrubbed by stores as an iterator's slots are
IRQ_FLAG_CODE: Final = 15
# the flag each method of any other iterator is registered with (BTF_ID_FLAGS; is_iter_kfunc())
METHOD_FLAGS: Final = {"new": "KF_ITER_NEW", "next": "KF_ITER_NEXT", "destroy": "KF_ITER_DESTROY"}

# any other iterator (task, css, css_task, task_vma, task_file, kmem_cache, dmabuf, scx_dsq, ...) is
# built from the target's kfunc flags and BTF (IterMixin.iter_type()); its `_next` returns the
# pointer its BTF prototype names, not NULL on the ACTIVE path. Each gets a code of its own here.
_GENERIC_CODES: dict[str, int] = {}


def generic_type(kind: str, size: int, scalar_args: tuple[int, ...], rcu_protected: bool) -> IterType:
    """The IterType of an iterator known from the target's flags and BTF."""
    code = _GENERIC_CODES.setdefault(kind, 16 + len(_GENERIC_CODES))
    return IterType(code, size, 0, "", scalar_args, rcu_protected)


def iter_kfunc(name: str | None) -> tuple[str, str] | None:
    """(iterator name, method) of a kfunc named as an iterator's (btf_check_iter_kfuncs() naming:
    bpf_iter_<type>_new/_next/_destroy), or None; whether the target has that iterator is
    IterMixin.iter_type()'s question."""
    if not name or not name.startswith("bpf_iter_"):
        return None
    rest = name[len("bpf_iter_") :]
    for method in METHODS:
        if rest.endswith("_" + method):
            kind = rest[: -len(method) - 1]
            return (kind, method) if kind else None
    return None


def iter_slot(stack: dict[int, Slot], slot: int) -> Reg | None:
    """The STACK_ITER register of a slot, if it holds one."""
    s = stack.get(slot)
    if s is not None and s.spilled is not None and s.spilled.type == STACK_ITER:
        return s.spilled
    return None


ERANGE: Final = -1  # not within the stack allocated so far (is_spi_bounds_valid())
EINVAL: Final = -2  # not a constant, aligned offset with room for the slots


def first_slot(reg: Reg, nr_slots: int, allocated: int) -> int:
    """stack_slot_obj_get_spi(..., "iter", nr_slots): the lowest slot of the iterator `reg` points
    to, or ERANGE / EINVAL (whose log lines the kernel follows with the argument's message).
    `allocated`: the frame's allocated stack in bytes; an iterator reaching below it is ERANGE, which
    `_new` takes as uninitialised whatever its slots hold (is_iter_reg_valid_uninit())."""
    if not reg.var.is_const:
        return EINVAL
    v = reg.var.const_value
    addr = reg.off + (v - (1 << 64) if v >> 63 else v)
    spi = (-addr - 1) // 8
    if addr % 8 or spi + 1 < nr_slots:
        return EINVAL
    if -addr > allocated:
        return ERANGE
    return (512 + addr) >> 3


def is_valid_uninit(stack: dict[int, Slot], lo: int, nr_slots: int) -> bool:
    """is_iter_reg_valid_uninit(): no byte of the slots belongs to an iterator."""
    return all(iter_slot(stack, s) is None for s in range(lo, lo + nr_slots))


def valid_init(stack: dict[int, Slot], lo: int, nr_slots: int, code: int) -> Reg | None:
    """is_iter_reg_valid_init(): the first slot's register when every slot holds this iterator."""
    regs = [iter_slot(stack, s) for s in range(lo, lo + nr_slots)]
    first = regs[0]
    if first is None or not first.ref_obj_id:
        return None
    for i, r in enumerate(regs):
        if r is None or r.btf_id != code or (i and r.ref_obj_id):
            return None
    return first


def mark(
    stack: dict[int, Slot], lo: int, nr_slots: int, code: int, ref_obj_id: int, untrusted: bool = False
) -> None:
    """mark_stack_slots_iter(): the slots become an ACTIVE iterator of depth 0 (`untrusted`: an
    RCU-protected one made outside an RCU critical section, PTR_UNTRUSTED: kept in `rdonly`)."""
    for i in range(nr_slots):
        reg = Reg(
            STACK_ITER,
            Scalar.const(0),
            btf_id=code,
            mem_size=ACTIVE,
            ref_obj_id=ref_obj_id if i == 0 else 0,
            rdonly=untrusted,
        )
        stack[lo + i] = Slot(SPILL * 8, reg)


def unmark(stack: dict[int, Slot], lo: int, nr_slots: int) -> None:
    """unmark_stack_slots_iter(): the slots are uninitialised again."""
    for i in range(nr_slots):
        stack[lo + i] = Slot(INVALID * 8, None)


def set_state(stack: dict[int, Slot], lo: int, state: int, depth: int) -> None:
    """The iterator's state and depth (in its first slot, as get_iter_from_state() reads it)."""
    s = stack[lo]
    stack[lo] = Slot(s.kinds, s.spilled.evolve(mem_size=state, range=depth))  # type: ignore[union-attr]


def scrub_range(stack: dict[int, Slot], lo_addr: int, hi_addr: int) -> None:
    """A store into the bytes [lo_addr, hi_addr): the iterator slots it touches become plain data
    (check_stack_write_fixed_off() / _var_off(): scrub_spilled_slot(), STACK_ITER -> STACK_MISC)."""
    if not stack:
        return
    for slot in range((512 + lo_addr) >> 3, ((512 + hi_addr - 1) >> 3) + 1):
        if iter_slot(stack, slot) is not None:
            stack[slot] = Slot(MISC * 8, None)
