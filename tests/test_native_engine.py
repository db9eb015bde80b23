"""The compiled engine (mypyc, built by `pip install` unless BPFCHECK_COMPILE=0: setup.py, verifier/native.py) and the pure
Python engine give the same answers, and the compiled build keeps building.

The same objects are checked in two processes, one with BPFCHECK_PURE_PYTHON=1; verdicts, findings
and the exploration's counts must be identical. Where the compiled engine is not built (no C
compiler at install time, or sources changed since) that comparison is skipped; the generated
source the build compiles is type-checked here in any case (mypyc refuses code that does not
type-check, and the install would silently fall back to pure Python).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BPFCHECK_SHARED_CORPUS", "/work/shared/corpus")) / "ebpf-samples"

# the bundled examples, the project corpus and a few real programs (when present)
OBJECTS = [
    *sorted((REPO_ROOT / "verifier" / "examples").glob("*.o")),
    *sorted((REPO_ROOT / "corpus" / "build").rglob("*.o")),
    *(
        SHARED / o
        for o in ("cilium/bpf_overlay.o", "cilium-core/bpf_sock.o", "ovs/datapath.o")
        if (SHARED / o).is_file()
    ),
]

_CHILD = """
import json, sys
import verifier
from verifier.abstract import AnalysisOptions
from verifier.pipeline import Stages, check_object

stages = Stages.real()
rows = []
for path in sys.argv[1:]:
    try:
        result = check_object(path, ["6.18", "5.10"], AnalysisOptions(timeout=120), None, stages=stages)
    except Exception as exc:
        rows.append([path, "input error", str(exc)])
        continue
    for v in result.verdicts:
        s = v.stats
        findings = [(f.insn, f.category, f.kernel_message, f.message) for f in v.findings]
        rows.append([path, v.name, v.kernel, v.verdict, s.processed, s.states, s.peak_states, s.stack_depth, findings])
print(json.dumps({"engine": verifier.ENGINE, "rows": rows}))
"""


def _run(pure: bool) -> dict:
    env = dict(os.environ)
    env.pop("BPFCHECK_PURE_PYTHON", None)
    if pure:
        env["BPFCHECK_PURE_PYTHON"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, *map(str, OBJECTS)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    ).stdout
    return json.loads(out.splitlines()[-1])


def test_compiled_and_pure_engines_agree() -> None:
    compiled = _run(pure=False)
    if not compiled["engine"].startswith("compiled"):
        pytest.skip(f"engine here: {compiled['engine']}")
    pure = _run(pure=True)
    assert pure["engine"].startswith("pure Python")
    assert len(pure["rows"]) > 100
    for a, b in zip(pure["rows"], compiled["rows"], strict=True):
        assert a == b


def test_pure_python_switch() -> None:
    """BPFCHECK_PURE_PYTHON=1 imports every engine module from its source."""
    code = (
        "import verifier, verifier.abstract.analyze, sys; from verifier import native; "
        "print(verifier.ENGINE); "
        "print(all(sys.modules[f'verifier.abstract.{m}'].__file__.endswith('.py') for m in native.COMPILED)); "
        "import verifier.isa.insn; print(verifier.isa.insn.__file__.endswith('.py'))"
    )
    env = {**os.environ, "BPFCHECK_PURE_PYTHON": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split("\n")[:3] == ["pure Python (BPFCHECK_PURE_PYTHON=1)", "True", "True"]


def test_source_hash_follows_sources(tmp_path: Path) -> None:
    """A compiled engine built from other sources is not used (an editable install after an edit)."""
    from verifier import native

    copy = tmp_path / "abstract"
    copy.mkdir()
    for path in native.ABSTRACT_DIR.glob("*.py"):
        (copy / path.name).write_bytes(path.read_bytes())
    (tmp_path / "isa").mkdir()
    insn = tmp_path / "isa" / "insn.py"  # compiled with the engine (native.ALSO_COMPILED)
    insn.write_bytes((native.ABSTRACT_DIR.parent / "isa" / "insn.py").read_bytes())
    assert native.source_hash(copy) == native.source_hash()
    with insn.open("a") as f:
        f.write("\n")
    assert native.source_hash(copy) != native.source_hash()
    insn.write_bytes((native.ABSTRACT_DIR.parent / "isa" / "insn.py").read_bytes())
    with (copy / "alu.py").open("a") as f:
        f.write("\n")
    assert native.source_hash(copy) != native.source_hash()


def _setup_module():
    spec = importlib.util.spec_from_file_location("bpfcheck_setup", REPO_ROOT / "setup.py")
    source = (REPO_ROOT / "setup.py").read_text(encoding="utf-8")
    module = importlib.util.module_from_spec(spec)
    # everything but the final setup() call
    exec(compile(source.rpartition("\nsetup(")[0], str(REPO_ROOT / "setup.py"), "exec"), module.__dict__)
    return module


def test_compiled_build_type_checks(tmp_path: Path) -> None:
    """The source setup.py hands to mypyc (mixins folded into Verifier) type-checks: a type error or
    a name two mixin modules define differently would leave every install pure Python."""
    pytest.importorskip("mypy")
    setup = _setup_module()
    paths = setup.generate(setup._native(), tmp_path / "native-src")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--ignore-missing-imports",
            "--follow-imports=silent",
            "--no-incremental",
            *(os.path.relpath(p, tmp_path / "native-src") for p in paths),
        ],
        cwd=tmp_path / "native-src",
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stdout[-4000:]


def test_equal_values_compare_equal() -> None:
    """Two equal Scalars that are different objects are equal in the engine's own comparisons (the
    compiled engine once compared them by identity: Reg.__eq__, regsafe(), widening)."""
    from verifier.abstract.compare import EXACT, IdMap, regsafe
    from verifier.abstract.regs import const_reg
    from verifier.abstract.scalar import Scalar

    a = const_reg(4)
    b = a.evolve(var=Scalar(tuple(a.var)))
    assert a.var is not b.var
    assert a == b and not a != b
    assert regsafe(a, b, IdMap(), EXACT)


def test_instructions_copy_and_pickle() -> None:
    """`Insn` (a native class in the compiled engine) keeps a dataclass's behaviour: equality, hashing,
    dataclasses.replace(), pickling (results cross processes with --jobs), frozen fields."""
    import copy
    import dataclasses
    import pickle

    from verifier.isa.insn import Insn

    a = Insn(0x18, 1, 2, 0, 5, imm64=7, next_imm=3)
    assert pickle.loads(pickle.dumps(a)) == a and copy.deepcopy(a) == a
    assert hash(Insn(0x18, 1, 2, 0, 5, imm64=7, next_imm=3)) == hash(a)
    assert dataclasses.replace(a, imm=9) == Insn(0x18, 1, 2, 0, 9, 7, 3)
    assert a.is_ld_imm64 and a.cls == 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.imm = 1  # type: ignore[misc]
