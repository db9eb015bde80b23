"""Which instruction-set feature (a `verifier.rules` feature name) an instruction needs.

Used to explain a structural rejection: an old kernel refuses a newer instruction with a
generic message ("unknown opcode 16", "BPF_ALU uses reserved fields"); the report should
say that the instruction needs a newer kernel. Encodings: include/uapi/linux/bpf.h and
Documentation/bpf/standardization/instruction-set.rst.
"""

from __future__ import annotations

from verifier.cfg.kernel_facts import KernelView
from verifier.cfg.pseudo import ld_imm64_src
from verifier.elf.model import Program
from verifier.isa import opcodes as op

FEATURE_LABELS = {
    "jmp_ext": "the BPF_JLT/JLE/JSLT/JSLE jumps",
    "bpf_to_bpf_calls": "bpf-to-bpf function calls",
    "jmp32": "32-bit jumps (BPF_JMP32 class)",
    "global_data": "global variables (ld_imm64 BPF_PSEUDO_MAP_VALUE)",
    "btf_id_ld_imm64": "kernel symbols (ld_imm64 BPF_PSEUDO_BTF_ID)",
    "atomics": "atomic operations other than add (fetch, xchg, cmpxchg, and/or/xor)",
    "kfuncs": "kernel function calls (kfuncs)",
    "pseudo_func": "callback function pointers (ld_imm64 BPF_PSEUDO_FUNC)",
    "cpu_v4": "cpu v4 instructions (sign-extending loads/moves, bswap, gotol, sdiv/smod)",
    "may_goto": "the may_goto instruction",
    "arena": "addr_space_cast (BPF arena)",
}

_JMP_EXT_OPS = (op.BPF_JLT, op.BPF_JLE, op.BPF_JSLT, op.BPF_JSLE)


def _jump_features(code: int) -> list[str]:
    cls, operation = code & 0x07, code & 0xF0
    needs: list[str] = []
    if cls == op.BPF_JMP32:
        needs.append("cpu_v4" if operation == op.BPF_JA else "jmp32")
    if operation in _JMP_EXT_OPS:
        needs.append("jmp_ext")
    if code == op.BPF_JMP | op.BPF_JCOND:
        needs.append("may_goto")
    return needs


def required_features(program: Program, idx: int) -> list[str]:
    """Rules feature names the instruction at `idx` needs (empty for the base ISA)."""
    insn = program.insns[idx]
    if insn.is_ld_imm64_tail:
        return []
    code, cls = insn.opcode, insn.opcode & 0x07
    operation = code & 0xF0
    if code == op.CALL:
        return {op.BPF_PSEUDO_CALL: ["bpf_to_bpf_calls"], op.BPF_PSEUDO_KFUNC_CALL: ["kfuncs"]}.get(insn.src, [])
    if code == op.LD_IMM64:
        src = ld_imm64_src(program, idx)
        by_src = {
            op.BPF_PSEUDO_MAP_VALUE: ["global_data"],
            op.BPF_PSEUDO_FUNC: ["pseudo_func"],
            op.BPF_PSEUDO_BTF_ID: ["btf_id_ld_imm64"],
        }
        return by_src.get(src, [])
    if cls in (op.BPF_JMP, op.BPF_JMP32):
        return _jump_features(code)
    if cls in (op.BPF_ALU, op.BPF_ALU64):
        if code == op.BPF_ALU64 | op.BPF_END:
            return ["cpu_v4"]
        if operation == op.BPF_MOV and code & op.BPF_X:
            if cls == op.BPF_ALU64 and insn.off == 1:
                return ["arena"]
            return ["cpu_v4"] if insn.off in (8, 16, 32) else []
        if operation in (op.BPF_DIV, op.BPF_MOD) and insn.off == 1:
            return ["cpu_v4"]
        return []
    if cls == op.BPF_LDX and code & 0xE0 == op.BPF_MEMSX:
        return ["cpu_v4"]
    if cls == op.BPF_STX and code & 0xE0 == op.BPF_ATOMIC and insn.imm != op.BPF_ADD:
        return ["atomics"]
    return []


def feature_since(feature: str) -> str | None:
    """"X.Y" of the first kernel with `feature`, from the rules tables when they are there."""
    try:
        from verifier.rules.features import FEATURES
    except ImportError:
        return None
    row = FEATURES.get(feature)
    return f"{row.since[0]}.{row.since[1]}" if row else None


def missing_feature(program: Program, idx: int, view: KernelView) -> str | None:
    """The first feature the instruction at `idx` needs that the target kernel lacks."""
    if not 0 <= idx < len(program.insns):
        return None
    for feature in required_features(program, idx):
        try:
            present = view.has(feature)
        except KeyError:
            continue
        if not present:
            return feature
    return None


def explain_missing(feature: str, view: KernelView) -> str:
    label = FEATURE_LABELS.get(feature, feature)
    since = feature_since(feature)
    target = f"{view.version[0]}.{view.version[1]}"
    if since:
        return f"{label} need Linux {since} or newer; the target kernel is {target}"
    return f"{label} are not supported by the target kernel {target}"
