"""The oracle against the running kernel (marker `kernel`: skipped where bpf() is not permitted)."""

from __future__ import annotations

from pathlib import Path

import pytest
from kernel_recordings import Recording, drift

from verifier.errors import InputError
from verifier.oracle import ACCEPT, LOAD_ERROR, REJECT, load_in_process, load_with_kernel, probe
from verifier.oracle.objects import list_programs

pytestmark = pytest.mark.kernel

BUILD = Path(__file__).resolve().parent.parent / "corpus" / "build"
XDP_BOUNDS = BUILD / "packet" / "xdp_bounds.o"


def test_accepted_program_has_stats(kernel_oracle: None) -> None:
    v = load_with_kernel(XDP_BOUNDS, "pkt_checked")
    assert v.verdict == ACCEPT and v.errno == 0
    assert v.processed and v.processed > 0
    assert v.verify_us is not None and v.stack_depth == 0


def test_rejected_program_has_the_kernel_reason(kernel_oracle: None) -> None:
    """The oracle's message is the log's last line; its words are the recording's (else kernel drift)."""
    v = load_with_kernel(XDP_BOUNDS, "pkt_no_check")
    assert v.verdict == REJECT
    assert v.msg and "pkt_no_check" not in v.msg and v.msg in v.log
    corpus = Recording.load("corpus")
    recorded = corpus.answer("packet/xdp_bounds.o:pkt_no_check")
    if {"verdict": v.verdict, "msg": v.msg} != recorded:
        drift("oracle packet/xdp_bounds.o:pkt_no_check", corpus.release, recorded,
              {"verdict": v.verdict, "msg": v.msg})


def test_child_process_and_in_process_agree(kernel_oracle: None) -> None:
    child = load_with_kernel(XDP_BOUNDS, "pkt_no_check")
    here = load_in_process(str(XDP_BOUNDS), "pkt_no_check")
    assert (child.verdict, child.msg, child.processed) == (here.verdict, here.msg, here.processed)


def test_prog_type_override_changes_the_verdict(kernel_oracle: None) -> None:
    # As sched_cls the same bytes read __sk_buff, where offset 0 (len) is a scalar, not a packet pointer.
    v = load_with_kernel(XDP_BOUNDS, "pkt_checked", "sched_cls")
    assert v.verdict == REJECT
    assert load_with_kernel(XDP_BOUNDS, "pkt_checked", "xdp").verdict == ACCEPT


def test_unknown_prog_type_is_input_error(kernel_oracle: None) -> None:
    with pytest.raises(InputError, match="unknown program type"):
        load_with_kernel(XDP_BOUNDS, "pkt_checked", "no_such_type")


def test_missing_program_and_missing_file_are_load_errors(kernel_oracle: None) -> None:
    assert load_with_kernel(XDP_BOUNDS, "no_such_prog").verdict == LOAD_ERROR
    missing = load_with_kernel(BUILD / "nope.o", "x")
    assert missing.verdict == LOAD_ERROR and "no such object" in missing.msg


def test_timeout_gives_a_load_error(kernel_oracle: None) -> None:
    v = load_with_kernel(BUILD / "loops" / "unbounded.o", "loop_unbounded", timeout=0.01)
    assert v.verdict == LOAD_ERROR and "timed out" in v.msg


def test_list_programs(kernel_oracle: None) -> None:
    names = [p.name for p in list_programs(XDP_BOUNDS)]
    assert names == ["pkt_no_check", "pkt_checked"]


def test_kernel_unavailable_without_libbpf(monkeypatch: pytest.MonkeyPatch) -> None:
    from verifier.oracle import libbpf as lb

    def missing() -> None:
        raise lb.LibbpfMissing("no libbpf here")

    monkeypatch.setattr(probe.lb, "libbpf", missing)
    probe.kernel_available.cache_clear()
    try:
        assert probe.kernel_available() is False
    finally:
        probe.kernel_available.cache_clear()
