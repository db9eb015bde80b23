"""Bad input never escapes as anything but a one-line ElfError."""

from __future__ import annotations

import random
import struct
from pathlib import Path

import pytest

from verifier.elf.reader import load_object
from verifier.errors import ElfError, InputError

SAMPLE = Path("/work/shared/corpus/ebpf-samples/new_linux/sockex3_kern.o")
BTF_SAMPLE = Path("/work/shared/corpus/ebpf-samples/build/map_in_map.o")


def _expect_elf_error(path: Path, fragment: str = "") -> ElfError:
    with pytest.raises(ElfError) as info:
        load_object(str(path))
    msg = str(info.value)
    assert "\n" not in msg and msg
    assert fragment in msg
    assert isinstance(info.value, InputError)
    return info.value


def _minimal_elf(machine: int, elf_class: int = 2) -> bytes:
    ident = b"\x7fELF" + bytes([elf_class, 1, 1]) + b"\0" * 9
    header = struct.pack("<HHIQQQIHHHHHH", 1, machine, 1, 0, 0, 0, 0, 64, 0, 0, 64, 0, 0)
    return ident + header


def test_missing_file(tmp_path):
    _expect_elf_error(tmp_path / "nope.o", "no such file")


def test_directory(tmp_path):
    _expect_elf_error(tmp_path, "directory")


def test_empty_file(tmp_path):
    (tmp_path / "e.o").write_bytes(b"")
    _expect_elf_error(tmp_path / "e.o", "empty")


def test_not_elf(tmp_path):
    (tmp_path / "t.o").write_text("int main() { return 0; }\n")
    _expect_elf_error(tmp_path / "t.o", "not an ELF")


def test_wrong_machine(tmp_path):
    (tmp_path / "x86.o").write_bytes(_minimal_elf(62))
    _expect_elf_error(tmp_path / "x86.o", "not a BPF object")


def test_32_bit(tmp_path):
    (tmp_path / "c32.o").write_bytes(_minimal_elf(247, elf_class=1))
    _expect_elf_error(tmp_path / "c32.o", "64-bit")


def test_no_section_table(tmp_path):
    (tmp_path / "bare.o").write_bytes(_minimal_elf(247))
    _expect_elf_error(tmp_path / "bare.o", "section")


def test_corpus_object_with_bad_symbol_table():
    bad = Path("/work/shared/corpus/ebpf-samples/invalid/badsymsize.o")
    if not bad.exists():
        pytest.skip("corpus not available")
    _expect_elf_error(bad)


@pytest.mark.skipif(not SAMPLE.exists(), reason="corpus not available")
@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.99])
def test_truncated_object(tmp_path, keep):
    data = SAMPLE.read_bytes()
    (tmp_path / "cut.o").write_bytes(data[: int(len(data) * keep)])
    _expect_elf_error(tmp_path / "cut.o")


@pytest.mark.skipif(not BTF_SAMPLE.exists(), reason="corpus not available")
def test_corrupted_bytes_never_crash(tmp_path):
    """Seeded byte corruption of real objects: the reader returns an object or raises ElfError."""
    rng = random.Random(20261125)
    sources = [SAMPLE.read_bytes(), BTF_SAMPLE.read_bytes()]
    loaded = failed = 0
    for round_ in range(300):
        data = bytearray(sources[round_ % 2])
        for _ in range(rng.randint(1, 12)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        target = tmp_path / "fuzz.o"
        target.write_bytes(bytes(data))
        try:
            load_object(str(target))
            loaded += 1
        except ElfError as exc:
            assert "\n" not in str(exc)
            failed += 1
    assert loaded + failed == 300 and loaded > 0


@pytest.mark.skipif(not BTF_SAMPLE.exists(), reason="corpus not available")
def test_corrupted_btf_is_dropped_not_fatal(tmp_path):
    data = bytearray(BTF_SAMPLE.read_bytes())
    at = data.find(struct.pack("<H", 0xEB9F))
    assert at > 0
    data[at: at + 2] = b"\0\0"  # break the .BTF magic
    (tmp_path / "nobtf.o").write_bytes(bytes(data))
    obj = load_object(str(tmp_path / "nobtf.o"))
    assert not obj.has_btf
    assert any("BTF" in e for p in obj.programs for e in p.load_errors)
