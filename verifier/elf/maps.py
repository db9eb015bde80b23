"""Map definitions of an object: BTF-defined (`.maps`), legacy (`maps`, `maps/*`), global data.

Semantics follow libbpf (tools/lib/bpf/libbpf.c: parse_btf_map_def,
bpf_object__init_user_maps for the legacy layouts, bpf_object__init_global_data_maps):

* `.maps`: one BTF VAR per map in the `.maps` DATASEC; its struct's members
  `type`, `max_entries`, `map_flags`, `key_size`, `value_size`, `numa_node`,
  `map_extra` are `int (*name)[N]` (the value is N); `key`/`value` are pointers
  to the key/value types; `values` is the inner map definition of a map-in-map.
* legacy `maps` / `maps/*`: an array of fixed-size records, one per symbol:
  `struct bpf_map_def` (20 bytes: type, key_size, value_size, max_entries,
  map_flags), samples/bpf's bpf_load.c layout (28 bytes: + inner_map_idx,
  numa_node), iproute2's `struct bpf_elf_map` (28 bytes in old cilium: + id,
  pinning; 36 bytes: + inner_id, inner_idx).
* global data: `.data*`, `.rodata*`, `.bss*` become one-entry ARRAY maps whose
  value is the section (`.rodata*` read-only for the program).

Where the kernel would refuse a zero `max_entries` the reader applies what the
loaders do: perf event arrays get the CPU count (libbpf), other legacy maps 1
(the corpus harness); a map-in-map with `value_size` 0 gets 4.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field

from verifier.elf import btf as B
from verifier.elf import elf_constants as ec
from verifier.elf.elf_file import ElfImage, ElfSection, ElfSymbol
from verifier.elf.model import MapDef

# enum bpf_map_type values used here (include/uapi/linux/bpf.h)
MAP_TYPE_ARRAY = 2
MAP_TYPE_PERF_EVENT_ARRAY = 4
MAP_TYPE_ARRAY_OF_MAPS = 12
MAP_TYPE_HASH_OF_MAPS = 13
_MAP_IN_MAP = (MAP_TYPE_ARRAY_OF_MAPS, MAP_TYPE_HASH_OF_MAPS)
BPF_F_RDONLY_PROG = 1 << 7

_INT_FIELDS = {"type": "type", "max_entries": "max_entries", "map_flags": "flags",
               "key_size": "key_size", "value_size": "value_size"}


@dataclass(slots=True)
class MapTable:
    maps: list[MapDef] = field(default_factory=list)
    by_symbol: dict[tuple[int, int], int] = field(default_factory=dict)  # (section, offset) -> map index
    map_sections: set[int] = field(default_factory=set)  # `maps`, `maps/*`, `.maps` section indexes
    data_by_section: dict[int, int] = field(default_factory=dict)  # data section index -> map index
    kconfig_map: int | None = None
    kconfig_offsets: dict[str, int] = field(default_factory=dict)  # extern name -> offset in .kconfig
    warnings: list[str] = field(default_factory=list)

    def add(self, m: MapDef) -> int:
        self.maps.append(m)
        return len(self.maps) - 1


def is_data_section(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in (".data", ".rodata", ".bss"))


def collect_maps(img: ElfImage, btf: B.Btf | None) -> MapTable:
    table = MapTable()
    for sec in img.sections:
        if sec.name == "maps" or sec.name.startswith("maps/"):
            table.map_sections.add(sec.index)
            _legacy_maps(img, sec, table)
    maps_sec = img.section_by_name(".maps")
    if maps_sec is not None:
        table.map_sections.add(maps_sec.index)
        _btf_maps(img, maps_sec, btf, table)
    for sec in img.sections:
        if is_data_section(sec.name) and sec.size > 0 and not sec.is_exec:
            table.data_by_section[sec.index] = table.add(_data_map(sec, btf))
    if btf is not None:
        _kconfig_map(btf, table)
    return table


# ---- legacy maps ---------------------------------------------------------------------------

def _legacy_maps(img: ElfImage, sec: ElfSection, table: MapTable) -> None:
    syms = sorted((s for s in img.symbols if s.shndx == sec.index and s.type != ec.STT_SECTION
                   and s.name and s.type in (ec.STT_OBJECT, ec.STT_NOTYPE)), key=lambda s: s.value)
    if not syms:
        if sec.size:
            table.warnings.append(f"legacy map section {sec.name!r} has no map symbols")
        return
    sizes = {s.size for s in syms}
    rec_size = sizes.pop() if len(sizes) == 1 and 0 not in sizes else sec.size // len(syms)
    endian = "<" if img.little_endian else ">"
    defs: list[tuple[ElfSymbol, tuple[int, ...]]] = []
    for sym in syms:
        raw = sec.data[sym.value: sym.value + rec_size]
        if len(raw) < 16:
            table.warnings.append(f"legacy map {sym.name!r}: definition truncated ({len(raw)} bytes)")
            continue
        raw = raw[: len(raw) - len(raw) % 4] + b"\0" * 36
        defs.append((sym, struct.unpack_from(endian + "9I", raw, 0)))
    first = len(table.maps)
    for sym, f in defs:
        m = MapDef(sym.name, f[0], f[1], f[2], f[3], f[4], kind="legacy")
        _fix_sizes(m)
        table.by_symbol[(sec.index, sym.value)] = table.add(m)
    # map-in-map: bpf_load.c's inner_map_idx (28 bytes) or iproute2's inner_id (36 bytes)
    for pos, (_sym, f) in enumerate(defs):
        outer = table.maps[first + pos]
        if outer.type not in _MAP_IN_MAP:
            continue
        inner_pos = None
        if rec_size >= 36 and f[7]:
            inner_pos = next((i for i, (_s, g) in enumerate(defs) if g[5] == f[7] and i != pos), None)
        elif rec_size >= 24:
            inner_pos = f[5] if f[5] < len(defs) and f[5] != pos else None
        if inner_pos is not None:
            outer.inner = table.maps[first + inner_pos]


def _fix_sizes(m: MapDef) -> None:
    if m.max_entries == 0:
        m.max_entries = (os.cpu_count() or 1) if m.type == MAP_TYPE_PERF_EVENT_ARRAY else 1
    if m.type in _MAP_IN_MAP and m.value_size == 0:
        m.value_size = 4


# ---- BTF-defined maps ----------------------------------------------------------------------

def _btf_maps(img: ElfImage, sec: ElfSection, btf: B.Btf | None, table: MapTable) -> None:
    if btf is None:
        table.warnings.append("'.maps' section without usable BTF: its maps cannot be read")
        return
    datasec = btf.find_datasec(".maps")
    if datasec is None:
        table.warnings.append("'.maps' section has no DATASEC in BTF")
        return
    # clang leaves DATASEC offsets at 0 in object files; libbpf (btf_fixup_datasec) takes them
    # from the ELF symbols of the same name
    offsets = {s.name: s.value for s in img.symbols if s.shndx == sec.index and s.type != ec.STT_SECTION}
    for info in datasec.secinfo:
        var = btf.get(info.type_id)
        if var is None or var.kind != B.KIND_VAR:
            continue
        m = _parse_map_struct(btf, var.name, var.size_or_type, table.warnings)
        if m is not None:
            table.by_symbol[(sec.index, offsets.get(var.name, info.offset))] = table.add(m)


def _int_field(btf: B.Btf, type_id: int) -> int | None:
    """`int (*name)[N]` -> N."""
    ptr = btf.resolve(type_id)
    if ptr is None or ptr.kind != B.KIND_PTR:
        return None
    arr = btf.resolve(ptr.size_or_type)
    if arr is None or arr.kind != B.KIND_ARRAY or arr.array is None:
        return None
    return arr.array[2]


def _parse_map_struct(btf: B.Btf, name: str, type_id: int, warnings: list[str]) -> MapDef | None:
    st = btf.resolve(type_id)
    if st is None or st.kind != B.KIND_STRUCT:
        warnings.append(f"map {name!r}: BTF definition is not a struct")
        return None
    m = MapDef(name, 0, 0, 0, 0, kind="btf")
    for mem in st.members:
        if mem.name in _INT_FIELDS:
            value = _int_field(btf, mem.type_id)
            if value is None:
                warnings.append(f"map {name!r}: member {mem.name!r} is not of the form int (*{mem.name})[N]")
                continue
            setattr(m, _INT_FIELDS[mem.name], value)
        elif mem.name in ("key", "value"):
            ptr = btf.resolve(mem.type_id)
            if ptr is None or ptr.kind != B.KIND_PTR:
                warnings.append(f"map {name!r}: {mem.name} is not a pointer")
                continue
            size = btf.size_of(ptr.size_or_type)
            if mem.name == "key":
                m.key_size, m.btf_key_type_id = size, ptr.size_or_type
            else:
                m.value_size, m.btf_value_type_id = size, ptr.size_or_type
        elif mem.name == "values":
            arr = btf.resolve(mem.type_id)
            if arr is None or arr.kind != B.KIND_ARRAY or arr.array is None:
                continue
            ptr = btf.resolve(arr.array[0])
            if ptr is None or ptr.kind != B.KIND_PTR:
                continue
            target = btf.resolve(ptr.size_or_type)
            if target is not None and target.kind == B.KIND_STRUCT:
                m.inner = _parse_map_struct(btf, f"{name}.inner", ptr.size_or_type, warnings)
    if m.btf_value_type_id:
        m.spin_lock_off = _member_offset(btf, m.btf_value_type_id, "bpf_spin_lock")
        m.timer_off = _member_offset(btf, m.btf_value_type_id, "bpf_timer")
        m.kptr_fields = _kptr_fields(btf, m.btf_value_type_id)
    _fix_sizes(m)
    return m


_KPTR_TAGS = ("kptr", "kptr_ref", "kptr_untrusted", "percpu_kptr", "uptr")


def _kptr_fields(btf: B.Btf, type_id: int) -> tuple[tuple[int, str, str], ...]:
    """btf_parse_kptr() for the top-level members of a map value: a pointer whose first type tag is
    one of `_KPTR_TAGS`, as (byte offset, tag, pointee struct name)."""
    t = btf.resolve(type_id)
    if t is None or t.kind not in (B.KIND_STRUCT, B.KIND_UNION):
        return ()
    found = []
    for mem in t.members:
        ptr = btf.get(mem.type_id)
        while ptr is not None and ptr.kind in (B.KIND_TYPEDEF, B.KIND_CONST, B.KIND_VOLATILE, B.KIND_RESTRICT):
            ptr = btf.get(ptr.size_or_type)
        if ptr is None or ptr.kind != B.KIND_PTR:
            continue
        tag = btf.get(ptr.size_or_type)
        if tag is None or tag.kind != B.KIND_TYPE_TAG or tag.name not in _KPTR_TAGS:
            continue
        pointee = btf.resolve(tag.size_or_type)
        found.append((mem.bit_offset // 8, tag.name, pointee.name if pointee is not None else ""))
    return tuple(found)


def _member_offset(btf: B.Btf, type_id: int, struct_name: str) -> int:
    """Byte offset of the first top-level member of type `struct <struct_name>`, -1 when none."""
    t = btf.resolve(type_id)
    if t is None:
        return -1
    if t.kind == B.KIND_STRUCT and t.name == struct_name:
        return 0
    if t.kind not in (B.KIND_STRUCT, B.KIND_UNION):
        return -1
    for mem in t.members:
        inner = btf.resolve(mem.type_id)
        if inner is not None and inner.kind == B.KIND_STRUCT and inner.name == struct_name:
            return mem.bit_offset // 8
    return -1


# ---- global data ---------------------------------------------------------------------------

def _data_map(sec: ElfSection, btf: B.Btf | None) -> MapDef:
    readonly = sec.name == ".rodata" or sec.name.startswith(".rodata.")
    m = MapDef(sec.name, MAP_TYPE_ARRAY, 4, sec.size, 1, BPF_F_RDONLY_PROG if readonly else 0, kind="data",
               readonly=readonly, initial=None if sec.is_nobits else sec.data)
    if btf is not None:
        for type_id, t in enumerate(btf.types):
            if t is not None and t.kind == B.KIND_DATASEC and t.name == sec.name:
                m.btf_value_type_id = type_id
                break
    return m


def _kconfig_map(btf: B.Btf, table: MapTable) -> None:
    """Externs in `.kconfig` live in one read-only map laid out by the loader (values unknown here).

    Layout as libbpf's bpf_object__collect_externs: sorted by alignment (descending), then
    size (ascending), then name; each extern at the next offset aligned for its type.
    """
    datasec = btf.find_datasec(".kconfig")
    if datasec is None or not datasec.secinfo:
        return
    layout = kconfig_layout(btf)
    table.kconfig_offsets.update(layout)
    offset = max((off + max(btf.size_of(_var_type(btf, name)), 1) for name, off in layout.items()), default=0)
    m = MapDef(".kconfig", MAP_TYPE_ARRAY, 4, max(offset, 1), 1, BPF_F_RDONLY_PROG, kind="data",
               readonly=True, initial=None)
    table.kconfig_map = table.add(m)


def kconfig_layout(btf: B.Btf) -> dict[str, int]:
    """Extern name -> offset in the .kconfig map (sorted by alignment desc, size asc, name)."""
    datasec = btf.find_datasec(".kconfig")
    if datasec is None:
        return {}
    externs = []
    for info in datasec.secinfo:
        var = btf.get(info.type_id)
        if var is None:
            continue
        size = max(btf.size_of(var.size_or_type), 1)
        externs.append((-_alignment(btf, var.size_or_type), size, var.name))
    layout: dict[str, int] = {}
    offset = 0
    for neg_align, size, name in sorted(externs):
        offset = (offset - neg_align - 1) // -neg_align * -neg_align
        layout[name] = offset
        offset += size
    return layout


def _var_type(btf: B.Btf, name: str) -> int:
    datasec = btf.find_datasec(".kconfig")
    for info in datasec.secinfo if datasec is not None else ():
        var = btf.get(info.type_id)
        if var is not None and var.name == name:
            return var.size_or_type
    return 0


def _alignment(btf: B.Btf, type_id: int) -> int:
    """btf__align_of(), for the types a kconfig extern may have."""
    for _ in range(32):
        t = btf.resolve(type_id)
        if t is None:
            return 1
        if t.kind == B.KIND_ARRAY and t.array is not None:
            type_id = t.array[0]
            continue
        if t.kind == B.KIND_PTR:
            return 8
        if t.kind in (B.KIND_STRUCT, B.KIND_UNION):
            return max((_alignment(btf, m.type_id) for m in t.members), default=1)
        return max(1, min(8, t.size_or_type))
    return 1
