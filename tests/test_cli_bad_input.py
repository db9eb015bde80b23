"""Bad input through the real object reader: exit 2, one line naming the file, never a traceback."""

from __future__ import annotations

import os
import random
import shutil
import struct
import subprocess
import sys

import pytest

from verifier import cli
from verifier.report.summary import EXIT_INPUT_ERROR

pytest.importorskip("verifier.elf.reader")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "verifier", "examples", "xdp_bad.o")


def example_bytes() -> bytes:
    with open(EXAMPLE, "rb") as handle:
        return handle.read()


def scrambled_section_table() -> bytes:
    data = bytearray(example_bytes())
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    rng = random.Random(7)
    for index in range(shoff, len(data)):
        data[index] = rng.randrange(256)
    return bytes(data)


def bad_files() -> dict[str, bytes]:
    whole = example_bytes()
    return {
        "empty.o": b"",
        "text.o": b"int main(void) { return 0; }\n",
        "truncated.o": whole[:100],
        "half.o": whole[: len(whole) // 2],
        "zeros.o": bytes(4096),
        "scrambled.o": scrambled_section_table(),
    }


@pytest.mark.parametrize("name", sorted(bad_files()))
def test_bad_file_is_one_line_exit_2(name: str, tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / name
    path.write_bytes(bad_files()[name])
    status = cli.run([str(path), "--kernel", "6.1"])
    captured = capsys.readouterr()
    assert status == EXIT_INPUT_ERROR
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and name in captured.err
    assert "Traceback" not in captured.err


def test_x86_elf_is_refused(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    true_binary = shutil.which("true") or "/bin/true"
    if not os.path.exists(true_binary):
        pytest.skip("no host ELF binary to try")
    path = tmp_path / "x86.o"
    path.write_bytes(open(true_binary, "rb").read())
    assert cli.run([str(path), "--kernel", "6.1"]) == EXIT_INPUT_ERROR
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "x86.o" in err


def test_disasm_of_a_bad_file(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "text.o"
    path.write_text("hello\n")
    assert cli.run(["disasm", str(path)]) == EXIT_INPUT_ERROR
    assert capsys.readouterr().err.count("\n") == 1


def test_installed_entry_point_prints_no_traceback(tmp_path) -> None:
    path = tmp_path / "zeros.o"
    path.write_bytes(bytes(64))
    done = subprocess.run(
        [sys.executable, "-m", "verifier", str(path), "--kernel", "6.1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == EXIT_INPUT_ERROR
    assert done.stdout == "" and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
