"""Plain data read from a BPF object: what libbpf would hand to the kernel.

No analysis lives here. `verifier.elf.reader.load_object(path)` builds these.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from verifier.elf.btf import Btf
from verifier.isa.insn import Insn


@dataclass(frozen=True, slots=True)
class SourceLine:
    file: str
    line: int
    col: int
    text: str


# map_flags bits of include/uapi/linux/bpf.h (5.2: "bpf: add program side {rd, wr}only support for maps")
BPF_F_RDONLY_PROG = 1 << 7
BPF_F_WRONLY_PROG = 1 << 8


@dataclass(slots=True)
class MapDef:
    """A map as the kernel sees it after libbpf created it."""

    name: str
    type: int  # BPF_MAP_TYPE_* enum value
    key_size: int
    value_size: int
    max_entries: int
    flags: int = 0
    kind: str = "btf"  # "btf" (.maps), "legacy" (maps / maps/* section), "data" (.data/.rodata/.bss/...)
    inner: MapDef | None = None  # map-in-map: the inner map's definition
    readonly: bool = False  # .rodata*: the program cannot write (BPF_F_RDONLY_PROG)
    initial: bytes | None = None  # global data: the section contents (None for .bss)
    unknown_ranges: tuple[tuple[int, int], ...] = ()  # [start, end) byte ranges of `initial` not known
    btf_key_type_id: int = 0
    btf_value_type_id: int = 0
    # spin lock / timer offsets inside the value, from BTF (-1 when absent)
    spin_lock_off: int = -1
    timer_off: int = -1
    # kptr fields of the value, from its BTF: (offset, type tag, pointee struct name); the tag ("kptr",
    # "kptr_ref", "kptr_untrusted", "percpu_kptr", "uptr") means what the target kernel makes of it
    kptr_fields: tuple[tuple[int, str, str], ...] = ()

    @property
    def prog_can_read(self) -> bool:
        """bpf_map_flags_to_cap(): a BPF_F_WRONLY_PROG map cannot be read by the program."""
        return not self.flags & BPF_F_WRONLY_PROG

    @property
    def prog_can_write(self) -> bool:
        """bpf_map_flags_to_cap(): a BPF_F_RDONLY_PROG map (and .rodata) cannot be written by the program
        (map types the kernel makes read-only itself: rules.maps.prog_can_write())."""
        return not self.flags & BPF_F_RDONLY_PROG and not self.readonly


@dataclass(frozen=True, slots=True)
class MapRef:
    """What an `ld_imm64` relocation points at."""

    map_index: int  # index into BpfObject.maps
    pseudo: int  # BPF_PSEUDO_MAP_FD (map pointer) or BPF_PSEUDO_MAP_VALUE (pointer into the value)
    offset: int = 0  # byte offset into the value for BPF_PSEUDO_MAP_VALUE


@dataclass(frozen=True, slots=True)
class Subprog:
    """A function inside a linked program: index 0 is the program itself."""

    start: int  # first instruction index in Program.insns
    name: str
    is_global: bool = False  # non-static function (verified on its own from 5.6 when BTF is present)


@dataclass(slots=True)
class CoreReloc:
    insn: int
    type_id: int
    access_str: str
    kind: int


@dataclass(slots=True)
class Program:
    name: str  # function name; for legacy static programs the section name
    section: str
    prog_type: str | None  # kernel name: "xdp", "sched_cls", ... (None when it cannot be told)
    insns: list[Insn]  # linked: the program, then every subprogram it calls, appended as libbpf does
    expected_attach_type: str | None = None  # e.g. "cgroup_inet_egress", "trace_fentry"
    attach_to: str | None = None  # the part after the section prefix: "sys_connect", "sched/sched_switch"
    sleepable: bool = False
    # struct_ops: the struct type of the `.struct_ops` variable whose member points at the program (the
    # loader's attach_btf_id); None when no such variable names it (the kernel then sees attach_btf_id 0)
    struct_ops_type: str | None = None
    map_refs: dict[int, MapRef] = field(default_factory=dict)  # ld_imm64 insn index -> map
    func_refs: dict[int, int] = field(default_factory=dict)  # ld_imm64 BPF_PSEUDO_FUNC index -> target insn
    subprogs: list[Subprog] = field(default_factory=list)  # sorted by start; subprogs[0].start == 0
    line_info: dict[int, SourceLine] = field(default_factory=dict)  # insn index -> source line
    core_relocs: list[CoreReloc] = field(default_factory=list)
    # insn index -> extern symbol (kfunc call, .ksyms variable) the loader would resolve against vmlinux
    extern_refs: dict[int, str] = field(default_factory=dict)
    # .BTF.ext func_info: subprogram start (linked insn index) -> BTF FUNC type id in BpfObject.btf
    func_info: dict[int, int] = field(default_factory=dict)
    # problems found while reading (unresolved relocations, unknown section type): the kernel never sees it
    load_errors: list[str] = field(default_factory=list)
    # after CO-RE against a target (verifier.btf.prepare): poisoned insn -> libbpf's spec text
    core_poisoned: dict[int, str] = field(default_factory=dict)
    # what the loader assumed about the target (guards without its BTF, kconfig values), for reports
    target_notes: list[str] = field(default_factory=list)

    @property
    def insn_count(self) -> int:
        return len(self.insns)


@dataclass(slots=True)
class BpfObject:
    path: str
    programs: list[Program]
    maps: list[MapDef]
    license: str = ""
    kern_version: int | None = None
    has_btf: bool = False
    has_btf_ext: bool = False
    btf: Btf | None = None  # the parsed .BTF (types and strings), when present and well-formed
    weak_externs: frozenset[str] = frozenset()  # undefined ELF symbols bound STB_WEAK (libbpf: is_weak)

    @property
    def gpl_compatible(self) -> bool:
        """license_is_gpl_compatible() in include/linux/license.h."""
        return self.license in {
            "GPL",
            "GPL v2",
            "GPL and additional rights",
            "Dual BSD/GPL",
            "Dual MIT/GPL",
            "Dual MPL/GPL",
        }
