"""Open a file as a BPF ELF object: sections, symbols and relocations as plain data.

This is the only module that touches pyelftools. Every problem with the file
(missing, empty, not ELF, not 64-bit, not EM_BPF, truncated, a section table
that points outside the file) becomes an `ElfError` with a one-line message
naming the file. Nothing is interpreted here beyond the ELF container.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field

from elftools.common.exceptions import ELFError as PyElfError
from elftools.elf.elffile import ELFFile

from verifier.elf import elf_constants as ec
from verifier.errors import ElfError

# What pyelftools (and struct/bytes handling on garbage) may raise on a malformed file.
_PARSE_ERRORS = (
    PyElfError,
    struct.error,
    IndexError,
    KeyError,
    ValueError,
    TypeError,
    UnicodeDecodeError,
    AttributeError,
    OverflowError,
    AssertionError,
    EOFError,
)


@dataclass(frozen=True, slots=True)
class ElfSection:
    index: int
    name: str
    type: int  # SHT_*
    flags: int  # SHF_*
    size: int
    link: int
    info: int
    data: bytes  # b"" for SHT_NOBITS

    @property
    def is_exec(self) -> bool:
        return bool(self.flags & ec.SHF_EXECINSTR)

    @property
    def is_nobits(self) -> bool:
        return self.type == ec.SHT_NOBITS


@dataclass(frozen=True, slots=True)
class ElfSymbol:
    index: int
    name: str
    value: int
    size: int
    type: int  # STT_*
    bind: int  # STB_*
    shndx: int  # section index, or SHN_UNDEF / special values
    visibility: int = 0  # STV_* (st_other & 3)


@dataclass(frozen=True, slots=True)
class ElfReloc:
    offset: int  # byte offset inside the target section
    type: int  # R_BPF_*
    symbol: int  # index into ElfImage.symbols


@dataclass(slots=True)
class ElfImage:
    path: str
    little_endian: bool
    sections: list[ElfSection]
    symbols: list[ElfSymbol]
    relocs: dict[int, list[ElfReloc]] = field(default_factory=dict)  # target section index -> relocations

    def section_by_name(self, name: str) -> ElfSection | None:
        for sec in self.sections:
            if sec.name == name:
                return sec
        return None

    def section(self, index: int) -> ElfSection | None:
        return self.sections[index] if 0 <= index < len(self.sections) else None


def read_elf(path: str) -> ElfImage:
    """Read `path` as an ELF64 EM_BPF object or raise `ElfError`."""
    data = _read_bytes(path)
    _check_identity(path, data)
    try:
        return _parse(path, data)
    except ElfError:
        raise
    except _PARSE_ERRORS as exc:
        raise ElfError(f"{path}: malformed ELF object ({type(exc).__name__}: {_one_line(exc)})") from None


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise ElfError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ElfError(f"{path}: is a directory, not an object file") from None
    except PermissionError:
        raise ElfError(f"{path}: permission denied") from None
    except OSError as exc:
        raise ElfError(f"{path}: cannot read ({_one_line(exc)})") from None


def _check_identity(path: str, data: bytes) -> None:
    if not data:
        raise ElfError(f"{path}: empty file, not a BPF object")
    if data[:4] != ec.ELF_MAGIC:
        raise ElfError(f"{path}: not an ELF file (bad magic)")
    if len(data) < 64:
        raise ElfError(f"{path}: truncated ELF header ({len(data)} bytes)")
    if data[4] != ec.ELFCLASS64:
        raise ElfError(f"{path}: not a 64-bit ELF object (BPF objects are ELFCLASS64)")
    if data[5] not in (ec.ELFDATA2LSB, ec.ELFDATA2MSB):
        raise ElfError(f"{path}: unknown ELF data encoding {data[5]}")
    endian = "<" if data[5] == ec.ELFDATA2LSB else ">"
    (machine,) = struct.unpack_from(endian + "H", data, 18)
    if machine not in (ec.EM_BPF, ec.EM_NONE):  # LLVM before 3.9 wrote EM_NONE in BPF objects
        raise ElfError(f"{path}: not a BPF object (e_machine {machine}, expected EM_BPF {ec.EM_BPF})")


def _parse(path: str, data: bytes) -> ElfImage:
    elf = ELFFile(io.BytesIO(data))
    little = elf.little_endian
    hdr = elf.header
    shnum = elf.num_sections()
    if shnum == 0:
        raise ElfError(f"{path}: ELF object has no section table")
    if hdr["e_shentsize"] != 64 or hdr["e_shoff"] + shnum * 64 > len(data):
        raise ElfError(f"{path}: section header table lies outside the file (truncated or corrupt)")
    sections: list[ElfSection] = []
    for index, sec in enumerate(elf.iter_sections()):
        h = sec.header
        sh_type = _as_int(h["sh_type"], _SHT_BY_NAME)
        offset, size = int(h["sh_offset"]), int(h["sh_size"])
        if sh_type == ec.SHT_NOBITS or index == 0:
            payload = b""
        else:
            if offset + size > len(data):
                raise ElfError(
                    f"{path}: section {index} ({sec.name!r}) extends past the end of the file (truncated?)"
                )
            payload = data[offset : offset + size]
        sections.append(
            ElfSection(
                index,
                sec.name,
                sh_type,
                int(h["sh_flags"]),
                size,
                int(h["sh_link"]),
                int(h["sh_info"]),
                payload,
            )
        )
    symbols = _read_symbols(path, sections, little)
    relocs = _read_relocs(path, sections, len(symbols), little)
    return ElfImage(path, little, sections, symbols, relocs)


def _read_symbols(path: str, sections: list[ElfSection], little: bool) -> list[ElfSymbol]:
    symtab = next((s for s in sections if s.type == ec.SHT_SYMTAB), None)
    if symtab is None:
        return []
    if not 0 < symtab.link < len(sections):
        raise ElfError(f"{path}: symbol table links to a missing string table")
    strtab = sections[symtab.link].data
    layout = struct.Struct(("<" if little else ">") + "IBBHQQ")
    usable = len(symtab.data) - len(symtab.data) % ec.SYM_ENTRY_SIZE
    symbols = []
    for index, (name_off, info, other, shndx, value, size) in enumerate(
        layout.iter_unpack(symtab.data[:usable])
    ):
        name = _c_string(strtab, name_off)
        symbols.append(ElfSymbol(index, name, value, size, info & 0x0F, info >> 4, shndx, other & 3))
    return symbols


def _read_relocs(
    path: str, sections: list[ElfSection], nsyms: int, little: bool
) -> dict[int, list[ElfReloc]]:
    """Relocations of executable sections, of `.maps` and of `.struct_ops` (the ones the loader applies)."""
    endian = "<" if little else ">"
    out: dict[int, list[ElfReloc]] = {}
    for sec in sections:
        if sec.type not in (ec.SHT_REL, ec.SHT_RELA):
            continue
        target = sections[sec.info] if 0 < sec.info < len(sections) else None
        if target is None or not (target.is_exec or target.name in (".maps", ".struct_ops")):
            continue
        entry = ec.REL_ENTRY_SIZE if sec.type == ec.SHT_REL else ec.RELA_ENTRY_SIZE
        layout = struct.Struct(endian + ("QQ" if sec.type == ec.SHT_REL else "QQq"))
        usable = len(sec.data) - len(sec.data) % entry
        relocs = out.setdefault(target.index, [])
        for fields in layout.iter_unpack(sec.data[:usable]):
            offset, info = fields[0], fields[1]
            sym = info >> 32
            if sym >= nsyms:
                raise ElfError(
                    f"{path}: relocation in {sec.name!r} names symbol {sym}, past the symbol table"
                )
            relocs.append(ElfReloc(offset, info & 0xFFFFFFFF, sym))
    return out


def _c_string(table: bytes, offset: int) -> str:
    if offset >= len(table):
        return ""
    end = table.find(b"\0", offset)
    raw = table[offset:] if end < 0 else table[offset:end]
    return raw.decode("utf-8", errors="replace")


_SHT_BY_NAME = {
    "SHT_PROGBITS": ec.SHT_PROGBITS,
    "SHT_SYMTAB": ec.SHT_SYMTAB,
    "SHT_STRTAB": ec.SHT_STRTAB,
    "SHT_RELA": ec.SHT_RELA,
    "SHT_NOBITS": ec.SHT_NOBITS,
    "SHT_REL": ec.SHT_REL,
    "SHT_NULL": 0,
}


def _as_int(value: object, names: dict[str, int]) -> int:
    """pyelftools gives known enum values as names and unknown ones as ints."""
    if isinstance(value, int):
        return value
    return names.get(str(value), -1)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__
