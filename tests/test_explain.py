"""`bpfcheck explain`: real 6.18 verifier logs (tests/data/kernel_logs/, recorded by record.py from the
running kernel at log levels 1, 2 and 4, raw, libbpf-framed and bpftool's output) explained in
their objects. Nothing here needs the live kernel."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from verifier import cli
from verifier.elf.reader import load_object
from verifier.explain.kernel_log import parse_log, parse_state, split_tokens, verifier_lines
from verifier.report.explanations import EXPLANATIONS
from verifier.report.summary import EXIT_INPUT_ERROR

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "tests" / "data" / "kernel_logs"
RECORDINGS = sorted(LOGS.glob("*.log"))
SOURCE_NOTE_RE = re.compile(r"^; (.*) @ (\S+):(\d+)$")


def meta(log: Path) -> dict[str, object]:
    return json.loads(log.with_suffix(".json").read_text())


def kernel_of(log: Path) -> str:
    """The major.minor of the kernel that wrote the log (its `uname -r` is in the sidecar)."""
    match = re.match(r"(\d+\.\d+)", str(meta(log)["kernel"]))
    assert match, meta(log)
    return match.group(1)


def explain(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = cli.run(["explain", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def explain_json(log: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    m = meta(log)
    args = [str(log), "--object", str(ROOT / str(m["object"])), "--kernel", kernel_of(log), "-f", "json"]
    if m["framing"] == "raw":  # a raw log does not name its program
        args += ["--program", str(m["program"])]
    status, out, err = explain([*args, *extra], capsys)
    assert status == 0, err
    return json.loads(out)


def kernel_source_note(lines: list[str], insn: int) -> tuple[str, int] | None:
    """The kernel's own line info for `insn`: the last `; text @ file:line` before its trace line."""
    note = None
    for line in lines:
        found = SOURCE_NOTE_RE.match(line)
        if found:
            note = (found.group(1), int(found.group(3)))
        elif re.match(rf"^{insn}: \(", line):
            return note
    return None


def test_recordings_are_from_a_real_kernel() -> None:
    assert len(RECORDINGS) >= 15
    levels = {meta(log)["log_level"] for log in RECORDINGS}
    framings = {meta(log)["framing"] for log in RECORDINGS}
    assert {1, 2, 4} <= levels and {"raw", "libbpf", "bpftool"} <= framings
    for log in RECORDINGS:
        assert re.match(r"\d+\.\d+\.\d+", str(meta(log)["kernel"])), log


@pytest.mark.parametrize("log", RECORDINGS, ids=lambda p: p.stem)
def test_explain_locates_the_kernels_rejection(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = explain_json(log, capsys)
    schema = json.loads((ROOT / "verifier" / "report" / "bpfcheck.schema.json").read_text())
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(doc, schema)
    found = doc["explain"]
    finding = found["finding"]
    text = log.read_text()
    lines, _, _ = verifier_lines(text, found["log_program"])
    assert finding["kernel_message"] and finding["kernel_message"] in text
    assert found["program"] == meta(log)["program"]
    assert finding["category"] in EXPLANATIONS and finding["category"] != "other"
    assert finding["hint"] and finding["explanation"]
    # the C line comes from the object's BTF; where the kernel printed its own line info, they agree
    program = next(
        p for p in load_object(str(ROOT / str(meta(log)["object"]))).programs if p.name == found["program"]
    )
    assert 0 <= finding["insn"] < program.insn_count
    assert finding["source"] is not None
    note = kernel_source_note(lines, finding["insn"])
    if note is not None:
        assert finding["source"]["text"].strip() == note[0].strip()
        assert finding["source"]["line"] == note[1]
    # bpfcheck's own analysis at the kernel that wrote the log finds the same rejection (for a failed
    # CO-RE relocation only with that kernel's BTF: test_core_relocation_failure_with_target_btf)
    agreement = found["agreement"]
    if program.core_relocs:
        assert agreement["outcome"] == "agrees" or "--btf" in agreement["note"]
        return
    assert agreement["outcome"] == "agrees", agreement["note"]
    ours = doc["objects"][0]["programs"][0]["findings"][0]
    assert ours["kernel_message"] == finding["kernel_message"] and ours["insn"] == finding["insn"]


@pytest.mark.parametrize("log", [p for p in RECORDINGS if meta(p)["log_level"] != 4], ids=lambda p: p.stem)
def test_state_is_the_logs_own(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The registers shown are those the log printed before the failing instruction."""
    found = explain_json(log, capsys)["explain"]
    text = log.read_text()
    for name, value in found["finding"]["state"].items():
        assert found["log_state"][name] == value
        register = name.split(".")[-1]  # "frame1.R0": R0 of the callee's frame
        assert f"{register}={value}" in text or f"{register}_w={value}" in text


def test_text_report_has_the_c_line_meaning_state_hint_and_agreement(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = LOGS / "xdp_bad.l1.libbpf.log"
    status, out, err = explain([str(log), "--object", "verifier/examples/xdp_bad.o", "-k", "6.18"], capsys)
    assert status == 0, err
    assert "> 20 |     if (eth->h_source[0] & 1)" in out
    assert "insn 1: r1 = *(u8 *)(r1 +6)" in out
    assert re.search(r"^kernel +R1 offset is outside of the packet$", out, re.M)
    assert re.search(r"^detail +invalid access to packet, off=6 size=1", out, re.M)
    assert re.search(r"^meaning +" + re.escape(EXPLANATIONS["packet-bounds"].meaning[:40]), out, re.M)
    assert re.search(r"^state +R1 = pkt\(r=0\)$", out, re.M)
    assert re.search(r"^hint +Compare the end of the access with data_end", out, re.M)
    assert re.search(r"^compare +bpfcheck agrees: at kernel 6\.18", out, re.M)


def test_log_without_trace_is_located_by_bpfcheck(capsys: pytest.CaptureFixture[str]) -> None:
    doc = explain_json(LOGS / "xdp_bad.l4.raw.log", capsys)
    found = doc["explain"]
    assert not found["log_has_trace"] and found["finding"]["insn"] == 1
    assert "names no instruction" in found["agreement"]["note"]


def test_a_target_kernel_that_differs_is_said(capsys: pytest.CaptureFixture[str]) -> None:
    """Before 5.3 every back-edge is refused: bpfcheck at 5.2 rejects the loop with another message."""
    log = LOGS / "loop_infinite.l1.raw.log"
    obj = str(ROOT / "corpus/build/loops/unbounded.o")
    status, out, err = explain(
        [str(log), "-O", obj, "-p", "loop_infinite", "-k", "5.2", "-f", "json"], capsys
    )
    assert status == 0, err
    agreement = json.loads(out)["explain"]["agreement"]
    assert agreement["outcome"] == "differs" and not agreement["same_message"]
    assert "the kernel that wrote the log is not 5.2" in agreement["note"]


def test_program_is_chosen_by_fit_or_must_be_named(capsys: pytest.CaptureFixture[str]) -> None:
    log = LOGS / "idx_off_by_one.l2.raw.log"  # raw: no name; var_index.o has several programs
    status, out, _ = explain(
        [str(log), "-O", "corpus/build/map/var_index.o", "-k", "6.18", "-f", "json"], capsys
    )
    assert status == 0 and json.loads(out)["explain"]["program"] == "idx_off_by_one"
    log = LOGS / "ret_cgroup_skb_ingress_2.l1.raw.log"  # three programs have these two instructions
    status, out, err = explain([str(log), "-O", "corpus/build/return/ranges.o", "-k", "6.18"], capsys)
    assert status == EXIT_INPUT_ERROR and out == "" and "--program" in err and err.count("\n") == 1


def bad(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    status, out, err = explain(args, capsys)
    assert status == EXIT_INPUT_ERROR, (status, out, err)
    assert (
        out == "" and err.count("\n") == 1 and err.startswith("bpfcheck: error:") and "Traceback" not in err
    )
    return err


def test_log_of_another_program_does_not_fit(capsys: pytest.CaptureFixture[str]) -> None:
    log = str(LOGS / "xdp_bad.l2.raw.log")
    assert "does not fit xdp_pass" in bad([log, "-O", "verifier/examples/xdp_pass.o"], capsys)
    framed = str(LOGS / "xdp_bad.l1.libbpf.log")
    assert "no program 'xdp_bad'" in bad([framed, "-O", "verifier/examples/xdp_pass.o"], capsys)
    assert "no program 'nope'" in bad([log, "-O", "verifier/examples/xdp_bad.o", "-p", "nope"], capsys)


def edited(tmp_path: Path, name: str, edit) -> str:
    path = tmp_path / name
    path.write_text(edit((LOGS / name).read_text()))
    return str(path)


def test_instruction_text_or_index_that_differs_does_not_fit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    obj = "verifier/examples/xdp_bad.o"
    renamed = edited(
        tmp_path,
        "xdp_bad.l2.raw.log",
        lambda t: t.replace("(71) r1 = *(u8 *)(r1 +6)", "(71) r2 = *(u8 *)(r1 +6)"),
    )
    assert "insn 1 is (71) r2 = *(u8 *)(r1 +6)" in bad([renamed, "-O", obj], capsys)
    shifted = edited(tmp_path, "xdp_bad.l1.libbpf.log", lambda t: re.sub(r"^1: ", "71: ", t, flags=re.M))
    assert "out of range" in bad([shifted, "-O", obj], capsys)
    looping = edited(tmp_path, "loop_infinite.l4.raw.log", lambda t: t.replace("at insn 1", "at insn 99"))
    assert "out of range" in bad(
        [looping, "-O", "corpus/build/loops/unbounded.o", "-p", "loop_infinite"], capsys
    )


def test_log_without_an_error_does_not_fit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cut = edited(tmp_path, "xdp_bad.l2.raw.log", lambda t: t.split("invalid access to packet")[0])
    assert "no verifier error" in bad([cut, "-O", "verifier/examples/xdp_bad.o"], capsys)

    def cut_short(text: str) -> str:  # libbpf's buffer ran out mid-line; its next message follows
        head = text[: text.rindex("(79) r0 = *(u64") + 8]
        return head + "libbpf: prog 'map_no_null_check': failed to load: -28\n"

    cut = edited(tmp_path, "map_no_null_check.l2.libbpf.log", cut_short)
    assert "cut short" in bad([cut, "-O", "corpus/build/map/null_check.o"], capsys)
    empty = tmp_path / "empty.log"
    empty.write_text("")
    assert "no verifier error" in bad([str(empty), "-O", "verifier/examples/xdp_bad.o"], capsys)


def test_unreadable_inputs_are_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = str(LOGS / "xdp_bad.l2.raw.log")
    assert "cannot read the log" in bad(
        [str(tmp_path / "nope.log"), "-O", "verifier/examples/xdp_bad.o"], capsys
    )
    assert "not a text file" in bad(
        ["verifier/examples/xdp_bad.o", "-O", "verifier/examples/xdp_bad.o"], capsys
    )
    assert "no such file" in bad([log, "-O", str(tmp_path / "nope.o")], capsys)
    assert "one kernel" in bad([log, "-O", "verifier/examples/xdp_bad.o", "-k", "5.4,6.1"], capsys)


def test_state_tokens_keep_parentheses_together() -> None:
    text = "R1=scalar(smin=0,var_off=(0x0; 0xff)) R10=fp0 fp-8=mmmm???? refs=2"
    assert split_tokens(text) == [
        "R1=scalar(smin=0,var_off=(0x0; 0xff))",
        "R10=fp0",
        "fp-8=mmmm????",
        "refs=2",
    ]
    assert parse_state("R1_w=pkt(r=0) frame1: R2=ctx()") == {"R1": "pkt(r=0)", "frame1.R2": "ctx()"}


def test_a_popped_path_replaces_the_state_and_calls_clobber_arguments() -> None:
    log = parse_log(
        "0: R1=ctx() R10=fp0\n"
        "0: (b7) r2 = 1                        ; R2=1\n"
        "1: (85) call bpf_ktime_get_ns#5       ; R0=scalar()\n"
        "2: (79) r3 = *(u64 *)(r2 +0)\n"
        "R2 !read_ok\n"
    )
    assert log.failing_insn == 2 and "R2" not in log.state and log.state["R0"] == "scalar()"
    popped = parse_log(
        "0: R1=ctx() R10=fp0\nfrom 3 to 5: R0=1 R10=fp0\n5: (61) r0 = *(u32 *)(r1 +0)\nR1 !read_ok\n"
    )
    assert popped.state == {"R0": "1", "R10": "fp0"}


def test_framed_logs_pick_the_named_program_and_skip_the_live_regs_listing() -> None:
    text = (LOGS / "map_no_null_check.l2.libbpf.log").read_text()
    log = parse_log(text)
    assert log.program == "map_no_null_check" and log.framed
    assert [i.index for i in log.insns] == [0, 1, 2, 3, 4, 6, 7]  # the indented listing is not the trace
    two = "libbpf: prog 'a': -- BEGIN PROG LOAD LOG --\nX\n-- END PROG LOAD LOG --\n" + text
    assert verifier_lines(two, "a")[0] == ["X"] and verifier_lines(two)[1] == "map_no_null_check"


def write_target_btf(path: Path, with_field: bool) -> str:
    """A kernel BTF whose task_struct has (or lacks) the field core_missing_field.c reads."""
    from tests.btf_builder import BtfBuilder

    builder = BtfBuilder()
    i32 = builder.int_("int", 4, signed=True)
    members = [("pid", i32, 0)] + ([("no_such_field_in_any_kernel", i32, 32)] if with_field else [])
    builder.struct("task_struct", 8, members)
    path.write_bytes(builder.build())
    return str(path)


@pytest.mark.parametrize("log", sorted(LOGS.glob("core_missing_field.*.log")), ids=lambda p: p.stem)
def test_core_relocation_failure_with_target_btf(
    log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """libbpf rewrote the poisoned instruction's line ("1: <invalid CO-RE relocation>"); with a BTF
    lacking the field bpfcheck poisons it too and agrees, with one that has it bpfcheck accepts."""
    lacking = write_target_btf(tmp_path / "lacking.btf", with_field=False)
    found = explain_json(log, capsys, "--btf", lacking)["explain"]
    assert found["finding"]["category"] == "core-relocation"
    assert found["finding"]["kernel_message"].startswith("failed to resolve CO-RE relocation")
    assert found["finding"]["insn"] == 1 and found["agreement"]["outcome"] == "agrees"
    having = write_target_btf(tmp_path / "having.btf", with_field=True)
    agreement = explain_json(log, capsys, "--btf", having)["explain"]["agreement"]
    assert agreement["outcome"] == "differs" and agreement["verdict"] == "accept"
    without = explain_json(log, capsys)["explain"]["agreement"]
    assert without["outcome"] == "agrees" or "--btf FILE" in without["note"]


def test_a_rewritten_line_must_fit_a_relocated_instruction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    moved = edited(
        tmp_path,
        "core_missing_field.l2.raw.log",
        lambda t: t.replace("1: <invalid CO-RE", "8: <invalid CO-RE"),
    )
    assert "<invalid CO-RE relocation>" in bad([moved, "-O", str(LOGS / "core_missing_field.o")], capsys)


def test_a_pasted_log_may_be_indented(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Go's cilium/ebpf prints each log line after a tab; the log still reads the same."""
    indented = edited(
        tmp_path, "xdp_bad.l2.raw.log", lambda t: "".join(f"\t{line}\n" for line in t.splitlines())
    )
    status, out, err = explain(
        [indented, "-O", "verifier/examples/xdp_bad.o", "-k", "6.18", "-f", "json"], capsys
    )
    assert status == 0, err
    found = json.loads(out)["explain"]
    assert found["finding"]["insn"] == 1 and found["finding"]["state"] == {"R1": "pkt(r=0)"}
