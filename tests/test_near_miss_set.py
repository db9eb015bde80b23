"""bpfcheck against four real kernels on the near-miss set (tests/data/near_miss, see
tests/near_miss_set.py): about 300 small programs, each one rule and its near miss (map flags,
spin-lock identity, socket casts, dynptrs, timers, helper stack clobbering, context fields, return
ranges, atomics, calls, version differences), recorded on 5.10.0-46, 6.1.0-57, 6.12.117 (qemu) and
the host's 6.18.44. Every answer must match, except the false rejects listed here; no false accept.
"""

from __future__ import annotations

import pytest
from near_miss_set import answers, build, cpu_flags

from verifier.abstract import AnalysisOptions
from verifier.elf.reader import load_object
from verifier.pipeline import Stages, check_program
from verifier.rules import for_kernel

# programs the kernel accepts and bpfcheck does not, with the reason (never a false accept here)
KNOWN_FALSE_REJECTS: dict[str, str] = {}


@pytest.fixture(scope="module")
def objects(tmp_path_factory):
    folder = tmp_path_factory.mktemp("near_miss")
    built = {}
    for source in cpu_flags():
        out = build(source, str(folder))
        if out is None:
            pytest.skip("clang cannot build BPF C here")
        built[source[:-2]] = load_object(str(out))
    return built


@pytest.mark.parametrize("release", sorted(answers()))
def test_near_miss_set_against_a_real_kernel(objects, release: str) -> None:
    rules = for_kernel(release)
    disagreements = []
    for key, recorded in sorted(answers()[release].items()):
        source, name = key.split(":")
        obj = objects[source]
        prog = next(p for p in obj.programs if p.name == name)
        ours = check_program(obj, prog, release, rules, AnalysisOptions(timeout=20), Stages.real()).verdict
        if ours == recorded["verdict"]:
            continue
        if ours == "reject" and recorded["verdict"] == "accept" and key in KNOWN_FALSE_REJECTS:
            continue
        disagreements.append(f"{key}: kernel {recorded['verdict']} ({recorded['msg']}), bpfcheck {ours}")
    assert disagreements == []
