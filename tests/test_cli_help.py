"""A newcomer's first minutes: the README's first command (as root and as a user) and the help screens."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from verifier import cli

ROOT = Path(__file__).resolve().parent.parent


def first_command() -> str:
    """The first ```sh block of README.md (one line)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)\n```", readme, re.S)
    assert block is not None, "README.md has no ```sh block"
    return block.group(1).strip()


STUB = """#!/bin/sh
echo "$(basename "$0") $*" >> "$STUB_LOG"
case "$(basename "$0")" in
  id) [ "$1" = "-u" ] && echo "$STUB_UID" ;;
  python3) [ "$1 $2" = "-m venv" ] && mkdir -p "$3/bin" && echo 'PATH="$STUB_BIN:$PATH"' > "$3/bin/activate" ;;
  bpfcheck) exit "$STUB_BPFCHECK_STATUS" ;;
esac
exit 0
"""


def run_first_command(
    tmp_path: Path, uid: int, shell: str, bpfcheck_status: int = 1
) -> tuple[int, list[str]]:
    """Run the README's first command in `shell` with every program it names replaced by a stub
    that logs its arguments; returns the exit status and the log (one line per program run)."""
    stub_bin = tmp_path / "bin"
    stub_bin.mkdir(exist_ok=True)
    for name in ("id", "sudo", "apt-get", "python3", "pip", "bpfcheck"):
        path = stub_bin / name
        path.write_text(STUB)
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "log"
    log.write_text("")
    env = {
        "PATH": f"{stub_bin}:/usr/bin:/bin",
        "STUB_LOG": str(log),
        "STUB_UID": str(uid),
        "STUB_BIN": str(stub_bin),
        "STUB_BPFCHECK_STATUS": str(bpfcheck_status),
    }
    workdir = tmp_path / "clone"
    workdir.mkdir(exist_ok=True)
    done = subprocess.run(
        [shell, "-c", first_command()], cwd=workdir, env=env, capture_output=True, text=True
    )
    return done.returncode, log.read_text().splitlines()


@pytest.mark.parametrize("shell", [s for s in ("/bin/sh", "/bin/bash") if os.path.exists(s)])
def test_first_command_as_root_does_not_need_sudo(tmp_path: Path, shell: str) -> None:
    status, log = run_first_command(tmp_path, uid=0, shell=shell)
    assert status == 0, log
    assert not any(line.startswith("sudo") for line in log)
    assert "apt-get update" in log
    assert any(line.startswith("apt-get install -y") for line in log)
    assert any(line.startswith("bpfcheck verifier/examples/xdp_bad.o") for line in log)


@pytest.mark.parametrize("shell", [s for s in ("/bin/sh", "/bin/bash") if os.path.exists(s)])
def test_first_command_as_user_uses_sudo_for_apt_only(tmp_path: Path, shell: str) -> None:
    status, log = run_first_command(tmp_path, uid=1000, shell=shell)
    assert status == 0, log
    assert "sudo apt-get update" in log
    assert any(line.startswith("sudo apt-get install -y") for line in log)
    assert not any(line.startswith("sudo") and "apt-get" not in line for line in log)


def test_first_command_fails_when_bpfcheck_fails(tmp_path: Path) -> None:
    """Exit 1 (the example is rejected) counts as success; bad input or a crash fails the command."""
    assert run_first_command(tmp_path, uid=0, shell="/bin/sh", bpfcheck_status=1)[0] == 0
    for status in (2, 4):
        assert run_first_command(tmp_path, uid=0, shell="/bin/sh", bpfcheck_status=status)[0] != 0


def help_text(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert cli.run(args) == 0
    return capsys.readouterr().out


def test_root_help_shows_the_main_usage_options_and_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    out = help_text(["--help"], capsys)
    assert out.startswith("Usage: bpfcheck OBJ... --kernel VERSION")
    for option in ("-k, --kernel VERSION", "--program NAME", "-f, --format text|json|sarif|github"):
        assert option in out
    for command in cli.SUBCOMMANDS:
        assert re.search(rf"^  {command} ", out, re.M), command
    assert "bpfcheck prog.o --kernel 5.2" in out
    assert "<bool>" not in out and "<str>" not in out


@pytest.mark.parametrize("command", cli.SUBCOMMANDS)
def test_command_help_has_no_type_noise(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = help_text([command, "--help"], capsys)
    assert out.startswith(f"Usage: bpfcheck {command}")
    assert not re.search(r"<(bool|str|int|float|path|list\[str\])>", out), out


def test_no_arguments_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run([]) == 2
    assert "Usage: bpfcheck OBJ... --kernel VERSION" in capsys.readouterr().err


def test_help_screen_in_a_subprocess() -> None:
    done = subprocess.run([sys.executable, "-m", "verifier", "-h"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and "--kernel VERSION" in done.stdout and not done.stderr
