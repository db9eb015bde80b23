"""The corpus and its manifest are consistent (no kernel, no engine needed; libbpf for program lists)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.manifest import (
    ACCEPT,
    BUILD_DIR,
    MATRIX_VERSIONS,
    REJECT,
    SRC_DIR,
    VersionSpec,
    load_manifest,
    parse_version,
    version_facts,
)
from verifier.errors import InputError

ENTRIES = load_manifest()
HOST = "6.18"
AREAS_REQUIRED = {"packet", "map", "stack", "ctx", "types", "helpers", "loops", "calls", "refs", "versions", "return", "alu"}


def test_manifest_is_big_enough_and_covers_the_areas() -> None:
    assert len(ENTRIES) >= 60
    assert AREAS_REQUIRED <= {e.area for e in ENTRIES}
    assert len(version_facts(ENTRIES)) >= 20


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_entry_is_well_formed(entry) -> None:
    assert entry.object_path.is_file(), f"not built: {entry.object_path}"
    assert entry.source_path.is_file(), f"no source: {entry.source_path}"
    host = entry.expected(HOST)
    assert host in (ACCEPT, REJECT), "every entry must make a claim about the host version"
    if host == REJECT:
        assert entry.message, "a rejected program names the kernel's message"
    if entry.expected("4.15") is not None and entry.expected("4.15") != host:
        assert entry.note, "a verdict that changes with the version names its version fact"


def test_every_source_is_built() -> None:
    for source in SRC_DIR.rglob("*.c"):
        assert (BUILD_DIR / source.relative_to(SRC_DIR)).with_suffix(".o").is_file(), source


def test_every_built_program_is_in_the_manifest() -> None:
    from verifier.oracle import libbpf as lb
    from verifier.oracle.objects import list_programs

    try:
        lb.libbpf()
    except lb.LibbpfMissing:
        pytest.skip("libbpf.so.1 missing")
    listed = {e.id for e in ENTRIES}
    for obj in sorted(BUILD_DIR.rglob("*.o")):
        rel = obj.relative_to(BUILD_DIR).as_posix()
        for prog in list_programs(obj):
            assert f"{rel}:{prog.name}" in listed, f"{rel}:{prog.name} missing from manifest.toml"


def test_matrix_spans_4_15_to_6_18() -> None:
    assert MATRIX_VERSIONS[0] == "4.15" and MATRIX_VERSIONS[-1] == "6.18"
    assert "5.0" in MATRIX_VERSIONS and "4.21" not in MATRIX_VERSIONS


@pytest.mark.parametrize(
    ("spec", "inside", "outside"),
    [
        (">=5.3", ["5.3", "6.18"], ["5.2", "4.15"]),
        ("<5.3", ["5.2", "4.15"], ["5.3"]),
        (">=4.16,<5.6", ["4.16", "5.5"], ["4.15", "5.6"]),
        ("all", ["4.15", "6.18"], []),
        ("none", [], ["4.15", "6.18"]),
        ("==5.10", ["5.10"], ["5.1", "5.11"]),
    ],
)
def test_version_spec(spec: str, inside: list[str], outside: list[str]) -> None:
    parsed = VersionSpec.parse(spec)
    assert all(parsed.contains(parse_version(v)) for v in inside)
    assert not any(parsed.contains(parse_version(v)) for v in outside)


@pytest.mark.parametrize("bad", ["5.3", ">= five", "", ">=5", "all,none"])
def test_bad_version_spec_is_input_error(bad: str) -> None:
    with pytest.raises(InputError):
        VersionSpec.parse(bad)


def test_version_numbers_compare_numerically() -> None:
    assert parse_version("5.10") > parse_version("5.9")
    assert parse_version("6.18.44-fc") == (6, 18)


def test_malformed_manifest_is_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "m.toml"
    bad.write_text('[[program]]\nobject = "a.o"\n', encoding="utf-8")
    with pytest.raises(InputError, match="missing string 'name'"):
        load_manifest(bad)
    bad.write_text("not toml [", encoding="utf-8")
    with pytest.raises(InputError):
        load_manifest(bad)


def test_loop_fact_example() -> None:
    loop = next(e for e in ENTRIES if e.name == "loop_bounded")
    assert [loop.expected(v) for v in ("5.2", "5.3")] == [REJECT, ACCEPT]
