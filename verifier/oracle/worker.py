"""Child process of the oracle: `python -m verifier.oracle.worker OBJ PROGRAM [PROG_TYPE]`.

Prints the KernelVerdict as one JSON line; exit 2 (message on stderr) for bad input.
"""

from __future__ import annotations

import sys

from verifier.errors import InputError
from verifier.oracle.loader import load_in_process, verdict_to_json


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print("usage: python -m verifier.oracle.worker OBJ PROGRAM [PROG_TYPE]", file=sys.stderr)
        return 2
    prog_type = argv[2] if len(argv) == 3 else None
    try:
        verdict = load_in_process(argv[0], argv[1], prog_type)
    except InputError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(verdict_to_json(verdict))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
