"""Parse the `.BTF` section: the type table and the string table.

Layout from include/uapi/linux/btf.h and Documentation/bpf/btf.rst: a header
(magic 0xeB9F, version, flags, hdr_len, type_off, type_len, str_off, str_len),
then `struct btf_type` records (name_off, info, size_or_type), each followed by
kind-specific data. Type id 0 is `void`; ids count from 1 in file order.

Only what the object reader needs is interpreted: names, sizes, struct members,
arrays, pointers, FUNC/VAR/DATASEC. A malformed table raises `BtfError`; the
reader then carries on without BTF, as libbpf does ("Error loading .BTF").
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

BTF_MAGIC = 0xEB9F

# kinds (include/uapi/linux/btf.h)
KIND_INT = 1
KIND_PTR = 2
KIND_ARRAY = 3
KIND_STRUCT = 4
KIND_UNION = 5
KIND_ENUM = 6
KIND_FWD = 7
KIND_TYPEDEF = 8
KIND_VOLATILE = 9
KIND_CONST = 10
KIND_RESTRICT = 11
KIND_FUNC = 12
KIND_FUNC_PROTO = 13
KIND_VAR = 14
KIND_DATASEC = 15
KIND_FLOAT = 16
KIND_DECL_TAG = 17
KIND_TYPE_TAG = 18
KIND_ENUM64 = 19

_MODIFIERS = (KIND_TYPEDEF, KIND_VOLATILE, KIND_CONST, KIND_RESTRICT, KIND_TYPE_TAG)
_SIZED = (KIND_INT, KIND_STRUCT, KIND_UNION, KIND_ENUM, KIND_DATASEC, KIND_FLOAT, KIND_ENUM64)


class BtfError(Exception):
    """The .BTF or .BTF.ext section is malformed."""


@dataclass(frozen=True, slots=True)
class BtfMember:
    name: str
    type_id: int
    bit_offset: int  # from the start of the struct
    bitfield_size: int = 0


@dataclass(frozen=True, slots=True)
class BtfVarSecinfo:
    type_id: int  # a VAR (or FUNC for .ksyms)
    offset: int
    size: int


@dataclass(slots=True)
class BtfType:
    kind: int
    name: str
    info_vlen: int
    kind_flag: bool
    size_or_type: int
    members: list[BtfMember] = field(default_factory=list)  # STRUCT / UNION
    array: tuple[int, int, int] | None = None  # ARRAY: (elem type, index type, nelems)
    params: list[tuple[str, int]] = field(default_factory=list)  # FUNC_PROTO: (name, type)
    secinfo: list[BtfVarSecinfo] = field(default_factory=list)  # DATASEC
    linkage: int = 0  # VAR linkage, FUNC linkage (vlen)
    enums: list[tuple[str, int]] = field(default_factory=list)  # ENUM / ENUM64: (name, value)
    int_encoding: int = 0  # INT: BTF_INT_SIGNED (1), CHAR (2), BOOL (4)
    int_offset: int = 0  # INT: bit offset (deprecated bitfield-like integers)
    int_bits: int = 0  # INT: number of bits
    component_idx: int = -1  # DECL_TAG: -1 for the whole type, else the member/parameter index


@dataclass(slots=True)
class Btf:
    types: list[BtfType | None]  # index = type id; [0] is None (void)
    strings: bytes
    little_endian: bool = True
    base_count: int = 0  # split BTF (a kernel module's): types[1:base_count] are the base's

    def string(self, offset: int) -> str:
        return c_string(self.strings, offset)

    def get(self, type_id: int) -> BtfType | None:
        return self.types[type_id] if 0 < type_id < len(self.types) else None

    def skip_modifiers(self, type_id: int) -> int:
        """Follow typedef/const/volatile/restrict/type_tag to the real type."""
        for _ in range(64):
            t = self.get(type_id)
            if t is None or t.kind not in _MODIFIERS:
                return type_id
            type_id = t.size_or_type
        return type_id

    def resolve(self, type_id: int) -> BtfType | None:
        return self.get(self.skip_modifiers(type_id))

    def size_of(self, type_id: int) -> int:
        """Byte size of a type (btf__resolve_size); 0 when it cannot be told."""
        total = 1
        for _ in range(64):
            t = self.resolve(type_id)
            if t is None:
                return 0
            if t.kind in _SIZED:
                return total * t.size_or_type
            if t.kind == KIND_PTR:
                return total * 8
            if t.kind == KIND_ARRAY and t.array is not None:
                total *= t.array[2]
                type_id = t.array[0]
                continue
            if t.kind == KIND_VAR:
                type_id = t.size_or_type
                continue
            return 0
        return 0

    def find_datasec(self, name: str) -> BtfType | None:
        for t in self.types:
            if t is not None and t.kind == KIND_DATASEC and t.name == name:
                return t
        return None

    def struct_name(self, type_id: int) -> str:
        t = self.resolve(type_id)
        return t.name if t is not None else ""


def _s32(value: int) -> int:
    return value - (1 << 32) if value >> 31 else value


def c_string(table: bytes, offset: int) -> str:
    if offset < 0 or offset >= len(table):
        return ""
    end = table.find(b"\0", offset)
    raw = table[offset:] if end < 0 else table[offset:end]
    return raw.decode("utf-8", errors="replace")


def parse_btf(data: bytes, base: Btf | None = None) -> Btf:
    """Parse a `.BTF` section or raise `BtfError`.

    With `base`, `data` is split BTF (a kernel module's, /sys/kernel/btf/<module>): its type ids
    continue after the base's and its string offsets after the base's string table.
    """
    if len(data) < 24:
        raise BtfError("BTF header truncated")
    (magic,) = struct.unpack_from("<H", data, 0)
    if magic == BTF_MAGIC:
        endian = "<"
    elif struct.unpack_from(">H", data, 0)[0] == BTF_MAGIC:
        endian = ">"
    else:
        raise BtfError(f"bad BTF magic 0x{magic:04x}")
    hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from(endian + "5I", data, 4)
    base_off = hdr_len
    if base_off + type_off + type_len > len(data) or base_off + str_off + str_len > len(data):
        raise BtfError("BTF type or string section outside the .BTF data")
    strings = data[base_off + str_off: base_off + str_off + str_len]
    types_buf = data[base_off + type_off: base_off + type_off + type_len]
    if base is None:
        return Btf(_parse_types(types_buf, strings, endian), strings, endian == "<")
    all_strings = base.strings + strings
    own = _parse_types(types_buf, all_strings, endian)
    return Btf(base.types + own[1:], all_strings, endian == "<", base_count=len(base.types))


def _parse_types(buf: bytes, strings: bytes, endian: str) -> list[BtfType | None]:
    hdr = struct.Struct(endian + "3I")
    u32 = struct.Struct(endian + "I")
    member = struct.Struct(endian + "3I")
    pair = struct.Struct(endian + "Ii")
    types: list[BtfType | None] = [None]
    pos = 0
    n = len(buf)
    try:
        while pos < n:
            name_off, info, size_or_type = hdr.unpack_from(buf, pos)
            pos += 12
            kind = (info >> 24) & 0x1F
            vlen = info & 0xFFFF
            kflag = bool(info >> 31)
            t = BtfType(kind, c_string(strings, name_off), vlen, kflag, size_or_type)
            if kind == KIND_INT:
                (enc,) = u32.unpack_from(buf, pos)
                t.int_encoding, t.int_offset, t.int_bits = (enc >> 24) & 0xF, (enc >> 16) & 0xFF, enc & 0xFF
                pos += 4
            elif kind == KIND_DECL_TAG:
                t.component_idx = _s32(u32.unpack_from(buf, pos)[0])
                pos += 4
            elif kind == KIND_VAR:
                t.linkage = u32.unpack_from(buf, pos)[0]
                pos += 4
            elif kind == KIND_ARRAY:
                t.array = tuple(hdr.unpack_from(buf, pos))  # type: ignore[assignment]
                pos += 12
            elif kind in (KIND_STRUCT, KIND_UNION):
                for _ in range(vlen):
                    m_name, m_type, m_off = member.unpack_from(buf, pos)
                    pos += 12
                    if kflag:
                        t.members.append(BtfMember(c_string(strings, m_name), m_type, m_off & 0xFFFFFF, m_off >> 24))
                    else:
                        t.members.append(BtfMember(c_string(strings, m_name), m_type, m_off))
            elif kind == KIND_ENUM:
                for _ in range(vlen):
                    e_name, e_val = pair.unpack_from(buf, pos)
                    pos += 8
                    t.enums.append((c_string(strings, e_name), e_val if kflag else e_val & 0xFFFFFFFF))
            elif kind == KIND_ENUM64:
                for _ in range(vlen):
                    e_name, lo, hi = member.unpack_from(buf, pos)
                    pos += 12
                    value = (hi << 32) | lo
                    if kflag and value >> 63:
                        value -= 1 << 64
                    t.enums.append((c_string(strings, e_name), value))
            elif kind == KIND_FUNC_PROTO:
                for _ in range(vlen):
                    p_name, p_type = pair.unpack_from(buf, pos)
                    pos += 8
                    t.params.append((c_string(strings, p_name), p_type))
            elif kind == KIND_DATASEC:
                for _ in range(vlen):
                    v_type, v_off, v_size = member.unpack_from(buf, pos)
                    pos += 12
                    t.secinfo.append(BtfVarSecinfo(v_type, v_off, v_size))
            elif kind == KIND_FUNC:
                t.linkage = vlen
            elif kind in (KIND_PTR, KIND_FWD, KIND_TYPEDEF, KIND_VOLATILE, KIND_CONST, KIND_RESTRICT,
                          KIND_FLOAT, KIND_TYPE_TAG):
                pass
            else:
                raise BtfError(f"unknown BTF kind {kind} at type id {len(types)}")
            types.append(t)
    except struct.error:
        raise BtfError(f"BTF type table truncated at type id {len(types)}") from None
    return types
