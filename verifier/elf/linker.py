"""Link one program as libbpf does: relocations resolved, called subprograms appended.

libbpf (bpf_object__relocate / bpf_object__reloc_code) copies the program's own
instructions, then walks them; at the first call (or `ld_imm64` function
address) into a subprogram not yet placed, it appends that subprogram's whole
body and walks it in turn (depth first). Call and function-address immediates
are rewritten relative to the linked layout. Map relocations become
`BPF_PSEUDO_MAP_FD` (map symbol) or `BPF_PSEUDO_MAP_VALUE` + offset (global
data); the rewritten `ld_imm64` carries the map index in `imm` (where libbpf puts
the map fd) and the value offset in `next_imm`.

Target instruction of a relocated call: sym.st_value / 8 + imm + 1; of a
relocated `ld_imm64` function address: (sym.st_value + imm) / 8 (libbpf:
"global_func: st_value = offset in the section, imm = 0; local_func:
st_value = 0, imm = offset in the section"). Unrelocated calls are pc-relative
inside their own section.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from verifier.elf import elf_constants as ec
from verifier.elf.btf import c_string
from verifier.elf.btf_ext import BtfExt
from verifier.elf.elf_file import ElfImage, ElfReloc, ElfSymbol
from verifier.elf.functions import CodeSection, Function
from verifier.elf.maps import MapTable
from verifier.elf.model import CoreReloc, MapRef, SourceLine, Subprog
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn

MAX_CALL_DEPTH = 256  # far beyond the kernel's limit of 8 frames; guards against cycles in garbage


@dataclass(slots=True)
class ObjectCode:
    """Everything the linker needs from the object, shared by all its programs."""

    img: ElfImage
    code: dict[int, CodeSection]  # executable section index -> decoded section
    relocs: dict[int, dict[int, ElfReloc]]  # section index -> insn index -> relocation
    maps: MapTable
    ksyms: set[str] = field(default_factory=set)  # extern names in the BTF .ksyms DATASEC
    btf_ext: BtfExt | None = None
    btf_strings: bytes = b""


@dataclass(slots=True)
class LinkedProgram:
    insns: list[Insn]
    subprogs: list[Subprog]
    map_refs: dict[int, MapRef]
    func_refs: dict[int, int]
    extern_refs: dict[int, str]
    line_info: dict[int, SourceLine]
    core_relocs: list[CoreReloc]
    func_info: dict[int, int]
    errors: list[str]


class _Linker:
    def __init__(self, obj: ObjectCode, entry: Function) -> None:
        self.obj = obj
        self.entry = entry
        self.insns: list[Insn] = []
        self.placed: dict[tuple[int, int], int] = {}  # (section, function start) -> linked start
        self.functions: list[tuple[Function, int]] = []  # (function, linked start)
        self.subprogs: list[Subprog] = []
        self.map_refs: dict[int, MapRef] = {}
        self.func_refs: dict[int, int] = {}
        self.extern_refs: dict[int, str] = {}
        self.errors: list[str] = []

    # -- placement ------------------------------------------------------------------------
    def place(self, fn: Function, depth: int) -> int:
        key = (fn.section, fn.start)
        if key in self.placed:
            return self.placed[key]
        base = len(self.insns)
        self.placed[key] = base
        code = self.obj.code[fn.section]
        self.insns.extend(code.insns[fn.start : fn.start + fn.length])
        self.functions.append((fn, base))
        is_global = fn.is_global and not fn.hidden and code.sec.name == ".text"
        self.subprogs.append(Subprog(base, fn.name, is_global))
        if depth > MAX_CALL_DEPTH:
            self.errors.append(f"call chain deeper than {MAX_CALL_DEPTH} functions at {fn.name!r}")
            return base
        self.relocate(fn, base, depth)
        return base

    def relocate(self, fn: Function, base: int, depth: int) -> None:
        code = self.obj.code[fn.section]
        relocs = self.obj.relocs.get(fn.section, {})
        for i in range(fn.length):
            insn = self.insns[base + i]
            if insn.is_ld_imm64_tail:
                continue
            reloc = relocs.get(fn.start + i)
            # old LLVM (e_machine 0 objects) wrote type 0 on map relocations; the loaders of
            # that era (bpf_load, iproute2) take the symbol of any relocation on an ld_imm64
            if reloc is not None and (reloc.type != ec.R_BPF_NONE or insn.is_ld_imm64):
                self.apply_reloc(code, fn, base, i, insn, reloc, depth)
            elif insn.is_pseudo_call:
                target = fn.start + i + 1 + insn.imm
                self.link_call(code.sec.index, target, fn, base, i, insn, depth)

    # -- calls and function addresses ------------------------------------------------------
    def link_call(
        self,
        sec: int,
        target: int,
        fn: Function,
        base: int,
        i: int,
        insn: Insn,
        depth: int,
        is_addr: bool = False,
    ) -> None:
        pc = base + i
        code = self.obj.code.get(sec)
        callee = code.function_at(target) if code is not None else None
        if callee is None:
            what = "function address" if is_addr else "call"
            self.errors.append(f"{what} at insn {pc} targets no function (section {sec}, insn {target})")
            return
        if callee.section == fn.section and callee.start == fn.start:
            linked_target = base + (target - fn.start)
        else:
            linked_target = self.place(callee, depth + 1) + (target - callee.start)
        if is_addr:
            self.func_refs[pc] = linked_target
            self.rewrite_ld_imm64(pc, src=op.BPF_PSEUDO_FUNC, imm=linked_target - (pc + 1), next_imm=0)
        else:
            self.insns[pc] = dataclasses.replace(insn, src=op.BPF_PSEUDO_CALL, imm=linked_target - (pc + 1))

    # -- relocations ----------------------------------------------------------------------------
    def apply_reloc(
        self, code: CodeSection, fn: Function, base: int, i: int, insn: Insn, reloc: ElfReloc, depth: int
    ) -> None:
        pc = base + i
        symbols = self.obj.img.symbols
        sym = symbols[reloc.symbol] if reloc.symbol < len(symbols) else None
        if sym is None:
            self.errors.append(f"relocation at insn {pc} names a missing symbol")
            return
        if sym.shndx == ec.SHN_UNDEF:
            self.extern_reloc(pc, insn, sym)
            return
        target_sec = self.obj.code.get(sym.shndx)
        if insn.is_call:
            if target_sec is None:
                self.errors.append(f"call at insn {pc} relocated against non-code symbol {sym.name!r}")
                return
            if sym.value % 8:
                self.errors.append(f"call at insn {pc}: target {sym.name!r} is not instruction-aligned")
                return
            self.link_call(sym.shndx, sym.value // 8 + insn.imm + 1, fn, base, i, insn, depth)
            return
        if not insn.is_ld_imm64:
            self.errors.append(
                f"relocation against {sym.name or 'section'!r} on insn {pc} "
                f"(opcode 0x{insn.opcode:02x}), which is neither ld_imm64 nor call"
            )
            return
        if target_sec is not None:
            offset = sym.value + insn.imm
            if offset % 8:
                self.errors.append(f"ld_imm64 at insn {pc}: function address not instruction-aligned")
                return
            self.link_call(sym.shndx, offset // 8, fn, base, i, insn, depth, is_addr=True)
            return
        self.map_reloc(pc, insn, sym)

    def map_reloc(self, pc: int, insn: Insn, sym: ElfSymbol) -> None:
        maps = self.obj.maps
        if sym.shndx in maps.map_sections:
            index = maps.by_symbol.get(
                (sym.shndx, sym.value + (insn.imm if sym.type == ec.STT_SECTION else 0))
            )
            if index is None:
                self.errors.append(
                    f"ld_imm64 at insn {pc}: no map definition at {sym.name or 'map section'!r}+{sym.value}"
                )
                return
            self.map_refs[pc] = MapRef(index, op.BPF_PSEUDO_MAP_FD)
            self.rewrite_ld_imm64(pc, src=op.BPF_PSEUDO_MAP_FD, imm=index, next_imm=0)
            return
        index = maps.data_by_section.get(sym.shndx)
        if index is not None:
            offset = sym.value + insn.imm
            self.map_refs[pc] = MapRef(index, op.BPF_PSEUDO_MAP_VALUE, offset)
            self.rewrite_ld_imm64(pc, src=op.BPF_PSEUDO_MAP_VALUE, imm=index, next_imm=offset)
            return
        sec = self.obj.img.section(sym.shndx)
        where = sec.name if sec is not None else f"section {sym.shndx}"
        self.errors.append(f"unsupported relocation to {sym.name or where} (in section {where!r})")

    def extern_reloc(self, pc: int, insn: Insn, sym: ElfSymbol) -> None:
        maps = self.obj.maps
        if insn.is_ld_imm64 and sym.name in maps.kconfig_offsets and maps.kconfig_map is not None:
            offset = maps.kconfig_offsets[sym.name]
            self.map_refs[pc] = MapRef(maps.kconfig_map, op.BPF_PSEUDO_MAP_VALUE, offset)
            self.rewrite_ld_imm64(pc, src=op.BPF_PSEUDO_MAP_VALUE, imm=maps.kconfig_map, next_imm=offset)
            return
        if sym.name in self.obj.ksyms:
            self.extern_refs[pc] = sym.name
            if insn.is_call:
                self.insns[pc] = dataclasses.replace(insn, src=op.BPF_PSEUDO_KFUNC_CALL, imm=0)
            elif insn.is_ld_imm64:
                self.rewrite_ld_imm64(pc, src=op.BPF_PSEUDO_BTF_ID, imm=0, next_imm=0)
            return
        self.errors.append(f"unsupported relocation to {sym.name}")

    def rewrite_ld_imm64(self, pc: int, src: int, imm: int, next_imm: int) -> None:
        insn = self.insns[pc]
        imm64 = (imm & 0xFFFFFFFF) | ((next_imm & 0xFFFFFFFF) << 32)
        self.insns[pc] = dataclasses.replace(insn, src=src, imm=imm, imm64=imm64, next_imm=next_imm)
        if pc + 1 < len(self.insns) and self.insns[pc + 1].is_ld_imm64_tail:
            self.insns[pc + 1] = dataclasses.replace(self.insns[pc + 1], imm=next_imm)

    # -- debug info ---------------------------------------------------------------------------
    def line_info(self) -> dict[int, SourceLine]:
        ext = self.obj.btf_ext
        out: dict[int, SourceLine] = {}
        if ext is None:
            return out
        strings = self.obj.btf_strings
        for fn, base in self.functions:
            records = ext.line_info.get(self.obj.code[fn.section].sec.name, ())
            for rec in records:
                idx = rec.insn_off // 8
                if fn.start <= idx < fn.start + fn.length:
                    out[base + idx - fn.start] = SourceLine(
                        _str(strings, rec.file_name_off), rec.line, rec.col, _str(strings, rec.line_off)
                    )
        return dict(sorted(out.items()))

    def func_info(self) -> dict[int, int]:
        ext = self.obj.btf_ext
        out: dict[int, int] = {}
        if ext is None:
            return out
        for fn, base in self.functions:
            for rec in ext.func_info.get(self.obj.code[fn.section].sec.name, ()):
                idx = rec.insn_off // 8
                if fn.start <= idx < fn.start + fn.length:
                    out[base + idx - fn.start] = rec.type_id
        return dict(sorted(out.items()))

    def core_relocs(self) -> list[CoreReloc]:
        ext = self.obj.btf_ext
        out: list[CoreReloc] = []
        if ext is None:
            return out
        strings = self.obj.btf_strings
        for fn, base in self.functions:
            for rec in ext.core_relos.get(self.obj.code[fn.section].sec.name, ()):
                idx = rec.insn_off // 8
                if fn.start <= idx < fn.start + fn.length:
                    out.append(
                        CoreReloc(
                            base + idx - fn.start, rec.type_id, _str(strings, rec.access_str_off), rec.kind
                        )
                    )
        out.sort(key=lambda c: c.insn)
        return out


def _str(strings: bytes, offset: int) -> str:
    return c_string(strings, offset)


def link_program(obj: ObjectCode, entry: Function) -> LinkedProgram:
    linker = _Linker(obj, entry)
    linker.place(entry, 0)
    subprogs = sorted(linker.subprogs, key=lambda s: s.start)
    return LinkedProgram(
        linker.insns,
        subprogs,
        linker.map_refs,
        linker.func_refs,
        linker.extern_refs,
        linker.line_info(),
        linker.core_relocs(),
        linker.func_info(),
        _dedup(linker.errors),
    )


def _dedup(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
