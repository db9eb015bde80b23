"""`bpfcheck disasm`: programs in the kernel log's syntax with their C source lines interleaved.

The per-instruction syntax comes from `verifier.isa.disasm.disasm(insn, idx,
helper_names)`; this module only lays out the listing and names helpers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from verifier.report.locations import source_path

if TYPE_CHECKING:
    from verifier.elf.model import Program


def helper_names() -> dict[int, str]:
    """Helper id -> the kernel log's name ("bpf_map_lookup_elem"), from the rules tables; {} when unknown."""
    try:
        from verifier.rules.helpers import all_helpers

        return {helper_id: info.kernel_name for helper_id, info in all_helpers().items()}
    except Exception:  # the listing still works with numbered helpers
        return {}


_CACHE: dict[int, tuple[Program, dict[int, str]]] = {}  # id(program) -> (program, its lines)


def log_lines(program: Program, names: Mapping[int, str]) -> dict[int, str]:
    """Instruction index -> the kernel log's line for it ("3: (b7) r0 = 0"); ld_imm64 tails have none."""
    cached = _CACHE.get(id(program))
    if cached is not None and cached[0] is program:
        return cached[1]
    out = _disassembled(program, names)
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[id(program)] = (program, out)
    return out


def _disassembled(program: Program, names: Mapping[int, str]) -> dict[int, str]:
    try:
        from verifier.isa.disasm import disassemble

        lines = disassemble(program, dict(names))
    except Exception:  # an unfinished or failing disassembler must not hide the listing
        lines = [
            f"{i}: ({insn.opcode:02x}) dst r{insn.dst} src r{insn.src} off {insn.off} imm {insn.imm}"
            for i, insn in enumerate(program.insns)
            if not insn.is_ld_imm64_tail
        ]
    out: dict[int, str] = {}
    for line in lines:
        index, _, _ = line.partition(":")
        if index.strip().isdigit():
            out[int(index)] = line
    return out


def instruction_line(program: Program, index: int, names: Mapping[int, str]) -> str:
    """One instruction in the kernel log's syntax without index and opcode ("r1 = *(u8 *)(r1 +6)")."""
    line = log_lines(program, names).get(index, "")
    text = line.partition(": ")[2]
    if text.startswith("(") and ") " in text:
        text = text.split(") ", 1)[1]
    return text


def program_listing(
    program: Program, with_source: bool = True, names: Mapping[int, str] | None = None, object_path: str = ""
) -> str:
    names = helper_names() if names is None else names
    lines = [f"{program.name}:  section {program.section}, type {program.prog_type or '?'}"]
    starts = {s.start: s.name for s in program.subprogs if s.start > 0}
    last_source: tuple[str, int] | None = None
    log = log_lines(program, names)
    for index in range(program.insn_count):
        if index in starts:
            lines.append(f"{starts[index]}:")
        if index not in log:
            continue
        source = program.line_info.get(index) if with_source else None
        if source is not None and (source.file, source.line) != last_source:
            lines.append(f"; {source.text.strip()} @ {source_path(source.file, object_path)}:{source.line}")
            last_source = (source.file, source.line)
        lines.append(log[index])
    return "\n".join(lines) + "\n"


def render_object(path: str, prog_filter: str | None = None, with_source: bool = True) -> str:
    """The listing of every program of the object at `path` (or those `prog_filter` names)."""
    from verifier.errors import InputError
    from verifier.pipeline import Stages, read_object, select_programs

    obj = read_object(path, Stages.reader_only())
    programs = select_programs(obj.programs, prog_filter)
    if not programs:
        what = f"named {prog_filter!r}" if prog_filter else "at all"
        raise InputError(f"{path}: no program {what}")
    names = helper_names()
    return "\n".join(program_listing(p, with_source, names, path) for p in programs)
