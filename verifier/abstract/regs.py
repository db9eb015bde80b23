"""Register values as the kernel verifier keeps them (`struct bpf_reg_state`).

A `Reg` is immutable; transfer functions build new ones with `Reg.evolve`.
Scalars keep their bounds in `var`; pointers keep their variable offset in
`var` and their fixed offset in `off`, as the kernel does.
"""

from __future__ import annotations

from typing import Final

from verifier.abstract.scalar import MASK, Scalar

# register types (enum bpf_reg_type); names are the kernel log's (6.x wording)
NOT_INIT: Final = 0
SCALAR: Final = 1
PTR_TO_CTX: Final = 2
CONST_PTR_TO_MAP: Final = 3
PTR_TO_MAP_VALUE: Final = 4
PTR_TO_MAP_KEY: Final = 5
PTR_TO_STACK: Final = 6
PTR_TO_PACKET_META: Final = 7
PTR_TO_PACKET: Final = 8
PTR_TO_PACKET_END: Final = 9
PTR_TO_FLOW_KEYS: Final = 10
PTR_TO_SOCKET: Final = 11
PTR_TO_SOCK_COMMON: Final = 12
PTR_TO_TCP_SOCK: Final = 13
PTR_TO_XDP_SOCK: Final = 14
PTR_TO_MEM: Final = 15  # helper-returned memory of a known size (ringbuf records, per-cpu buffers ...)
PTR_TO_BTF_ID: Final = 16  # typed kernel pointers in tracing programs
PTR_TO_FUNC: Final = 17
PTR_TO_TP_BUFFER: Final = 18
PTR_TO_BUF: Final = 19
PTR_TO_ARENA: Final = 20
STACK_DYNPTR: Final = 21  # the register kept in the two stack slots of a struct bpf_dynptr (STACK_DYNPTR)
CONST_PTR_TO_DYNPTR: Final = 22  # a global function's `struct bpf_dynptr *` argument: a local dynptr it may not change
STACK_ITER: Final = 23  # the register kept in the stack slots of an open-coded iterator (STACK_ITER, iters.py)

TYPE_NAMES: Final = {
    NOT_INIT: "?",
    SCALAR: "scalar",
    PTR_TO_CTX: "ctx",
    CONST_PTR_TO_MAP: "map_ptr",
    PTR_TO_MAP_VALUE: "map_value",
    PTR_TO_MAP_KEY: "map_key",
    PTR_TO_STACK: "fp",
    PTR_TO_PACKET_META: "pkt_meta",
    PTR_TO_PACKET: "pkt",
    PTR_TO_PACKET_END: "pkt_end",
    PTR_TO_FLOW_KEYS: "flow_keys",
    PTR_TO_SOCKET: "sock",
    PTR_TO_SOCK_COMMON: "sock_common",
    PTR_TO_TCP_SOCK: "tcp_sock",
    PTR_TO_XDP_SOCK: "xdp_sock",
    PTR_TO_MEM: "mem",
    PTR_TO_BTF_ID: "ptr_",
    PTR_TO_FUNC: "func",
    PTR_TO_TP_BUFFER: "tp_buffer",
    PTR_TO_BUF: "buf",
    PTR_TO_ARENA: "arena",
    STACK_DYNPTR: "dynptr",
    CONST_PTR_TO_DYNPTR: "dynptr_ptr",
    STACK_ITER: "iter",
}

# PTR_TO_BTF_ID's trust, in Reg.btf_id above the type id (beside btf_ptr's MEM_USER/MEM_PERCPU bits):
# PTR_TRUSTED, MEM_RCU, PTR_UNTRUSTED; none of them is the kernel's plain (deprecated) PTR_TO_BTF_ID
BTF_TRUSTED: Final = 1 << 34
BTF_RCU: Final = 1 << 35
BTF_UNTRUSTED: Final = 1 << 36
# reg_type_str(): the last of these prefixes that applies is printed
_TRUST_PREFIXES: Final = ((BTF_RCU, "rcu_"), (BTF_UNTRUSTED, "untrusted_"), (BTF_TRUSTED, "trusted_"))

PACKET_TYPES: Final = frozenset({PTR_TO_PACKET, PTR_TO_PACKET_META})
# stack objects whose slots are special (is_stack_slot_special()): not readable, not spilled registers
STACK_OBJECTS: Final = frozenset({STACK_DYNPTR, STACK_ITER})
SOCKET_TYPES: Final = frozenset({PTR_TO_SOCKET, PTR_TO_SOCK_COMMON, PTR_TO_TCP_SOCK, PTR_TO_XDP_SOCK})


# the fields of a register, in the order the constructor takes them
REG_FIELDS: Final = (
    "type",
    "var",
    "off",
    "id",
    "ref_obj_id",
    "range",
    "map_index",
    "mem_size",
    "frameno",
    "maybe_null",
    "rdonly",
    "subprog",
    "btf_id",
)


class Reg:
    """One register. Treat as immutable: use `evolve` to change fields."""

    __slots__ = (*REG_FIELDS, "_hash", "_key")

    def __init__(
        self,
        type: int,
        var: Scalar,
        off: int = 0,
        id: int = 0,
        ref_obj_id: int = 0,
        range: int = 0,
        map_index: int = -1,
        mem_size: int = 0,
        frameno: int = 0,
        maybe_null: bool = False,
        rdonly: bool = False,
        subprog: int = -1,
        btf_id: int = 0,
    ) -> None:
        self.type = type
        self.var = var
        self.off = off
        self.id = id
        self.ref_obj_id = ref_obj_id
        self.range = range
        self.map_index = map_index
        self.mem_size = mem_size
        self.frameno = frameno
        self.maybe_null = maybe_null
        self.rdonly = rdonly
        self.subprog = subprog
        self.btf_id = btf_id  # PTR_TO_BTF_ID: type id in the target's BTF, flags above bit 32 (btf_ptr.py)
        self._hash: int | None = None
        self._key: tuple | None = None

    def evolve(
        self,
        *,
        type: int | None = None,
        var: Scalar | None = None,
        off: int | None = None,
        id: int | None = None,
        ref_obj_id: int | None = None,
        range: int | None = None,
        map_index: int | None = None,
        mem_size: int | None = None,
        frameno: int | None = None,
        maybe_null: bool | None = None,
        rdonly: bool | None = None,
        subprog: int | None = None,
        btf_id: int | None = None,
    ) -> Reg:
        """A copy with the fields given changed (explicit keywords, not **kwargs: the compiled
        engine calls this directly instead of building a dict and setting attributes by name)."""
        return Reg(
            self.type if type is None else type,
            self.var if var is None else var,
            self.off if off is None else off,
            self.id if id is None else id,
            self.ref_obj_id if ref_obj_id is None else ref_obj_id,
            self.range if range is None else range,
            self.map_index if map_index is None else map_index,
            self.mem_size if mem_size is None else mem_size,
            self.frameno if frameno is None else frameno,
            self.maybe_null if maybe_null is None else maybe_null,
            self.rdonly if rdonly is None else rdonly,
            self.subprog if subprog is None else subprog,
            self.btf_id if btf_id is None else btf_id,
        )

    def key(self) -> tuple:
        k = self._key
        if k is None:
            k = self._key = self._make_key()
        return k

    def _make_key(self) -> tuple:
        # every field, in the order __init__ takes them
        return (
            self.type,
            self.var,
            self.off,
            self.id,
            self.ref_obj_id,
            self.range,
            self.map_index,
            self.mem_size,
            self.frameno,
            self.maybe_null,
            self.rdonly,
            self.subprog,
            self.btf_id,
        )

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Reg) or self.type != other.type or self.var != other.var:
            return False
        return self.key() == other.key()

    def __hash__(self) -> int:
        h = self._hash
        if h is None:
            h = self._hash = hash(self.key())
        return h

    @property
    def is_scalar(self) -> bool:
        return self.type == SCALAR

    @property
    def is_pointer(self) -> bool:
        return self.type not in (NOT_INIT, SCALAR)

    @property
    def is_init(self) -> bool:
        return self.type != NOT_INIT

    @property
    def is_const(self) -> bool:
        if self.type != SCALAR:
            return False
        var: tuple = self.var
        return not var[MASK]

    @property
    def type_name(self) -> str:
        name = TYPE_NAMES.get(self.type, "?")
        if self.type == PTR_TO_MEM and self.map_index >= 0:
            name = "ringbuf_mem"  # MEM_RINGBUF: a record reserved in a ring buffer map
        if self.type == PTR_TO_MEM and self.rdonly:
            name = "rdonly_" + name  # reg_type_str(): MEM_RDONLY's prefix comes first
        if self.type == PTR_TO_BTF_ID and self.btf_id >> 34:
            for flag, prefix in _TRUST_PREFIXES:
                if self.btf_id & flag:
                    name = prefix + TYPE_NAMES[PTR_TO_BTF_ID]
        if self.maybe_null:  # reg_type_str(): PTR_TO_BTF_ID's suffix comes after its "ptr_"
            name += "or_null_" if self.type == PTR_TO_BTF_ID else "_or_null"
        return name

    def __repr__(self) -> str:
        return f"Reg({self.describe()})"

    def describe(self, maps: list | None = None) -> str:
        """The kernel log's rendering of a register (6.x style)."""
        if self.type == NOT_INIT:
            return "?"
        if self.type == SCALAR:
            if self.var.is_const:
                v = self.var.const_value
                return str(v - (1 << 64) if v >= 1 << 63 else v)
            return str(self.var)
        parts = []
        if self.id:
            parts.append(f"id={self.id}")
        if self.ref_obj_id:
            parts.append(f"ref_obj_id={self.ref_obj_id}")
        if self.map_index >= 0 and maps is not None and self.map_index < len(maps):
            m = maps[self.map_index]
            parts.append(f"map={m.name},ks={m.key_size},vs={m.value_size}")
        if self.off:
            parts.append(f"off={self.off}")
        if self.type in PACKET_TYPES:
            parts.append(f"r={self.range}")
        if self.type == PTR_TO_MEM:
            parts.append(f"sz={self.mem_size}")
        if not self.var.is_const or self.var.const_value != 0:
            parts.append(f"var={self.var}")
        return f"{self.type_name}({','.join(parts)})"


def _zero() -> Scalar:
    return Scalar.const(0)


def scalar_reg(value: Scalar) -> Reg:
    return Reg(SCALAR, value)


def const_reg(value: int) -> Reg:
    v = value & _U64
    if v < _CONST_REGS_SIZE:
        return _CONST_REGS[v]  # registers are immutable: small constants are shared
    return Reg(SCALAR, Scalar.const(v))


def unknown_reg() -> Reg:
    return _UNKNOWN_REG  # registers are immutable: one unknown scalar serves all


def pointer_reg(type: int, **fields: object) -> Reg:
    return Reg(type, _zero(), **fields)  # type: ignore[arg-type]


_NOT_INIT_CACHE: list[Reg] = []


def not_init() -> Reg:
    if not _NOT_INIT_CACHE:
        _NOT_INIT_CACHE.append(Reg(NOT_INIT, Scalar.unknown()))
    return _NOT_INIT_CACHE[0]


_U64: Final = (1 << 64) - 1
_CONST_REGS_SIZE: Final = 256
_CONST_REGS: Final = tuple(Reg(SCALAR, Scalar.const(v)) for v in range(_CONST_REGS_SIZE))
_UNKNOWN_REG: Final = Reg(SCALAR, Scalar.unknown())
