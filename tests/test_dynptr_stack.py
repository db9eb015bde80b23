"""struct bpf_dynptr on the stack: built by a helper, used, released, overwritten.

A ring buffer dynptr holds a reference from bpf_ringbuf_reserve_dynptr() (even a failed one) until
bpf_ringbuf_submit/discard_dynptr(); its slices die with it; a dynptr holding a reference cannot
be overwritten; its bytes cannot be read; bpf_dynptr_from_mem() takes map values only. Verdicts and
messages: the running 6.18.44 kernel (the reservation, leak, overwrite and slice cases also on the
real 6.12.117).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bpf_c import compile_c

from verifier.abstract import AnalysisOptions
from verifier.pipeline import Stages, check_program
from verifier.rules import for_kernel

# the program source is the near-miss set's (tests/data/near_miss), answers recorded there too
C_SOURCE = (Path(__file__).parent / "data" / "near_miss" / "dyn.c").read_text()

EXPECTED = {
    "reserve_submit": None,
    "reserve_leak": "BPF_EXIT instruction in main prog would lead to reference leak",
    "reserve_overwrite": "cannot overwrite referenced dynptr",
    "reserve_twice": "cannot overwrite referenced dynptr",
    "use_after_submit": "Expected an initialized dynptr as arg #2",
    "slice_after_submit": "R7 invalid mem access 'scalar'",
    "uninit_use": "Expected an initialized dynptr as arg #2",
    "local_from_map": None,
    "local_from_stack": "Unsupported reg type fp for bpf_dynptr_from_mem data",
    "local_released": "arg 1 is an unacquired reference",
    "read_dynptr_bytes": "invalid read from stack off -24+0 size 4",
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("dynptr_stack"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_dynptr_on_the_stack(obj, name: str) -> None:
    prog = next(p for p in obj.programs if p.name == name)
    verdict = check_program(obj, prog, "6.18", for_kernel("6.18"), AnalysisOptions(timeout=10), Stages.real())
    expected = EXPECTED[name]
    if expected is None:
        assert verdict.verdict == "accept", verdict.findings
    else:
        assert verdict.verdict == "reject"
        assert verdict.findings[0].kernel_message == expected
