"""Read a kernel verifier log as libbpf, bpftool or the bpf() syscall print it: pure text in, data out.

Any log level: level 1 prints each processed instruction (`7: (79) r0 = *(u64 *)(r0 +0)`), with
the registers it wrote after `;`; level 2 adds a full state line after each instruction
(`8: R0=scalar() R10=fp0`) and a `Live regs before insn:` listing (indented, not a trace line);
a log without the trace has only the error (and perhaps the statistics). libbpf frames the log
it prints (`libbpf: prog 'x': -- BEGIN PROG LOAD LOG --` ... `-- END PROG LOAD LOG --`) among its
own lines; a raw log is the buffer itself. Formats: kernel/bpf/verifier.c and
kernel/bpf/log.c (print_verifier_state, print_insn_state) at v6.18; libbpf.c (bpf_object_load_prog).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

_BEGIN_RE = re.compile(r"^(?:libbpf: )?prog '([^']+)': -- BEGIN PROG LOAD LOG --\s*$")
_END_RE = re.compile(r"^-- END PROG LOAD LOG --\s*$")
_PROG_NAME_RE = re.compile(r"^(?:libbpf: )?prog '([^']+)': (?:BPF program load failed|failed to load)")
# "7: (79) r0 = *(u64 *)(r0 +0)   ; R0=..." at the start of a line (the live-regs listing is indented)
INSN_RE = re.compile(r"^(\d+): \(([0-9a-f]{2})\) (.*)$")
# "8: R0=scalar() R10=fp0", "from 6 to 9: R0=... ", "6: frame1: R1=..."
# libbpf replaces the line of an instruction it poisoned ("5: <invalid CO-RE relocation>",
# "<invalid BPF map reference>", "<invalid kfunc call>": libbpf.c fixup_verifier_log)
INVALID_INSN_RE = re.compile(r"^(\d+): <(invalid [^>]+)>$")
LIBBPF_REWRITE = -1  # LogInsn.opcode of such a line: libbpf wrote it, not the kernel
_STATE_RE = re.compile(r"^(?:\d+|from \d+ to \d+): ((?:frame\d+: )?(?:R\d|fp-?\d).*)$")
_SOURCE_RE = re.compile(r"^; (.*?)(?: @ (\S+):(\d+))?$")
# what the kernel prints after the reason: statistics (BPF_LOG_STATS), the states compared by an
# infinite-loop check, the source line of the failing insn
_STATS_RE = re.compile(r"^(verification time \d+ usec|stack depth [\d+ ]*|processed \d+ insns .*)$")
_AFTER_REASON = ("cur state:", "old state:")
# other lines of the trace: source notes, precision backtracking (level 2)
_TRACE_PREFIXES = ("; ", "mark_precise: ", "Live regs before insn:", "func#")
# the listing of live registers before the trace (level 2, 6.15+): "7: 0......... (79) r0 = ..."
_LIVE_REGS_RE = re.compile(r"^\d+: [.0-9]+ \([0-9a-f]{2}\) ")
_SOURCE_NOTE_RE = re.compile(r"^; .* @ \S+:\d+$")
_INSN_IN_MESSAGE_RE = re.compile(r"\binsn (\d+)\b")
# a message printed without its newline has the statistics line glued to it
# ("expected prog array map for tail callprocessed 3 insns (limit 1000000) ...")
_GLUED_STATS_RE = re.compile(r"(?<=\S)(processed \d+ insns \(limit |verification time \d+ usec)")
# the state of a callback's frame printed right after its helper call, without a newline
# ("8: (85) call bpf_loop#181 12: frame1: R1=scalar() R2=fp[0]-8 R10=fp0 cb")
_GLUED_STATE_RE = re.compile(r"\s\d+: (?:frame\d+: )?R\d")
_REGS_IN_TEXT_RE = re.compile(r"\b[rR](\d+)\b")
CALL_OPCODE = 0x85
CALLER_SAVED = ("R1", "R2", "R3", "R4", "R5")  # not readable after a call (check_helper_call)


@dataclass(frozen=True, slots=True)
class LogInsn:
    """One instruction line of the trace."""

    index: int  # the instruction's index in the program as loaded
    opcode: int
    text: str  # "r1 = *(u8 *)(r1 +6)", without the state after `;`
    line: int  # its line number in KernelLog.lines


@dataclass(slots=True)
class KernelLog:
    """What a verifier log says about the failed load."""

    lines: list[str]  # the verifier's own lines (libbpf's framing and messages removed)
    program: str | None = None  # the program the log names (libbpf's `prog 'name'`)
    framed: bool = False  # libbpf's framing was around it
    insns: list[LogInsn] = field(default_factory=list)  # every instruction line, in order
    message: str = ""  # the kernel's reason ("" when the log has none)
    detail: str = ""  # the line before the reason, when it is part of it ("invalid access to packet, ...")
    failing_insn: int | None = None  # where it failed: the message's insn, or the last one traced
    state: dict[str, str] = field(default_factory=dict)  # registers and stack slots before that insn
    source: str = ""  # the kernel's own line info for it ("xdp_bad.c:20"), when the log shows it

    @property
    def has_trace(self) -> bool:
        return bool(self.insns)


def verifier_lines(text: str, program: str | None = None) -> tuple[list[str], str | None, bool]:
    """The lines the verifier wrote, the program's name and whether libbpf framed them, with the
    framing taken off.

    When the text holds several framed logs, the one of `program` (or else the last) is taken.
    """
    # pasted logs may be indented (Go's cilium/ebpf prints each line after a tab): leading blanks go
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    blocks: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in lines:
        begin = _BEGIN_RE.match(line)
        if begin:
            current = []
            blocks.append((begin.group(1), current))
        elif current is not None and (_END_RE.match(line) or line.startswith("libbpf: ")):
            current = None  # libbpf's own next message ends a log it printed cut short
        elif current is not None and "libbpf: " in line:  # ... or follows its last, partial line
            current.append(line[: line.index("libbpf: ")])
            current = None
        elif current is not None:
            current.append(line)
    if blocks:
        chosen = [b for b in blocks if b[0] == program] or blocks
        name, body = chosen[-1]
        return body, name, True
    named = [m.group(1) for m in map(_PROG_NAME_RE.match, lines) if m]
    own = [line for line in lines if not line.startswith("libbpf: ")]
    return own, (named[-1] if named else None), False


def outside_parentheses(text: str, wanted: str) -> Iterator[int]:
    """The positions of `wanted` (one character) in `text` that are not inside parentheses."""
    depth = 0
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == wanted and depth == 0:
            yield i


def split_tokens(text: str) -> list[str]:
    """Split a state text at spaces outside parentheses ("R2=scalar(var_off=(0x0; 0xff)) R10=fp0")."""
    tokens: list[str] = []
    start = 0
    for i in [*outside_parentheses(text, " "), len(text)]:
        if text[start:i]:
            tokens.append(text[start:i])
        start = i + 1
    return tokens


def parse_state(text: str) -> dict[str, str]:
    """ "R0=map_value(map=m,ks=4,vs=8) R10=fp0 fp-8=mmmm????" -> {"R0": ..., "R10": "fp0", "fp-8": ...}.

    Older kernels mark written registers `R1_w`; the mark is dropped. Frames after the first
    are prefixed ("frame1: R1=..." -> "frame1.R1").
    """
    state: dict[str, str] = {}
    frame = ""
    for token in split_tokens(text.strip()):
        if re.fullmatch(r"frame\d+:", token):
            frame = token[:-1] + "."
            continue
        name, sep, value = token.partition("=")
        if not sep or not value:
            continue
        name = name.removesuffix("_w")
        state[frame + name if frame and frame != "frame0." else name] = value
    return state


def split_insn_text(text: str) -> tuple[str, str]:
    """ "r1 = *(u32 *)(r1 +0)          ; R1=pkt(r=0)" -> the instruction and the state after `;`."""
    glued = _GLUED_STATE_RE.search(text)
    if glued:
        text = text[: glued.start()]
    for i in outside_parentheses(text, ";"):
        return text[:i].strip(), text[i + 1 :].strip()
    return text.strip(), ""


def parse_log(text: str, program: str | None = None) -> KernelLog:
    """Everything `KernelLog` holds, read from the text of a log."""
    lines, name, framed = verifier_lines(_GLUED_STATS_RE.sub(r"\n\1", text), program)
    log = KernelLog(lines=lines, program=name, framed=framed)
    for number, line in enumerate(lines):
        match = INSN_RE.match(line)
        if match:
            insn_text, _ = split_insn_text(match.group(3))
            log.insns.append(LogInsn(int(match.group(1)), int(match.group(2), 16), insn_text, number))
        rewritten = INVALID_INSN_RE.match(line)
        if rewritten:
            log.insns.append(LogInsn(int(rewritten.group(1)), LIBBPF_REWRITE, rewritten.group(2), number))
    message = last_error_line(lines)
    if not message:
        return log
    log.message = message
    same = [i for i, line in enumerate(lines) if line.strip() == message]
    message_line = same[-1] if same else len(lines)
    log.detail = _detail(lines, message_line)
    log.failing_insn = _failing_insn(log, message_line)
    if log.failing_insn is not None:
        log.state, log.source = _state_before(lines, log.failing_insn, message_line)
    return log


def last_error_line(lines: list[str]) -> str:
    """The kernel's reason: the last line that is not statistics, a state dump or a source note
    (the kernel prints the failing line's source after the reason when the trace is off); ""
    when the log ends in its trace (a program that was accepted, or a log cut short)."""
    for line in reversed(lines):
        text = line.strip()
        if not text or _STATS_RE.match(text) or text.startswith(_AFTER_REASON) or _SOURCE_NOTE_RE.match(text):
            continue
        return "" if _is_trace_line(text) else text
    return ""


def _is_trace_line(line: str) -> bool:
    """An instruction, a state or a source line: what a log that ends without a reason ends with."""
    return bool(
        INSN_RE.match(line)
        or INVALID_INSN_RE.match(line)
        or _STATE_RE.match(line)
        or _LIVE_REGS_RE.match(line)
        or line.startswith(_TRACE_PREFIXES)
    )


def _detail(lines: list[str], message_line: int) -> str:
    """The line before the reason when it says more about it (not a trace line, not a header)."""
    if message_line == 0:
        return ""
    before = lines[message_line - 1].strip()
    if not before or _is_trace_line(before) or before.endswith(":") or before.startswith("func#"):
        return ""
    return before


def _failing_insn(log: KernelLog, message_line: int) -> int | None:
    """The insn the message names ("infinite loop detected at insn 1"), else the last one traced."""
    named = _INSN_IN_MESSAGE_RE.search(log.message)
    if named:
        return int(named.group(1))
    traced = [insn for insn in log.insns if insn.line < message_line]
    return traced[-1].index if traced else None


def _state_before(lines: list[str], insn: int, message_line: int) -> tuple[dict[str, str], str]:
    """Registers and stack slots as the log shows them just before the last trace line of `insn`,
    and the kernel's source note (`file.c:20`) printed for it."""
    last = None
    for number in range(message_line - 1, -1, -1):
        match = INSN_RE.match(lines[number]) or INVALID_INSN_RE.match(lines[number])
        if match and int(match.group(1)) == insn:
            last = number
            break
    end = message_line if last is None else last
    state: dict[str, str] = {}
    source = ""
    for line in lines[:end]:
        shown = _STATE_RE.match(line)
        if shown:  # "from 6 to 9:" (a path popped) prints every register, "9:" only those written
            state = {} if line.startswith("from ") else state
            state.update(parse_state(shown.group(1)))
            continue
        match = INSN_RE.match(line)
        if match:
            _, after = split_insn_text(match.group(3))
            if int(match.group(2), 16) == CALL_OPCODE:
                for reg in CALLER_SAVED:
                    state.pop(reg, None)
            state.update(parse_state(after))
            continue
        note = _SOURCE_RE.match(line)
        if note and note.group(2):
            source = f"{note.group(2)}:{note.group(3)}"
    return state, source


def registers_named(*texts: str) -> list[str]:
    """ "R1", "R10"... named in an instruction ("r1 = *(u8 *)(r1 +6)") or a message, in order."""
    seen: dict[str, None] = {}
    for text in texts:
        for number in _REGS_IN_TEXT_RE.findall(text):
            seen[f"R{int(number)}"] = None
    return list(seen)
