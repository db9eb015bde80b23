"""The version matrix (issue 5): bpfcheck's verdict for each corpus program at every kernel
version from 4.15 to the newest matches the manifest. Skips while the engine is missing.

Programs whose verdict never changes are checked at the oldest and newest versions only;
the version-fact programs at every version the rules know.
"""

from __future__ import annotations

import pytest

from corpus.manifest import MATRIX_VERSIONS, ManifestEntry, load_manifest, version_facts
from verifier.oracle.differential import check_object_programs, find_verdict

ENTRIES = load_manifest()
FACTS = {e.id for e in version_facts(ENTRIES)}
_cache: dict[tuple[str, str], list] = {}


def versions_for(entry: ManifestEntry) -> list[str]:
    versions = MATRIX_VERSIONS if entry.id in FACTS else (MATRIX_VERSIONS[0], MATRIX_VERSIONS[-1])
    return [v for v in versions if entry.expected(v) is not None]


def supported(version: str) -> bool:
    from verifier.errors import InputError
    from verifier.rules import for_kernel

    try:
        for_kernel(version)
    except InputError:
        return False
    return True


def btf_options(entry: ManifestEntry, version: str):
    """Entries that need the kernel's BTF are checked where it is known: the running kernel's version."""
    if entry.btf != "host":
        return None
    from verifier.abstract import AnalysisOptions
    from verifier.btf.kernel import host_btf_path
    from verifier.oracle import host_kernel_version

    path = host_btf_path()
    if path is None or ".".join(map(str, host_kernel_version())) != version:
        return None
    return AnalysisOptions(kernel_btf=((version, path),))


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_bpfcheck_matches_manifest_at_every_version(entry: ManifestEntry, bpfcheck_engine) -> None:
    wrong = []
    for version in versions_for(entry):
        if not supported(version):
            continue
        options = btf_options(entry, version)
        if entry.btf and options is None:
            continue
        key = (str(entry.object_path), version)
        if key not in _cache:
            _cache[key] = check_object_programs(entry.object_path, version, bpfcheck_engine, options)
        ours = find_verdict(_cache[key], entry.name)
        got = ours.verdict if ours is not None else "missing"
        if got != entry.expected(version):
            wrong.append(f"{version}: expected {entry.expected(version)}, bpfcheck {got}")
    assert not wrong, "; ".join(wrong)
