"""Pausing Python's cyclic garbage collector around work that allocates much and frees little.

Reading an object, parsing a kernel's BTF and analysing a program each allocate hundreds of
thousands of objects that stay alive until the work is done; every generation-2 pass of the
collector walks all of them again (half the time of parsing a kernel's BTF, a third of reading a
large object, a fifth of the analysis of the largest programs). None of that work makes garbage
cycles worth collecting early: what it frees, reference counting frees. The collector runs again
as soon as the work is over.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """The cyclic garbage collector paused for the `with` block (nested blocks are fine)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
