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
        (6, 10),
        "program of this type cannot use helper {name}#{id}",
        "verifier.c check_helper_call; source: absent from 6.9.0, present in 6.10.0 (was: 6.2)",
    ),
    MessageRow(
        "kfunc_sleepable",
        (6, 1),
        "kernel function {name} is sleepable but the program is not",
        "kernel/bpf/btf.c btf_check_kfunc_arg_match(); source: KF_SLEEPABLE absent from 6.0, this message in "
        "Debian 6.1.192",
    ),
    MessageRow(
        "kfunc_sleepable",
        (6, 2),
        "program must be sleepable to call sleepable kfunc {name}",
        "kernel/bpf/verifier.c check_kfunc_call(); source: 6.2.1 to 6.18.2",
    ),
    MessageRow(
        "ctx_conversion_bug",
        (4, 14),
        "bpf verifier is misconfigured",
        "verifier.c convert_ctx_accesses(): cnt == 0 (6.12.117, 6.14)",
    ),
    MessageRow(
        "ctx_conversion_bug",
        (6, 17),
        "verifier bug: error during ctx access conversion (0)",
        "verifier.c convert_ctx_accesses() through verifier_bug(); source: absent 6.14, present 6.17.0 and "
        "6.18.2 (6.15, 6.16 not read)",
    ),
    MessageRow(
        "no_btf_record",
        (6, 4),
        "verifier internal error: Couldn't find btf_record",
        "verifier.c check_kfunc_args() KF_ARG_PTR_TO_REFCOUNTED_KPTR; source: 6.4, 6.14",
    ),
    MessageRow(
        "no_btf_record",
        (6, 17),
        "verifier bug: Couldn't find btf_record",
        "verifier.c check_kfunc_args() through verifier_bug(); source: 6.17.0, 6.18.2 (6.15, 6.16 not read)",
    ),
    MessageRow(
        "gpl_only",
        (4, 14),
        "cannot call GPL only function from proprietary program",
        "verifier.c check_call; source: 4.14.177, 4.15.0 and 4.16.13",
    ),
    MessageRow(
        "gpl_only",
        (4, 19),
        "cannot call GPL-restricted function from non-GPL compatible program",
        "verifier.c check_helper_call; source: absent 4.16.13, present 4.19.304 and every later tree (no 4.17/4.18 "
        "tree: taken at 4.19)",
    ),
    MessageRow(
        "back_edge", (4, 14), "back-edge from insn {src} to {dst}", "KV §5 push_insn; source: 4.14.177-6.18.2"
    ),
    MessageRow("unreachable", (4, 14), "unreachable insn {insn}", "KV §5 check_cfg; source: 4.14.177-6.18.2"),
    MessageRow("jump_out_of_range", (4, 14), "jump out of range from insn {src} to {dst}", "KV §5 push_insn"),
    MessageRow(
        "too_complex",
        (4, 14),
        "BPF program is too large. Processed {count} insn",
        "KV §5; corpus manifest (6.18)",
    ),
    MessageRow(
        "jmp_seq",
        (4, 14),
        "BPF program is too complex",
        "verifier.c push_stack (BPF_COMPLEXITY_LIMIT_STACK); source: 4.14.177 to 5.2.1",
    ),
    MessageRow(
        "jmp_seq",
        (5, 3),
        "The sequence of {count} jumps is too complex.",
        "verifier.c push_stack; source: absent from 5.2.1 (BPF_COMPLEXITY_LIMIT_STACK 1024, 'BPF program is too "
        "complex'), present in 5.3.0 (was: 5.2)",
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
        "At program exit the register R0 has {value} should have been 0 or 1",
        "KV §4; source: check_return_code() of 4.15.0, 4.20.0 and 5.0.0",
    ),
    MessageRow(
        "return_range",
        (5, 2),
        "At program exit the register R0 has {value} should have been in {range}",
        "KV §4; source: absent from 5.0.0, present in 5.2.1 (no 5.1 tree; was: 5.3); 4.19.304 has it too (a "
        "stable backport, not modelled: a message only)",
    ),
    MessageRow(
        "return_range",
        (6, 8),
        "At program exit the register R0 has {value} should have been in {range}",
        "verifier.c verbose_invalid_scalar(); source: 6.7.3 prints 'has value %s should have been in %s', 6.8.0 "
        "the smin=/smax= form",
    ),
    MessageRow(
        "stack_var_off_bounds",
        (4, 14),
        "invalid variable-offset{extra} stack R{regno} var_off={var_off} size={size}",
        "verifier.c check_stack_access_within_bounds(); source: 5.12.9-6.7.3 and Debian 5.10.262 / 6.1.192 print "
        "no off=; measured on 5.10.0-46",
    ),
    MessageRow(
        "stack_var_off_bounds",
        (6, 8),
        "invalid variable-offset{extra} stack R{regno} var_off={var_off} off={off} size={size}",
        "verifier.c check_stack_access_within_bounds(); source: 'off=%d' present in 6.8.0 and 6.12.117",
    ),
    MessageRow(
        "ctx_negative_off",
        (4, 14),
        "dereference of modified ctx ptr R{regno} off={off} disallowed",
        "verifier.c check_ctx_reg (5.10 source)",
    ),
    MessageRow(
        "ctx_negative_off",
        (5, 18),
        "negative offset ctx ptr R{regno} off={off} disallowed",
        "verifier.c __check_ptr_off_reg; source: 5.17-rc5 prints 'dereference of modified %s ptr', 5.18.12 "
        "'negative offset %s ptr' (was: 5.17); 6.18 selftest verifier_bounds_deduction.c",
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
