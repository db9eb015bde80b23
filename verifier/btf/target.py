"""What a run knows of one target kernel beyond the rule tables: its BTF (if any).

The options carry only file names (they cross process boundaries with --jobs); the BTF itself
is loaded once per process (`verifier.btf.kernel.load_kernel_btf`).
"""

from __future__ import annotations

from typing import Any

from verifier.btf.kernel import KernelBtf, load_kernel_btf


def btf_path_for(options: Any, kernel: str) -> str | None:
    for label, path in getattr(options, "kernel_btf", ()) or ():
        if label == kernel:
            return path
    return None


def target_btf(options: Any, kernel: str) -> KernelBtf | None:
    """The BTF of `kernel` (a label such as "6.18") for this run, or None when none was given."""
    path = btf_path_for(options, kernel)
    return load_kernel_btf(path) if path else None
