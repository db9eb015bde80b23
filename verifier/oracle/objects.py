"""What libbpf sees in an object file: its programs (name, section) in file order."""

from __future__ import annotations

import errno as errno_mod
import os
from dataclasses import dataclass

from verifier.errors import ElfError
from verifier.oracle import libbpf as lb


@dataclass(frozen=True, slots=True)
class ObjectProgram:
    name: str
    section: str
    insns: int


def list_programs(obj_path: str | os.PathLike[str]) -> list[ObjectProgram]:
    """The programs libbpf finds in the object; ElfError when libbpf cannot open it."""
    path = os.fspath(obj_path)
    lib = lb.libbpf()
    lb.drain_messages()
    obj = lib.bpf_object__open_file(path.encode(), None)
    if not obj:
        msgs = [m.strip() for m in lb.drain_messages() if m.strip()]
        reason = msgs[-1].removeprefix("libbpf: ") if msgs else os.strerror(lb.last_errno() or errno_mod.EINVAL)
        raise ElfError(f"{path}: libbpf cannot open it: {reason}")
    try:
        found = []
        prog = lib.bpf_object__next_program(obj, None)
        while prog:
            name = lib.bpf_program__name(prog) or b""
            section = lib.bpf_program__section_name(prog) or b""
            found.append(ObjectProgram(name.decode(), section.decode(), int(lib.bpf_program__insn_cnt(prog))))
            prog = lib.bpf_object__next_program(obj, prog)
    finally:
        lib.bpf_object__close(obj)
        lb.drain_messages()
    return found
