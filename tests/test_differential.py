"""Differential tests: the kernel's recorded answers vs the manifest, and bpfcheck vs the kernel.

The kernel's answer for every corpus program is recorded with its `uname -r`
(tests/data/kernel_recordings/corpus.json): the manifest's host claims are checked against the
recording, and bpfcheck at the recorded kernel's rules must agree with it, so these run where bpf()
is denied. Where bpf() works, the live kernel is asked too; a different answer is kernel drift (a
skip, tests/kernel_recordings.py). The manifest's claims at other versions are checked in
test_corpus_versions.py.
"""

from __future__ import annotations

import pytest
from kernel_recordings import Recording, compare_live, live_kernel_usable, recording_mode

from corpus.manifest import REJECT, ManifestEntry, load_manifest, parse_version
from verifier.oracle import ENV_REJECT, KernelVerdict, load_with_kernel
from verifier.oracle.differential import check_program, compare

ENTRIES = load_manifest()
RECORDING = Recording.load("corpus")
_kernel_cache: dict[str, KernelVerdict] = {}


def kernel_verdict(entry: ManifestEntry) -> KernelVerdict:
    """The running kernel's verdict (loaded once per session; in-process: the corpus objects are ours)."""
    if entry.id not in _kernel_cache:
        _kernel_cache[entry.id] = load_with_kernel(entry.object_path, entry.name, entry.prog_type, isolate=False)
    return _kernel_cache[entry.id]


def _answer(verdict: KernelVerdict) -> dict[str, str]:
    return {"verdict": verdict.verdict, "msg": verdict.msg}


def recorded(entry: ManifestEntry) -> dict[str, str]:
    """The recorded answer (in recording mode: the live one, stored)."""
    if recording_mode():
        if not live_kernel_usable():
            pytest.skip("recording needs bpf()")
        RECORDING.store(entry.id, _answer(kernel_verdict(entry)))
    return RECORDING.answer(entry.id)


def btf_options(entry: ManifestEntry):
    """Entries whose verdict depends on the kernel's BTF are checked with the recorded kernel's BTF:
    the running kernel's, when it is the recorded one."""
    if entry.btf != "host":
        return None
    import os

    from verifier.abstract import AnalysisOptions
    from verifier.btf.kernel import host_btf_path

    path = host_btf_path()
    if path is None or RECORDING.release != os.uname().release:
        pytest.skip("needs the BTF of the recorded kernel (the running kernel is another one, or has none)")
    return AnalysisOptions(kernel_btf=((RECORDING.release, path),))


def recorded_version() -> str:
    major, minor = parse_version(RECORDING.release or "6.18")
    return f"{major}.{minor}"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_recorded_kernel_agrees_with_manifest(entry: ManifestEntry) -> None:
    expected = entry.expected(recorded_version())
    if expected is None:
        pytest.skip(f"manifest makes no claim about {recorded_version()}")
    answer = recorded(entry)
    if answer["verdict"] != ENV_REJECT:
        assert answer["verdict"] == expected, f"kernel {RECORDING.release} said {answer['verdict']}: {answer['msg']}"
        if expected == REJECT:
            assert entry.message in answer["msg"]
    if live_kernel_usable() and not recording_mode():
        compare_live(RECORDING, entry.id, _answer(kernel_verdict(entry)), f"corpus {entry.id}")


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_bpfcheck_agrees_with_kernel(entry: ManifestEntry, bpfcheck_engine) -> None:
    answer = recorded(entry)
    if answer["verdict"] not in ("accept", "reject"):
        pytest.skip(f"kernel verdict {answer['verdict']}: {answer['msg']}")
    ours = check_program(
        entry.object_path, entry.name, RECORDING.release or "host", bpfcheck_engine, btf_options(entry)
    )
    comparison = compare(entry.name, answer["verdict"], ours)
    detail = ours.findings[0].kernel_message if ours is not None and ours.findings else ""
    assert not comparison.false_accept, f"FALSE ACCEPT: kernel {RECORDING.release} rejects ({answer['msg']})"
    assert comparison.agrees, (f"kernel {RECORDING.release} {answer['verdict']} ({answer['msg']}); "
                               f"bpfcheck {comparison.bpfcheck} ({detail})")
