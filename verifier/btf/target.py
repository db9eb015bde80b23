"""What a run knows of one target kernel beyond the rule tables: its BTF (if any).

The options carry only file names (they cross process boundaries with --jobs); the BTF itself
is loaded once per process (`verifier.btf.kernel.load_kernel_btf`).
"""

from __future__ import annotations

import re
from typing import Any

from verifier.btf.kernel import KernelBtf, load_kernel_btf


def btf_path_for(options: Any, kernel: str) -> str | None:
    """The BTF file given for `kernel`: its label ("6.18", "6.18.44-fc-v1045"), or the same X.Y."""
    pairs = getattr(options, "kernel_btf", ()) or ()
    for label, path in pairs:
        if label == kernel:
            return path
    for label, path in pairs:
        if _series(label) is not None and _series(label) == _series(kernel):
            return path
    return None


def _series(label: str) -> tuple[int, int] | None:
    match = re.match(r"\s*(\d+)\.(\d+)", str(label))
    return (int(match.group(1)), int(match.group(2))) if match else None


def target_btf(options: Any, kernel: str) -> KernelBtf | None:
    """The BTF of `kernel` (a label such as "6.18") for this run, or None when none was given."""
    path = btf_path_for(options, kernel)
    return load_kernel_btf(path) if path else None
