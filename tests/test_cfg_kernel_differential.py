"""The kernel agrees with structural_check on hand-assembled programs.

Each program was loaded with the bpf() syscall (BPF_PROG_LOAD, socket filter, log level 1);
the errno and the last line of the verifier log are recorded with the kernel's `uname -r`
(tests/data/kernel_recordings/cfg_structural.json) and compared with our message at that kernel's
rules. A program we pass may still be refused by the kernel for a reason of the analysis (for
example "R0 !read_ok"), but never with one of the structural messages. Where bpf() works the live
kernel is asked too; a different answer is kernel drift (a skip, tests/kernel_recordings.py).
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import random
import re
import struct

import pytest
from kernel_recordings import Recording, compare_live, live_kernel_usable, recording_mode  # noqa: E402

from verifier.cfg.checks import structural_check
from verifier.isa import encode as asm
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn

rules_module = pytest.importorskip("verifier.rules")
RECORDING = Recording.load("cfg_structural")

BPF_PROG_LOAD = 5
BPF_PROG_TYPE_SOCKET_FILTER = 1
SYS_BPF = {"x86_64": 321, "aarch64": 280}.get(platform.machine())
LOG_SIZE = 1 << 20

STRUCTURAL_WORDS = ("reserved fields", "unknown opcode", "jump out of range", "last insn is not", "back-edge",
                    "unreachable insn", "ldimm64", "bpf_ld_imm64", "invalid shift", "div by zero", "is invalid",
                    "frame pointer is read only", "invalid BPF_", "call to invalid destination",
                    "invalid may_goto", "invalid atomic", "BPF_ATOMIC uses")


def kernel_log(insns: list[Insn]) -> tuple[int, str]:
    """(errno or 0, last non-empty log line) of loading `insns` as a socket filter (encoded raw:
    some cases are malformed on purpose)."""
    libc = ctypes.CDLL(None, use_errno=True)
    code = b"".join(struct.pack("<BBhi", i.opcode, (i.src << 4) | i.dst, i.off, i.imm) for i in insns)
    code_buf = ctypes.create_string_buffer(code, len(code))
    license_buf = ctypes.create_string_buffer(b"GPL")
    log_buf = ctypes.create_string_buffer(LOG_SIZE)
    attr = (ctypes.c_uint8 * 144)()
    words = [
        (0, BPF_PROG_TYPE_SOCKET_FILTER, 4), (4, len(insns), 4), (8, ctypes.addressof(code_buf), 8),
        (16, ctypes.addressof(license_buf), 8), (24, 1, 4), (28, LOG_SIZE, 4), (32, ctypes.addressof(log_buf), 8),
    ]
    for offset, value, size in words:
        ctypes.memmove(ctypes.addressof(attr) + offset, value.to_bytes(size, "little"), size)
    fd = libc.syscall(SYS_BPF, BPF_PROG_LOAD, ctypes.byref(attr), ctypes.sizeof(attr))
    err = ctypes.get_errno() if fd < 0 else 0
    if fd >= 0:
        os.close(fd)
    lines = [line for line in log_buf.value.decode(errors="replace").splitlines() if line.strip()]
    lines = [line for line in lines if not re.match(r"(processed \d+ insns|verification time|stack depth)", line)]
    return err, lines[-1] if lines else ""


def recorded_rules() -> object:
    """The rules of the kernel the answers were recorded on."""
    return rules_module.for_kernel(RECORDING.release or "host")


def usable() -> bool:
    if SYS_BPF is None or os.geteuid() != 0 or not live_kernel_usable():
        return False
    err, _ = kernel_log([asm.mov64_imm(0, 0), asm.exit_insn()])
    return err == 0


def _key(insns: list[Insn]) -> str:
    return ",".join(f"{i.opcode:x}:{i.dst}:{i.src}:{i.off}:{i.imm}" for i in insns)


def recorded_log(insns: list[Insn], live: bool) -> tuple[int, str]:
    """(errno, last line) as recorded; in recording mode the live answer, stored."""
    key = _key(insns)
    if recording_mode():
        if not live:
            pytest.skip("recording needs bpf()")
        RECORDING.store(key, list(kernel_log(insns)))
    err, last = RECORDING.answer(key)
    return err, last


def check_live(insns: list[Insn], live: bool, case: str) -> None:
    if live and not recording_mode():
        compare_live(RECORDING, _key(insns), list(kernel_log(insns)), case)

R0_0 = asm.mov64_imm(0, 0)
EXIT = asm.exit_insn()
LD = asm.ld_imm64

CASES: dict[str, list[Insn]] = {
    "minimal": [R0_0, EXIT],
    "fall off the end": [R0_0],
    "jump out of range": [asm.ja(5), R0_0, EXIT],
    "jump before start": [asm.jmp_imm(op.BPF_JEQ, 0, 0, -2), EXIT],
    "loop": [R0_0, asm.alu64_imm(op.BPF_ADD, 0, 1), asm.jmp_imm(op.BPF_JLT, 0, 10, -2), EXIT],
    "rotated loop": [R0_0, asm.ja(1), asm.alu64_imm(op.BPF_ADD, 0, 1), asm.jmp_imm(op.BPF_JLT, 0, 10, -2), EXIT],
    "unreachable": [R0_0, EXIT, asm.mov64_imm(0, 1), EXIT],
    "call": [asm.call_pseudo(2), R0_0, EXIT, asm.mov64_imm(0, 1), EXIT],
    "call invalid destination": [asm.call_pseudo(100), EXIT],
    "jump into other function": [asm.call_pseudo(3), asm.jmp_imm(op.BPF_JEQ, 0, 0, 3), R0_0, EXIT, R0_0, EXIT],
    "function not ending in exit": [asm.call_pseudo(1), R0_0, R0_0, EXIT],
    "recursion": [asm.call_pseudo(1), EXIT, asm.call_pseudo(-1), EXIT],
    "ld_imm64 dirty tail": [LD(0, 1)[0], Insn(0, 1, 0, 0, 0, is_ld_imm64_tail=True), EXIT],
    "ld_imm64 last": [R0_0, EXIT, LD(0, 1)[0]],
    "jump into ld_imm64": asm.program(asm.jmp_imm(op.BPF_JEQ, 1, 0, 1), LD(0, 0), LD(0, 0), LD(0, 1), LD(0, 1),
                                      asm.mov64_imm(0, 2), EXIT),
    "ld_imm64 unknown src": asm.program(LD(1, 0, src=7), R0_0, EXIT),
    "garbage opcode": [Insn(0xFF, 0, 0, 0, 0), EXIT],
    "zero opcode": [Insn(0, 0, 0, 0, 0)],
    "call|x": [Insn(0x8D, 0, 0, 0, 0), EXIT],
    "alu k src": [R0_0, Insn(op.BPF_ALU64 | op.BPF_ADD | op.BPF_K, 0, 1, 0, 1), EXIT],
    "alu x imm": [R0_0, asm.mov64_imm(1, 0), Insn(op.BPF_ALU64 | op.BPF_ADD | op.BPF_X, 0, 1, 0, 1), EXIT],
    "neg imm": [R0_0, Insn(op.BPF_ALU64 | op.BPF_NEG, 0, 0, 0, 1), EXIT],
    "end 8": [R0_0, Insn(op.BPF_ALU | op.BPF_END | op.BPF_TO_BE, 0, 0, 0, 8), EXIT],
    "mov k off": [Insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_K, 0, 0, 1, 1), EXIT],
    "mov32 x off 32": [asm.mov64_imm(1, 0), Insn(op.BPF_ALU | op.BPF_MOV | op.BPF_X, 0, 1, 32, 0), EXIT],
    "st src": [Insn(op.BPF_ST | op.BPF_MEM | op.BPF_DW, 10, 1, -8, 0), R0_0, EXIT],
    "stx imm": [asm.mov64_imm(1, 0), Insn(op.BPF_STX | op.BPF_MEM | op.BPF_DW, 10, 1, -8, 1), R0_0, EXIT],
    "ldx imm": [Insn(op.BPF_LDX | op.BPF_MEM | op.BPF_DW, 0, 10, -8, 1), EXIT],
    "jmp k src": [R0_0, Insn(op.BPF_JMP | op.BPF_JEQ | op.BPF_K, 0, 1, 0, 0), EXIT],
    "ja imm": [R0_0, Insn(op.BPF_JMP | op.BPF_JA, 0, 0, 0, 1), EXIT],
    "gotol off": [R0_0, Insn(op.BPF_JMP32 | op.BPF_JA, 0, 0, 1, 0), EXIT],
    "call dst": [Insn(op.CALL, 1, 0, 0, 7), EXIT],
    "call src 3": [Insn(op.CALL, 0, 3, 0, 7), EXIT],
    "exit imm": [R0_0, Insn(op.EXIT, 0, 0, 0, 1)],
    "may_goto imm": [R0_0, Insn(op.BPF_JMP | op.BPF_JCOND, 0, 0, 0, 5), EXIT],
    "ld_abs dst": [asm.mov64_reg(6, 1), Insn(op.BPF_LD | op.BPF_ABS | op.BPF_W, 1, 0, 0, 0), EXIT],
    "r11": [asm.mov64_imm(11, 0), R0_0, EXIT],
    "r12 src": [asm.mov64_reg(0, 12), EXIT],
    "write r10": [asm.mov64_imm(10, 0), R0_0, EXIT],
    "div by zero": [R0_0, asm.alu64_imm(op.BPF_DIV, 0, 0), EXIT],
    "shift 64": [R0_0, asm.alu64_imm(op.BPF_LSH, 0, 64), EXIT],
    "shift32 32": [R0_0, asm.alu32_imm(op.BPF_RSH, 0, 32), EXIT],
    "atomic bad op": [asm.mov64_imm(1, 1), asm.st_mem(op.BPF_DW, 10, -8, 0),
                      asm.atomic(op.BPF_DW, 0x02, 10, 1, -8), R0_0, EXIT],
    "atomic fetch add": [asm.mov64_imm(1, 1), asm.st_mem(op.BPF_DW, 10, -8, 0),
                         asm.atomic(op.BPF_DW, op.BPF_ADD | op.BPF_FETCH, 10, 1, -8), R0_0, EXIT],
    "cpu v4 mix": [asm.mov64_imm(1, 3), asm.alu64_reg(op.BPF_MOV, 0, 1, off=8), asm.alu64_reg(op.BPF_DIV, 0, 1, off=1),
                   Insn(op.BPF_ALU64 | op.BPF_END, 0, 0, 0, 16), asm.gotol(0), EXIT],
    "may_goto": [R0_0, asm.may_goto(1), asm.mov64_imm(0, 1), EXIT],
    "ld_imm64 off": [Insn(op.LD_IMM64, 0, 0, 8, 1, imm64=1), Insn(0, 0, 0, 0, 0, is_ld_imm64_tail=True), EXIT],
    "jump dst r11": [R0_0, Insn(op.BPF_JMP | op.BPF_JLE | op.BPF_K, 11, 1, 0, 0), EXIT],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_kernel_agrees(name: str) -> None:
    insns = CASES[name]
    live = usable()
    findings = structural_check(Program_of(insns), recorded_rules())
    err, last = recorded_log(insns, live)
    if findings:
        assert err != 0, f"kernel accepted what we reject: {findings[0].kernel_message}"
        if findings[0].kernel_message == "E2BIG":
            assert err == errno.E2BIG
        else:
            assert last == findings[0].kernel_message
    elif err:
        assert not any(word in last for word in STRUCTURAL_WORDS), f"kernel: {last!r}"
    check_live(insns, live, f"cfg {name}")


def random_cfg_program(rnd: random.Random) -> list[Insn]:
    """Straight-line moves, jumps, calls, exits, ld_imm64s, gotol and may_goto with small offsets."""
    insns = [R0_0]
    for _ in range(rnd.randint(1, 9)):
        rel = rnd.randint(-4, 4)
        kind = rnd.choice(["mov", "ja", "jeq", "call", "exit", "exit", "ld", "gotol", "may_goto"])
        if kind == "ld":
            insns.extend(LD(0, 5))
            continue
        insns.append({
            "mov": asm.mov64_imm(0, rel & 3), "ja": asm.ja(rel), "jeq": asm.jmp_imm(op.BPF_JEQ, 0, 1, rel),
            "call": asm.call_pseudo(rel), "exit": EXIT, "gotol": asm.gotol(rel), "may_goto": asm.may_goto(rel),
        }[kind])
    if rnd.random() < 0.7:
        insns.append(EXIT)
    return insns


def test_random_control_flow_agrees() -> None:
    rnd = random.Random(20251)
    live = usable()
    disagreements = []
    programs = []
    for _ in range(400):
        insns = random_cfg_program(rnd)
        programs.append(insns)
        findings = structural_check(Program_of(insns), recorded_rules())
        err, last = recorded_log(insns, live)
        ours = findings[0].kernel_message if findings else None
        agree = (err != 0 and last == ours) if ours else (not err or not any(w in last for w in STRUCTURAL_WORDS))
        if not agree:
            disagreements.append((ours, last, [(i.opcode, i.src, i.off, i.imm) for i in insns]))
    assert disagreements == []
    for insns in programs:
        check_live(insns, live, "cfg random programs")


def Program_of(insns: list[Insn]) -> object:  # noqa: N802 - reads like a constructor
    from verifier.elf.model import Program

    return Program("case", "socket", "socket_filter", insns)
