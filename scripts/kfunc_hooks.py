"""Extract which program types may call each kfunc, per Linux tree, into
verifier/rules/data/kfunc_prog_types.csv and verifier/rules/data/kfunc_hooks.csv.

A kfunc is callable from a program only if a set holding it is registered for the program's kfunc
hook (check_kfunc_call() -> fetch_kfunc_meta() -> btf_kfunc_id_set_contains(), else "calling
kernel function %s is not allowed"). The kernel code says which:

- `BTF_KFUNCS_START(ids)` / `BTF_SET8_START(ids)` ... `BTF_ID_FLAGS(func, name, ...)` ... `_END(ids)`:
  the kfuncs of a set of ids;
- `struct btf_kfunc_id_set kset = { .set = &ids, .filter = f }`: the set a registration names (a
  `.filter` function may refuse some programs at run time: such rows are marked `filtered`);
- `register_btf_kfunc_id_set(BPF_PROG_TYPE_X, &kset)`: the registration (BPF_PROG_TYPE_UNSPEC: the
  common hook, every program type);
- kernel/bpf/btf.c `bpf_prog_type_to_kfunc_hook()`: the hook of each program type (a set registered
  for BPF_PROG_TYPE_TRACING serves every type of the TRACING hook: tracepoint, perf_event, lsm, ...).

    python scripts/kfunc_hooks.py 6.0=git:/work/.mirror/sun363587351+linux-6.0/repo \\
        6.1=/work/build/src/linux-6.1/linux-source-6.1 ... --out verifier/rules/data

Trees as for scripts/kfunc_flags.py (a directory, or `git:<bare repository>[@<rev>]`).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kfunc_flags import runs, source_name  # noqa: E402

SET = re.compile(r"BTF_(?:KFUNCS|SET8)_START\(\s*(\w+)\s*\)(.*?)BTF_(?:KFUNCS|SET8)_END\(\s*\1\s*\)", re.S)
FUNC = re.compile(r"BTF_ID_FLAGS\(\s*func\s*,\s*(\w+)")
KSET = re.compile(r"struct\s+btf_kfunc_id_set\s+(\w+)\s*=\s*\{(.*?)\}", re.S)
REGISTER = re.compile(r"register_btf_kfunc_id_set\(\s*BPF_PROG_TYPE_(\w+)\s*,\s*&\s*(\w+)\s*\)", re.S)
HOOK_FN = re.compile(r"static\s+int\s+bpf_prog_type_to_kfunc_hook\([^)]*\)\s*\{(.*?)\n\}", re.S)
CASE = re.compile(r"case\s+BPF_PROG_TYPE_(\w+)\s*:|return\s+BTF_KFUNC_HOOK_(\w+)\s*;")


def _read(spec: str, pattern: str) -> dict[str, str]:
    """path -> text of the tree's *.c files that mention `pattern` (outside tools/ and samples/)."""
    if spec.startswith("git:"):
        repo, _, rev = spec[4:].partition("@")
        rev = rev or "HEAD"
        listed = subprocess.run(
            ["git", "-C", repo, "grep", "-l", pattern, rev, "--", "*.c"], capture_output=True, text=True
        ).stdout
        paths = [line.split(":", 1)[1] for line in listed.splitlines()]

        def text(path: str) -> str:
            return subprocess.run(
                ["git", "-C", repo, "show", f"{rev}:{path}"], capture_output=True, text=True, errors="replace"
            ).stdout
    else:
        listed = subprocess.run(
            ["grep", "-rl", "--include=*.c", pattern, spec], capture_output=True, text=True
        ).stdout
        paths = [str(Path(p).relative_to(spec)) for p in listed.splitlines()]

        def text(path: str) -> str:
            return Path(spec, path).read_text(errors="replace")

    return {
        p: text(p)
        for p in paths
        if not ("/selftests/" in p or "/tools/" in p or p.startswith(("tools/", "samples/")))
    }


def prog_type_hooks(spec: str) -> dict[str, str]:
    """Program type (BPF_PROG_TYPE_ suffix) -> kfunc hook, from bpf_prog_type_to_kfunc_hook()."""
    for path, body in _read(spec, "bpf_prog_type_to_kfunc_hook").items():
        match = HOOK_FN.search(body)
        if match is None or not path.endswith("kernel/bpf/btf.c"):
            continue
        out: dict[str, str] = {}
        pending: list[str] = []
        for case, hook in CASE.findall(match.group(1)):
            if case:
                pending.append(case)
            else:
                out.update((p, hook) for p in pending)
                pending = []
        return out
    return {}


def registrations(spec: str) -> dict[str, set[tuple[str, bool]]]:
    """kfunc -> {(program type registered for, filtered)} in the tree `spec`."""
    out: dict[str, set[tuple[str, bool]]] = {}
    for _, body in _read(spec, "register_btf_kfunc_id_set").items():
        sets = {name: FUNC.findall(inner) for name, inner in SET.findall(body)}
        ksets = {}
        for name, inner in KSET.findall(body):
            ids = re.search(r"\.set\s*=\s*&\s*(\w+)", inner)
            if ids is not None:
                ksets[name] = (ids.group(1), ".filter" in inner)
        for prog_type, kset in REGISTER.findall(body):
            ids, filtered = ksets.get(kset, (None, False))
            for func in sets.get(ids or "", ()):
                out.setdefault(func, set()).add((prog_type, filtered))
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="+", help="VERSION=TREE")
    parser.add_argument("--out", type=Path, required=True, help="folder of the two CSV files")
    args = parser.parse_args(argv)
    trees = [arg.split("=", 1) for arg in args.trees]
    labels = [label for label, _ in trees]
    header = [
        "# trees (version=source): " + " ".join(f"{label}={source_name(spec)}" for label, spec in trees),
        "# a row holds from the tree `first` to the tree `last` (every tree between them has it)",
    ]
    regs: dict[tuple[str, str, bool], list[int]] = {}
    hooks: dict[tuple[str, str], list[int]] = {}
    for i, (_, spec) in enumerate(trees):
        for func, found in registrations(spec).items():
            for prog_type, filtered in found:
                regs.setdefault((func, prog_type, filtered), []).append(i)
        for prog_type, hook in prog_type_hooks(spec).items():
            hooks.setdefault((prog_type, hook), []).append(i)
    with (args.out / "kfunc_prog_types.csv").open("w") as f:
        print(
            "# the program types each kfunc's sets are registered for (register_btf_kfunc_id_set()),", file=f
        )
        print(
            "# generated by scripts/kfunc_hooks.py; UNSPEC: every program type; filtered: the set has a",
            file=f,
        )
        print("# .filter that may refuse some programs of those types", file=f)
        print("\n".join(header), file=f)
        print("kfunc,prog_type,filtered,first,last", file=f)
        for (func, prog_type, filtered), seen in sorted(regs.items()):
            for a, b in runs(seen):
                print(f"{func},{prog_type.lower()},{int(filtered)},{labels[a]},{labels[b]}", file=f)
    with (args.out / "kfunc_hooks.csv").open("w") as f:
        print(
            "# the kfunc hook of each program type (kernel/bpf/btf.c bpf_prog_type_to_kfunc_hook()),", file=f
        )
        print(
            "# generated by scripts/kfunc_hooks.py; a type not listed has no hook (only common kfuncs)",
            file=f,
        )
        print("\n".join(header), file=f)
        print("prog_type,hook,first,last", file=f)
        for (prog_type, hook), seen in sorted(hooks.items()):
            for a, b in runs(seen):
                print(f"{prog_type.lower()},{hook.lower()},{labels[a]},{labels[b]}", file=f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
