"""Adversarial BPF objects for the analyzer, and the tiny ELF writer that makes them.

`write_object` wraps hand-assembled instructions (verifier.isa.encode builders) in a
relocatable ELF64 BPF object that both bpfcheck's reader and libbpf load: one program
section, optional `.text` subprograms reached through R_BPF_64_32 call relocations (as
clang emits them), a `license` section, `.symtab`/`.strtab`/`.shstrtab`. No BTF.

The builders (`diamonds`, `straight_line`, `many_subprogs`, `stack_use`, `call_chain`)
return an `ObjectSpec`; `ADVERSARIAL` names the cases with the verdict the running
Linux 6.18 kernel gave (checked with verifier.oracle.load_with_kernel when written).

    python scripts/make_adversarial.py OUT_DIR     # writes every case as OUT_DIR/<name>.o
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from verifier.isa import encode as asm
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn

# ELF constants (System V gABI; EM_BPF and R_BPF_64_32 from include/uapi/linux/elf-em.h and the
# kernel's Documentation/bpf/llvm_reloc.rst)
EM_BPF = 247
ET_REL = 1
SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_REL = 1, 2, 3, 9
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 0x1, 0x2, 0x4
STB_LOCAL, STB_GLOBAL = 0, 1
STT_FUNC, STT_SECTION = 2, 3
R_BPF_64_32 = 10
HELPER_GET_PRANDOM_U32 = 7

_EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
_SHDR = struct.Struct("<IIQQQQIIQQ")
_SYM = struct.Struct("<IBBHQQ")
_REL = struct.Struct("<QQ")
_INSN = struct.Struct("<BBhi")


@dataclass(slots=True)
class Func:
    """One function: its instructions and the calls it makes (insn index -> callee name)."""

    name: str
    insns: list[Insn]
    calls: dict[int, str] = field(default_factory=dict)


@dataclass(slots=True)
class ObjectSpec:
    section: str  # the program's section name, e.g. "xdp", "socket"
    main: Func
    subprogs: list[Func] = field(default_factory=list)  # placed in .text
    license: str = "GPL"


class _Strings:
    def __init__(self) -> None:
        self.data = bytearray(b"\0")
        self._seen: dict[str, int] = {"": 0}

    def add(self, text: str) -> int:
        if text not in self._seen:
            self._seen[text] = len(self.data)
            self.data += text.encode() + b"\0"
        return self._seen[text]


def _call_relocs(func: Func, base: int, symbol_index: dict[str, int]) -> list[tuple[int, int]]:
    """(byte offset, symbol index) of each call of `func` placed at insn `base` of its section."""
    out = []
    for index, callee in sorted(func.calls.items()):
        if not func.insns[index].is_pseudo_call:
            raise ValueError(f"{func.name}: insn {index} is not a bpf-to-bpf call")
        out.append(((base + index) * 8, symbol_index[callee]))
    return out


def raw_encode(insns: Sequence[Insn]) -> bytes:
    """Little-endian bytes of `insns` without the checks of verifier.isa.encode.encode: a fuzzed
    stream may hold an ld_imm64 head without its tail (fields are masked to their widths)."""
    return b"".join(_INSN.pack(i.opcode & 0xFF, ((i.src & 0xF) << 4) | (i.dst & 0xF), _wrap(i.off, 16),
                               _wrap(i.imm, 32)) for i in insns)


def _wrap(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def object_bytes(spec: ObjectSpec) -> bytes:
    """The ELF image of `spec` (calls are relocated against the callee's FUNC symbol, imm -1)."""
    shstr, strtab = _Strings(), _Strings()
    text_insns: list[Insn] = []
    text_starts: dict[str, int] = {}
    for func in spec.subprogs:
        text_starts[func.name] = len(text_insns)
        text_insns.extend(func.insns)
    has_text = bool(spec.subprogs)

    # section indexes: 1 program, 2 .text (if any), then license, rel sections, symtab, strtab, shstrtab
    names = [spec.section] + ([".text"] if has_text else []) + ["license"]
    prog_idx, text_idx = 1, 2 if has_text else 0
    # symbols: null, (local FUNC per subprog), then the global program symbol
    symbols: list[tuple[int, int, int, int, int]] = [(0, 0, 0, 0, 0)]  # name, info, shndx, value, size
    symbol_index: dict[str, int] = {}
    for func in spec.subprogs:
        symbol_index[func.name] = len(symbols)
        symbols.append((strtab.add(func.name), (STB_LOCAL << 4) | STT_FUNC, text_idx,
                        text_starts[func.name] * 8, len(func.insns) * 8))
    first_global = len(symbols)
    symbols.append((strtab.add(spec.main.name), (STB_GLOBAL << 4) | STT_FUNC, prog_idx, 0,
                    len(spec.main.insns) * 8))

    prog_relocs = _call_relocs(spec.main, 0, symbol_index)
    text_relocs = [r for f in spec.subprogs for r in _call_relocs(f, text_starts[f.name], symbol_index)]
    rel_sections = []  # (name, target index, relocs)
    if prog_relocs:
        rel_sections.append((".rel" + spec.section, prog_idx, prog_relocs))
    if text_relocs:
        rel_sections.append((".rel.text", text_idx, text_relocs))
    first_rel = len(names) + 1
    symtab_idx = first_rel + len(rel_sections)
    strtab_idx, shstrtab_idx = symtab_idx + 1, symtab_idx + 2

    # (name, type, flags, data, link, info, align, entsize)
    sections: list[tuple[str, int, int, bytes, int, int, int, int]] = [
        (spec.section, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, raw_encode(spec.main.insns), 0, 0, 8, 0)
    ]
    if has_text:
        sections.append((".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, raw_encode(text_insns), 0, 0, 8, 0))
    sections.append(("license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, spec.license.encode() + b"\0", 0, 0, 1, 0))
    for name, target, relocs in rel_sections:
        data = b"".join(_REL.pack(offset, (sym << 32) | R_BPF_64_32) for offset, sym in relocs)
        sections.append((name, SHT_REL, 0, data, symtab_idx, target, 8, _REL.size))
    symtab = b"".join(_SYM.pack(n, info, 0, shndx, value, size) for n, info, shndx, value, size in symbols)
    sections.append((".symtab", SHT_SYMTAB, 0, symtab, strtab_idx, first_global, 8, _SYM.size))
    sections.append((".strtab", SHT_STRTAB, 0, bytes(strtab.data), 0, 0, 1, 0))
    name_offsets = [shstr.add(s[0]) for s in sections]
    name_offsets.append(shstr.add(".shstrtab"))
    sections.append((".shstrtab", SHT_STRTAB, 0, bytes(shstr.data), 0, 0, 1, 0))
    assert len(sections) + 1 == shstrtab_idx + 1

    body = bytearray(b"\0" * _EHDR.size)
    headers = [_SHDR.pack(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)]
    for (_, sh_type, flags, data, link, info, align, entsize), name_off in zip(sections, name_offsets,
                                                                                 strict=True):
        while len(body) % max(align, 1):
            body += b"\0"
        headers.append(_SHDR.pack(name_off, sh_type, flags, 0, len(body), len(data), link, info, align, entsize))
        body += data
    while len(body) % 8:
        body += b"\0"
    shoff = len(body)
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8  # ELF64, little-endian, version 1, SysV
    ehdr = _EHDR.pack(ident, ET_REL, EM_BPF, 1, 0, 0, shoff, 0, _EHDR.size, 0, 0, _SHDR.size,
                      len(headers), shstrtab_idx)
    body[: _EHDR.size] = ehdr
    return bytes(body) + b"".join(headers)


def write_object(path: str | Path, spec: ObjectSpec) -> Path:
    target = Path(path)
    target.write_bytes(object_bytes(spec))
    return target


# ---------------------------------------------------------------------------
# Adversarial programs

R0_0 = asm.mov64_imm(0, 0)
EXIT = asm.exit_insn()


def diamonds(count: int, section: str = "socket", distinct_bits: bool = True) -> ObjectSpec:
    """`count` sequential independent `if (r & bit)` diamonds on unknown values: 2**count paths
    without state pruning; the kernel prunes at the joins.

    With `distinct_bits`, every diamond tests its own bit (of r6, then of r8: two random u32);
    without, the bits repeat every 30 diamonds: a repeated bit is known by then, the branch is
    decided, the register becomes precise, and pruning fails (the kernel gives up at 1M insns).
    """
    if distinct_bits and count > 60:
        raise ValueError("at most 60 distinct-bit diamonds")
    insns = [asm.call_helper(HELPER_GET_PRANDOM_U32), asm.mov64_reg(6, 0),
             asm.call_helper(HELPER_GET_PRANDOM_U32), asm.mov64_reg(8, 0), asm.mov64_imm(7, 0)]
    for i in range(count):
        reg = 8 if distinct_bits and i >= 30 else 6
        insns += [
            asm.jmp_imm(op.BPF_JSET, reg, 1 << (i % 30), 2),
            asm.alu64_imm(op.BPF_ADD, 7, 1),
            asm.ja(1),
            asm.alu64_imm(op.BPF_ADD, 7, 2),
        ]
    insns += [R0_0, EXIT]
    return ObjectSpec(section, Func("diamonds", insns))


def straight_line(adds: int, section: str = "socket") -> ObjectSpec:
    """`r0 = 0`, `adds` times `r0 += 1`, `exit`: adds + 2 instructions, all processed once."""
    insns = [R0_0] + [asm.alu64_imm(op.BPF_ADD, 0, 1)] * adds + [EXIT]
    return ObjectSpec(section, Func("straight", insns))


def many_subprogs(count: int, section: str = "socket") -> ObjectSpec:
    """The program calls `count` static subprograms in turn (count + 1 functions in all)."""
    main = Func("main_prog", [])
    for i in range(count):
        main.calls[len(main.insns)] = f"sub{i}"
        main.insns.append(asm.call_pseudo(-1))
    main.insns += [R0_0, EXIT]
    subs = [Func(f"sub{i}", [asm.mov64_imm(0, i), EXIT]) for i in range(count)]
    return ObjectSpec(section, main, subs)


def stack_use(depth: int, section: str = "socket") -> ObjectSpec:
    """One byte written at r10 - depth (512 is the whole stack: MAX_BPF_STACK)."""
    insns = [asm.st_mem(op.BPF_B, 10, -depth, 0), R0_0, EXIT]
    return ObjectSpec(section, Func("stack", insns))


def call_chain(frames: int, section: str = "socket", stack_per_frame: int = 0) -> ObjectSpec:
    """main -> f1 -> ... -> f{frames-1}: `frames` call frames at the deepest point.

    With `stack_per_frame`, each function writes a byte that deep into its own stack.
    """

    def body(callee: str | None) -> Func:
        insns: list[Insn] = []
        if stack_per_frame:
            insns.append(asm.st_mem(op.BPF_B, 10, -stack_per_frame, 0))
        calls = {}
        if callee is not None:
            calls[len(insns)] = callee
            insns.append(asm.call_pseudo(-1))
        insns += [R0_0, EXIT]
        return Func("", insns, calls)

    names = ["chain_main"] + [f"f{i}" for i in range(1, frames)]
    funcs = []
    for i, name in enumerate(names):
        func = body(names[i + 1] if i + 1 < len(names) else None)
        func.name = name
        funcs.append(func)
    return ObjectSpec(section, funcs[0], funcs[1:])


def counted_loop(bound: int, section: str = "socket") -> ObjectSpec:
    """`for (r0 = 0; r0 < bound; r0++)`: 2 instructions per iteration for the kernel to walk."""
    insns = [R0_0, asm.alu64_imm(op.BPF_ADD, 0, 1), asm.jmp_imm(op.BPF_JLT, 0, bound, -2), EXIT]
    return ObjectSpec(section, Func("loop", insns))


def endless_loop(section: str = "socket") -> ObjectSpec:
    """`r0 = 0; if r1 == 0 goto out; l: r0 += 1; goto l; out: exit`: no way out of the loop."""
    insns = [R0_0, asm.jmp_imm(op.BPF_JEQ, 1, 0, 2), asm.alu64_imm(op.BPF_ADD, 0, 1), asm.ja(-2), EXIT]
    return ObjectSpec(section, Func("endless", insns))


def random_exit_loop(section: str = "socket") -> ObjectSpec:
    """`r6 = random; r0 = 0; l: r0 += 1; if r6 != 0 goto l; exit`: the exit depends on nothing that changes."""
    insns = [asm.call_helper(HELPER_GET_PRANDOM_U32), asm.mov64_reg(6, 0), R0_0, asm.alu64_imm(op.BPF_ADD, 0, 1),
             asm.jmp_imm(op.BPF_JNE, 6, 0, -2), EXIT]
    return ObjectSpec(section, Func("random_exit", insns))


def pointer_exit_loop(section: str = "socket") -> ObjectSpec:
    """`r0 = 0; l: r0 += 0x4000001; if r1 != 100000 goto l; r0 = 0; exit` (r1: the context pointer;
    found by the fuzzer from corpus/build/loops/counted.o)."""
    insns = [R0_0, asm.alu64_imm(op.BPF_ADD, 0, 0x4000001), asm.jmp_imm(op.BPF_JNE, 1, 100_000, -2), R0_0, EXIT]
    return ObjectSpec(section, Func("pointer_exit", insns))


def accumulator_loop(limit: int = 0, section: str = "socket") -> ObjectSpec:
    """`r6 = random; i = acc = 0; l: i += 1; acc += i; if acc s< 0 (or > limit) goto out; if i != r6 goto l;
    out: exit`: the state grows every iteration (a triangular number) and the exit depends on an
    unknown; with `limit`, the loop leaves once the accumulator passes it."""
    leave = (asm.jmp_imm(op.BPF_JGT, 8, limit, 1) if limit else asm.jmp_imm(op.BPF_JSLT, 8, 0, 1))
    insns = [asm.call_helper(HELPER_GET_PRANDOM_U32), asm.mov64_reg(6, 0), asm.mov64_imm(7, 0), asm.mov64_imm(8, 0),
             asm.alu64_imm(op.BPF_ADD, 7, 1), asm.alu64_reg(op.BPF_ADD, 8, 7), leave,
             asm.jmp_reg(op.BPF_JNE, 7, 6, -4), R0_0, EXIT]
    return ObjectSpec(section, Func("accumulator", insns))


def spin_loop(section: str = "socket") -> ObjectSpec:
    """`r0 = 0; if r1 == 0 goto out; l: goto l; out: exit`: the same state comes round again at once."""
    return ObjectSpec(section, Func("spin", [R0_0, asm.jmp_imm(op.BPF_JEQ, 1, 0, 1), asm.ja(-1), EXIT]))


@dataclass(frozen=True, slots=True)
class Case:
    """An adversarial object and what the running Linux 6.18 kernel said of it (load_with_kernel).

    `message`: a part of the kernel's last log line, which bpfcheck's finding must contain.
    `kernel_load_error`: the kernel refused the load before verifying (E2BIG), bpfcheck rejects.
    `known_bug`: bpfcheck disagrees today (the test is xfail, naming the module to fix).
    """

    build: Callable[[], ObjectSpec]
    verdict: str  # "accept" or "reject"
    message: str = ""
    slow: bool = False  # bpfcheck takes more than ~5 s
    kernel_load_error: bool = False
    known_bug: str = ""
    # analysis time-out for bpfcheck: a bound, not a speed target (a loaded CI machine must not fail
    # it; the loops' times are measured by `python benchmarks/run.py --corpus loops`)
    bound_s: float = 30.0
    slow_in_kernel: bool = False  # the kernel itself takes more than 5 s


_TOO_LARGE = "BPF program is too large. Processed 1000001 insn"

ADVERSARIAL: dict[str, Case] = {
    "diamonds_40": Case(lambda: diamonds(40), "accept"),
    "diamonds_40_repeated_bits": Case(lambda: diamonds(40, distinct_bits=False), "reject", _TOO_LARGE,
                                      slow=True),
    "counted_loop_300k": Case(lambda: counted_loop(300_000), "accept", slow_in_kernel=True),
    "counted_loop_600k": Case(lambda: counted_loop(600_000), "reject", _TOO_LARGE,
                              slow_in_kernel=True),
    "endless_loop": Case(endless_loop, "reject", _TOO_LARGE, slow_in_kernel=True),
    "random_exit_loop": Case(random_exit_loop, "reject", _TOO_LARGE, slow_in_kernel=True),
    "spin_loop": Case(spin_loop, "reject", "infinite loop detected at insn 2"),
    "accumulator_loop": Case(accumulator_loop, "reject", _TOO_LARGE, slow_in_kernel=True),
    "accumulator_loop_exits": Case(lambda: accumulator_loop(50_000_000), "accept", bound_s=30.0),
    "pointer_exit_loop": Case(pointer_exit_loop, "reject", _TOO_LARGE, slow_in_kernel=True),
    "straight_100k": Case(lambda: straight_line(100_000), "accept"),
    "straight_999_999_insns": Case(lambda: straight_line(999_997), "accept", slow=True),
    "straight_1m_insns": Case(lambda: straight_line(999_998), "accept", slow=True),
    "straight_1m_plus_1_insns": Case(lambda: straight_line(999_999), "reject", "E2BIG", kernel_load_error=True),
    "many_subprogs_150": Case(lambda: many_subprogs(150), "accept"),
    "many_subprogs_255": Case(lambda: many_subprogs(255), "accept"),
    "many_subprogs_256": Case(lambda: many_subprogs(256), "reject", "too many subprograms"),
    "stack_512": Case(lambda: stack_use(512), "accept"),
    "stack_513": Case(lambda: stack_use(513), "reject", "invalid write to stack R10 off=-513 size=1"),
    "call_chain_8": Case(lambda: call_chain(8), "accept"),
    "call_chain_9": Case(lambda: call_chain(9), "reject", "the call stack of 9 frames is too deep"),
    "call_chain_8_x64_stack": Case(lambda: call_chain(8, stack_per_frame=64), "accept"),
    "call_chain_8_x65_stack": Case(lambda: call_chain(8, stack_per_frame=65), "reject",
                                   "combined stack size of 7 calls is 560. Too large"),
    "call_chain_6_x80_stack": Case(lambda: call_chain(6, stack_per_frame=80), "accept"),
}


def main(argv: Sequence[str]) -> int:
    if len(argv) != 1:
        print("usage: make_adversarial.py OUT_DIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    for name, case in ADVERSARIAL.items():
        print(write_object(out / f"{name}.o", case.build()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
