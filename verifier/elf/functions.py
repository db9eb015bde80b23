"""Functions of the executable sections, and which of them are programs.

libbpf (bpf_object__add_programs) makes every STT_FUNC symbol of an executable
section other than `.text` a program, and every function of `.text` a
subprogram. Rules here:

* a section with global (or weak) function symbols: those are its programs; its
  static functions are only call targets (subprograms);
* a section with only static function symbols (falco's probe.o): those are programs;
* a section without function symbols (old clang, iproute2 objects): the whole
  section is one program named after the section;
* `.text` functions are subprograms; when an object has no program section at
  all, its global `.text` functions are reported as programs with a load error.

Function extents come from the symbol size; a size of 0 runs to the next
function symbol (or the end of the section). A section without function symbols
that is called into is split at its call targets.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from verifier.elf import elf_constants as ec
from verifier.elf.elf_file import ElfImage, ElfSection, ElfSymbol
from verifier.isa.insn import Insn


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    section: int
    start: int  # first insn index in the section
    length: int  # insn slots
    is_global: bool
    # a global symbol of hidden or internal visibility: libbpf marks its BTF FUNC static, so the
    # kernel verifies it as a static subprogram (libbpf/libbpf@3319982d, v0.4.0)
    hidden: bool = False


@dataclass(slots=True)
class CodeSection:
    sec: ElfSection
    insns: list[Insn]
    functions: list[Function]  # sorted by start
    has_symbols: bool

    def function_at(self, insn_index: int) -> Function | None:
        """The function whose body holds `insn_index`."""
        starts = [f.start for f in self.functions]
        pos = bisect.bisect_right(starts, insn_index) - 1
        if pos >= 0:
            f = self.functions[pos]
            if f.start <= insn_index < f.start + f.length:
                return f
        return None

    def function_starting(self, insn_index: int) -> Function | None:
        for f in self.functions:
            if f.start == insn_index:
                return f
        return None


def function_symbols(img: ElfImage) -> dict[int, list[ElfSymbol]]:
    """STT_FUNC symbols by section index."""
    out: dict[int, list[ElfSymbol]] = {}
    for sym in img.symbols:
        if sym.type == ec.STT_FUNC:
            out.setdefault(sym.shndx, []).append(sym)
    return out


def collect_functions(sec: ElfSection, insns: list[Insn], symbols: list[ElfSymbol]) -> CodeSection:
    """`symbols`: the STT_FUNC symbols of `sec`."""
    n = len(insns)
    by_start: dict[int, tuple[str, int, bool, bool]] = {}
    for sym in symbols:
        if sym.shndx != sec.index or sym.type != ec.STT_FUNC or sym.value % 8:
            continue
        start = sym.value // 8
        if start >= n:
            continue
        is_global = sym.bind in (ec.STB_GLOBAL, ec.STB_WEAK)
        prev = by_start.get(start)
        if prev is None or (is_global and not prev[2]):
            hidden = sym.visibility in (ec.STV_INTERNAL, ec.STV_HIDDEN)
            by_start[start] = (sym.name, sym.size // 8, is_global, hidden)
    starts = sorted(by_start)
    functions = []
    for i, start in enumerate(starts):
        name, length, is_global, hidden = by_start[start]
        limit = (starts[i + 1] if i + 1 < len(starts) else n) - start
        if length <= 0 or start + length > n:
            length = limit
        functions.append(Function(name, sec.index, start, length, is_global, hidden))
    return CodeSection(sec, insns, functions, bool(functions))


def split_at_targets(code: CodeSection, targets: set[int]) -> None:
    """Give a symbol-less section one function per call target (plus one at 0)."""
    n = len(code.insns)
    starts = sorted({0} | {t for t in targets if 0 <= t < n})
    code.functions = [
        Function(
            f"{code.sec.name}+{s}" if s else code.sec.name,
            code.sec.index,
            s,
            (starts[i + 1] if i + 1 < len(starts) else n) - s,
            False,
        )
        for i, s in enumerate(starts)
    ]


def program_entries(code: CodeSection) -> list[Function]:
    """The functions of a non-.text section that are programs."""
    globals_ = [f for f in code.functions if f.is_global]
    if globals_:
        return globals_
    if code.has_symbols:
        return list(code.functions)
    return [Function(code.sec.name, code.sec.index, 0, len(code.insns), False)]
