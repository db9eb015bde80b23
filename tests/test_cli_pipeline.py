"""The pipeline on its own: witnesses, deadlines, program selection, kernel labels."""

from __future__ import annotations

import dataclasses
import time

import pytest

from verifier.abstract import AnalysisOptions
from verifier.errors import InputError
from verifier.pipeline import (
    AnalysisDeadline,
    check_objects,
    expand_object_args,
    hard_deadline,
    is_timeout,
    kernel_label,
    select_programs,
)

try:
    from tests.test_cli_fakes import FAKE_STAGES, XDP_BAD_O, XDP_PASS_O, write_fake_object, xdp_bad_program
except ImportError:
    from test_cli_fakes import FAKE_STAGES, XDP_BAD_O, XDP_PASS_O, write_fake_object, xdp_bad_program


def witness_found(obj, program, finding, prog_type, timeout):
    return {"feasible": True, "packet_len": 3, "asked_for": prog_type}


def witness_crashes(obj, program, finding, prog_type, timeout):
    raise RuntimeError("z3 went away")


def run_bad(path: str, find_witness, **kwargs):
    stages = dataclasses.replace(FAKE_STAGES, find_witness=find_witness)
    result = check_objects([path], [(6, 1)], AnalysisOptions(timeout=5), stages=stages, **kwargs)[0]
    return result.verdicts[0].findings[0]


def test_witness_is_asked_only_when_the_finding_has_none() -> None:
    assert run_bad(XDP_BAD_O, witness_found).witness == {"packet length": 0}  # the engine's own stays


def test_witness_finder_fills_the_witness(tmp_path) -> None:
    path = write_fake_object(str(tmp_path), "nowit.o")
    assert run_bad(path, witness_found).witness == {"feasible": True, "packet_len": 3, "asked_for": "xdp"}


def test_witness_failure_leaves_none_and_keeps_the_verdict(tmp_path) -> None:
    path = write_fake_object(str(tmp_path), "nowit.o")
    finding = run_bad(path, witness_crashes)
    assert finding.witness is None and finding.category == "packet-bounds"


def test_no_witnesses_switch(tmp_path) -> None:
    path = write_fake_object(str(tmp_path), "nowit.o")
    assert run_bad(path, witness_found, witnesses=False).witness is None


def test_kernel_labels() -> None:
    assert kernel_label((5, 10)) == "5.10"
    assert kernel_label("6.1") == "6.1"


def test_select_programs_by_name_and_glob() -> None:
    programs = [xdp_bad_program("xdp_a"), xdp_bad_program("xdp_b"), xdp_bad_program("tc_c")]
    assert [p.name for p in select_programs(programs, "xdp_*")] == ["xdp_a", "xdp_b"]
    assert [p.name for p in select_programs(programs, "tc_c")] == ["tc_c"]
    assert select_programs(programs, None) == programs


def test_expand_object_args_keeps_order_and_drops_duplicates() -> None:
    assert expand_object_args([XDP_PASS_O, XDP_BAD_O, XDP_PASS_O]) == [XDP_PASS_O, XDP_BAD_O]
    with pytest.raises(InputError):
        expand_object_args(["/nonexistent/*.o"])


def test_hard_deadline_interrupts_and_is_a_timeout() -> None:
    start = time.monotonic()
    with pytest.raises(AnalysisDeadline) as caught, hard_deadline(0.2):
        while True:
            time.sleep(0.01)
    assert time.monotonic() - start < 5
    assert is_timeout(caught.value)
    assert not is_timeout(RuntimeError("x"))
