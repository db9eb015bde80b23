"""Numeric limits of the verifier, by kernel version and privilege.

`limit_value(name, version, unprivileged)`; rows cite shared/reference/
kernel_versions.md ("KV") sections or kernel source.
"""

from __future__ import annotations

from dataclasses import dataclass

from verifier.rules.versions import Version


@dataclass(frozen=True, slots=True)
class LimitRow:
    name: str
    since: Version  # first version the value applies to (rows of one name are sorted by since)
    value: int
    unprivileged: int | None  # value for unprivileged loads when different, else None
    meaning: str
    source: str


_ROWS: tuple[LimitRow, ...] = (
    LimitRow(
        "max_insns",
        (4, 14),
        4096,
        None,
        "program size in instructions (BPF_MAXINSNS)",
        "KV §1: 4096 until 5.1; source: BPF_MAXINSNS, BPF_COMPLEXITY_LIMIT_INSNS not in include/linux/bpf.h of 5.0.0",
    ),
    LimitRow(
        "max_insns",
        (5, 2),
        1_000_000,
        4096,
        "program size in instructions",
        "KV §1: BPF_COMPLEXITY_LIMIT_INSNS for bpf_capable(), BPF_MAXINSNS otherwise (c04c0d2b968a); source: "
        "BPF_COMPLEXITY_LIMIT_INSNS 1000000 in include/linux/bpf.h of 5.2.1, 131072 in verifier.c of 5.0.0 (no 5.1 "
        "tree; bcc: 5.2)",
    ),
    LimitRow(
        "complexity",
        (4, 14),
        131_072,
        None,
        "processed-instruction limit (BPF_COMPLEXITY_LIMIT_INSNS)",
        "source: BPF_COMPLEXITY_LIMIT_INSNS 131072 in verifier.c of 4.14.177, 4.19.304, 4.20.0 and 5.0.0",
    ),
    LimitRow(
        "complexity",
        (5, 2),
        1_000_000,
        None,
        "processed-instruction limit, all programs",
        "KV §1: 1M since c04c0d2b968a; source: include/linux/bpf.h of 5.2.1 (and every later tree read)",
    ),
    LimitRow("stack", (4, 14), 512, None, "combined stack of all frames (MAX_BPF_STACK)", "KV §1"),
    LimitRow(
        "stack_with_tail_calls",
        (5, 10),
        256,
        None,
        "per-frame stack of callers when tail calls are mixed with bpf-to-bpf calls",
        "KV §1",
    ),
    LimitRow("call_depth", (4, 14), 8, None, "bpf-to-bpf call frames (MAX_CALL_FRAMES)", "KV §1"),
    LimitRow("tail_calls", (4, 14), 32, None, "MAX_TAIL_CALL_CNT", "KV §1"),
    LimitRow(
        "tail_calls",
        (5, 16),
        33,
        None,
        "MAX_TAIL_CALL_CNT (32 -> 33)",
        "commit ebf7f6f0a6cd; source: include/linux/bpf.h of 5.15.16 has 32, 5.16.10 33 and no 5.16.y ChangeLog in "
        "Debian's changelog lists it: 5.16 (was: 5.17; no verdict uses it)",
    ),
    LimitRow(
        "states_per_insn",
        (4, 14),
        64,
        None,
        "BPF_COMPLEXITY_LIMIT_STATES: states kept per insn (enforced for unprivileged loads)",
        "source: BPF_COMPLEXITY_LIMIT_STATES 64 in verifier.c from 4.19.304 on; absent from 4.14.177-4.16.13 "
        "(no limit there; kept from 4.14, the stricter side; no verdict uses it)",
    ),
    LimitRow(
        "jmp_seq",
        (4, 14),
        1024,
        None,
        "pending branches (BPF_COMPLEXITY_LIMIT_STACK)",
        "source: BPF_COMPLEXITY_LIMIT_STACK 1024 in verifier.c of 4.14.177 to 5.2.1",
    ),
    LimitRow(
        "jmp_seq",
        (5, 3),
        8192,
        None,
        "pending branches (BPF_COMPLEXITY_LIMIT_JMP_SEQ)",
        "source: verifier.c of 5.2.1 still has BPF_COMPLEXITY_LIMIT_STACK 1024, 5.3.0 BPF_COMPLEXITY_LIMIT_JMP_SEQ "
        "8192 (was: 5.2)",
    ),
    LimitRow("max_subprogs", (4, 14), 256, None, "BPF_MAX_SUBPROGS", "kernel include/linux/bpf_verifier.h"),
    LimitRow("helper_args", (4, 14), 5, None, "helper arguments R1-R5", "KV §1"),
    LimitRow("ctx_args", (4, 14), 12, None, "MAX_BPF_FUNC_ARGS u64 args of raw_tp/tracing ctx", "KV §1"),
    LimitRow(
        "max_loops",
        (5, 17),
        1 << 23,
        None,
        "BPF_MAX_LOOPS: bpf_loop iterations",
        "source: MAX_LOOPS BIT(23) in kernel/bpf/bpf_iter.c of 5.17-rc5, BPF_MAX_LOOPS in include/linux/bpf.h from "
        "6.0-rc1",
    ),
    LimitRow("packet_off", (4, 14), 0xFFFF, None, "MAX_PACKET_OFF", "KV §5a"),
)

LIMIT_NAMES: tuple[str, ...] = tuple(dict.fromkeys(row.name for row in _ROWS))


def limit_row(name: str, version: Version) -> LimitRow | None:
    """The row in force at `version` (None when the limit does not exist yet)."""
    found: LimitRow | None = None
    for row in _ROWS:
        if row.name == name and row.since <= version:
            found = row
    if found is None and name not in LIMIT_NAMES:
        raise KeyError(f"unknown limit {name!r}")
    return found


def limit_value(name: str, version: Version, unprivileged: bool = False) -> int:
    row = limit_row(name, version)
    if row is None:
        return 0
    if unprivileged and row.unprivileged is not None:
        return row.unprivileged
    return row.value


def all_limit_rows() -> tuple[LimitRow, ...]:
    return _ROWS
