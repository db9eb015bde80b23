"""Differential test of the scalar domain against the kernel's verifier log.

Random straight-line ALU programs on two unknown 64-bit scalars (from
bpf_ktime_get_ns), loaded as socket filters with log_level 2: after every
instruction the kernel prints the register it wrote, and that text must
equal `str()` of the model's result (ids and precision marks aside). A final
conditional jump checks `branch_taken` and both refined sides.

The kernel's logs are recorded (tests/data/kernel_recordings/scalar_*.json, with
the kernel's `uname -r`), and the model is checked against the recording with
that kernel's rules, so this runs where bpf() is denied. Where the live kernel
answers differently from the recording, the case is reported as kernel drift
(tests/kernel_recordings.py).
"""

from __future__ import annotations

import ctypes
import os
import random
import re
import struct

import pytest
from kernel_recordings import Recording, compare_live, live_kernel_usable, recording_mode

from verifier.abstract.branch import branch_taken, refine
from verifier.abstract.scalar import Scalar
from verifier.rules import for_kernel

ALU_RECORDING = Recording.load("scalar_alu")
BRANCH_RECORDING = Recording.load("scalar_branch")

SYS_BPF = 321  # x86_64
BPF_PROG_LOAD = 5
SOCKET_FILTER = 1

ALU_CODES = {"add": 0x00, "sub": 0x10, "mul": 0x20, "div": 0x30, "or": 0x40, "and": 0x50, "lsh": 0x60,
             "rsh": 0x70, "mod": 0x90, "xor": 0xA0, "arsh": 0xC0}
JMP_CODES = {"jeq": 0x10, "jgt": 0x20, "jge": 0x30, "jset": 0x40, "jne": 0x50, "jsgt": 0x60, "jsge": 0x70,
             "jlt": 0xA0, "jle": 0xB0, "jslt": 0xC0, "jsle": 0xD0}
IMMS = [0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 100, 255, 256, 0x7FFF, 0xFFFF, 0x7FFFFFFF, -1, -2, -8,
        -256, -0x80000000, 0x10000, 0x12345678]

_libc = ctypes.CDLL(None, use_errno=True)


def _insn(code: int, dst: int = 0, src: int = 0, off: int = 0, imm: int = 0) -> bytes:
    return struct.pack("<BBhi", code, (src << 4) | dst, off, imm)


def _load(prog: bytes) -> tuple[int, str]:
    log = ctypes.create_string_buffer(1 << 20)
    lic = ctypes.create_string_buffer(b"GPL")
    insns = ctypes.create_string_buffer(prog)
    attr = ctypes.create_string_buffer(256)
    struct.pack_into("<IIQQIIQ", attr, 0, SOCKET_FILTER, len(prog) // 8, ctypes.addressof(insns),
                     ctypes.addressof(lic), 2, len(log), ctypes.addressof(log))
    fd = _libc.syscall(SYS_BPF, BPF_PROG_LOAD, attr, 256)
    if fd >= 0:
        os.close(fd)
    return fd, log.value.decode(errors="replace")


def _bpf_usable() -> bool:
    if not live_kernel_usable():
        return False
    try:
        fd, _ = _load(_insn(0xB7, 0, imm=0) + _insn(0x95))
    except OSError:
        return False
    return fd >= 0


_REG = re.compile(r"R(\d+)(?:_\w+)?=(P?scalar\((?:[^()]|\([^()]*\))*\)|P?-?\w+)")


def _norm(text: str) -> str:
    text = text.lstrip("P")
    text = re.sub(r"id=\d+(?:[+-]\d+)?,?", "", text)
    return text.replace(",)", ")").replace("scalar()", "scalar()")


def _first_fork(log: str) -> int:
    """The first instruction where the kernel forked a state onto itself ('from N to N:'), else a big number.

    Newer kernels split a register whose range is {-1, 0} (e.g. after `s>>= 31`) into two states
    before some ALU ops: that is the interpreter's business, not the domain's, so checks stop there.
    """
    for m in re.finditer(r"^from (\d+) to (\d+):", log, re.M):
        if m.group(1) == m.group(2):
            return int(m.group(1))
    return 1 << 30


def _states_after(log: str) -> dict[int, dict[int, str]]:
    """insn index -> {regno: printed state} from the '; R6=...' part of each instruction line."""
    out: dict[int, dict[int, str]] = {}
    for line in log.splitlines():
        if line.startswith("from "):
            break  # only the first path
        m = re.match(r"^(\d+): \([0-9a-f]{2}\)[^;]*; (.*)$", line)
        if m:
            out[int(m.group(1))] = {int(r): _norm(s) for r, s in _REG.findall(m.group(2))}
    return out


def _all_states(log: str) -> dict[int, dict[int, str]]:
    """Like _states_after, over every path (each instruction here is reached by one path only)."""
    out: dict[int, dict[int, str]] = {}
    for line in log.splitlines():
        m = re.match(r"^(\d+): \([0-9a-f]{2}\)[^;]*; (.*)$", line)
        if m:
            out[int(m.group(1))] = {int(r): _norm(s) for r, s in _REG.findall(m.group(2))}
    return out


def _branch_states(log: str) -> dict[int, dict[int, str]]:
    """target insn -> registers from 'from J to T: R6=...' lines."""
    out: dict[int, dict[int, str]] = {}
    for line in log.splitlines():
        m = re.match(r"^from \d+ to (\d+): (.*)$", line)
        if m:
            out[int(m.group(1))] = {int(r): _norm(s) for r, s in _REG.findall(m.group(2))}
    return out


def _kept_lines(log: str) -> str:
    """The lines of a log the checks read (instruction states, branch states): what is recorded."""
    return "\n".join(line for line in log.splitlines() if re.match(r"^(\d+: \(|from \d+ to )", line))


def _random_step(rng: random.Random, regs: dict[int, Scalar], from_subreg: bool) -> tuple[bytes, int, Scalar]:
    dst = rng.choice((6, 7))
    src = rng.choice((6, 7))
    is64 = rng.random() < 0.6
    cls = 0x07 if is64 else 0x04
    kind = rng.random()
    if kind < 0.08:
        return _insn(cls | 0x80, dst), dst, regs[dst].neg(is64)
    if kind < 0.16:
        if is64:
            bits = rng.choice((8, 16, 32))
            return _insn(0xBF, dst, src, off=bits), dst, regs[src].sext(bits, from_subreg)
        bits = rng.choice((8, 16))
        return _insn(0xBC, dst, src, off=bits), dst, regs[src].sext32(bits)
    if kind < 0.20:
        return _insn(0xBC, dst, src), dst, regs[src].zext32()
    op = rng.choice(sorted(ALU_CODES))
    if rng.random() < 0.5 and op not in ("lsh", "rsh", "arsh", "div", "mod"):
        return _insn(cls | ALU_CODES[op] | 0x08, dst, src), dst, regs[dst].alu(op, regs[src], is64)
    if op in ("lsh", "rsh", "arsh"):
        imm = rng.randrange(64 if is64 else 32)
    else:
        imm = rng.choice(IMMS)
        if op in ("div", "mod") and imm == 0:
            imm = 3
    return _insn(cls | ALU_CODES[op], dst, imm=imm), dst, regs[dst].alu(op, Scalar.const(imm), is64)


def _prefix(rng: random.Random, regs: dict[int, Scalar],
            from_subreg: bool) -> tuple[list[bytes], list[tuple[int, int, Scalar]]]:
    prog = [_insn(0x85, imm=5), _insn(0xBF, 6, 0), _insn(0x85, imm=5), _insn(0xBF, 7, 0)]
    if rng.random() < 0.5:  # start from a narrower value sometimes
        prog.append(_insn(0x57, 6, imm=rng.choice((0xFF, 0xFFFF, 0x7FFFFFFF, -16))))
        regs[6] = regs[6].alu("and", Scalar.const(int.from_bytes(prog[-1][4:], "little", signed=True)), True)
    expected = []
    for _ in range(rng.randrange(1, 9)):
        code, dst, val = _random_step(rng, regs, from_subreg)
        prog.append(code)
        regs[dst] = val
        expected.append((len(prog) - 1, dst, val))
    return prog, expected


def _from_subreg(rec: Recording) -> bool:
    """The recorded kernel's sign-extension rule (verifier/rules/builds.py): the model runs at that kernel."""
    return for_kernel(rec.release or "host").has("movsx_range_from_subreg")


def _alu_programs(seed: int, from_subreg: bool) -> list[tuple[bytes, list[tuple[int, int, Scalar]]]]:
    rng = random.Random(seed)
    out = []
    for _ in range(8):
        regs = {6: Scalar.unknown(), 7: Scalar.unknown()}
        prog, expected = _prefix(rng, regs, from_subreg)
        prog += [_insn(0xB7, 0, imm=0), _insn(0x95)]
        out.append((b"".join(prog), expected))
    return out


def _branch_programs(seed: int, from_subreg: bool) -> list[tuple[bytes, int, Scalar, Scalar, str, bool, int | None]]:
    rng = random.Random(1000 + seed)
    out = []
    for _ in range(8):
        regs = {6: Scalar.unknown(), 7: Scalar.unknown()}
        prog, _ = _prefix(rng, regs, from_subreg)
        op = rng.choice(sorted(JMP_CODES))
        is32 = rng.random() < 0.4
        cls = 0x06 if is32 else 0x05
        if rng.random() < 0.5:
            imm = rng.choice(IMMS)
            prog.append(_insn(cls | JMP_CODES[op], 6, imm=imm, off=4))
            other, src = Scalar.const(imm), None
        else:
            prog.append(_insn(cls | JMP_CODES[op] | 0x08, 6, 7, off=4))
            other, src = regs[7], 7
        jmp = len(prog) - 1
        # fall-through copies r6/r7 into r8/r9 so the log prints them; target likewise
        prog += [_insn(0xBF, 8, 6), _insn(0xBF, 9, 7), _insn(0xB7, 0, imm=0), _insn(0x95)]
        prog += [_insn(0xBF, 8, 6), _insn(0xBF, 9, 7), _insn(0xB7, 0, imm=0), _insn(0x95)]
        out.append((b"".join(prog), jmp, regs[6], other, op, is32, src))
    return out


def _live_answer(prog: bytes) -> str:
    fd, log = _load(prog)
    assert fd >= 0, log
    return _kept_lines(log)


def _check_live(rec: Recording, progs: list[bytes], case: str) -> None:
    """After the model agreed with the recording: ask the live kernel (drift is a skip, not a failure)."""
    if not _bpf_usable():
        return
    for prog in progs:
        compare_live(rec, prog.hex(), _live_answer(prog), case)


def _check_alu(log: str, expected: list[tuple[int, int, Scalar]]) -> None:
    states = _states_after(log)
    fork = _first_fork(log)
    for idx, dst, val in expected:
        if idx >= fork:
            break
        assert states[idx][dst] == str(val), (idx, log)


def _check_branch(log: str, jmp: int, r6: Scalar, other: Scalar, op: str, is32: bool, src: int | None) -> None:
    if _first_fork(log) <= jmp:
        return
    states = _all_states(log)
    pred = branch_taken(r6, other, op, is32)
    fall_seen = (jmp + 1) in states
    taken_seen = (jmp + 5) in states
    assert pred == (1 if not fall_seen else 0 if not taken_seen else -1), log
    if pred != -1:
        return
    for side, first in ((False, jmp + 1), (True, jmp + 5)):
        res = refine(r6, other, op, is32, side)
        if res is None:
            # an impossible side: the kernel walks it with unbounded registers, we drop it (by design)
            continue
        assert states[first][8] == str(res[0]), (side, log)
        if src is not None:
            assert states[first + 1][9] == str(res[1]), (side, log)


@pytest.mark.parametrize("seed", range(40))
def test_alu_matches_kernel(seed):
    rec = ALU_RECORDING
    if recording_mode():
        if not _bpf_usable():
            pytest.skip("recording needs bpf()")
        rec.release = rec.release or os.uname().release
    progs = _alu_programs(seed, _from_subreg(rec))
    if not recording_mode():
        for prog, expected in progs:
            _check_alu(rec.answer(prog.hex()), expected)
    _check_live(rec, [p for p, _ in progs], f"scalar_alu seed {seed}")


@pytest.mark.parametrize("seed", range(40))
def test_branches_match_kernel(seed):
    rec = BRANCH_RECORDING
    if recording_mode():
        if not _bpf_usable():
            pytest.skip("recording needs bpf()")
        rec.release = rec.release or os.uname().release
    progs = _branch_programs(seed, _from_subreg(rec))
    if not recording_mode():
        for prog, *rest in progs:
            _check_branch(rec.answer(prog.hex()), *rest)
    _check_live(rec, [p[0] for p in progs], f"scalar_branch seed {seed}")
