"""Calls and exits while a bpf_spin_lock is held, by version.

From 6.9 a static subprogram may be called with the lock held and may return with it held;
a global one may not ('global function calls are not allowed while holding a lock,'). Before,
every call but bpf_spin_unlock was refused and every exit with the lock held was 'bpf_spin_unlock
is missing'; 6.13/6.14 name the exit ('BPF_EXIT instruction in main prog cannot be used inside
bpf_spin_lock-ed region'). 6.18 verdicts and messages: the running 6.18.44 kernel.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bpf_c import compile_c

from verifier.abstract import AnalysisOptions
from verifier.pipeline import Stages, check_program
from verifier.rules import for_kernel

# the program source is the near-miss set's (tests/data/near_miss), answers recorded there too
C_SOURCE = (Path(__file__).parent / "data" / "near_miss" / "lockc.c").read_text()

EXPECTED = {
    "6.18": {
        "static_call_locked": None,
        "global_call_locked": "global function calls are not allowed while holding a lock,",
        "lock_in_subprog": None,
        "exit_locked": "BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region",
    },
    "6.8": {
        "static_call_locked": "function calls are not allowed while holding a lock",
        "global_call_locked": "function calls are not allowed while holding a lock",
        "lock_in_subprog": "bpf_spin_unlock is missing",
        "exit_locked": "bpf_spin_unlock is missing",
    },
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("lock_calls"))


@pytest.mark.parametrize("kernel", sorted(EXPECTED))
@pytest.mark.parametrize("name", sorted(EXPECTED["6.18"]))
def test_calls_and_exits_under_a_lock(obj, name: str, kernel: str) -> None:
    prog = next(p for p in obj.programs if p.name == name)
    verdict = check_program(obj, prog, kernel, for_kernel(kernel), AnalysisOptions(timeout=10), Stages.real())
    expected = EXPECTED[kernel][name]
    if expected is None:
        assert verdict.verdict == "accept", verdict.findings
    else:
        assert verdict.verdict == "reject"
        assert verdict.findings[0].kernel_message == expected
