"""Where a finding points in the user's tree: source files named as the user's tools expect."""

from __future__ import annotations

import os
from pathlib import PurePosixPath


def source_path(file: str, object_path: str) -> str:
    """The path of a source file named in BTF line info, relative to the working directory when possible.

    clang records the file as it was given (often "./x.c" or an absolute path
    from the build machine). A relative name is looked up next to the object
    first, then in the working directory; an absolute one inside the working
    directory is made relative. Anything else is returned cleaned but unchanged.
    """
    if not file:
        return file
    candidates = [file] if os.path.isabs(file) else [os.path.join(os.path.dirname(object_path), file), file]
    for candidate in candidates:
        if os.path.isfile(candidate):
            return _relative_to_cwd(candidate)
    return _relative_to_cwd(file) if os.path.isabs(file) else str(PurePosixPath(file))


def _relative_to_cwd(path: str) -> str:
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    if absolute == cwd or absolute.startswith(cwd.rstrip(os.sep) + os.sep):
        return PurePosixPath(os.path.relpath(absolute, cwd)).as_posix()
    return PurePosixPath(absolute).as_posix() if os.path.isabs(path) else PurePosixPath(path).as_posix()
