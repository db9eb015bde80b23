"""The selftests conformance runner (scripts/selftests_conformance.py): tag reading and message matching."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "scripts"))

import selftests_conformance as sc  # noqa: E402

CLANG = sc.CLANG
DATA = REPO_ROOT / "tests" / "data" / "selftests_conformance"


def test_tags_set_modes_messages_and_flags():
    spec = sc.TestSpec("p")
    for tag in (
        "comment:test_expect_failure",
        "comment:test_expect_msg=3=R0 leaks addr",
        "comment:test_expect_msg_unpriv=old style without counter",
        "comment:test_prog_flags=BPF_F_ANY_ALIGNMENT",
        "comment:test_prog_flags=0x8",
        "comment:test_arch=ARM64",
        "comment:not_a_test_tag=1",
    ):
        sc.apply_tag(spec, tag)
    assert (spec.priv.active, spec.priv.expect, spec.priv.msgs) == (True, sc.REJECT, ["R0 leaks addr"])
    assert (spec.unpriv.active, spec.unpriv.expect) == (True, sc.ACCEPT)
    assert spec.unpriv.msgs == ["old style without counter"]
    assert spec.prog_flags == 2 | 8
    assert not spec.runs_here  # only for arm64


def test_unprivileged_run_inherits_the_privileged_result():
    inherits, explicit = sc.TestSpec("q"), sc.TestSpec("r")
    for tag in (
        "comment:test_expect_failure",
        "comment:test_expect_msg=0=x",
        "comment:test_expect_msg_unpriv=1=y",
    ):
        sc.apply_tag(inherits, tag)
        sc.apply_tag(explicit, tag)
    sc.apply_tag(explicit, "comment:test_expect_success_unpriv")
    sc.finish(inherits)
    sc.finish(explicit)
    assert (inherits.unpriv.expect, inherits.unpriv.msgs) == (sc.REJECT, ["y"])
    assert explicit.unpriv.expect == sc.ACCEPT


def test_unknown_flag_name_is_bad_input():
    with pytest.raises(sc.InputError):
        sc.apply_tag(sc.TestSpec("p"), "comment:test_prog_flags=BPF_F_NO_SUCH_FLAG")


def test_messages_match_in_order_with_regex_parts():
    log = "0: r1 = 1\nR1 invalid mem access 'scalar'\nprocessed 2 insns"
    assert sc.messages_in_order(["r1 = 1", "R1 invalid {{mem|ctx}} access"], log)
    assert not sc.messages_in_order(["R1 invalid {{mem|ctx}} access", "r1 = 1"], log)  # order matters
    assert not sc.messages_in_order(["R1 invalid {{ctx}} access"], log)
    assert sc.messages_in_order(["a.b"], "a.b") and not sc.messages_in_order(["a.b"], "axb")  # literal dots


@pytest.mark.skipif(shutil.which(CLANG) is None, reason=f"{CLANG} not installed")
def test_specs_from_a_compiled_object(tmp_path):
    obj = tmp_path / "tagged.o"
    subprocess.run(
        [CLANG, "-g", "-O2", "-target", "bpf", "-c", str(DATA / "tagged.c"), "-o", str(obj)], check=True
    )
    specs = {s.program: s for s in sc.read_specs(str(obj))}
    tagged = specs["tagged_failure"]
    assert tagged.description == "reads ctx"
    assert tagged.priv.expect == sc.REJECT
    assert tagged.priv.msgs == ["R1 invalid {{mem|ctx}} access", "second line"]
    assert tagged.unpriv.active and tagged.unpriv.expect == sc.ACCEPT
    assert tagged.prog_flags == 1 | 8
    assert specs["helper_prog"].auxiliary
    # no annotation at all: test_loader runs it privileged and expects success
    assert specs["untagged"].priv.active and specs["untagged"].priv.expect == sc.ACCEPT
    assert not specs["untagged"].unpriv.active


def test_summary_counts_false_accepts_and_messages():
    both = sc.Outcome("f", "a", "", "priv", sc.REJECT, sc.REJECT, sc.REJECT, sc.REJECT, "R1 x", "R1  x")
    fa = sc.Outcome("f", "b", "", "priv", sc.REJECT, sc.REJECT, sc.REJECT, sc.ACCEPT)
    other = sc.Outcome("f", "c", "", "priv", sc.ACCEPT, "load_error", "load_error", sc.ACCEPT)
    unpriv = sc.Outcome("f", "a", "", "unpriv", sc.REJECT, "n/a", sc.REJECT, sc.ACCEPT)
    rows, total = sc.summarize([both, fa, other, unpriv])
    assert (total.programs, total.compared, total.agree, total.false_accepts) == (3, 2, 1, 1)
    assert (total.both_reject, total.msg_agree, total.not_comparable) == (1, 1, 1)
    assert (total.unpriv_compared, total.unpriv_false_accepts) == (1, 1)
