"""Find the object's program a kernel log is about, and check that the log fits it.

The kernel numbers instructions as libbpf laid the program out (the program, then each called
subprogram appended: libbpf.c bpf_object__reloc_code), which is how `Program.insns` is linked.
Every instruction line of the log must show, at its index, the object's instruction: the same
opcode and the same text as bpfcheck's disassembler writes it, up to what the loader fills in
(the map address an `ld_imm64` carries, printed as a kernel pointer) and kfunc names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from verifier.errors import InputError
from verifier.explain.kernel_log import LIBBPF_REWRITE, KernelLog, LogInsn

if TYPE_CHECKING:
    from verifier.elf.model import Program

LD_IMM64_OPCODE = 0x18
CALL_OPCODE = 0x85
_SPACES_RE = re.compile(r"\s+")
_CALL_ID_RE = re.compile(r"#(-?\d+)$")


class LogMismatch(InputError):
    """The log does not fit the object (one line, exit 2)."""


def normalized(text: str) -> str:
    return _SPACES_RE.sub(" ", text.strip())


def same_instruction(opcode: int, log_text: str, object_text: str) -> bool:
    """True when the log's instruction text is what the object holds at that index."""
    log_text, object_text = normalized(log_text), normalized(object_text)
    if opcode == LD_IMM64_OPCODE:  # the value is the loader's (map address, fd): compare "rN ="
        return log_text.split("=")[0] == object_text.split("=")[0]
    if opcode == CALL_OPCODE and log_text != object_text:
        log_id, object_id = _CALL_ID_RE.search(log_text), _CALL_ID_RE.search(object_text)
        return bool(log_id and object_id and log_id.group(1) == object_id.group(1))
    return log_text == object_text


def object_texts(program: Program, names: Mapping[int, str] | None = None) -> dict[int, str]:
    """Instruction index -> bpfcheck's disassembly of it, in the kernel log's syntax."""
    from verifier.report.disasm_listing import helper_names, log_lines

    texts: dict[int, str] = {}
    for index, line in log_lines(program, helper_names() if names is None else names).items():
        text = line.partition(": ")[2]
        texts[index] = text.split(") ", 1)[1] if text.startswith("(") and ") " in text else text
    return texts


# what the object holds where libbpf rewrote the log's line (libbpf.c fixup_verifier_log)
REWRITTEN_OPCODES = {"invalid BPF map reference": LD_IMM64_OPCODE, "invalid kfunc call": CALL_OPCODE}


def rewrite_fits(program: Program, insn: LogInsn) -> bool:
    """A line libbpf rewrote fits an instruction it could have poisoned: a CO-RE relocation's,
    a map load, a kfunc call."""
    if insn.text == "invalid CO-RE relocation":
        return any(reloc.insn == insn.index for reloc in program.core_relocs)
    expected = REWRITTEN_OPCODES.get(insn.text)
    return expected is None or program.insns[insn.index].opcode == expected


def misfit(program: Program, insns: Sequence[LogInsn], texts: Mapping[int, str]) -> str | None:
    """Why the log's instructions are not this program's, or None when every one fits.

    The offsets and immediates of CO-RE-relocated instructions depend on the kernel they were
    relocated for: only their opcode is compared."""
    relocated = {reloc.insn for reloc in program.core_relocs}
    for insn in insns:
        if not 0 <= insn.index < program.insn_count:
            return (
                f"the log's insn {insn.index} is out of range: {program.name} has "
                f"{program.insn_count} instructions"
            )
        opcode = program.insns[insn.index].opcode
        ours = texts.get(insn.index, "")
        if insn.opcode == LIBBPF_REWRITE:
            if not rewrite_fits(program, insn):
                return f"the log's insn {insn.index} is <{insn.text}>, but {program.name} has {ours or '?'} there"
            continue
        if insn.index in relocated and opcode == insn.opcode:
            continue
        if opcode != insn.opcode or not same_instruction(opcode, insn.text, ours):
            return (
                f"the log's insn {insn.index} is ({insn.opcode:02x}) {insn.text}, but {program.name} has "
                f"({opcode:02x}) {ours or '?'} there"
            )
    return None


def distinct(insns: Sequence[LogInsn]) -> list[LogInsn]:
    """One line per index (a loop prints the same instruction many times)."""
    seen: dict[int, LogInsn] = {}
    for insn in insns:
        seen.setdefault(insn.index, insn)
    return list(seen.values())


def choose_program(log: KernelLog, programs: Sequence[Program], wanted: str | None, path: str) -> Program:
    """--program, else the program the log names, else the only one, else the only one the log fits.

    Raises LogMismatch when none fits or the choice is ambiguous.
    """
    name = wanted or log.program
    if name is not None:
        named = [p for p in programs if p.name == name]
        if not named:
            source = "--program" if wanted else "the log"
            known = ", ".join(p.name for p in programs)
            raise LogMismatch(f"{path} has no program {name!r} (named by {source}); it has: {known}")
        candidates = named
    else:
        candidates = list(programs)
    if len(candidates) == 1:
        return candidates[0]
    insns = distinct(log.insns)
    fitting = [p for p in candidates if not misfit(p, insns, object_texts(p))] if insns else []
    if len(fitting) == 1:
        return fitting[0]
    names = ", ".join(p.name for p in (fitting or candidates))
    if fitting:
        raise LogMismatch(f"the log fits several programs of {path} ({names}): name one with --program")
    if insns:
        raise LogMismatch(f"the log fits no program of {path} ({names})")
    raise LogMismatch(f"the log does not name its program and {path} has several ({names}): use --program")


def check_fits(log: KernelLog, program: Program) -> None:
    """Raise LogMismatch (one line) when the log's instructions or failing insn are not this program's."""
    problem = misfit(program, distinct(log.insns), object_texts(program))
    if problem is None and log.failing_insn is not None and not 0 <= log.failing_insn < program.insn_count:
        problem = (
            f"the log's failing insn {log.failing_insn} is out of range: {program.name} has "
            f"{program.insn_count} instructions"
        )
    if problem is not None:
        raise LogMismatch(f"the log does not fit {program.name}: {problem}")
