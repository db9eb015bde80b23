"""ELF constants used by the object reader.

Source: the System V gABI ("ELF-64 Object File Format") as mirrored in
include/uapi/linux/elf.h (torvalds/linux); EM_BPF from include/uapi/linux/elf-em.h;
the BPF relocation numbers from llvm/include/llvm/BinaryFormat/ELFRelocs/BPF.def
and the kernel's Documentation/bpf/llvm_reloc.rst.
"""

ELF_MAGIC = b"\x7fELF"
ELFCLASS64 = 2
ELFDATA2LSB = 1
ELFDATA2MSB = 2
EM_BPF = 247
EM_NONE = 0  # what LLVM < 3.9 wrote in BPF objects (e.g. the OVS datapath.o of the corpus)

# section types (sh_type)
SHT_PROGBITS = 1
SHT_SYMTAB = 2
SHT_STRTAB = 3
SHT_RELA = 4
SHT_NOBITS = 8
SHT_REL = 9

# section flags (sh_flags)
SHF_WRITE = 0x1
SHF_ALLOC = 0x2
SHF_EXECINSTR = 0x4

# symbol types (low nibble of st_info)
STT_NOTYPE = 0
STT_OBJECT = 1
STT_FUNC = 2
STT_SECTION = 3
STT_FILE = 4

# symbol bindings (high nibble of st_info)
STB_LOCAL = 0
STB_GLOBAL = 1
STB_WEAK = 2
STV_INTERNAL = 1  # symbol visibility (st_other & 3)
STV_HIDDEN = 2

# special section indexes (st_shndx)
SHN_UNDEF = 0
SHN_LORESERVE = 0xFF00

# entry sizes of ELF64 tables
SYM_ENTRY_SIZE = 24  # Elf64_Sym
REL_ENTRY_SIZE = 16  # Elf64_Rel
RELA_ENTRY_SIZE = 24  # Elf64_Rela

# BPF relocation types (r_info & 0xffffffff)
R_BPF_NONE = 0
R_BPF_64_64 = 1  # ld_imm64
R_BPF_64_ABS64 = 2
R_BPF_64_ABS32 = 3
R_BPF_64_NODYLD32 = 4
R_BPF_64_32 = 10  # call
