"""Builds the compiled engine: the hot modules of verifier/abstract compiled by mypyc
(verifier/native.py lists them and decides at run time whether they are used).

The build compiles a generated copy of the package (build/native-src): there, the mixin classes
(AluMixin, MemoryMixin, ...) are folded into the Verifier class, since mypyc compiles no class with
several ordinary base classes; the source files themselves stay as they are and remain the pure
Python engine. Anything failing here (no mypy, no C compiler, no Python headers, a type error in
the engine) leaves a pure Python install.

The build is the default; BPFCHECK_COMPILE=0 (or BPFCHECK_PURE_PYTHON=1) at install time skips it.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
GENERATED = ROOT / "build" / "native-src"


def _native():
    spec = importlib.util.spec_from_file_location("_bpfcheck_native", ROOT / "verifier" / "native.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bindings(tree: ast.Module, module: str, skip: str = ""):
    """(local name, what it is bound to, its definition's dump or None) of each top-level binding."""
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module != "__future__":
            for a in node.names:
                yield a.asname or a.name, f"{node.module}.{a.name}", None
        elif isinstance(node, ast.Import):
            for a in node.names:
                yield (
                    a.asname or a.name.partition(".")[0],
                    a.name if a.asname else a.name.partition(".")[0],
                    None,
                )
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            if node.name != skip:
                yield node.name, f"{module}.{node.name}", ast.dump(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for e in target.elts if isinstance(target, ast.Tuple) else [target]:
                    if isinstance(e, ast.Name):
                        yield e.id, f"{module}.{e.id}", ast.dump(node)


def fold_mixins(abstract: Path) -> None:
    """Rewrite the copy in `abstract`: the body of each base class of Verifier (the mixins) moves
    into Verifier, in method resolution order (a method defined earlier wins, as it does there; a
    class-level annotation is kept once), its module keeps the rest; verifier.py imports what the
    moved methods use from their modules. A name two modules bind differently (the folded methods
    would all see one of them) stops the build."""
    path = abstract / "verifier.py"
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    verifier = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Verifier")
    home = {
        a.asname or a.name: node.module.rpartition(".")[2]
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("verifier.abstract.")
        for a in node.names
    }
    mixins = [(home[b.id], b.id) for b in verifier.bases if isinstance(b, ast.Name)]
    names = {n.name for n in verifier.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    bound: dict[str, tuple[str, str | None]] = {}
    for name, target, dump in _bindings(tree, "verifier.abstract.verifier"):
        bound[name] = (target, dump)
    bodies: list[str] = []
    imports: list[str] = []
    declared: set[str] = set()
    methods = set(names)  # a mixin's annotation of a method another class defines is dropped
    for module, cls in mixins:
        mtree = ast.parse((abstract / f"{module}.py").read_text(encoding="utf-8"))
        node = next(n for n in mtree.body if isinstance(n, ast.ClassDef) and n.name == cls)
        methods |= {n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    for module, cls in mixins:
        mpath = abstract / f"{module}.py"
        mtext = mpath.read_text(encoding="utf-8")
        mtree = ast.parse(mtext)
        mlines = mtext.splitlines()
        node = next(n for n in mtree.body if isinstance(n, ast.ClassDef) and n.name == cls)
        if node.bases:
            raise RuntimeError(f"{cls} has base classes")
        kept = []
        for n in node.body:
            if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant):
                continue  # the docstring
            if isinstance(n, ast.AnnAssign) and n.value is None and isinstance(n.target, ast.Name):
                if n.target.id in declared or n.target.id in methods:
                    continue
                declared.add(n.target.id)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if n.name in names:
                    continue  # overridden earlier in the method resolution order
                names.add(n.name)
            start = min([n.lineno, *(d.lineno for d in getattr(n, "decorator_list", []))]) - 1
            kept.append("\n".join(mlines[start : n.end_lineno]))
        bodies.append(f"    # ---- {module}.{cls}\n" + "\n\n".join(kept))
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
        del mlines[first : node.end_lineno]
        mpath.write_text("\n".join(mlines) + "\n", encoding="utf-8")
        for name, target, dump in _bindings(mtree, f"verifier.abstract.{module}", skip=cls):
            if name in home and name.endswith("Mixin"):
                continue
            if name in bound:
                other, other_dump = bound[name]
                if other != target and (dump is None or dump != other_dump):
                    raise RuntimeError(f"{name}: {target} in {module}.py, {other} elsewhere")
                continue
            bound[name] = (target, dump)
            where, _, attr = target.rpartition(".")
            if dump is None and not where:
                imports.append(f"import {target}" + (f" as {name}" if name != target else ""))
            else:
                imports.append(f"from {where} import {attr}" + (f" as {name}" if name != attr else ""))
    lines = text.splitlines()
    lines[verifier.end_lineno : verifier.end_lineno] = ["", *"\n\n".join(bodies).splitlines()]
    lines[verifier.lineno - 1 : verifier.body[0].lineno - 1] = ["class Verifier:"]
    mixin_names = {cls for _, cls in mixins}
    out = []
    for node in tree.body:  # the imports of the mixin classes go
        if isinstance(node, ast.ImportFrom) and any(a.name in mixin_names for a in node.names):
            kept_names = [a for a in node.names if a.name not in mixin_names]
            line = (
                f"from {node.module} import "
                + ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in kept_names)
                if kept_names
                else ""
            )
            out.append((node.lineno - 1, node.end_lineno, line))
    first_def = next(n for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.Assign)))
    at = first_def.lineno - 1 - len(getattr(first_def, "decorator_list", []))
    lines[at:at] = [*imports, "", ""]
    for start, end, line in sorted(out, reverse=True):  # (all before `at`)
        lines[start:end] = [line] if line else []
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


TUPLE_COMPARISONS = """
    def __eq__(self, other: object) -> bool:
        return isinstance(other, tuple) and tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not (isinstance(other, tuple) and tuple.__eq__(self, other))

    __hash__ = tuple.__hash__
"""


def compare_tuples_by_value(abstract: Path) -> None:
    """Give each tuple subclass of the copy in `abstract` (Scalar) its own __eq__/__ne__/__hash__:
    mypyc compiles `a == b` between two instances of a class that defines no __eq__ as `a is b`,
    missing the one the class inherits from tuple (two equal Scalars built apart were unequal)."""
    for path in abstract.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        classes = [
            n
            for n in ast.walk(ast.parse(text))
            if isinstance(n, ast.ClassDef)
            and any(isinstance(b, ast.Name) and b.id == "tuple" for b in n.bases)
        ]
        for node in sorted(classes, key=lambda n: n.lineno, reverse=True):
            own = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
            if own & {"__eq__", "__ne__", "__hash__"}:
                raise RuntimeError(f"{path.name}: {node.name} defines its own comparison")
            lines[node.end_lineno : node.end_lineno] = TUPLE_COMPARISONS.splitlines()
        if classes:
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def generate(native, target: Path = GENERATED) -> list[str]:
    """The generated package copy in `target`; returns the paths mypyc compiles."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(
        ROOT / "verifier", target / "verifier", ignore=shutil.ignore_patterns("__pycache__", "*.so")
    )
    abstract = target / "verifier" / "abstract"
    fold_mixins(abstract)
    compare_tuples_by_value(abstract)
    build = abstract / f"{native.BUILD_MODULE}.py"
    build.write_text(
        f'SOURCE_HASH = "{native.source_hash(ROOT / "verifier" / "abstract")}"\n', encoding="utf-8"
    )
    paths = [str(abstract / f"{name}.py") for name in (*native.COMPILED, native.BUILD_MODULE)]
    return paths + [str(native._also_path(abstract, name)) for name in native.ALSO_COMPILED]


class OptionalBuildExt(build_ext):
    """A failed compilation leaves the pure Python engine (verifier/native.py notices)."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # no compiler, no Python headers, ...
            print(
                f"bpfcheck: compiled engine not built ({exc}); the pure Python engine runs", file=sys.stderr
            )

    def build_extension(self, ext) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:
            print(f"bpfcheck: {ext.name} not built ({exc}); the pure Python engine runs", file=sys.stderr)


def ext_modules() -> list:
    if os.environ.get("BPFCHECK_COMPILE") == "0" or os.environ.get("BPFCHECK_PURE_PYTHON") == "1":
        return []
    try:
        from mypyc.build import mypycify

        paths = generate(_native())
        cwd = os.getcwd()
        os.chdir(GENERATED)  # mypyc names modules from their paths
        try:
            return mypycify(
                [
                    "--ignore-missing-imports",
                    "--follow-imports=silent",
                    *(os.path.relpath(p, GENERATED) for p in paths),
                ],
                opt_level=os.environ.get("MYPYC_OPT_LEVEL", "3"),
                group_name="bpfcheck_engine",
                target_dir=str(ROOT / "build" / "native-c"),
            )
        finally:
            os.chdir(cwd)
    except BaseException as exc:  # mypy missing, a type error (mypyc exits), ...
        print(f"bpfcheck: compiled engine not built ({exc!r}); the pure Python engine runs", file=sys.stderr)
        return []


setup(ext_modules=ext_modules(), cmdclass={"build_ext": OptionalBuildExt})
