"""Helper prototypes (`struct bpf_func_proto`) as the verifier sees them.

Data: data/helper_protos.csv, one row per proto symbol (a helper may have
several: `bpf_skb_load_bytes_proto` vs `bpf_flow_dissector_load_bytes_proto`),
each citing the kernel file (and index commit) it was read from. Which symbol a
program type gets is in data/prog_helpers.csv (see prog_helpers.py).

Argument strings are normalised to a base type plus flags:
"ARG_PTR_TO_MEM|PTR_MAYBE_NULL|MEM_RDONLY" -> ("ARG_PTR_TO_MEM", {"MAYBE_NULL", "RDONLY"});
the old composite names map the same way ("ARG_PTR_TO_UNINIT_MEM" ->
ARG_PTR_TO_MEM + {"UNINIT", "WRITE"}, "ARG_PTR_TO_MAP_VALUE_OR_NULL" ->
ARG_PTR_TO_MAP_VALUE + {"MAYBE_NULL"}). Legend: kernel_versions.md §7.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from verifier.rules._csv import read_rows

# Composite spellings -> (base, flags). kernel_versions.md §7 (enum bpf_arg_type / bpf_return_type).
_COMPOSITE: dict[str, tuple[str, frozenset[str]]] = {
    "ARG_PTR_TO_UNINIT_MEM": ("ARG_PTR_TO_MEM", frozenset({"UNINIT", "WRITE"})),
    "ARG_PTR_TO_MEM_OR_NULL": ("ARG_PTR_TO_MEM", frozenset({"MAYBE_NULL"})),
    "ARG_PTR_TO_FIXED_SIZE_MEM": ("ARG_PTR_TO_MEM", frozenset({"FIXED_SIZE"})),
    "ARG_PTR_TO_UNINIT_MAP_VALUE": ("ARG_PTR_TO_MAP_VALUE", frozenset({"UNINIT", "WRITE"})),
    "ARG_PTR_TO_MAP_VALUE_OR_NULL": ("ARG_PTR_TO_MAP_VALUE", frozenset({"MAYBE_NULL"})),
    "ARG_PTR_TO_CTX_OR_NULL": ("ARG_PTR_TO_CTX", frozenset({"MAYBE_NULL"})),
    "ARG_PTR_TO_SOCKET_OR_NULL": ("ARG_PTR_TO_SOCKET", frozenset({"MAYBE_NULL"})),
    "ARG_PTR_TO_BTF_ID_OR_NULL": ("ARG_PTR_TO_BTF_ID", frozenset({"MAYBE_NULL"})),
    "ARG_PTR_TO_STACK_OR_NULL": ("ARG_PTR_TO_STACK", frozenset({"MAYBE_NULL"})),
    "RET_PTR_TO_MAP_VALUE_OR_NULL": ("RET_PTR_TO_MAP_VALUE", frozenset({"MAYBE_NULL"})),
    "RET_PTR_TO_SOCKET_OR_NULL": ("RET_PTR_TO_SOCKET", frozenset({"MAYBE_NULL"})),
    "RET_PTR_TO_TCP_SOCK_OR_NULL": ("RET_PTR_TO_TCP_SOCK", frozenset({"MAYBE_NULL"})),
    "RET_PTR_TO_SOCK_COMMON_OR_NULL": ("RET_PTR_TO_SOCK_COMMON", frozenset({"MAYBE_NULL"})),
    "RET_PTR_TO_RINGBUF_MEM_OR_NULL": ("RET_PTR_TO_MEM", frozenset({"MAYBE_NULL", "RINGBUF"})),
    "RET_PTR_TO_DYNPTR_MEM_OR_NULL": ("RET_PTR_TO_MEM", frozenset({"MAYBE_NULL", "DYNPTR"})),
    "RET_PTR_TO_BTF_ID_OR_NULL": ("RET_PTR_TO_BTF_ID", frozenset({"MAYBE_NULL"})),
    "RET_PTR_TO_MEM_OR_BTF_ID_OR_NULL": ("RET_PTR_TO_MEM_OR_BTF_ID", frozenset({"MAYBE_NULL"})),
    "RET_PTR_TO_BTF_ID_TRUSTED": ("RET_PTR_TO_BTF_ID", frozenset({"TRUSTED"})),
}

# Flag spellings -> short flag names.
_FLAGS: dict[str, str] = {
    "PTR_MAYBE_NULL": "MAYBE_NULL",
    "MEM_RDONLY": "RDONLY",
    "MEM_UNINIT": "UNINIT",
    "MEM_WRITE": "WRITE",
    "OBJ_RELEASE": "RELEASE",
    "MEM_FIXED_SIZE": "FIXED_SIZE",
    "MEM_ALIGNED": "ALIGNED",
    "MEM_RINGBUF": "RINGBUF",
    "PTR_TRUSTED": "TRUSTED",
    "DYNPTR_TYPE_LOCAL": "DYNPTR_LOCAL",
    "DYNPTR_TYPE_RINGBUF": "DYNPTR_RINGBUF",
}


def split_type(text: str) -> tuple[str, frozenset[str]]:
    """ "ARG_PTR_TO_MEM|PTR_MAYBE_NULL|MEM_RDONLY" -> ("ARG_PTR_TO_MEM", {"MAYBE_NULL", "RDONLY"})."""
    parts = [p.strip() for p in text.split("|") if p.strip()]
    if not parts:
        return "", frozenset()
    base, flags = _COMPOSITE.get(parts[0], (parts[0], frozenset()))
    extra = {_FLAGS.get(p, p) for p in parts[1:]}
    return base, frozenset(flags | extra)


@dataclass(frozen=True, slots=True)
class HelperArg:
    type: str  # base type: "ARG_PTR_TO_MEM", "ARG_CONST_MAP_PTR", "ARG_ANYTHING", ...
    flags: frozenset[str] = frozenset()
    raw: str = ""  # as written in the table
    fixed_size: int | None = None  # ARG_PTR_TO_FIXED_SIZE_MEM / ARG_PTR_TO_LONG / ARG_PTR_TO_INT

    @property
    def maybe_null(self) -> bool:
        return "MAYBE_NULL" in self.flags


@dataclass(frozen=True, slots=True)
class HelperProto:
    helper_id: int
    name: str
    symbol: str  # the kernel's bpf_func_proto variable, e.g. "bpf_skb_load_bytes_proto"
    ret: str  # raw return type, e.g. "RET_PTR_TO_MAP_VALUE_OR_NULL"
    ret_type: str  # base: "RET_PTR_TO_MAP_VALUE"
    ret_flags: frozenset[str]
    args: tuple[HelperArg, ...]  # only the declared ones (trailing ARG_DONTCARE dropped)
    pkt_access: bool = False
    acquires: bool = False  # the returned pointer is a reference that must be released
    releases: int | None = None  # 1-based index of the OBJ_RELEASE argument
    map_types: frozenset[int] | None = None  # allowed map types for the ARG_CONST_MAP_PTR arg (None: any)
    gpl_only: bool = False
    known: bool = True  # False: no prototype in the tables, permissive stand-in
    source: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ret_maybe_null(self) -> bool:
        return "MAYBE_NULL" in self.ret_flags

    def arg(self, index: int) -> HelperArg | None:
        """1-based argument, or None when the proto does not declare it."""
        if 1 <= index <= len(self.args):
            return self.args[index - 1]
        return None


_FIXED_SIZE_TYPES = {"ARG_PTR_TO_LONG": 8, "ARG_PTR_TO_INT": 4}


@dataclass(frozen=True, slots=True)
class ProtoRow:
    """One row of data/helper_protos.csv, not yet tied to a helper id."""

    name: str
    symbol: str
    ret: str
    args: tuple[HelperArg, ...]
    pkt_access: bool
    acquires: bool
    source: str


def _parse_args(row: dict[str, str]) -> tuple[HelperArg, ...]:
    sizes = [int(s) for s in row.get("fixed_size", "").split(";") if s.strip()]
    raw_args = [row[f"arg{i}"] for i in range(1, 6)]
    while raw_args and not raw_args[-1]:
        raw_args.pop()
    args: list[HelperArg] = []
    for raw in raw_args:
        base, flags = split_type(raw) if raw else ("ARG_DONTCARE", frozenset())
        size = _FIXED_SIZE_TYPES.get(base)
        if "FIXED_SIZE" in flags and sizes:
            size = sizes.pop(0)
        args.append(HelperArg(base, flags, raw, size))
    return tuple(args)


@cache
def proto_rows() -> dict[tuple[str, str], ProtoRow]:
    """(helper name, proto symbol) -> row."""
    out: dict[tuple[str, str], ProtoRow] = {}
    for row in read_rows("helper_protos.csv"):
        out[(row["helper"], row["proto"])] = ProtoRow(
            name=row["helper"],
            symbol=row["proto"],
            ret=row["ret"],
            args=_parse_args(row),
            pkt_access=row["pkt_access"] == "true",
            acquires=row["acquires"] == "true",
            source=row["source"],
        )
    return out


@cache
def rows_by_helper() -> dict[str, list[ProtoRow]]:
    out: dict[str, list[ProtoRow]] = {}
    for row in proto_rows().values():
        out.setdefault(row.name, []).append(row)
    return out


def make_proto(
    helper_id: int, row: ProtoRow, map_types: frozenset[int] | None, gpl_only: bool
) -> HelperProto:
    ret_type, ret_flags = split_type(row.ret)
    releases = next((i + 1 for i, a in enumerate(row.args) if "RELEASE" in a.flags), None)
    return HelperProto(
        helper_id=helper_id,
        name=row.name,
        symbol=row.symbol,
        ret=row.ret,
        ret_type=ret_type,
        ret_flags=ret_flags,
        args=row.args,
        pkt_access=row.pkt_access,
        acquires=row.acquires,
        releases=releases,
        map_types=map_types,
        gpl_only=gpl_only,
        source=row.source,
    )


def permissive_proto(helper_id: int, name: str, gpl_only: bool = False) -> HelperProto:
    """Stand-in for a helper without a known prototype: five ARG_ANYTHING, RET_INTEGER."""
    anything = HelperArg("ARG_ANYTHING", frozenset(), "ARG_ANYTHING")
    return HelperProto(
        helper_id=helper_id,
        name=name,
        symbol="",
        ret="RET_INTEGER",
        ret_type="RET_INTEGER",
        ret_flags=frozenset(),
        args=(anything,) * 5,
        gpl_only=gpl_only,
        known=False,
        source="no prototype in data/helper_protos.csv",
    )
