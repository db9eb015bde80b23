"""Differential tests: the running kernel vs the manifest, and bpfcheck vs the running kernel.

Marker `kernel`: skipped where bpf() is not permitted. The bpfcheck half also
skips while the engine is not importable. The kernel witnesses only its own
version; the manifest's claims at other versions are checked in test_corpus_versions.py.
"""

from __future__ import annotations

import pytest

from corpus.manifest import REJECT, ManifestEntry, load_manifest
from verifier.oracle import ENV_REJECT, KernelVerdict, host_kernel_version, load_with_kernel
from verifier.oracle.differential import check_program, compare

pytestmark = pytest.mark.kernel

ENTRIES = load_manifest()
_kernel_cache: dict[str, KernelVerdict] = {}


def kernel_verdict(entry: ManifestEntry) -> KernelVerdict:
    """The running kernel's verdict (loaded once per session; in-process: the corpus objects are ours)."""
    if entry.id not in _kernel_cache:
        _kernel_cache[entry.id] = load_with_kernel(entry.object_path, entry.name, entry.prog_type, isolate=False)
    return _kernel_cache[entry.id]


def host_version() -> str:
    major, minor = host_kernel_version()
    return f"{major}.{minor}"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_kernel_agrees_with_manifest(entry: ManifestEntry, kernel_oracle: None) -> None:
    expected = entry.expected(host_version())
    if expected is None:
        pytest.skip(f"manifest makes no claim about {host_version()}")
    got = kernel_verdict(entry)
    if got.verdict == ENV_REJECT:
        pytest.skip(f"refused by this machine's configuration: {got.msg}")
    assert got.verdict == expected, f"kernel says {got.verdict}: {got.msg}"
    if expected == REJECT:
        assert entry.message in got.msg


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_bpfcheck_agrees_with_kernel(entry: ManifestEntry, kernel_oracle: None, bpfcheck_engine) -> None:
    got = kernel_verdict(entry)
    if got.verdict not in ("accept", "reject"):
        pytest.skip(f"kernel verdict {got.verdict}: {got.msg}")
    ours = check_program(entry.object_path, entry.name, host_version(), bpfcheck_engine)
    comparison = compare(entry.name, got, ours)
    detail = ours.findings[0].kernel_message if ours is not None and ours.findings else ""
    assert not comparison.false_accept, f"FALSE ACCEPT: kernel rejects ({got.msg})"
    assert comparison.agrees, f"kernel {got.verdict} ({got.msg}); bpfcheck {comparison.bpfcheck} ({detail})"
