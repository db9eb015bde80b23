"""Which maps a program type may reference at all: check_map_prog_compatibility() in
kernel/bpf/verifier.c (v6.18), run from resolve_pseudo_ldimm64() for every map an ld_imm64
names, before any instruction is simulated.

Only the rules that depend on the map's value layout and the program type are here; map-type
rules of helpers live with the helpers.
"""

from __future__ import annotations

from dataclasses import dataclass

from verifier.elf.model import MapDef
from verifier.rules.maps import (
    ARENA,
    ARRAY,
    ARRAY_OF_MAPS,
    CGROUP_STORAGE,
    CGRP_STORAGE,
    HASH,
    HASH_OF_MAPS,
    INODE_STORAGE,
    LRU_HASH,
    LRU_PERCPU_HASH,
    PERCPU_ARRAY,
    PERCPU_CGROUP_STORAGE,
    PERCPU_HASH,
    QUEUE,
    RINGBUF,
    SK_STORAGE,
    STACK,
    STRUCT_OPS,
    TASK_STORAGE,
    USER_RINGBUF,
)
from verifier.rules.versions import Version

BPF_F_NO_PREALLOC = 1

# is_tracing_prog_type() in kernel/bpf/verifier.c (v6.18)
TRACING_PROG_TYPES = frozenset(
    {"kprobe", "tracepoint", "perf_event", "raw_tracepoint", "raw_tracepoint_writable"}
)


@dataclass(frozen=True, slots=True)
class SleepableMaps:
    """The map types a sleepable program may name (check_map_prog_compatibility()), from `since` to
    `until` (inclusive; None: still so). `prealloc` types must be preallocated (is_preallocated_map())."""

    since: Version
    until: Version | None
    allowed: frozenset[int]
    prealloc: frozenset[int]
    message: str
    prealloc_message: str
    source: str


_HASHES_ARRAYS = frozenset({HASH, LRU_HASH, ARRAY, PERCPU_HASH, PERCPU_ARRAY, LRU_PERCPU_HASH, ARRAY_OF_MAPS, HASH_OF_MAPS})
_LOCAL_STORAGE = frozenset({INODE_STORAGE, SK_STORAGE, TASK_STORAGE})
_PREALLOC_MSG = "Sleepable programs can only use preallocated maps"
SLEEPABLE_MAPS: tuple[SleepableMaps, ...] = (
    SleepableMaps(
        (5, 10), (5, 11), frozenset({HASH, LRU_HASH, ARRAY}), frozenset({HASH, LRU_HASH, ARRAY}),
        "Sleepable programs can only use array and hash maps",
        "Sleepable programs can only use preallocated hash maps",
        "commit 1e6c62a88215 'bpf: Introduce sleepable BPF programs' (v5.10); source: 5.10.262, 5.11 trees",
    ),
    SleepableMaps(
        (5, 12), (5, 16), _HASHES_ARRAYS | {RINGBUF}, _HASHES_ARRAYS,
        "Sleepable programs can only use array, hash, and ringbuf maps", _PREALLOC_MSG,
        "source: 5.12.9 and 5.15.16 trees (percpu maps, map-in-map, ringbuf); the local storage maps absent "
        "from 5.15.16, present in 5.17: bounded, taken at 5.17, the stricter side",
    ),
    SleepableMaps(
        (5, 17), (6, 0), _HASHES_ARRAYS | {RINGBUF} | _LOCAL_STORAGE, _HASHES_ARRAYS,
        "Sleepable programs can only use array, hash, and ringbuf maps", _PREALLOC_MSG,
        "source: 5.17, 5.19 and 6.0 trees",
    ),
    SleepableMaps(
        (6, 1), (6, 1), _HASHES_ARRAYS | {RINGBUF, USER_RINGBUF} | _LOCAL_STORAGE, frozenset(),
        "Sleepable programs can only use array, hash, and ringbuf maps", _PREALLOC_MSG,
        "'bpf: Remove prealloc-only restriction for sleepable bpf programs' (v6.1); source: 6.1.192 tree",
    ),
    SleepableMaps(
        (6, 2), (6, 8), _HASHES_ARRAYS | {RINGBUF, USER_RINGBUF, CGRP_STORAGE} | _LOCAL_STORAGE, frozenset(),
        "Sleepable programs can only use array, hash, ringbuf and local storage maps", _PREALLOC_MSG,
        "source: 6.2.1 and 6.8 trees (cgroup local storage, 6.2)",
    ),
    SleepableMaps(
        (6, 9), None,
        _HASHES_ARRAYS | {RINGBUF, USER_RINGBUF, CGRP_STORAGE, QUEUE, STACK, ARENA} | _LOCAL_STORAGE,
        frozenset(),
        "Sleepable programs can only use array, hash, ringbuf and local storage maps", _PREALLOC_MSG,
        "source: 6.9.0, 6.12.117 and 6.18.2 trees (queue, stack, arena); measured: 6.18.44-fc-v1045 refuses "
        "a prog array, LPM trie, perf event array, devmap, sockmap (tests/test_map_prog_compat.py); "
        "Debian 7.2.13 allows LPM trie and prog array as well (no row: not measured)",
    ),
)


def _sleepable_map_problem(m: MapDef, version: Version) -> str | None:
    row = next((r for r in SLEEPABLE_MAPS if r.since <= version and (r.until is None or version <= r.until)), None)
    if row is None:
        return None
    if m.type not in row.allowed:
        return row.message
    if m.type in row.prealloc and not (_preallocated(m) and (m.inner is None or _preallocated(m.inner))):
        return row.prealloc_message
    return None


def _preallocated(m: MapDef) -> bool:
    """check_map_prealloc(): only the hash maps can be made without preallocation."""
    return m.type not in (HASH, PERCPU_HASH, HASH_OF_MAPS) or not m.flags & BPF_F_NO_PREALLOC


# before 5.11 one test refused both with the tracing words ('tracing progs cannot use bpf_spin_lock
# yet' for a socket filter): 5.9.1 and Debian 5.10.262 have one condition, 5.11.0 two; measured on
# 5.10.0-46
SOCKET_FILTER_LOCK_WORDS: Version = (5, 11)


def incompatibility(
    m: MapDef, prog_type: str | None, sleepable: bool = False, version: Version | None = None
) -> str | None:
    """The kernel's message when a program of `prog_type` (`sleepable` or not; at `version`, None: the
    newest) may not use map `m`, else None."""
    version = version or (99, 0)
    if m.spin_lock_off >= 0:
        if prog_type == "socket_filter":
            if version < SOCKET_FILTER_LOCK_WORDS:
                return "tracing progs cannot use bpf_spin_lock yet"
            return "socket filter progs cannot use bpf_spin_lock yet"
        if prog_type in TRACING_PROG_TYPES:
            return "tracing progs cannot use bpf_spin_lock yet"
        if sleepable and (5, 11) <= version <= (6, 6):
            # source: absent from 5.10.262, present in 5.11 to 6.5, absent from 6.7.3: taken until 6.6,
            # the stricter side ('bpf: Allow bpf_spin_{lock,unlock} in sleepable progs')
            return "sleepable progs cannot use bpf_spin_lock yet"
    if m.timer_off >= 0 and prog_type in TRACING_PROG_TYPES:
        return "tracing progs cannot use bpf_timer yet"
    if m.type == STRUCT_OPS and version >= (5, 6):
        # source: in 5.10.262 and every later tree read (commit 85d33df357b6, v5.6)
        return "bpf_struct_ops map cannot be used in prog"
    if sleepable:
        return _sleepable_map_problem(m, version)
    return None


def second_of_a_kind(m: MapDef, earlier: list[MapDef]) -> str | None:
    """check_map_prog_compatibility(): a program uses one cgroup storage of each type at most
    (bpf_cgroup_storage_assign(), 4.19+) and one arena (6.9+); `earlier` are the maps named before
    `m`, each once."""
    if m.type in (CGROUP_STORAGE, PERCPU_CGROUP_STORAGE) and any(e.type == m.type for e in earlier):
        return "only one cgroup storage of each type is allowed"
    if m.type == ARENA and any(e.type == ARENA for e in earlier):
        return "Only one arena per program"
    return None
