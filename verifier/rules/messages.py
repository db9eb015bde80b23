"""Verifier messages whose wording depends on the kernel version.

`message(key, version, **fields)` returns the line the kernel of that version
prints. Rows: key, first version, printf-style template (Python format fields),
source. KV = shared/reference/kernel_versions.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from verifier.rules.versions import Version


@dataclass(frozen=True, slots=True)
class MessageRow:
    key: str
    since: Version
    template: str
    source: str


_ROWS: tuple[MessageRow, ...] = (
    MessageRow(
        "helper_unknown", (4, 14), "invalid func unknown#{id}", "verifier.c check_helper_call (KV §9 brief)"
    ),
    MessageRow(
        "helper_not_allowed",
        (4, 14),
        "unknown func {name}#{id}",
        "verifier.c check_helper_call before the rewording (cilium/ebpf probes accept both); shared README",
    ),
    MessageRow(
        "helper_not_allowed",
        (6, 2),
        "program of this type cannot use helper {name}#{id}",
        "verifier.c check_helper_call (6.x; first version not confirmed, between 5.19 and 6.2 copies)",
    ),
    MessageRow(
        "gpl_only",
        (4, 14),
        "cannot call GPL-restricted function from non-GPL compatible program",
        "verifier.c check_helper_call",
    ),
    MessageRow("back_edge", (4, 14), "back-edge from insn {src} to {dst}", "KV §5 push_insn"),
    MessageRow("unreachable", (4, 14), "unreachable insn {insn}", "KV §5 check_cfg"),
    MessageRow("jump_out_of_range", (4, 14), "jump out of range from insn {src} to {dst}", "KV §5 push_insn"),
    MessageRow(
        "too_complex",
        (4, 14),
        "BPF program is too large. Processed {count} insn",
        "KV §5; corpus manifest (6.18)",
    ),
    MessageRow(
        "jmp_seq",
        (5, 2),
        "The sequence of {count} jumps is too complex.",
        "verifier.c push_stack (5.2+, recalled)",
    ),
    MessageRow(
        "ld_abs_type",
        (4, 14),
        "BPF_LD_[ABS|IND] instructions not allowed for this program type",
        "KV §5 check_ld_abs",
    ),
    MessageRow(
        "ctx_access",
        (4, 14),
        "invalid bpf_context access off={off} size={size}",
        "ctx_access.md; corpus verdicts",
    ),
    MessageRow(
        "map_func_incompatible",
        (4, 14),
        "cannot pass map_type {map_type} into func {name}#{id}",
        "verifier.c check_map_func_compatibility",
    ),
    MessageRow(
        "tail_call_with_calls",
        (4, 16),
        "tail_calls are not allowed in programs with bpf-to-bpf calls",
        "verifier.c check_map_func_compatibility (~5.4 copy); lifted in 5.10",
    ),
    MessageRow(
        "bpf_calls_root_only",
        (4, 16),
        "function calls to other bpf functions are allowed for root only",
        "KV §2",
    ),
    MessageRow(
        "bpf_calls_root_only",
        (5, 8),
        "function calls to other bpf functions are allowed for CAP_BPF and CAP_SYS_ADMIN",
        "KV §2",
    ),
    MessageRow("call_depth", (4, 16), "the call stack of {frames} frames is too deep !", "KV §1"),
    MessageRow(
        "combined_stack",
        (4, 16),
        "combined stack size of {calls} calls is {size}. Too large",
        "KV §1; corpus",
    ),
    MessageRow(
        "return_range",
        (4, 15),
        "At program exit the register R0 has value {value} should have been 0 or 1",
        "KV §4 (before 5.3)",
    ),
    MessageRow(
        "return_range",
        (5, 3),
        "At program exit the register R0 has value {value} should have been in {range}",
        "KV §4",
    ),
    MessageRow(
        "return_range",
        (6, 8),
        "At program exit the register R0 has {value} should have been in {range}",
        "verifier.c (smin=/smax= form seen on 6.18 in corpus/manifest.toml; first version not confirmed)",
    ),
    MessageRow(
        "ctx_negative_off",
        (4, 14),
        "dereference of modified ctx ptr R{regno} off={off} disallowed",
        "verifier.c check_ctx_reg (5.10 source)",
    ),
    MessageRow(
        "ctx_negative_off",
        (5, 17),
        "negative offset ctx ptr R{regno} off={off} disallowed",
        "verifier.c __check_ptr_off_reg (6.1, 6.12 sources; commit 'bpf: Generalize check_ctx_reg for reuse "
        "with other types', v5.17 mainline, version recalled); 6.18 selftest verifier_bounds_deduction.c",
    ),
)

MESSAGE_KEYS: tuple[str, ...] = tuple(dict.fromkeys(row.key for row in _ROWS))


def message_rows() -> tuple[MessageRow, ...]:
    return _ROWS


def message(key: str, version: Version, **fields: object) -> str:
    """The kernel's wording of `key` at `version`, with `fields` filled in; unknown keys raise KeyError."""
    found: MessageRow | None = None
    for row in _ROWS:
        if row.key == key and row.since <= version:
            found = row
    if found is None:
        if key not in MESSAGE_KEYS:
            raise KeyError(f"unknown message {key!r}")
        found = next(row for row in _ROWS if row.key == key)
    try:
        return found.template.format(**fields)
    except KeyError:
        return found.template
