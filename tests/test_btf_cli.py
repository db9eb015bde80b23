"""--btf and --kernel host on the command line; the kfunc license rule before verification."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.btf_builder import BtfBuilder
from verifier.btf.kernel import host_btf_path
from verifier.cli import run
from verifier.rules.versions import parse_kernel

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "build"
TP_BTF = CORPUS / "btf" / "tp_btf_args.o"


def test_btf_file_without_btf_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.btf"
    junk.write_text("not btf\n" * 20)
    assert run(["check", str(TP_BTF), "--kernel", "6.1", "--btf", str(junk)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no kernel BTF found" in err[0]


def test_btf_names_one_kernel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blob = tmp_path / "k.btf"
    blob.write_bytes(BtfBuilder().build())
    assert run(["check", str(TP_BTF), "--kernel", "5.10,6.1", "--btf", str(blob)]) == 2
    assert "exactly one" in capsys.readouterr().err


def verdicts(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, str]:
    run(["check", str(TP_BTF), "--format", "json", "--no-witness", *args])
    doc = json.loads(capsys.readouterr().out)
    return {p["name"]: p["verdict"] for o in doc["objects"] for p in o["programs"]}


@pytest.mark.skipif(host_btf_path() is None, reason="no readable /sys/kernel/btf/vmlinux")
def test_host_btf_types_tracing_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    """The same programs with the host's BTF (through --kernel host and through --btf) and without."""
    with_host = verdicts(capsys, "--kernel", "host")
    assert with_host["int_arg_shift"] == "accept" and with_host["int_arg_deref"] == "reject"
    assert verdicts(capsys, "--kernel", "6.18", "--btf", host_btf_path() or "") == with_host
    # a version of the host's series takes the host's BTF; another series has none given
    series = parse_kernel("host")
    assert verdicts(capsys, "--kernel", f"{series[0]}.{series[1]}") == with_host
    untyped = verdicts(capsys, "--kernel", "6.1" if series != (6, 1) else "6.12")
    assert untyped["int_arg_shift"] == "reject"  # without BTF the argument is an untyped pointer


def test_kfunc_call_from_non_gpl_program_is_refused_before_verification() -> None:
    from types import SimpleNamespace

    from verifier.btf.prepare import KFUNC_GPL_MESSAGE, pre_verifier_rejection
    from verifier.isa import opcodes as op
    from verifier.isa.insn import Insn

    kfunc = Insn(op.CALL, 0, op.BPF_PSEUDO_KFUNC_CALL, 0, 0)
    exit_ = Insn(op.BPF_JMP | op.BPF_EXIT, 0, 0, 0, 0)
    prog = SimpleNamespace(load_errors=[], insns=[exit_, kfunc, exit_], extern_refs={1: "bpf_x"})
    rules = SimpleNamespace(has=lambda name: name == "kfuncs")
    finding = pre_verifier_rejection(SimpleNamespace(gpl_compatible=False, license=""), prog, rules)
    assert finding is not None and finding.kernel_message == KFUNC_GPL_MESSAGE and finding.insn == 1
    assert pre_verifier_rejection(SimpleNamespace(gpl_compatible=True, license="GPL"), prog, rules) is None
    old = SimpleNamespace(has=lambda name: False)
    assert pre_verifier_rejection(SimpleNamespace(gpl_compatible=False, license=""), prog, old) is None
