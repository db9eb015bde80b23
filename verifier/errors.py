"""Exceptions shared by every stage.

`InputError` is a problem with what the user gave us (a file that is not a BPF
object, an unknown kernel version, ...): the CLI prints its one-line message
and exits 2. Nothing else should ever escape to the user as a traceback.
"""


class InputError(Exception):
    """Bad input: the CLI reports `str(exc)` on one line and exits 2."""


class ElfError(InputError):
    """The object file cannot be read as a BPF ELF object."""


class UnknownKernelError(InputError):
    """The `--kernel` value is not a supported kernel version."""
