"""The oracle's reading of verifier logs (no kernel needed)."""

from __future__ import annotations

import errno

import pytest

from verifier.oracle.verdict import (
    ACCEPT,
    ENV_REJECT,
    LOAD_ERROR,
    REJECT,
    KernelVerdict,
    classify,
    last_message,
    parse_stack_depths,
    parse_stats,
)

STATS = (
    "verification time 35 usec\n"
    "stack depth 16+8\n"
    "processed 9 insns (limit 1000000) max_states_per_insn 0 total_states 3 peak_states 1 mark_read 0\n"
)


def test_parse_stats_reads_processed_states_and_time() -> None:
    assert parse_stats("0: (b7) r0 = 0\n" + STATS) == (9, 3, 35)


def test_parse_stats_without_stats_lines() -> None:
    assert parse_stats("R0 !read_ok\n") == (None, None, None)


def test_stack_depths_per_subprogram() -> None:
    assert parse_stack_depths(STATS) == (16, 8)
    assert KernelVerdict(ACCEPT, 0, "", STATS, stack_depths=(16, 8)).stack_depth == 16
    assert KernelVerdict(ACCEPT, 0, "", "").stack_depth is None


def test_last_message_skips_stats_lines() -> None:
    assert last_message("1: (95) exit\nR0 !read_ok\n" + STATS) == "R0 !read_ok"


def test_last_message_splits_a_stats_line_glued_to_the_message() -> None:
    log = "3: (85) call bpf_tail_call#12\nexpected prog array map for tail callverification time 31 usec\n"
    assert last_message(log + "stack depth 0\n") == "expected prog array map for tail call"


def test_last_message_skips_state_dumps() -> None:
    log = "infinite loop detected at insn 1\ncur state: R0=0 R10=fp0\nold state: R0=0 R10=fp0\n" + STATS
    assert last_message(log) == "infinite loop detected at insn 1"


@pytest.mark.parametrize(
    ("err", "log", "expected"),
    [
        (0, STATS, ACCEPT),
        (errno.EACCES, "R0 !read_ok\n" + STATS, REJECT),
        (errno.EINVAL, "invalid func unknown#9999\n", REJECT),
        (errno.EINVAL, "", LOAD_ERROR),  # refused before the verifier wrote anything
        (errno.ENOENT, "", LOAD_ERROR),
        (errno.EPERM, "", ENV_REJECT),
        (errno.EINVAL, "program of this type cannot use helper bpf_probe_write_user#36\n", ENV_REJECT),
        (errno.EINVAL, "program of this type cannot use helper bpf_skb_store_bytes#9\n", REJECT),
    ],
)
def test_classify(err: int, log: str, expected: str) -> None:
    assert classify(err, log) == expected


def test_a_program_libbpf_did_not_fail_was_accepted_by_the_verifier() -> None:
    """libbpf 1.1 fills prog-array slots (`values = { [0] = &prog }`) after loading the programs: with the
    other programs left out, the object fails there, after the verifier accepted the one asked for."""
    from verifier.oracle.loader import _program_failed

    slot = ["libbpf: map 'calls': failed to initialize slot [0] to prog 'setup' fd=-2: -9"]
    assert not _program_failed(slot, "main")
    assert _program_failed(["libbpf: prog 'main': failed to load: -524"], "main")
    assert _program_failed(["libbpf: prog 'main': BPF program load failed: Permission denied"], "main")
    assert not _program_failed(["libbpf: prog 'other': failed to load: -22"], "main")
