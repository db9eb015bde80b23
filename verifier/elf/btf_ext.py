"""Parse the `.BTF.ext` section: func_info, line_info and CO-RE relocation records.

Layout from tools/lib/bpf/libbpf_internal.h (struct btf_ext_header,
bpf_func_info, bpf_line_info, bpf_core_relo) and Documentation/bpf/btf.rst:
a header (magic, version, flags, hdr_len, func_info_off/len, line_info_off/len,
and core_relo_off/len when hdr_len >= 32); each info block starts with a u32
record size, then per ELF section: sec_name_off, num_info, num_info records.
Offsets are relative to the end of the header; names point into .BTF strings.
Instruction offsets are in bytes from the start of the ELF section.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from verifier.elf.btf import BTF_MAGIC, BtfError, c_string


@dataclass(frozen=True, slots=True)
class FuncInfo:
    insn_off: int  # bytes from the start of the section
    type_id: int  # a BTF FUNC


@dataclass(frozen=True, slots=True)
class LineInfo:
    insn_off: int
    file_name_off: int
    line_off: int
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class CoreReloRecord:
    insn_off: int
    type_id: int
    access_str_off: int
    kind: int


@dataclass(slots=True)
class BtfExt:
    func_info: dict[str, list[FuncInfo]] = field(default_factory=dict)  # section name -> records
    line_info: dict[str, list[LineInfo]] = field(default_factory=dict)
    core_relos: dict[str, list[CoreReloRecord]] = field(default_factory=dict)


def parse_btf_ext(data: bytes, strings: bytes) -> BtfExt:
    """Parse `.BTF.ext`; `strings` is the .BTF string table. Raises `BtfError` when malformed."""
    if len(data) < 24:
        raise BtfError("BTF.ext header truncated")
    if struct.unpack_from("<H", data, 0)[0] == BTF_MAGIC:
        endian = "<"
    elif struct.unpack_from(">H", data, 0)[0] == BTF_MAGIC:
        endian = ">"
    else:
        raise BtfError("bad BTF.ext magic")
    (hdr_len,) = struct.unpack_from(endian + "I", data, 4)
    fi_off, fi_len, li_off, li_len = struct.unpack_from(endian + "4I", data, 8)
    out = BtfExt()
    try:
        for sec, recs in _blocks(data, hdr_len + fi_off, fi_len, 8, strings, endian):
            out.func_info[sec] = [FuncInfo(a, b) for a, b in struct.iter_unpack(endian + "II", recs)]
        for sec, recs in _blocks(data, hdr_len + li_off, li_len, 16, strings, endian):
            out.line_info[sec] = [LineInfo(a, b, c, d >> 10, d & 0x3FF)
                                  for a, b, c, d in struct.iter_unpack(endian + "4I", recs)]
        if hdr_len >= 32:
            cr_off, cr_len = struct.unpack_from(endian + "2I", data, 24)
            for sec, recs in _blocks(data, hdr_len + cr_off, cr_len, 16, strings, endian):
                out.core_relos[sec] = [CoreReloRecord(*r) for r in struct.iter_unpack(endian + "4I", recs)]
    except struct.error:
        raise BtfError("BTF.ext info block truncated") from None
    return out


def _blocks(data: bytes, start: int, length: int, min_rec: int, strings: bytes, endian: str):
    """Yield (section name, records bytes trimmed to `min_rec` bytes each) for one info block."""
    if length == 0:
        return
    end = start + length
    if end > len(data) or length < 4:
        raise BtfError("BTF.ext info block outside the section")
    (rec_size,) = struct.unpack_from(endian + "I", data, start)
    if rec_size < min_rec:
        raise BtfError(f"BTF.ext record size {rec_size} too small")
    pos = start + 4
    while pos < end:
        sec_off, num = struct.unpack_from(endian + "II", data, pos)
        pos += 8
        if pos + num * rec_size > end:
            raise BtfError("BTF.ext records run past their block")
        if rec_size == min_rec:
            recs = data[pos: pos + num * rec_size]
        else:
            recs = b"".join(data[pos + i * rec_size: pos + i * rec_size + min_rec] for i in range(num))
        pos += num * rec_size
        yield c_string(strings, sec_off), recs
