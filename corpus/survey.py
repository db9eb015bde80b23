"""Load every program of the built corpus into the running kernel and print what it says.

    python corpus/survey.py [OBJ ...]          # table: object, program, verdict, message
    python corpus/survey.py --toml [OBJ ...]   # the same as manifest.toml stubs (host version only)

A helper for writing corpus/manifest.toml from the kernel's actual verdicts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(CORPUS_DIR.parent))

from verifier.oracle import kernel_available, load_with_kernel  # noqa: E402
from verifier.oracle.objects import list_programs  # noqa: E402

BUILD_DIR = CORPUS_DIR / "build"


def objects(args: list[str]) -> list[Path]:
    return [Path(a).resolve() for a in args] if args else sorted(BUILD_DIR.rglob("*.o"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--toml", action="store_true", help="print manifest stubs")
    parser.add_argument("objects", nargs="*")
    args = parser.parse_args(argv)
    if not kernel_available():
        print("bpf() is not available here", file=sys.stderr)
        return 1
    for obj in objects(args.objects):
        rel = obj.relative_to(BUILD_DIR).as_posix()
        for prog in list_programs(obj):
            v = load_with_kernel(obj, prog.name)
            if args.toml:
                print(f'\n[[program]]\nobject = "{rel}"\nname = "{prog.name}"')
                key = "accept" if v.verdict == "accept" else v.verdict
                print(f'{key} = "all"')
                if v.verdict != "accept":
                    print(f"message = {v.msg!r}".replace("'", '"'))
            else:
                print(f"{rel:34} {prog.name:32} {v.verdict:10} {v.processed or 0:>7} {v.msg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
