"""R0 precision where the return range is checked (check_return_code()), by version.

Before 6.8 (c871d0e00f0e, eabe518de533; the 5.10.262 and 6.1.192 sources have no
mark_chain_precision() there) R0 stays imprecise at program exit: a path that returns an unchecked byte
is pruned against an earlier path that returned 0 through the same exit. The programs are our own
(differential fuzzing's case 004, corpus return/loop_acc_ret.o, fuzz case 003); the verdicts are the
real kernels' (tests/data/kernels: Debian 5.10.0-46, 6.1.0-57, 6.12.117 under qemu; the host's 6.18.44).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier.abstract import AnalysisOptions
from verifier.pipeline import Stages, check_object
from verifier.rules.versions import parse_kernel

ROOT = Path(__file__).resolve().parent.parent
PRUNED_BAD_RETURN = ROOT / "tests/data/engine_disagreements/004/prog.o"
THIRD_EXIT_BAD = ROOT / "tests/data/engine_disagreements/003/prog.o"
LOOP_SUM = ROOT / "corpus/build/return/loop_acc_ret.o"

CASES = [
    (PRUNED_BAD_RETURN, "5.10", "accept"),
    (PRUNED_BAD_RETURN, "6.1", "accept"),
    (PRUNED_BAD_RETURN, "6.12", "reject"),
    (PRUNED_BAD_RETURN, "6.18", "reject"),
    (THIRD_EXIT_BAD, "5.10", "reject"),
    (THIRD_EXIT_BAD, "6.1", "reject"),
    (LOOP_SUM, "5.10", "reject"),
    (LOOP_SUM, "6.1", "reject"),
    (LOOP_SUM, "6.12", "reject"),
]


@pytest.mark.parametrize(("path", "kernel", "verdict"), CASES, ids=lambda x: getattr(x, "name", str(x)))
def test_return_range_precision_as_the_real_kernels(path: Path, kernel: str, verdict: str) -> None:
    result = check_object(
        str(path), [parse_kernel(kernel)], AnalysisOptions(timeout=30), stages=Stages.real()
    )
    assert result.verdicts[0].verdict == verdict


def test_the_pruned_path_is_counted_as_the_kernel_counts_it() -> None:
    """5.10.0-46 and 6.1.0-57 report 13 processed instructions for case 004 (the pruned visit counts)."""
    result = check_object(str(PRUNED_BAD_RETURN), [parse_kernel("5.10")], AnalysisOptions(timeout=30))
    assert result.verdicts[0].stats.processed == 13
