"""Map types and which helpers each may be passed to (`check_map_func_compatibility`).

Map types: data/map_types.csv (copied from shared/reference/map_types.csv: enum
values from uapi bpf.h, versions from bcc docs/kernel-versions.md / cilium).

Compatibility is a two-way check in the kernel: a map type listed in MAP_SIDE
may only be passed to its helpers, and a helper listed in FUNC_SIDE only
accepts its map types. Read from kernel/bpf/verifier.c (search index file
18775714588, a ~5.4 copy: PROG_ARRAY..SK_STORAGE); rows marked "newer" are the
later additions recalled from 5.8+-6.x sources, each with the version it is
applied from. Message: "cannot pass map_type %d into func %s#%d".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from verifier.rules._csv import parse_version, read_rows
from verifier.rules.versions import Version

# enum bpf_map_type values (uapi bpf.h), used as names in the tables below.
HASH, ARRAY, PROG_ARRAY, PERF_EVENT_ARRAY = 1, 2, 3, 4
PERCPU_HASH, PERCPU_ARRAY, STACK_TRACE, CGROUP_ARRAY = 5, 6, 7, 8
LRU_HASH, LRU_PERCPU_HASH, LPM_TRIE, ARRAY_OF_MAPS, HASH_OF_MAPS = 9, 10, 11, 12, 13
DEVMAP, SOCKMAP, CPUMAP, XSKMAP, SOCKHASH = 14, 15, 16, 17, 18
CGROUP_STORAGE, REUSEPORT_SOCKARRAY, PERCPU_CGROUP_STORAGE, QUEUE, STACK = 19, 20, 21, 22, 23
SK_STORAGE, DEVMAP_HASH, STRUCT_OPS, RINGBUF, INODE_STORAGE, TASK_STORAGE = 24, 25, 26, 27, 28, 29
BLOOM_FILTER, USER_RINGBUF, CGRP_STORAGE, ARENA = 30, 31, 32, 33

# map_create() (kernel/bpf/syscall.c, Debian linux-source 6.12.117; centralised there by "bpf: Centralize
# permissions checks for all BPF map types", 6.5, before that each type's map_alloc_check asked
# bpf_capable() itself): the types a user without CAP_BPF may create; every other type needs CAP_BPF
# (CAP_NET_ADMIN for sockmap/sockhash/devmap/xskmap) and fails with -EPERM. The selftests' test_loader
# (is_unpriv_capable_map()) leaves the others uncreated in its unprivileged runs.
UNPRIVILEGED_MAP_TYPES: frozenset[int] = frozenset(
    {
        ARRAY,
        PERCPU_ARRAY,
        PROG_ARRAY,
        PERF_EVENT_ARRAY,
        CGROUP_ARRAY,
        ARRAY_OF_MAPS,
        HASH,
        PERCPU_HASH,
        HASH_OF_MAPS,
        RINGBUF,
        USER_RINGBUF,
        CGROUP_STORAGE,
        PERCPU_CGROUP_STORAGE,
    }
)
BPF_F_ZERO_SEED = 1 << 6  # htab_map_alloc(): a hash map with a zero seed needs CAP_SYS_ADMIN


def creatable_unprivileged(map_type: int, map_flags: int = 0) -> bool:
    """May a user without CAP_BPF, CAP_NET_ADMIN and CAP_SYS_ADMIN create this map (map_create())?"""
    if map_type in (HASH, PERCPU_HASH, HASH_OF_MAPS) and map_flags & BPF_F_ZERO_SEED:
        return False
    return map_type in UNPRIVILEGED_MAP_TYPES


_SRC_54 = "kernel/bpf/verifier.c check_map_func_compatibility (index file 18775714588, ~5.4)"
_SRC_NEW = "kernel/bpf/verifier.c check_map_func_compatibility, later additions"
# every pair of both tables checked 2026-12-03 (issue 14) against check_map_func_compatibility() of the kernel
# trees listed in rules/data/NOTES.md; a pair the source dates later than the row said moved to a row of its own
_SRC_UPDATE = "check_map_func_compatibility(): may_update_sockmap() absent from 5.9.1, present in 5.10.262"
_SRC_CHECKED = (
    "kernel/bpf/verifier.c check_map_func_compatibility(): the first tree read that allows the pair "
    "(rules/data/NOTES.md; the tree before does not); a key's first row starts with its map type / helper"
)


@dataclass(frozen=True, slots=True)
class MapTypeInfo:
    id: int
    name: str  # lower case without prefix: "percpu_array"
    version: Version
    source: str


@dataclass(frozen=True, slots=True)
class CompatRow:
    key: int | str  # map type id (MAP_SIDE) or helper name (FUNC_SIDE)
    allowed: tuple[int | str, ...]  # helper names (MAP_SIDE) or map type ids (FUNC_SIDE)
    since: Version
    source: str


_V = (4, 14)

# map type -> the only helpers it may be passed to (rows of one key accumulate by version).
MAP_SIDE: tuple[CompatRow, ...] = (
    CompatRow(PROG_ARRAY, ("tail_call",), _V, _SRC_54),
    CompatRow(
        PERF_EVENT_ARRAY,
        (
            "perf_event_read",
            "perf_event_output",
        ),
        _V,
        _SRC_54,
    ),
    CompatRow(PERF_EVENT_ARRAY, ("perf_event_read_value",), (4, 15), _SRC_CHECKED),
    CompatRow(PERF_EVENT_ARRAY, ("skb_output",), (5, 5), _SRC_NEW),
    CompatRow(PERF_EVENT_ARRAY, ("xdp_output",), (5, 7), _SRC_CHECKED),
    CompatRow(STACK_TRACE, ("get_stackid",), _V, _SRC_54),
    CompatRow(
        CGROUP_ARRAY,
        (
            "skb_under_cgroup",
            "current_task_under_cgroup",
        ),
        _V,
        _SRC_54,
    ),
    CompatRow(CGROUP_STORAGE, ("get_local_storage",), (4, 19), _SRC_CHECKED),
    CompatRow(PERCPU_CGROUP_STORAGE, ("get_local_storage",), (4, 20), _SRC_CHECKED),
    CompatRow(DEVMAP, ("redirect_map",), _V, _SRC_54),
    CompatRow(DEVMAP, ("map_lookup_elem",), (5, 3), _SRC_CHECKED),
    CompatRow(
        DEVMAP_HASH,
        (
            "redirect_map",
            "map_lookup_elem",
        ),
        (5, 4),
        _SRC_CHECKED,
    ),
    CompatRow(CPUMAP, ("redirect_map",), (4, 15), _SRC_CHECKED),
    CompatRow(XSKMAP, ("redirect_map",), (4, 18), _SRC_CHECKED),
    CompatRow(XSKMAP, ("map_lookup_elem",), (5, 3), _SRC_CHECKED),
    CompatRow(ARRAY_OF_MAPS, ("map_lookup_elem",), _V, _SRC_54),
    CompatRow(HASH_OF_MAPS, ("map_lookup_elem",), _V, _SRC_54),
    CompatRow(
        SOCKMAP,
        (
            "sk_redirect_map",
            "sock_map_update",
            "map_delete_elem",
        ),
        _V,
        _SRC_54,
    ),
    CompatRow(SOCKMAP, ("msg_redirect_map",), (4, 19), _SRC_CHECKED),
    CompatRow(SOCKMAP, ("map_lookup_elem",), (5, 8), _SRC_CHECKED),
    CompatRow(SOCKMAP, ("sk_select_reuseport",), (5, 7), _SRC_CHECKED),
    CompatRow(SOCKMAP, ("map_update_elem",), (5, 10), _SRC_UPDATE),
    CompatRow(
        SOCKHASH,
        (
            "sk_redirect_hash",
            "sock_hash_update",
            "map_delete_elem",
            "msg_redirect_hash",
        ),
        (4, 18),
        _SRC_CHECKED,
    ),
    CompatRow(SOCKHASH, ("map_lookup_elem",), (5, 8), _SRC_CHECKED),
    CompatRow(SOCKHASH, ("sk_select_reuseport",), (5, 7), _SRC_CHECKED),
    CompatRow(SOCKHASH, ("map_update_elem",), (5, 10), _SRC_UPDATE),
    CompatRow(REUSEPORT_SOCKARRAY, ("sk_select_reuseport",), (4, 19), _SRC_CHECKED),
    CompatRow(
        QUEUE,
        (
            "map_peek_elem",
            "map_pop_elem",
            "map_push_elem",
        ),
        (4, 20),
        _SRC_CHECKED,
    ),
    CompatRow(
        STACK,
        (
            "map_peek_elem",
            "map_pop_elem",
            "map_push_elem",
        ),
        (4, 20),
        _SRC_CHECKED,
    ),
    CompatRow(
        SK_STORAGE,
        (
            "sk_storage_get",
            "sk_storage_delete",
        ),
        (5, 2),
        _SRC_CHECKED,
    ),
    CompatRow(SK_STORAGE, ("kptr_xchg",), (6, 4), _SRC_CHECKED),
    CompatRow(
        RINGBUF,
        (
            "ringbuf_output",
            "ringbuf_reserve",
            "ringbuf_query",
        ),
        (5, 8),
        _SRC_NEW,
    ),
    CompatRow(
        RINGBUF,
        (
            "ringbuf_reserve_dynptr",
            "ringbuf_submit_dynptr",
            "ringbuf_discard_dynptr",
        ),
        (5, 19),
        _SRC_NEW,
    ),
    CompatRow(USER_RINGBUF, ("user_ringbuf_drain",), (6, 1), _SRC_NEW),
    CompatRow(
        INODE_STORAGE,
        (
            "inode_storage_get",
            "inode_storage_delete",
        ),
        (5, 10),
        _SRC_NEW,
    ),
    CompatRow(
        TASK_STORAGE,
        (
            "task_storage_get",
            "task_storage_delete",
        ),
        (5, 11),
        _SRC_NEW,
    ),
    CompatRow(
        CGRP_STORAGE,
        (
            "cgrp_storage_get",
            "cgrp_storage_delete",
        ),
        (6, 2),
        _SRC_NEW,
    ),
    CompatRow(
        BLOOM_FILTER,
        (
            "map_peek_elem",
            "map_push_elem",
        ),
        (5, 16),
        _SRC_NEW,
    ),
)

# helper -> the only map types it accepts.
FUNC_SIDE: tuple[CompatRow, ...] = (
    CompatRow("tail_call", (PROG_ARRAY,), _V, _SRC_54),
    CompatRow("perf_event_read", (PERF_EVENT_ARRAY,), _V, _SRC_54),
    CompatRow("perf_event_output", (PERF_EVENT_ARRAY,), _V, _SRC_54),
    CompatRow("perf_event_read_value", (PERF_EVENT_ARRAY,), (4, 15), _SRC_CHECKED),
    CompatRow("skb_output", (PERF_EVENT_ARRAY,), (5, 5), _SRC_NEW),
    CompatRow("xdp_output", (PERF_EVENT_ARRAY,), (5, 7), _SRC_CHECKED),
    CompatRow("get_stackid", (STACK_TRACE,), _V, _SRC_54),
    CompatRow("current_task_under_cgroup", (CGROUP_ARRAY,), _V, _SRC_54),
    CompatRow("skb_under_cgroup", (CGROUP_ARRAY,), _V, _SRC_54),
    CompatRow("redirect_map", (DEVMAP,), _V, _SRC_54),
    CompatRow("redirect_map", (DEVMAP_HASH,), (5, 4), _SRC_CHECKED),
    CompatRow("redirect_map", (CPUMAP,), (4, 15), _SRC_CHECKED),
    CompatRow("redirect_map", (XSKMAP,), (4, 19), _SRC_CHECKED),
    CompatRow("sk_redirect_map", (SOCKMAP,), _V, _SRC_54),
    CompatRow("msg_redirect_map", (SOCKMAP,), (4, 17), _SRC_CHECKED),
    CompatRow("sock_map_update", (SOCKMAP,), _V, _SRC_54),
    CompatRow("sk_redirect_hash", (SOCKHASH,), (4, 18), _SRC_CHECKED),
    CompatRow("msg_redirect_hash", (SOCKHASH,), (4, 18), _SRC_CHECKED),
    CompatRow("sock_hash_update", (SOCKHASH,), (4, 18), _SRC_CHECKED),
    CompatRow("get_local_storage", (CGROUP_STORAGE,), (4, 19), _SRC_CHECKED),
    CompatRow("get_local_storage", (PERCPU_CGROUP_STORAGE,), (4, 20), _SRC_CHECKED),
    CompatRow("sk_select_reuseport", (REUSEPORT_SOCKARRAY,), (4, 19), _SRC_CHECKED),
    CompatRow(
        "sk_select_reuseport",
        (
            SOCKMAP,
            SOCKHASH,
        ),
        (5, 7),
        _SRC_CHECKED,
    ),
    CompatRow(
        "map_peek_elem",
        (
            QUEUE,
            STACK,
        ),
        (4, 20),
        _SRC_CHECKED,
    ),
    CompatRow(
        "map_pop_elem",
        (
            QUEUE,
            STACK,
        ),
        (4, 20),
        _SRC_CHECKED,
    ),
    CompatRow(
        "map_push_elem",
        (
            QUEUE,
            STACK,
        ),
        (4, 20),
        _SRC_CHECKED,
    ),
    CompatRow("map_peek_elem", (BLOOM_FILTER,), (5, 16), _SRC_NEW),
    CompatRow("map_push_elem", (BLOOM_FILTER,), (5, 16), _SRC_NEW),
    CompatRow("sk_storage_get", (SK_STORAGE,), (5, 2), _SRC_CHECKED),
    CompatRow("sk_storage_delete", (SK_STORAGE,), (5, 2), _SRC_CHECKED),
    CompatRow("ringbuf_output", (RINGBUF,), (5, 8), _SRC_CHECKED),
    CompatRow("ringbuf_reserve", (RINGBUF,), (5, 8), _SRC_CHECKED),
    CompatRow("ringbuf_query", (RINGBUF,), (5, 8), _SRC_CHECKED),
    CompatRow("ringbuf_reserve_dynptr", (RINGBUF,), (5, 19), _SRC_NEW),
    CompatRow("user_ringbuf_drain", (USER_RINGBUF,), (6, 1), _SRC_NEW),
    CompatRow("inode_storage_get", (INODE_STORAGE,), (5, 10), _SRC_NEW),
    CompatRow("inode_storage_delete", (INODE_STORAGE,), (5, 10), _SRC_NEW),
    CompatRow("task_storage_get", (TASK_STORAGE,), (5, 11), _SRC_NEW),
    CompatRow("task_storage_delete", (TASK_STORAGE,), (5, 11), _SRC_NEW),
    CompatRow("cgrp_storage_get", (CGRP_STORAGE,), (6, 2), _SRC_NEW),
    CompatRow("cgrp_storage_delete", (CGRP_STORAGE,), (6, 2), _SRC_NEW),
    CompatRow(
        "map_lookup_percpu_elem",
        (
            PERCPU_HASH,
            PERCPU_ARRAY,
            LRU_PERCPU_HASH,
        ),
        (5, 19),
        _SRC_NEW,
    ),
)


@cache
def all_map_types() -> dict[int, MapTypeInfo]:
    out: dict[int, MapTypeInfo] = {}
    for row in read_rows("map_types.csv"):
        version = parse_version(row["kernel_version_introduced"])
        if version is None:
            continue
        out[int(row["enum_value"])] = MapTypeInfo(
            id=int(row["enum_value"]),
            name=row["name"].removeprefix("BPF_MAP_TYPE_").lower(),
            version=version,
            source=f"{row['version_source']} (commit {row['commit'] or 'n/a'})",
        )
    return out


def _allowed(rows: tuple[CompatRow, ...], key: int | str, version: Version) -> set[int | str] | None:
    found: set[int | str] | None = None
    for row in rows:
        if row.key == key and row.since <= version:
            found = (found or set()) | set(row.allowed)
    return found


def helpers_for_map(map_type: int, version: Version) -> set[str] | None:
    """The only helpers this map type may be passed to (None: no restriction from the map side)."""
    found = _allowed(MAP_SIDE, map_type, version)
    return None if found is None else {str(x) for x in found}


def maps_for_helper(helper: str, version: Version) -> frozenset[int] | None:
    """The only map types this helper accepts (None: any)."""
    found = _allowed(FUNC_SIDE, helper, version)
    return None if found is None else frozenset(int(x) for x in found)


def map_compatible(map_type: int, helper: str, version: Version) -> bool:
    helpers = helpers_for_map(map_type, version)
    if helpers is not None and helper not in helpers:
        return False
    maps = maps_for_helper(helper, version)
    return maps is None or map_type in maps


# map->ops->map_btf_id: the kernel struct a map pointer's fields are read through
# (check_ptr_to_map_access(), v5.10+): the BTF_ID_LIST_SINGLE(<x>_map_btf_ids, struct, <name>)
# of each map implementation (kernel/bpf/arraymap.c, hashtab.c, ringbuf.c, stackmap.c,
# lpm_trie.c, devmap.c, cpumap.c, queue_stack_maps.c, reuseport_array.c, bloom_filter.c,
# bpf_local_storage.c users, bpf_struct_ops.c, arena.c; net/core/sock_map.c,
# net/xdp/xskmap.c; local_storage.c), v6.18
MAP_BTF_STRUCT: dict[int, str] = {
    HASH: "bpf_htab",
    PERCPU_HASH: "bpf_htab",
    LRU_HASH: "bpf_htab",
    LRU_PERCPU_HASH: "bpf_htab",
    HASH_OF_MAPS: "bpf_htab",
    ARRAY: "bpf_array",
    PERCPU_ARRAY: "bpf_array",
    PROG_ARRAY: "bpf_array",
    PERF_EVENT_ARRAY: "bpf_array",
    CGROUP_ARRAY: "bpf_array",
    ARRAY_OF_MAPS: "bpf_array",
    STACK_TRACE: "bpf_stack_map",
    LPM_TRIE: "lpm_trie",
    DEVMAP: "bpf_dtab",
    DEVMAP_HASH: "bpf_dtab",
    SOCKMAP: "bpf_stab",
    SOCKHASH: "bpf_shtab",
    CPUMAP: "bpf_cpu_map",
    XSKMAP: "xsk_map",
    CGROUP_STORAGE: "bpf_cgroup_storage_map",
    PERCPU_CGROUP_STORAGE: "bpf_cgroup_storage_map",
    REUSEPORT_SOCKARRAY: "reuseport_array",
    QUEUE: "bpf_queue_stack",
    STACK: "bpf_queue_stack",
    SK_STORAGE: "bpf_local_storage_map",
    INODE_STORAGE: "bpf_local_storage_map",
    TASK_STORAGE: "bpf_local_storage_map",
    CGRP_STORAGE: "bpf_local_storage_map",
    STRUCT_OPS: "bpf_struct_ops_map",
    RINGBUF: "bpf_ringbuf_map",
    USER_RINGBUF: "bpf_ringbuf_map",
    BLOOM_FILTER: "bpf_bloom_filter",
    ARENA: "bpf_arena",
}


# map types whose BPF_F_RDONLY_PROG the kernel sets at creation: DEVMAP (14), DEVMAP_HASH (25)
# (kernel/bpf/devmap.c dev_map_init_map(): lookups return the entry in place; lookups from programs 5.3)
KERNEL_RDONLY_PROG_MAPS = frozenset({14, 25})


def prog_can_write(m) -> bool:
    """bpf_map_flags_to_cap(): whether the program may write the map's values."""
    return m.prog_can_write and m.type not in KERNEL_RDONLY_PROG_MAPS
