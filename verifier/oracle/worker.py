"""Child process of the oracle:
`python -m verifier.oracle.worker [--flags=N] [--with=PROGRAM]... [--unpriv=CAPS] OBJ PROGRAM [PROG_TYPE]`
(`--unpriv=CAPS`: load as test_loader's unprivileged runs, keeping the capability bits CAPS).

Prints the KernelVerdict as one JSON line; exit 2 (message on stderr) for bad input.
"""

from __future__ import annotations

import sys

from verifier.errors import InputError
from verifier.oracle.loader import LoadOptions, load_in_process, verdict_to_json

USAGE = (
    "usage: python -m verifier.oracle.worker [--flags=N] [--with=PROGRAM]... [--unpriv=CAPS] OBJ PROGRAM [PROG_TYPE]"
)


def main(argv: list[str]) -> int:
    flags = 0
    unpriv: int | None = None
    companions: list[str] = []
    positional: list[str] = []
    for arg in argv:
        if arg.startswith(("--flags=", "--unpriv=")):
            name, _, value = arg.partition("=")
            try:
                number = int(value, 0)
            except ValueError:
                print(USAGE, file=sys.stderr)
                return 2
            if name == "--flags":
                flags = number
            else:
                unpriv = number
        elif arg.startswith("--with="):
            companions.append(arg.removeprefix("--with="))
        else:
            positional.append(arg)
    if len(positional) not in (2, 3):
        print(USAGE, file=sys.stderr)
        return 2
    prog_type = positional[2] if len(positional) == 3 else None
    try:
        verdict = load_in_process(
            positional[0],
            positional[1],
            prog_type,
            LoadOptions(flags, tuple(companions), unprivileged=unpriv is not None, unpriv_caps=unpriv or 0),
        )
    except InputError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(verdict_to_json(verdict))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
