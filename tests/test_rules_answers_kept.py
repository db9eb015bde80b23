"""KernelRules keeps its answers to the questions the engine asks per helper call and per context or
packet access (map_compatible, ctx_access, packet_access): the same answers as asked afresh, and a
FactRecorder still records the facts each answer rests on."""

from __future__ import annotations

from verifier.rules.ctx import check_ctx_access
from verifier.rules.kernel_rules import KernelRules, for_kernel
from verifier.rules.packet import packet_access
from verifier.rules.prog_types import normalize_attach_type, normalize_prog_type
from verifier.rules.recording import FactRecorder
from verifier.rules.versions import parse_kernel

HASH, ARRAY, PROG_ARRAY, RINGBUF = 1, 2, 3, 27
LOOKUP, TAIL_CALL, RINGBUF_OUTPUT = 1, 12, 130


def test_kept_answers_are_the_fresh_ones() -> None:
    for kernel in ("4.19", "5.10", "6.18"):
        rules = KernelRules(parse_kernel(kernel))
        for _ in range(2):  # asked, then answered from what was kept
            for map_type in (HASH, ARRAY, PROG_ARRAY, RINGBUF):
                for fid in (LOOKUP, TAIL_CALL, RINGBUF_OUTPUT):
                    fresh = rules._map_compatible(map_type, fid)
                    assert rules.map_compatible(map_type, fid) == fresh
            assert rules.map_compatible(PROG_ARRAY, TAIL_CALL) and not rules.map_compatible(HASH, TAIL_CALL)
            for prog_type, attach in (("xdp", None), ("sched_cls", None), ("tracepoint", None)):
                assert rules.packet_access(prog_type, attach) == packet_access(
                    normalize_prog_type(prog_type), rules.version, normalize_attach_type(attach)
                )
                for off, size, write in (
                    (0, 4, False),
                    (4, 4, False),
                    (76, 4, False),
                    (0, 4, True),
                    (3, 2, False),
                ):
                    fresh = check_ctx_access(
                        normalize_prog_type(prog_type),
                        off,
                        size,
                        write,
                        rules.version,
                        normalize_attach_type(attach),
                        True,
                        rules.has("tracepoint_record_8k"),
                    )
                    assert rules.ctx_access(prog_type, off, size, write, attach) == fresh


def test_recorder_notes_facts_of_kept_answers() -> None:
    base = for_kernel("6.18")
    base.ctx_access("tracepoint", 8, 8, False)  # kept by the shared rules
    recorder = FactRecorder(base)
    recorder.ctx_access("tracepoint", 8, 8, False)
    assert "tracepoint_record_8k" in recorder.used
