"""The CLI's contract: arguments, exit codes, one-line errors, formats, with a fake reader and engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from verifier import cli, pipeline
from verifier.report.summary import EXIT_ACCEPTED, EXIT_INPUT_ERROR, EXIT_REJECTED, EXIT_UNDECIDED

try:
    from tests.test_cli_fakes import FAKE_STAGES, XDP_BAD_O, XDP_PASS_O, write_fake_object
except ImportError:  # tests/ on sys.path instead of the repository root
    from test_cli_fakes import FAKE_STAGES, XDP_BAD_O, XDP_PASS_O, write_fake_object

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True)
def fake_stages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline.Stages, "real", staticmethod(lambda: FAKE_STAGES))
    monkeypatch.setattr(pipeline.Stages, "reader_only", staticmethod(lambda: FAKE_STAGES))


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = cli.run(args)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_default_subcommand_is_check() -> None:
    assert cli.with_default_subcommand(["a.o", "--kernel", "5.2"]) == ["check", "a.o", "--kernel", "5.2"]
    assert cli.with_default_subcommand(["--debug", "a.o"]) == ["--debug", "check", "a.o"]
    assert cli.with_default_subcommand(["disasm", "a.o"]) == ["disasm", "a.o"]
    assert cli.with_default_subcommand(["--help"]) == ["--help"]


def test_accepted_object_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run([XDP_PASS_O, "--kernel", "6.1"], capsys)
    assert status == EXIT_ACCEPTED, err
    assert "xdp_pass" in out and "1 program: 1 accepted, 0 rejected" in out


def test_rejected_object_exits_1_with_report(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["check", XDP_BAD_O, "--kernel", "6.1", "--no-color"], capsys)
    assert status == EXIT_REJECTED
    assert "invalid access to packet" in out
    assert "if (eth->h_source[0] & 1)" in out
    assert "hint" in out and "data_end" in out


def test_kernel_list_gives_one_verdict_per_kernel(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run([XDP_PASS_O, "--kernel", "5.4,5.10,6.1", "-f", "json"], capsys)
    assert status == EXIT_ACCEPTED
    kernels = [p["kernel"] for p in json.loads(out)["objects"][0]["programs"]]
    assert kernels == ["5.4", "5.10", "6.1"]


@pytest.mark.parametrize("kernel", ["9.9", "5.x", "2.6", "banana", ""])
def test_unknown_kernel_is_input_error(kernel: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run([XDP_PASS_O, "--kernel", kernel], capsys)
    assert status == EXIT_INPUT_ERROR
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("bpfcheck: error:")


def test_missing_file_and_directory_are_input_errors(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    for target, words in ((str(tmp_path / "nope.o"), "no such file"), (str(tmp_path), "directory")):
        status, out, err = run([target, "--kernel", "6.1"], capsys)
        assert status == EXIT_INPUT_ERROR
        assert words in err and target in err
        assert err.count("\n") == 1 and "Traceback" not in err + out


def test_garbage_file_is_input_error(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    garbage = tmp_path / "garbage.o"
    garbage.write_bytes(b"not an object at all\n")
    status, _, err = run([str(garbage), "--kernel", "6.1"], capsys)
    assert status == EXIT_INPUT_ERROR
    assert "garbage.o" in err and err.count("\n") == 1


def test_one_bad_object_among_good_ones(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    garbage = tmp_path / "garbage.o"
    garbage.write_bytes(b"")
    status, out, err = run([XDP_PASS_O, str(garbage), "--kernel", "6.1"], capsys)
    assert status == EXIT_INPUT_ERROR  # the unreadable object decides
    assert "xdp_pass" in out and "1 object could not be read" in out
    assert "garbage.o" in err


def test_object_without_programs_is_input_error(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_fake_object(str(tmp_path), "empty.o")
    status, _, err = run([path, "--kernel", "6.1"], capsys)
    assert status == EXIT_INPUT_ERROR and "no BPF programs" in err


def test_program_filter(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_fake_object(str(tmp_path), "many.o")
    status, out, _ = run([path, "--kernel", "6.1", "--program", "second_*", "-f", "json"], capsys)
    assert status == EXIT_REJECTED
    assert [p["name"] for p in json.loads(out)["objects"][0]["programs"]] == ["second_prog"]
    status, _, err = run([path, "--kernel", "6.1", "--program", "nothing"], capsys)
    assert status == EXIT_INPUT_ERROR and "nothing" in err


def test_prog_type_override_reaches_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run([XDP_PASS_O, "--kernel", "6.1", "--prog-type", "sched_cls", "-f", "json"], capsys)
    assert json.loads(out)["objects"][0]["programs"][0]["prog_type"] == "sched_cls"
    assert status == EXIT_ACCEPTED


def test_load_error_is_undecided(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_fake_object(str(tmp_path), "pass_loaderr.o")
    status, out, _ = run([path, "--kernel", "6.1"], capsys)
    assert status == EXIT_UNDECIDED
    assert "missing_map" in out and "load-error" not in out.split("ERROR")[0]


def test_timeout_is_its_own_category(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_fake_object(str(tmp_path), "slow.o")
    status, out, _ = run([path, "--kernel", "6.1", "--timeout", "0.1", "-f", "json"], capsys)
    program = json.loads(out)["objects"][0]["programs"][0]
    assert status == EXIT_UNDECIDED
    assert program["verdict"] == "error" and program["findings"][0]["category"] == "timeout"


def test_engine_crash_is_one_program_error(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    crash = write_fake_object(str(tmp_path), "crash.o")
    status, out, err = run([crash, XDP_PASS_O, "--kernel", "6.1"], capsys)
    assert status == EXIT_UNDECIDED
    assert "engine fell over" in out and "second line" not in out
    assert "Traceback" not in out + err
    assert "1 accepted" in out


def test_glob_of_objects(capsys: pytest.CaptureFixture[str]) -> None:
    pattern = os.path.join(os.path.dirname(XDP_BAD_O), "xdp_*.o")
    status, out, _ = run([pattern, "--kernel", "6.1", "-f", "json"], capsys)
    paths = [o["path"] for o in json.loads(out)["objects"]]
    assert paths == sorted([XDP_BAD_O, XDP_PASS_O]) and status == EXIT_REJECTED


def test_glob_matching_nothing_is_input_error(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run([str(tmp_path / "*.o"), "--kernel", "6.1"], capsys)
    assert status == EXIT_INPUT_ERROR and "no file matches" in err


def test_jobs_run_objects_in_parallel_processes(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run([XDP_BAD_O, XDP_PASS_O, "--kernel", "6.1", "--jobs", "2", "-f", "json"], capsys)
    names = [p["name"] for o in json.loads(out)["objects"] for p in o["programs"]]
    assert names == ["xdp_bad", "xdp_pass"] and status == EXIT_REJECTED


def test_output_file(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.json"
    status, out, _ = run([XDP_BAD_O, "--kernel", "6.1", "-f", "json", "-o", str(target)], capsys)
    assert out == "" and status == EXIT_REJECTED
    assert json.loads(target.read_text())["objects"][0]["programs"][0]["verdict"] == "reject"


def test_output_to_unwritable_place(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run([XDP_BAD_O, "--kernel", "6.1", "-o", str(tmp_path / "no" / "dir" / "r.txt")], capsys)
    assert status == EXIT_INPUT_ERROR and "cannot write" in err


def test_compare_and_max_processed(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    big = write_fake_object(str(tmp_path), "big.o")
    baseline = tmp_path / "base.json"
    assert run([big, "--kernel", "6.1", "-f", "json", "-o", str(baseline)], capsys)[0] == EXIT_ACCEPTED
    document = json.loads(baseline.read_text())
    document["objects"][0]["programs"][0]["stats"]["processed"] = 850_000
    baseline.write_text(json.dumps(document))
    status, out, _ = run([big, "--kernel", "6.1", "--compare", str(baseline), "-f", "json"], capsys)
    program = json.loads(out)["objects"][0]["programs"][0]
    assert status == EXIT_ACCEPTED and program["compare"] == {"baseline_processed": 850_000, "delta": 50_000}
    status, out, _ = run([big, "--kernel", "6.1", "--compare", str(baseline), "--no-color"], capsys)
    assert "+50000" in out
    status, out, _ = run([big, "--kernel", "6.1", "--max-processed", "80%"], capsys)
    assert status == EXIT_REJECTED and "over the budget" in out
    status, _, _ = run([big, "--kernel", "6.1", "--max-processed", "95%"], capsys)
    assert status == EXIT_ACCEPTED


@pytest.mark.parametrize("value", ["abc", "0%", "150%", "-3"])
def test_bad_max_processed(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run([XDP_PASS_O, "--kernel", "6.1", "--max-processed", value], capsys)
    assert status == EXIT_INPUT_ERROR and "--max-processed" in err


def test_bad_baseline(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = tmp_path / "base.json"
    baseline.write_text("{not json")
    status, _, err = run([XDP_PASS_O, "--kernel", "6.1", "--compare", str(baseline)], capsys)
    assert status == EXIT_INPUT_ERROR and "base.json" in err and err.count("\n") == 1


def test_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["check", "--bogus"], [XDP_PASS_O, "--format", "xml"], [XDP_PASS_O, "--jobs", "0"]):
        status, _, err = run(args, capsys)
        assert status == EXIT_INPUT_ERROR, args
        assert err.count("\n") == 1 and err.startswith("bpfcheck: error:"), err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["--version"], capsys)
    assert status == 0 and out.startswith("bpfcheck ") and "engine: " in out  # compiled (mypyc) or pure Python


def test_github_format(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run([XDP_BAD_O, "--kernel", "6.1", "--format", "github"], capsys)
    first = out.splitlines()[0]
    assert status == EXIT_REJECTED
    assert first.startswith("::error file=verifier/examples/xdp_bad.c,line=20,title=bpfcheck packet-bounds::")
    assert "%0AHint: " in first


def test_disasm_lists_source_and_insns(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["disasm", XDP_BAD_O], capsys)
    assert status == 0
    assert "if (eth->h_source[0] & 1)" in out
    assert out.index("h_source") < out.index("\n1: ")


def test_help_is_fast_and_does_not_import_z3() -> None:
    code = "import sys; from verifier import cli; assert 'z3' not in sys.modules; assert 'verifier.pipeline' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "verifier", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0 and "check" in done.stdout and "disasm" in done.stdout


def test_unknown_prog_type_is_input_error(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("verifier.rules.prog_types")
    status, _, err = run([XDP_PASS_O, "--kernel", "6.1", "--prog-type", "teapot"], capsys)
    assert status == EXIT_INPUT_ERROR and "teapot" in err
    status, out, _ = run(
        [XDP_PASS_O, "--kernel", "6.1", "--prog-type", "BPF_PROG_TYPE_SCHED_CLS", "-f", "json"], capsys
    )
    assert (
        status == EXIT_ACCEPTED and json.loads(out)["objects"][0]["programs"][0]["prog_type"] == "sched_cls"
    )


def test_rules_command_delegates_to_render_rules(capsys: pytest.CaptureFixture[str]) -> None:
    render = pytest.importorskip("verifier.rules.render")
    import verifier.rules as rules

    if not hasattr(rules, "for_kernel") or not hasattr(render, "render_rules"):
        pytest.skip("the rules query API has not landed")
    status, out, _ = run(["rules", "--kernel", "5.2", "--prog-type", "xdp", "--format", "json"], capsys)
    assert status == 0
    assert json.loads(out)
    status, _, err = run(["rules", "--kernel", "1.0"], capsys)
    assert status == EXIT_INPUT_ERROR and err.count("\n") == 1
