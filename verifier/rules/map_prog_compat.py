"""Which maps a program type may reference at all: check_map_prog_compatibility() in
kernel/bpf/verifier.c (v6.18), run from resolve_pseudo_ldimm64() for every map an ld_imm64
names, before any instruction is simulated.

Only the rules that depend on the map's value layout and the program type are here; map-type
rules of helpers live with the helpers.
"""

from __future__ import annotations

from verifier.elf.model import MapDef
from verifier.rules.maps import ARENA

# is_tracing_prog_type() in kernel/bpf/verifier.c (v6.18)
TRACING_PROG_TYPES = frozenset(
    {"kprobe", "tracepoint", "perf_event", "raw_tracepoint", "raw_tracepoint_writable"}
)


def incompatibility(m: MapDef, prog_type: str | None) -> str | None:
    """The kernel's message when a program of `prog_type` may not use map `m`, else None."""
    if m.spin_lock_off >= 0:
        if prog_type == "socket_filter":
            return "socket filter progs cannot use bpf_spin_lock yet"
        if prog_type in TRACING_PROG_TYPES:
            return "tracing progs cannot use bpf_spin_lock yet"
    if m.timer_off >= 0 and prog_type in TRACING_PROG_TYPES:
        return "tracing progs cannot use bpf_timer yet"
    return None


def second_of_a_kind(m: MapDef, earlier: list[MapDef]) -> str | None:
    """check_map_prog_compatibility() (6.9+, unchanged in 6.18.2): a program uses one arena at most
    (the maps named before `m` are `earlier`, each once)."""
    if m.type == ARENA and any(e.type == ARENA for e in earlier):
        return "Only one arena per program"
    return None
