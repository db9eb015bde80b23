"""`load_object(path) -> BpfObject`: read a compiled BPF ELF object as libbpf would.

Stages: the ELF container (elf_file), BTF and BTF.ext (btf, btf_ext), maps
(maps), functions and programs (functions, sections), then each program
linked with its subprograms and relocations (linker). Problems that would make
libbpf refuse one program (unknown section type, unsupported relocation) are put
in `Program.load_errors`; a file that is not a readable BPF object raises
`ElfError` with a one-line message. Nothing else escapes.
"""

from __future__ import annotations

import struct

from verifier.elf import btf as B
from verifier.elf import elf_constants as ec
from verifier.elf.btf_ext import BtfExt, parse_btf_ext
from verifier.elf.elf_file import ElfImage, ElfReloc, read_elf
from verifier.elf.functions import (
    CodeSection,
    Function,
    collect_functions,
    function_symbols,
    program_entries,
    split_at_targets,
)
from verifier.elf.insn_bytes import decode_insns
from verifier.elf.linker import ObjectCode, link_program
from verifier.elf.maps import collect_maps
from verifier.elf.model import BpfObject, Program
from verifier.elf.sections import classify_section, unknown_section_message
from verifier.elf.struct_ops import struct_ops_types
from verifier.errors import ElfError

TEXT_NOT_A_PROGRAM = ("function in .text is not a program (no SEC() section): libbpf loads no program "
                      "from it (give the program type explicitly to verify it)")


def load_object(path: str) -> BpfObject:
    img = read_elf(path)
    try:
        return _build(img)
    except ElfError:
        raise
    except (struct.error, IndexError, KeyError, ValueError, TypeError, OverflowError, RecursionError,
            UnicodeDecodeError, AttributeError, ZeroDivisionError) as exc:
        msg = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise ElfError(f"{path}: malformed BPF object ({type(exc).__name__}: {msg})") from None


def _build(img: ElfImage) -> BpfObject:
    btf, btf_ext = _read_btf(img)
    maps = collect_maps(img, btf)
    code = _decode_code(img)
    relocs = _index_relocs(img, code)
    _split_symbolless_sections(img, code, relocs)
    obj = ObjectCode(img, code, relocs, maps, _ksym_names(btf), btf_ext, btf.strings if btf else b"")
    legacy = _is_legacy(code, maps.maps)
    programs = [_program(obj, fn, img.path) for fn in _entries(code, legacy)]
    st_ops = struct_ops_types(img, btf)
    for prog in programs:
        prog.load_errors.extend(w for w in maps.warnings if w not in prog.load_errors)
        if legacy:  # loaded with bpf() directly (verifier.oracle.raw_loader): no BTF, no func_info
            prog.func_info = {}
        if prog.prog_type == "struct_ops":
            prog.struct_ops_type = st_ops.get(prog.name)
    return BpfObject(img.path, programs, maps.maps, _license(img), _version(img),
                     has_btf=btf is not None, has_btf_ext=btf_ext is not None, btf=btf,
                     weak_externs=frozenset(s.name for s in img.symbols
                                            if s.shndx == ec.SHN_UNDEF and s.bind == ec.STB_WEAK and s.name))


def _read_btf(img: ElfImage) -> tuple[B.Btf | None, BtfExt | None]:
    sec = img.section_by_name(".BTF")
    if sec is None:
        return None, None
    try:
        btf = B.parse_btf(sec.data)
    except B.BtfError:
        return None, None
    ext_sec = img.section_by_name(".BTF.ext")
    if ext_sec is None:
        return btf, None
    try:
        return btf, parse_btf_ext(ext_sec.data, btf.strings)
    except B.BtfError:
        return btf, None


def _ksym_names(btf: B.Btf | None) -> set[str]:
    if btf is None:
        return set()
    datasec = btf.find_datasec(".ksyms")
    if datasec is None:
        return set()
    names = set()
    for info in datasec.secinfo:
        t = btf.get(info.type_id)
        if t is not None:
            names.add(t.name)
    return names


def _decode_code(img: ElfImage) -> dict[int, CodeSection]:
    code: dict[int, CodeSection] = {}
    funcs = function_symbols(img)
    for sec in img.sections:
        if sec.is_exec and sec.type == ec.SHT_PROGBITS:
            insns = decode_insns(sec.data, img.little_endian)
            code[sec.index] = collect_functions(sec, insns, funcs.get(sec.index, []))
    return code


def _index_relocs(img: ElfImage, code: dict[int, CodeSection]) -> dict[int, dict[int, ElfReloc]]:
    out: dict[int, dict[int, ElfReloc]] = {}
    for sec_index, relocs in img.relocs.items():
        if sec_index in code:
            out[sec_index] = {r.offset // 8: r for r in relocs if r.offset % 8 == 0}
    return out


def _split_symbolless_sections(img: ElfImage, code: dict[int, CodeSection],
                               relocs: dict[int, dict[int, ElfReloc]]) -> None:
    """Sections without function symbols (old .text) are split at the call targets into them."""
    targets: dict[int, set[int]] = {i: set() for i, c in code.items() if not c.has_symbols}
    if not targets:
        return
    for sec_index, cs in code.items():
        sec_relocs = relocs.get(sec_index, {})
        for idx, insn in enumerate(cs.insns):
            if insn.is_ld_imm64_tail:
                continue
            reloc = sec_relocs.get(idx)
            if reloc is not None and reloc.symbol < len(img.symbols):
                sym = img.symbols[reloc.symbol]
                if sym.shndx in targets:
                    if insn.is_call:
                        targets[sym.shndx].add(sym.value // 8 + insn.imm + 1)
                    elif insn.is_ld_imm64:
                        targets[sym.shndx].add((sym.value + insn.imm) // 8)
            elif insn.is_pseudo_call and sec_index in targets and cs.sec.name == ".text":
                targets[sec_index].add(idx + 1 + insn.imm)
    for sec_index, tset in targets.items():
        if code[sec_index].sec.name == ".text":
            split_at_targets(code[sec_index], tset)


def _is_legacy(code: dict[int, CodeSection], maps: list) -> bool:
    """An object libbpf 1.x refuses: a legacy `maps` section, or a program section whose
    entry points are not global functions (static programs, or no function symbols at all).
    Loaders of such objects (iproute2, bcc, the kernel samples' bpf_load) take each
    executable section as one program, named after the section."""
    if any(m.kind == "legacy" for m in maps):
        return True
    for cs in code.values():
        if cs.sec.name != ".text" and cs.insns and not any(f.is_global for f in cs.functions):
            return True
    return False


def _entries(code: dict[int, CodeSection], legacy: bool = False) -> list[Function]:
    entries: list[Function] = []
    for cs in code.values():
        if cs.sec.name != ".text" and cs.insns:
            if legacy:
                entries.append(Function(cs.sec.name, cs.sec.index, 0, len(cs.insns), False))
            else:
                entries.extend(program_entries(cs))
    if not entries:
        for cs in code.values():
            if cs.sec.name == ".text":
                entries.extend(f for f in cs.functions if f.is_global)
    return entries


def _program(obj: ObjectCode, entry: Function, path: str) -> Program:
    section = obj.code[entry.section].sec.name
    linked = link_program(obj, entry)
    prog = Program(entry.name, section, None, linked.insns, map_refs=linked.map_refs,
                   func_refs=linked.func_refs, subprogs=linked.subprogs, line_info=linked.line_info,
                   core_relocs=linked.core_relocs, load_errors=list(linked.errors),
                   extern_refs=linked.extern_refs, func_info=linked.func_info)
    if section == ".text":
        prog.load_errors.insert(0, TEXT_NOT_A_PROGRAM)
        return prog
    st = classify_section(section, path)
    prog.prog_type = st.prog_type
    prog.expected_attach_type = st.expected_attach_type
    prog.attach_to = st.attach_to
    prog.sleepable = st.sleepable
    if st.prog_type is None:
        prog.load_errors.insert(0, unknown_section_message(section))
    return prog


def _license(img: ElfImage) -> str:
    sec = img.section_by_name("license")
    if sec is None:
        return ""
    return sec.data.split(b"\0", 1)[0].decode("utf-8", errors="replace")


def _version(img: ElfImage) -> int | None:
    sec = img.section_by_name("version")
    if sec is None or len(sec.data) < 4:
        return None
    return struct.unpack_from("<I" if img.little_endian else ">I", sec.data, 0)[0]
