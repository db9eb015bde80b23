"""Which struct_ops variable points at each program, as libbpf 1.1 reads it.

libbpf 1.1 (src/libbpf.c, `STRUCT_OPS_SEC ".struct_ops"`, bpf_object__collect_st_ops_relos()) takes
the relocations of the `.struct_ops` section: each names the function a member of one variable
points at, and the program gets `attach_btf_id` = that variable's struct type in the kernel's BTF
(and `expected_attach_type` = the member's index). `.struct_ops.link` is a section libbpf 1.2 added
(STRUCT_OPS_LINK_SEC): libbpf 1.1 skips it as an unknown data section, so its programs keep
attach_btf_id 0.
"""

from __future__ import annotations

import struct

from verifier.elf import btf as B
from verifier.elf import elf_constants as ec
from verifier.elf.elf_file import ElfImage

STRUCT_OPS_SECTION = ".struct_ops"


def struct_ops_types(img: ElfImage, btf: B.Btf | None) -> dict[str, str]:
    """Function name -> struct type name of the `.struct_ops` variable whose member points at it."""
    sec = img.section_by_name(STRUCT_OPS_SECTION)
    if sec is None or btf is None:
        return {}
    datasec = btf.find_datasec(STRUCT_OPS_SECTION)
    if datasec is None:
        return {}
    out: dict[str, str] = {}
    for reloc in img.relocs.get(sec.index, []):
        name = _function_at(img, reloc.symbol, sec.data, reloc.offset)
        struct_name = _variable_type_at(btf, datasec, reloc.offset)
        if name and struct_name:
            out.setdefault(name, struct_name)
    return out


def _function_at(img: ElfImage, sym_index: int, data: bytes, offset: int) -> str:
    if not 0 <= sym_index < len(img.symbols):
        return ""
    sym = img.symbols[sym_index]
    if sym.type == ec.STT_FUNC:
        return sym.name
    if sym.type != ec.STT_SECTION or offset + 8 > len(data):
        return ""
    addend = struct.unpack_from("<Q" if img.little_endian else ">Q", data, offset)[0]
    for cand in img.symbols:
        if cand.type == ec.STT_FUNC and cand.shndx == sym.shndx and cand.value == sym.value + addend:
            return cand.name
    return ""


def _variable_type_at(btf: B.Btf, datasec: B.BtfType, offset: int) -> str:
    for info in datasec.secinfo:
        if info.offset <= offset < info.offset + info.size:
            var = btf.get(info.type_id)
            target = btf.resolve(var.size_or_type) if var is not None else None
            return target.name if target is not None else ""
    return ""
