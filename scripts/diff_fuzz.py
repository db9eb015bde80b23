"""Random differential testing of bpfcheck's abstract interpreter against the running kernel's verifier.

Two generators make small programs whose verdict depends on the details the verifier tracks:

* C programs assembled from randomized template blocks (packet bounds checks, map lookups, stack
  buffers with variable indices, loops, helpers, subprograms, narrow context loads, signed/32-bit
  arithmetic, spills), compiled with clang-19 (-O2 -g -target bpf -mcpu=v3);
* raw instruction streams (random ALU and branch operations on a few unknown scalars, then one
  stack or packet access whose safety depends on the tracked bounds), wrapped in an ELF object
  by scripts/make_adversarial.py's writer.

Each program is loaded by the kernel (verifier.oracle.load_with_kernel) and judged by bpfcheck
(verifier.oracle.differential.check_program at the host's version). A disagreement is a verdict
mismatch, or a message mismatch when both reject. Disagreements are shrunk (blocks and raw
operations removed by delta debugging, then block parameters set to their simplest values while
the disagreement keeps its class), deduplicated by (kernel message, bpfcheck message) shape, and
saved as tests/data/engine_disagreements/NNN/ (source, .o, kernel log tail, bpfcheck's answer,
case.json).

    python scripts/diff_fuzz.py --count 500 --seed 1            # report to stdout
    python scripts/diff_fuzz.py --count 500 --seed 1 --save     # also write reproducers
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPTS_DIR = Path(__file__).resolve().parent
for _path in (REPO_ROOT, SCRIPTS_DIR):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from verifier.errors import InputError  # noqa: E402
from verifier.isa import encode as asm  # noqa: E402
from verifier.isa import opcodes as op  # noqa: E402
from verifier.isa.insn import Insn  # noqa: E402

CLANG = os.environ.get("BPFCHECK_CLANG", "clang-19")
CFLAGS = ["-O2", "-g", "-target", "bpf", "-mcpu=v3", "-Wno-unused-variable", "-Wno-unused-function",
          "-Wno-uninitialized", "-Wno-array-bounds", "-Wno-int-conversion", "-Wno-pointer-arith"]
DATA_DIR = REPO_ROOT / "tests" / "data" / "engine_disagreements"
PROGRAM_NAME = "prog"

# ---------------------------------------------------------------------------------------------
# C programs from template blocks
#
# A program is a program type, a return mode and a list of blocks. A block is a kind and a dict
# of parameters; PARAMS[kind] lists each parameter's choices, simplest first (shrinking tries the
# earlier choices). A block renders to (file-scope code, body code); `n` makes its names unique.

PROG_TYPES: dict[str, dict[str, str]] = {
    # section, context type, how to get packet pointers ("" when the type has no direct access)
    "xdp": {"sec": "xdp", "ctx": "struct xdp_md", "pkt": "ctx->data", "end": "ctx->data_end"},
    "tc": {"sec": "tc", "ctx": "struct __sk_buff", "pkt": "ctx->data", "end": "ctx->data_end"},
    "cgroup_skb": {"sec": "cgroup_skb/egress", "ctx": "struct __sk_buff", "pkt": "ctx->data",
                   "end": "ctx->data_end"},
    "socket": {"sec": "socket", "ctx": "struct __sk_buff", "pkt": "ctx->data", "end": "ctx->data_end"},
    "kprobe": {"sec": "kprobe/do_nanosleep", "ctx": "struct pt_regs", "pkt": "", "end": ""},
}
SKB_TYPES = ("tc", "cgroup_skb", "socket")
PACKET_TYPES = ("xdp", "tc", "cgroup_skb")

PARAMS: dict[str, dict[str, list[Any]]] = {
    "pkt_const": {"off": [0, 1, 2, 5, 14, 20, 33, 60], "size": [1, 2, 4, 8], "slack": [0, -1, 1, -8, 0, 0],
                  "cmp": [">", ">="], "write": [False, True]},
    "pkt_var": {"src": ["rand", "ctx", "pkt"], "mask": [0x3f, 0xff, 0x7ff, 0xffff, 0x1ffff, None],
                "limit": [None, 64, 1500, 0xffff, 0x10000], "check": ["after", "none", "before"],
                "size": [1, 2, 4, 8], "base": [0, 14]},
    "map": {"map": ["array", "hash"], "key": ["const0", "var_masked", "var", "const_big"],
            "null_check": [True, False], "idx": ["const", "masked", "checked", "checked_off1", "unchecked"],
            "off": [0, 8, 56, 60, 64, 63], "size": [1, 4, 8], "write": [False, True]},
    "stack": {"size": [16, 8, 32, 64, 128], "init": ["memset", "none", "partial"],
              "idx": ["masked", "const", "masked_big", "checked", "checked_off1", "unchecked", "signed",
                      "signed_lowcheck"],
              "esize": [1, 4, 8], "write": [False, True]},
    "loop": {"bound": [4, 16, 100, 1000, 4, 16, 9000], "lim": ["const", "var_masked", "var_checked", "var_masked", "var_checked", "var"],
             "body": ["acc", "stack", "pkt_step"], "style": ["for", "while_break"]},
    "skb_load_bytes": {"buf": [8, 4, 16], "len": ["const_ok", "const_big", "var_masked", "var_checked",
                                                 "var_zero_ok", "var"],
                       "off": [0, 14], "use": ["first", "var"]},
    "probe_read": {"buf": [8, 16, 32], "len": ["const_ok", "const_big", "var_masked", "var_checked", "var"],
                   "fn": ["kernel", "user", "str"]},
    "ringbuf": {"size": [16, 8, 4096, "var_masked", "var"], "null_check": [True, False],
                "finish": ["submit", "discard", "none", "double", "conditional"], "write_off": [0, 8, 16, 12]},
    "perf_output": {"size": [8, 16, 24, "var_masked"], "len": ["exact", "big", "zero"],
                    "flags": ["cpu", "zero"]},
    "subprog": {"kind": ["static", "global"], "arg": ["scalar", "ctx", "stackptr", "pktptr", "mapval"],
                "use": ["plain", "index", "null_check"], "ret_use": ["acc", "index"]},
    "ctx_narrow": {"off": list(range(0, 200, 1)), "size": [4, 1, 2, 8], "write": [False, True]},
    "alu32": {"op1": ["*", "<<", ">>", "%", "/", "^", "|", "+", "-", "&"], "k1": [3, 1, 7, 16, 255, 0x10000],
              "op2": ["&", "%", ">>", "|", "+"], "k2": [15, 63, 64, 127, 7, 31], "width": [32, 64],
              "buf": [64, 32, 128], "signed": [False, True]},
    "spill": {"what": ["scalar_masked", "scalar", "pkt_ptr", "ctx_ptr", "map_ptr", "scalar32"],
              "width": [64, 32, 16], "use": ["index", "deref"]},
}

# how likely each kind is picked, per program type (kinds a type cannot use get weight 0 except
# for a small chance: using them is then a reject case of its own)
KIND_WEIGHTS = {
    "pkt_const": 3, "pkt_var": 3, "map": 3, "stack": 3, "loop": 2, "skb_load_bytes": 2, "probe_read": 2,
    "ringbuf": 2, "perf_output": 1, "subprog": 2, "ctx_narrow": 2, "alu32": 3, "spill": 2,
}


@dataclass(slots=True)
class Block:
    kind: str
    params: dict[str, Any]


@dataclass(slots=True)
class CProgram:
    prog_type: str
    ret: str  # "const", "masked", "acc"
    blocks: list[Block] = field(default_factory=list)

    def describe(self) -> str:
        return f"{self.prog_type} ret={self.ret} " + "; ".join(
            f"{b.kind}({', '.join(f'{k}={v}' for k, v in b.params.items())})" for b in self.blocks)


def kind_allowed(kind: str, prog_type: str) -> bool:
    """Whether `kind` is a natural fit for `prog_type` (others are drawn rarely, as reject cases)."""
    if kind in ("pkt_const", "pkt_var"):
        return prog_type in PACKET_TYPES
    if kind == "skb_load_bytes":
        return prog_type in SKB_TYPES
    if kind == "probe_read":
        return prog_type == "kprobe"
    if kind == "spill":
        return True
    return True


UNPRIVILEGED_TYPES = ("socket", "cgroup_skb")  # what bpf_prog_load() lets a loader without CAP_BPF load


def random_cprogram(rng: random.Random, unprivileged: bool = False) -> CProgram:
    prog_type = rng.choice(UNPRIVILEGED_TYPES if unprivileged else list(PROG_TYPES))
    kinds = list(KIND_WEIGHTS)
    weights = [KIND_WEIGHTS[k] * (1.0 if kind_allowed(k, prog_type) else 0.08) for k in kinds]
    blocks = []
    for _ in range(rng.choice([1, 1, 2, 2, 3])):
        kind = rng.choices(kinds, weights)[0]
        blocks.append(Block(kind, {name: rng.choice(choices) for name, choices in PARAMS[kind].items()}))
    ret = rng.choice(["const", "const", "masked", "acc"])
    return CProgram(prog_type, ret, blocks)


UTYPE = {1: "__u8", 2: "__u16", 4: "__u32", 8: "__u64"}


def _exit(n: int) -> str:
    return "return 0;"


def _rand_u32() -> str:
    return "bpf_get_prandom_u32()"


def _barrier(name: str) -> str:
    return f'asm volatile("" : : "r"({name}) : "memory");'


def render_pkt_const(n: int, p: dict[str, Any], t: dict[str, str]) -> tuple[str, str]:
    end = p["off"] + p["size"] + p["slack"]
    ty = UTYPE[p["size"]]
    access = (f"*({ty} *)(data + {p['off']}) = ({ty})acc;" if p["write"]
              else f"acc += *(volatile {ty} *)(data + {p['off']});")
    return "", f"if (data + {end} {p['cmp']} data_end) {_exit(n)}\n{access}"


def _var_source(n: int, src: str, prog_type: str) -> str:
    if src == "ctx":
        field_name = "ingress_ifindex" if prog_type == "xdp" else "len"
        return f"ctx->{field_name}" if prog_type in PROG_TYPES and PROG_TYPES[prog_type]["pkt"] else _rand_u32()
    if src == "pkt":
        return "(data + 1 <= data_end ? *(__u8 *)data : 0)"
    return _rand_u32()


def render_pkt_var(n: int, p: dict[str, Any], t: dict[str, str]) -> tuple[str, str]:
    v, ptr = f"v{n}", f"p{n}"
    lines = [f"__u32 {v} = {_var_source(n, p['src'], t['name'])};"]
    if p["mask"] is not None:
        lines.append(f"{v} &= {p['mask']:#x};")
    if p["limit"] is not None:
        lines.append(f"if ({v} > {p['limit']}) {_exit(n)}")
    ty = UTYPE[p["size"]]
    if p["check"] == "before":
        lines.append(f"if (data + {p['base'] + p['size']} > data_end) {_exit(n)}")
    lines.append(f"__u8 *{ptr} = (__u8 *)data + {p['base']} + {v};")
    if p["check"] == "after":
        lines.append(f"if ((void *)({ptr} + {p['size']}) > data_end) {_exit(n)}")
    lines.append(f"acc += *({ty} *){ptr};")
    return "", "\n".join(lines)


def _index_expr(n: int, kind: str, limit: int, size: int) -> tuple[list[str], str]:
    """Code computing a variable index meant for a buffer of `limit` bytes read `size` at a time."""
    i = f"i{n}"
    bound = max(limit - size, 0)
    mask = (1 << max(bound.bit_length() - 1, 0)) - 1 if bound else 0
    if kind == "const":
        return [], str(bound)
    if kind == "masked":
        return [f"__u32 {i} = {_rand_u32()} & {mask};"], i
    if kind == "masked_big":
        return [f"__u32 {i} = {_rand_u32()} & {mask * 2 + 1};"], i
    if kind == "checked":
        return [f"__u32 {i} = {_rand_u32()};", f"if ({i} > {bound}) {_exit(n)}"], i
    if kind == "checked_off1":
        return [f"__u32 {i} = {_rand_u32()};", f"if ({i} > {bound + 1}) {_exit(n)}"], i
    if kind == "signed":
        return [f"int {i} = (int){_rand_u32()};", f"if ({i} > {bound}) {_exit(n)}"], i
    if kind == "signed_lowcheck":
        return [f"int {i} = (int){_rand_u32()};", f"if ({i} > {bound} || {i} < 0) {_exit(n)}"], i
    return [f"__u32 {i} = {_rand_u32()};"], i


MAP_DEFS = {
    "array": ("arr", "BPF_MAP_TYPE_ARRAY", 64, 16),
    "hash": ("hsh", "BPF_MAP_TYPE_HASH", 64, 16),
}


def _map_def(kind: str) -> str:
    name, map_type, value_size, entries = MAP_DEFS[kind]
    return (f"struct {{\n\t__uint(type, {map_type});\n\t__uint(max_entries, {entries});\n"
            f"\t__type(key, __u32);\n\t__type(value, struct val64);\n}} {name} SEC(\".maps\");")


def render_map(n: int, p: dict[str, Any], t: dict[str, str]) -> tuple[str, str]:
    name, _, value_size, entries = MAP_DEFS[p["map"]]
    k, mv = f"k{n}", f"mv{n}"
    key = {"const0": "0", "const_big": str(entries + 3), "var_masked": f"{_rand_u32()} & {entries - 1}",
           "var": _rand_u32()}[p["key"]]
    lines = [f"__u32 {k} = {key};", f"struct val64 *{mv} = bpf_map_lookup_elem(&{name}, &{k});"]
    if p["null_check"]:
        lines.append(f"if (!{mv}) {_exit(n)}")
    limit = value_size - p["off"] if p["idx"] != "const" else value_size
    pre, idx = _index_expr(n, p["idx"], max(limit, 1), p["size"])
    lines += pre
    base = f"(char *){mv}->b + {p['off']}" if p["idx"] != "const" else f"(char *){mv}->b + {p['off']}"
    index = "" if p["idx"] == "const" else f" + {idx}"
    ty = UTYPE[p["size"]]
    target = f"*({ty} *)({base}{index})"
    lines.append(f"{target} = ({ty})acc;" if p["write"] else f"acc += {target};")
    return _map_def(p["map"]), "\n".join(lines)


def render_stack(n: int, p: dict[str, Any], t: dict[str, str]) -> tuple[str, str]:
    s = f"s{n}"
    lines = [f"__u8 {s}[{p['size']}];"]
    if p["init"] == "memset":
        lines.append(f"__builtin_memset({s}, 0, sizeof({s}));")
    elif p["init"] == "partial":
        lines.append(f"__builtin_memset({s}, 1, {p['size'] // 2});")
    lines.append(_barrier(s))
    pre, idx = _index_expr(n, p["idx"], p["size"] // p["esize"], 1)
    lines += pre
    ty = UTYPE[p["esize"]]
    target = f"(({ty} *){s})[{idx}]"
    lines.append(f"{target} = ({ty})acc;" if p["write"] else f"acc += {target};")
    lines.append(_barrier(s))
    return "", "\n".join(lines)


def render_loop(n: int, p: dict[str, Any], t: dict[str, str]) -> tuple[str, str]:
    i, lim = f"j{n}", f"lim{n}"
    bound = p["bound"]
    mask = (1 << max(bound.bit_length() - 1, 0)) - 1
    lines = [{"const": f"__u32 {lim} = {bound};", "var_masked": f"__u32 {lim} = {_rand_u32()} & {mask};",
              "var_checked": f"__u32 {lim} = {_rand_u32()};", "var": f"__u32 {lim} = {_rand_u32()};"}[p["lim"]]]
    if p["lim"] == "var_checked":
        lines.append(f"if ({lim} > {bound}) {_exit(n)}")
    body = {
        "acc": f"acc = acc * 3 + {i};",
        "stack": f"acc += ls{n}[{i} & 15];",
        "pkt_step": f"if (data + {i} + 1 > data_end) break; acc += *((__u8 *)data + {i});",
    }[p["body"]]
    if p["body"] == "stack":
        lines = [f"__u8 ls{n}[16];", f"__builtin_memset(ls{n}, 2, 16);", _barrier(f"ls{n}")] + lines
    if p["body"] == "pkt_step" and not t["pkt"]:
        body = "acc += 1;"
    if p["style"] == "for":
        lines.append(f"for (__u32 {i} = 0; {i} < {lim}; {i}++) {{ {body} }}")
    else:
        lines.append(f"__u32 {i} = 0;\nwhile (1) {{ if ({i} >= {lim}) break; {body} {i}++; }}")
    return "", "\n".join(lines)


def _length_expr(n: int, kind: str, buf: int) -> tuple[list[str], str]:
    ln = f"ln{n}"
    if kind == "const_ok":
        return [], str(buf)
    if kind == "const_big":
        return [], str(buf + 1)
    if kind == "var_masked":
        return [f"__u32 {ln} = ({_rand_u32()} & {buf - 1}) + 1;"], ln
    if kind == "var_checked":
        return [f"__u32 {ln} = {_rand_u32()};", f"if ({ln} > {buf} || {ln} < 1) {_exit(n)}"], ln
    if kind == "var_zero_ok":
        return [f"__u32 {ln} = {_rand_u32()} & {buf - 1};"], ln
    return [f"__u32 {ln} = {_rand_u32()};"], ln


def render_skb_load_bytes(n: int, p: dict[str, Any], t: dict[str, str]) -> tuple[str, str]:
    b = f"lb{n}"
    pre, ln = _length_expr(n, p["len"], p["buf"])
    lines = [f"__u8 {b}[{p['buf']}] = {{}};", *pre,
             f"if (bpf_skb_load_bytes(ctx, {p['off']}, {b}, {ln})) {_exit(n)}"]
    lines.append(f"acc += {b}[0];" if p["use"] == "first" else f"acc += {b}[{_rand_u32()} & {p['buf'] - 1}];")
    return "", "\n".join(lines)


def render_probe_read(n: int, p: dict[str, Any], t: dict[str, str]) -> tuple[str, str]:
    b = f"pb{n}"
    pre, ln = _length_expr(n, p["len"], p["buf"])
    fn = {"kernel": "bpf_probe_read_kernel", "user": "bpf_probe_read_user", "str": "bpf_probe_read_kernel_str"}
    # x86-64 struct pt_regs: di is the 15th unsigned long (arch/x86/include/asm/ptrace.h)
    src = "*(void **)((char *)ctx + 112)" if t["name"] == "kprobe" else "(void *)(long)acc"
    lines = [f"__u8 {b}[{p['buf']}] = {{}};", *pre, f"{fn[p['fn']]}({b}, {ln}, {src});", f"acc += {b}[1];"]
    return "", "\n".join(lines)


RINGBUF_DEF = ("struct {\n\t__uint(type, BPF_MAP_TYPE_RINGBUF);\n\t__uint(max_entries, 4096);\n"
               "} rb SEC(\".maps\");")
PERF_DEF = ("struct {\n\t__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);\n\t__uint(key_size, 4);\n"
            "\t__uint(value_size, 4);\n} pe SEC(\".maps\");")


def render_ringbuf(n: int, p: dict[str, Any], t: dict[str, str]) -> tuple[str, str]:
    r = f"r{n}"
    size = p["size"]
    lines = []
    if size == "var_masked":
        lines.append(f"__u32 sz{n} = ({_rand_u32()} & 63) + 16;")
        size_expr, min_size = f"sz{n}", 16
    elif size == "var":
        lines.append(f"__u32 sz{n} = {_rand_u32()};")
        size_expr, min_size = f"sz{n}", 0
    else:
        size_expr, min_size = str(size), int(size)
    lines.append(f"__u8 *{r} = bpf_ringbuf_reserve(&rb, {size_expr}, 0);")
    if p["null_check"]:
        lines.append(f"if (!{r}) {_exit(n)}")
    lines.append(f"*(__u64 *)({r} + {p['write_off']}) = acc;")
    finish = {
        "submit": f"bpf_ringbuf_submit({r}, 0);",
        "discard": f"bpf_ringbuf_discard({r}, 0);",
        "none": "",
        "double": f"bpf_ringbuf_submit({r}, 0);\nbpf_ringbuf_discard({r}, 0);",
        "conditional": f"if (acc & 1) bpf_ringbuf_submit({r}, 0);",
    }[p["finish"]]
    del min_size
    lines.append(finish)
    return RINGBUF_DEF, "\n".join(lines)


def render_perf_output(n: int, p: dict[str, Any], t: dict[str, str]) -> tuple[str, str]:
    b = f"eb{n}"
    size = 16 if p["size"] == "var_masked" else p["size"]
    lines = [f"__u64 {b}[{size // 8}] = {{}};", f"{b}[0] = acc;"]
    length = {"exact": f"sizeof({b})", "big": f"sizeof({b}) + 8", "zero": "0"}[p["len"]]
    if p["size"] == "var_masked":
        lines.append(f"__u32 pl{n} = ({_rand_u32()} & 15) + 1;")
        length = f"pl{n}"
    flags = "BPF_F_CURRENT_CPU" if p["flags"] == "cpu" else "0"
    lines.append(f"bpf_perf_event_output(ctx, &pe, {flags}, {b}, {length});")
    return PERF_DEF, "\n".join(lines)


def render_subprog(n: int, p: dict[str, Any], t: dict[str, str]) -> tuple[str, str]:
    fname = f"f{n}"
    storage = "static __noinline" if p["kind"] == "static" else "__noinline"
    arg = p["arg"]
    ctx_type = t["ctx"]
    if arg == "scalar":
        param, call_arg = "__u32 x", "(__u32)acc"
        body = {"plain": "return x * 2 + 1;", "index": "__u8 b[16] = {}; " + _barrier("b") + " return b[x & 15];",
                "null_check": "if (x > 100) return 0; return x;"}[p["use"]]
    elif arg == "ctx":
        param, call_arg = f"{ctx_type} *c", "ctx"
        body = "return c != 0;" if p["use"] == "null_check" else "return (int)(long)c & 1;"
        if t["name"] in ("xdp",):
            body = "return c->ingress_ifindex & 7;"
        elif t["name"] in SKB_TYPES:
            body = "return c->len & 7;" if p["use"] != "index" else "return c->cb[c->len & 7];"
    elif arg == "stackptr":
        param, call_arg = "__u8 *q", f"sb{n}"
        body = {"plain": "return q[3];", "index": "return q[q[0] & 7];",
                "null_check": "if (!q) return 0; return q[3];"}[p["use"]]
    elif arg == "pktptr":
        param, call_arg = "__u8 *q", "data" if t["pkt"] else f"sb{n}"
        body = {"plain": "return q[0];", "index": "return q[1];", "null_check": "if (!q) return 0; return q[0];"}[
            p["use"]]
    else:
        param, call_arg = "struct val64 *q", f"ma{n}"
        body = {"plain": "return q->b[2];", "index": "return q->b[q->b[0] & 63];",
                "null_check": "if (!q) return 0; return q->b[2];"}[p["use"]]
    top = f"{storage} int {fname}({param})\n{{\n\t{body}\n}}"
    if arg == "mapval":
        top = _map_def("array") + "\n" + top
    pre = []
    if arg == "stackptr" or (arg == "pktptr" and not t["pkt"]):
        pre = [f"__u8 sb{n}[8] = {{1, 2, 3, 4, 5, 6, 7, 8}};", _barrier(f"sb{n}")]
    if arg == "mapval":
        pre = [f"__u32 mk{n} = 0;", f"struct val64 *ma{n} = bpf_map_lookup_elem(&arr, &mk{n});",
               f"if (!ma{n}) {_exit(n)}"]
    use = {"acc": f"acc += {fname}({call_arg});",
           "index": f"{{ __u8 rb{n}[8] = {{}}; {_barrier(f'rb{n}')} acc += rb{n}[{fname}({call_arg})]; }}"}
    return top, "\n".join(pre + [use[p["ret_use"]]])


CTX_SIZES = {"xdp": 24, "tc": 192, "cgroup_skb": 192, "socket": 192, "kprobe": 168}


def render_ctx_narrow(n: int, p: dict[str, Any], t: dict[str, str]) -> tuple[str, str]:
    off = p["off"] % (CTX_SIZES[t["name"]] + 8)
    ty = UTYPE[p["size"]]
    target = f"*(volatile {ty} *)((char *)ctx + {off})"
    return "", f"{target} = ({ty})acc;" if p["write"] else f"acc += {target};"


def render_alu32(n: int, p: dict[str, Any], t: dict[str, str]) -> tuple[str, str]:
    x, b = f"x{n}", f"ab{n}"
    ty = ("int" if p["signed"] else "__u32") if p["width"] == 32 else ("long" if p["signed"] else "__u64")
    lines = [f"__u8 {b}[{p['buf']}];", f"__builtin_memset({b}, 3, sizeof({b}));", _barrier(b),
             f"{ty} {x} = ({ty}){_rand_u32()};", f"{x} = {x} {p['op1']} {p['k1']};",
             f"{x} = {x} {p['op2']} {p['k2']};", f"acc += {b}[{x}];", _barrier(b)]
    return "", "\n".join(lines)


def render_spill(n: int, p: dict[str, Any], t: dict[str, str]) -> tuple[str, str]:
    ty = {64: "__u64", 32: "__u32", 16: "__u16"}[p["width"]]
    what = p["what"]
    sv, b = f"sv{n}", f"spb{n}"
    lines = [f"__u8 {b}[64];", f"__builtin_memset({b}, 4, sizeof({b}));", _barrier(b)]
    if what.startswith("scalar"):
        value = f"{_rand_u32()} & 63" if what in ("scalar_masked", "scalar32") else _rand_u32()
        vty = "__u32" if what == "scalar32" else ty
        lines.append(f"volatile {vty} {sv} = {value};")
        lines.append(f"acc += {b}[{sv}];" if p["use"] == "index" else f"acc += *(__u64 *)({b} + ({sv} & 56));")
        return "", "\n".join(lines)
    if what == "pkt_ptr" and t["pkt"]:
        lines += [f"if (data + 8 > data_end) {_exit(n)}", f"void * volatile {sv} = data;",
                  f"acc += *(__u8 *){sv};"]
    elif what == "map_ptr":
        lines += [f"__u32 sk{n} = 0;", f"struct val64 * volatile {sv} = bpf_map_lookup_elem(&arr, &sk{n});",
                  f"if (!{sv}) {_exit(n)}", f"acc += {sv}->b[5];"]
        return _map_def("array"), "\n".join(lines)
    else:
        lines += [f"void * volatile {sv} = ctx;", f"acc += *(volatile __u32 *)((char *){sv} + 0);"]
    return "", "\n".join(lines)


RENDERERS: dict[str, Callable[[int, dict[str, Any], dict[str, str]], tuple[str, str]]] = {
    "pkt_const": render_pkt_const, "pkt_var": render_pkt_var, "map": render_map, "stack": render_stack,
    "loop": render_loop, "skb_load_bytes": render_skb_load_bytes, "probe_read": render_probe_read,
    "ringbuf": render_ringbuf, "perf_output": render_perf_output, "subprog": render_subprog,
    "ctx_narrow": render_ctx_narrow, "alu32": render_alu32, "spill": render_spill,
}

C_PRELUDE = """#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

struct val64 {
\t__u8 b[64];
};
"""


def render_c(prog: CProgram) -> str:
    info = dict(PROG_TYPES[prog.prog_type], name=prog.prog_type)
    tops: list[str] = []
    body: list[str] = ["__u64 acc = 0;"]
    if info["pkt"]:
        body = [f"void *data = (void *)(long){info['pkt']};",
                f"void *data_end = (void *)(long){info['end']};"] + body
    elif any(b.kind in ("pkt_const", "pkt_var") for b in prog.blocks):
        # a type without direct packet access that uses the packet anyway (a reject case)
        body = ["void *data = (void *)(long)((struct __sk_buff *)ctx)->data;",
                "void *data_end = (void *)(long)((struct __sk_buff *)ctx)->data_end;"] + body
    else:
        body = ["void *data = 0;", "void *data_end = 0;"] + body
    for n, block in enumerate(prog.blocks):
        top, code = RENDERERS[block.kind](n, block.params, info)
        if top and top not in tops:
            tops.append(top)
        body.append(f"/* {block.kind} */\n{{\n{code}\n}}")
    ret = {"const": "return 0;", "masked": "return acc & 1;", "acc": "return acc;"}[prog.ret]
    if prog.prog_type == "cgroup_skb" and prog.ret == "const":
        ret = "return 1;"
    indented = "\n".join("\t" + line for chunk in body for line in chunk.splitlines())
    return (C_PRELUDE + "\n".join(tops) + ("\n\n" if tops else "\n")
            + f'SEC("{info["sec"]}")\nint {PROGRAM_NAME}({info["ctx"]} *ctx)\n{{\n{indented}\n\t{ret}\n}}\n\n'
            + 'char LICENSE[] SEC("license") = "GPL";\n')


def compile_c(source: str, out: Path) -> str | None:
    """Compile `source` to `out`; None on success, else clang's first error line."""
    src = out.with_suffix(".c")
    src.write_text(source)
    multiarch = Path("/usr/include/x86_64-linux-gnu")
    flags = ["-I", str(multiarch)] if multiarch.is_dir() else []
    proc = subprocess.run([CLANG, *CFLAGS, *flags, "-c", str(src), "-o", str(out)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        errors = [line for line in proc.stderr.splitlines() if "error" in line]
        return errors[0] if errors else proc.stderr.strip()[:200]
    return None


# ---------------------------------------------------------------------------------------------
# Raw instruction streams
#
# r6, r7: unknown u32 (bpf_get_prandom_u32), r8: a ctx field (xdp ingress_ifindex), r9: ctx.
# Then random units on r6..r8 (ALU64/ALU32 with immediate or register, conditional forward jumps
# over a few units), then one access through r6: a 64-byte zeroed stack buffer or the packet
# after a 64-byte data_end check.

ALU_OPS = [op.BPF_ADD, op.BPF_SUB, op.BPF_MUL, op.BPF_DIV, op.BPF_OR, op.BPF_AND, op.BPF_LSH, op.BPF_RSH,
           op.BPF_NEG, op.BPF_MOD, op.BPF_XOR, op.BPF_MOV, op.BPF_ARSH]
JMP_OPS = [op.BPF_JEQ, op.BPF_JGT, op.BPF_JGE, op.BPF_JSET, op.BPF_JNE, op.BPF_JSGT, op.BPF_JSGE,
           op.BPF_JLT, op.BPF_JLE, op.BPF_JSLT, op.BPF_JSLE]
SCALAR_REGS = (6, 7, 8)
INTERESTING_IMMS = [0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 63, 64, 255, 256, 0x7fff, 0xffff, 0x7fffffff, -1, -2,
                    -8, -64, -0x80000000]


@dataclass(frozen=True, slots=True)
class Unit:
    """One generated step: an ALU op (`jmp` False) or a conditional jump over `skip` later units."""

    jmp: bool
    wide: bool  # ALU64 / JMP (else ALU32 / JMP32)
    code: int  # operation
    dst: int
    src: int | None  # register operand, or None for the immediate
    imm: int
    skip: int = 0

    def describe(self) -> str:
        operand = f"r{self.src}" if self.src is not None else str(self.imm)
        name = (JMP_NAMES if self.jmp else ALU_NAMES).get(self.code, hex(self.code))
        width = "" if self.wide else "32"
        if self.jmp:
            return f"if{width} r{self.dst} {name} {operand} skip {self.skip}"
        return f"r{self.dst} {name}{width}= {operand}"


ALU_NAMES = {op.BPF_ADD: "+", op.BPF_SUB: "-", op.BPF_MUL: "*", op.BPF_DIV: "/", op.BPF_OR: "|",
             op.BPF_AND: "&", op.BPF_LSH: "<<", op.BPF_RSH: ">>", op.BPF_NEG: "neg", op.BPF_MOD: "%",
             op.BPF_XOR: "^", op.BPF_MOV: "mov", op.BPF_ARSH: "s>>"}
JMP_NAMES = {op.BPF_JEQ: "==", op.BPF_JGT: ">", op.BPF_JGE: ">=", op.BPF_JSET: "&", op.BPF_JNE: "!=",
             op.BPF_JSGT: "s>", op.BPF_JSGE: "s>=", op.BPF_JLT: "<", op.BPF_JLE: "<=", op.BPF_JSLT: "s<",
             op.BPF_JSLE: "s<="}


@dataclass(slots=True)
class RawProgram:
    target: str  # "stack" or "packet"
    units: list[Unit]
    access_size: int = 1

    def describe(self) -> str:
        return f"raw {self.target} size={self.access_size}: " + "; ".join(u.describe() for u in self.units)


def random_unit(rng: random.Random, index: int, total: int) -> Unit:
    wide = rng.random() < 0.6
    dst = rng.choice(SCALAR_REGS)
    use_reg = rng.random() < 0.25
    src = rng.choice(SCALAR_REGS) if use_reg else None
    imm = rng.choice(INTERESTING_IMMS) if rng.random() < 0.7 else rng.randint(-(1 << 31), (1 << 31) - 1)
    if rng.random() < 0.35 and index < total - 1:
        code = rng.choice(JMP_OPS)
        return Unit(True, wide, code, dst, src, imm, rng.randint(1, min(3, total - index - 1)))
    code = rng.choice(ALU_OPS + [op.BPF_AND, op.BPF_AND, op.BPF_RSH])  # bias towards bounding ops
    if code in (op.BPF_LSH, op.BPF_RSH, op.BPF_ARSH) and src is None:
        imm = rng.randrange(64 if wide else 32)
    if code == op.BPF_NEG:
        src, imm = None, 0
    if code in (op.BPF_DIV, op.BPF_MOD) and src is None and imm == 0:
        imm = rng.choice([3, 7, 64])
    return Unit(False, wide, code, dst, src, imm)


def random_raw(rng: random.Random) -> RawProgram:
    count = rng.randint(1, 8)
    units = [random_unit(rng, i, count) for i in range(count)]
    target = rng.choice(["stack", "packet"])
    size = rng.choice([1, 1, 1, 1, 2, 4, 8] if target == "stack" else [1, 1, 2, 4, 8])
    room = 64 - size  # the largest safe offset
    # end with a bounding step most of the time, so that about half the programs are safe
    roll = rng.random()
    if roll < 0.4:
        mask = rng.choice([m for m in (7, 15, 31, 63, 127) if m <= room] + [room | (room >> 1)])
        units.append(Unit(False, rng.random() < 0.5, op.BPF_AND, 6, None, mask))
    elif roll < 0.8:
        units.append(Unit(True, rng.random() < 0.5, rng.choice([op.BPF_JGT, op.BPF_JGE, op.BPF_JSGT]), 6, None,
                          rng.choice([room - 1, room, room + 1]), 0))
        if rng.random() < 0.5:  # and a lower bound for the signed checks
            units.append(Unit(True, rng.random() < 0.5, op.BPF_JSLT, 6, None, rng.choice([0, -1, 1]), 0))
    if size > 1 and target == "stack" and rng.random() < 0.7:
        units.append(Unit(False, True, op.BPF_AND, 6, None, -size))
    return RawProgram(target, units, size)


def _unit_insn(unit: Unit, offset: int) -> Insn:
    if unit.jmp:
        if unit.src is None:
            return (asm.jmp_imm if unit.wide else asm.jmp32_imm)(unit.code, unit.dst, unit.imm, offset)
        return (asm.jmp_reg if unit.wide else asm.jmp32_reg)(unit.code, unit.dst, unit.src, offset)
    if unit.src is None:
        return (asm.alu64_imm if unit.wide else asm.alu32_imm)(unit.code, unit.dst, unit.imm)
    return (asm.alu64_reg if unit.wide else asm.alu32_reg)(unit.code, unit.dst, unit.src)


def raw_insns(prog: RawProgram) -> list[Insn]:
    """The program's instructions. A jump with skip 0 is a bounds check that leaves (exit 0)."""
    exit_path = [asm.mov64_imm(0, 0), asm.exit_insn()]
    head = [asm.mov64_reg(9, 1), asm.call_helper(7), asm.mov64_reg(6, 0), asm.call_helper(7),
            asm.mov64_reg(7, 0), asm.ldx_mem(op.BPF_W, 8, 9, 12)]
    body_len = len(prog.units)
    size_code = {1: op.BPF_B, 2: op.BPF_H, 4: op.BPF_W, 8: op.BPF_DW}[prog.access_size]
    if prog.target == "stack":
        access = [asm.st_mem(op.BPF_DW, 10, -8 * k, 0) for k in range(1, 9)]
        access += [asm.mov64_reg(1, 10), asm.alu64_imm(op.BPF_ADD, 1, -64), asm.alu64_reg(op.BPF_ADD, 1, 6),
                   asm.ldx_mem(size_code, 0, 1, 0), asm.exit_insn()]
    else:
        access = [asm.ldx_mem(op.BPF_W, 2, 9, 0), asm.ldx_mem(op.BPF_W, 3, 9, 4), asm.mov64_reg(4, 2),
                  asm.alu64_imm(op.BPF_ADD, 4, 64), asm.jmp_reg(op.BPF_JGT, 4, 3, 4),
                  asm.alu64_reg(op.BPF_ADD, 2, 6), asm.ldx_mem(size_code, 0, 2, 0),
                  asm.alu64_imm(op.BPF_AND, 0, 1), asm.exit_insn()]
    # each unit is one instruction; a jump with skip 0 goes to the shared early exit at the end
    early_exit_at = body_len + len(access)  # relative to the first unit
    insns = list(head)
    for i, unit in enumerate(prog.units):
        target = min(i + 1 + unit.skip, body_len) if unit.skip else early_exit_at
        insns.append(_unit_insn(unit, target - i - 1))
    insns += access
    if prog.target == "packet" or any(u.jmp and not u.skip for u in prog.units):
        insns += exit_path
    return insns


# ELF64 relocatable object for EM_BPF (System V gABI; EM_BPF = 247 from include/uapi/linux/elf-em.h)
_EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
_SHDR = struct.Struct("<IIQQQQIIQQ")
_SYM = struct.Struct("<IBBHQQ")


def elf_object(section: str, name: str, insns: list[Insn]) -> bytes:
    """A minimal BPF object: one program section holding `name`, a GPL license, symbols. No BTF."""
    code = asm.encode(insns)
    license_bytes = b"GPL\0"
    strtab = b"\0" + name.encode() + b"\0LICENSE\0"
    syms = (_SYM.pack(0, 0, 0, 0, 0, 0)
            + _SYM.pack(1, (1 << 4) | 2, 0, 1, 0, len(code))  # GLOBAL FUNC in section 1
            + _SYM.pack(2 + len(name), (1 << 4) | 1, 0, 2, 0, len(license_bytes)))  # GLOBAL OBJECT
    names = [b"", section.encode(), b"license", b".symtab", b".strtab", b".shstrtab"]
    shstrtab = b"\0".join(names) + b"\0"
    name_offsets = [sum(len(n) + 1 for n in names[:i]) for i in range(len(names))]
    # (type, flags, data, link, info, align, entsize)
    sections = [(1, 0x6, code, 0, 0, 8, 0), (1, 0x3, license_bytes, 0, 0, 1, 0),
                (2, 0, syms, 4, 1, 8, _SYM.size), (3, 0, strtab, 0, 0, 1, 0), (3, 0, shstrtab, 0, 0, 1, 0)]
    body = bytearray(_EHDR.size)
    headers = [_SHDR.pack(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)]
    for i, (sh_type, flags, data, link, info, align, entsize) in enumerate(sections, start=1):
        while len(body) % align:
            body.append(0)
        headers.append(_SHDR.pack(name_offsets[i], sh_type, flags, 0, len(body), len(data), link, info, align,
                                  entsize))
        body += data
    while len(body) % 8:
        body.append(0)
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8
    body[: _EHDR.size] = _EHDR.pack(ident, 1, 247, 1, 0, 0, len(body), 0, _EHDR.size, 0, 0, _SHDR.size,
                                    len(headers), len(headers) - 1)
    return bytes(body) + b"".join(headers)


def write_raw(prog: RawProgram, out: Path) -> None:
    out.write_bytes(elf_object("xdp", PROGRAM_NAME, raw_insns(prog)))
    out.with_suffix(".asm").write_text(raw_listing(prog))


def raw_listing(prog: RawProgram) -> str:
    from verifier.isa.disasm import disasm

    lines = [f"; {prog.describe()}"]
    try:
        lines += [disasm(insn, idx) for idx, insn in enumerate(raw_insns(prog))]
    except Exception as exc:  # a listing is a convenience: never fail a run over it
        lines.append(f"; (disassembly failed: {exc})")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Judging one program


@dataclass(slots=True)
class Outcome:
    kernel: str  # accept / reject / load_error / env_reject / compile_error
    kernel_msg: str
    ours: str  # accept / reject / error / missing
    ours_msg: str
    kernel_log: str = ""

    @property
    def comparable(self) -> bool:
        return self.kernel in ("accept", "reject") and self.ours in ("accept", "reject", "error", "missing")

    @property
    def verdicts_differ(self) -> bool:
        return self.comparable and self.kernel != self.ours

    @property
    def messages_differ(self) -> bool:
        if not (self.comparable and self.kernel == self.ours == "reject"):
            return False
        kernel, ours = normalize(self.kernel_msg), normalize(self.ours_msg)
        # some kernel messages are printed glued to the instruction line before them
        return kernel != ours and not (ours and kernel.endswith(" " + ours))

    @property
    def disagrees(self) -> bool:
        return self.verdicts_differ or self.messages_differ

    @property
    def false_accept(self) -> bool:
        return self.kernel == "reject" and self.ours == "accept"

    def key(self) -> tuple[str, str, str, str]:
        """The disagreement's class: verdicts and the shapes of both messages."""
        return (self.kernel, self.ours, shape(self.kernel_msg) if self.kernel == "reject" else "",
                shape(self.ours_msg) if self.ours != "accept" else "")


def normalize(msg: str) -> str:
    return " ".join(msg.split()).strip()


def shape(msg: str) -> str:
    """A message with its numbers and register names blanked: the class of a rejection."""
    text = re.sub(r"\bR\d+\b", "R#", normalize(msg))
    text = re.sub(r"-?\b(0x[0-9a-f]+|\d+)\b", "N", text)
    text = re.sub(r"\([^)]*\)", "(...)", text)
    return text[:160]


def _kernel_version() -> str:
    """The running kernel's release: its own build's facts when verifier/rules/builds.py lists it."""
    from verifier.oracle import host_release

    return host_release()


class Judge:
    """Loads programs with the kernel and checks them with bpfcheck."""

    def __init__(self, timeout: float = 30.0, unprivileged: bool = False) -> None:
        from verifier.oracle.differential import default_options, engine_stages

        self.stages = engine_stages()
        if self.stages is None:
            raise RuntimeError("bpfcheck engine not available")
        self.options = replace(default_options(timeout=timeout), unprivileged=unprivileged)
        self.unprivileged = unprivileged  # the kernel loads as test_loader's unprivileged runs
        self.version = _kernel_version()

    def judge(self, obj: Path) -> Outcome:
        """The live kernel's answer next to bpfcheck's at the running kernel's rules."""
        from verifier.oracle import LoadOptions, load_with_kernel
        from verifier.oracle.unpriv import unprivileged_verdict

        try:
            kv = load_with_kernel(obj, PROGRAM_NAME, isolate=False, load=LoadOptions(unprivileged=self.unprivileged))
        except InputError as exc:
            return Outcome("load_error", str(exc), "missing", "")
        verdict = unprivileged_verdict(kv) if self.unprivileged else kv.verdict
        return self.judge_recorded(obj, verdict, kv.msg, self.version, kv.log)

    def judge_recorded(self, obj: Path, verdict: str, msg: str, kernel: str, log: str = "") -> Outcome:
        """A recorded kernel answer next to bpfcheck's at that kernel's rules (`kernel`: its release)."""
        from verifier.oracle.differential import check_program

        try:
            ours = check_program(obj, PROGRAM_NAME, kernel, self.stages, self.options)
        except Exception as exc:  # a crash of bpfcheck is a finding too
            return Outcome(verdict, msg, "error", f"{type(exc).__name__}: {exc}", log)
        if ours is None:
            return Outcome(verdict, msg, "missing", "", log)
        message = ours.findings[0].kernel_message if ours.findings else ""
        ours_verdict = ours.verdict if ours.verdict in ("accept", "reject") else "error"
        return Outcome(verdict, msg, ours_verdict, message or "", log)


# ---------------------------------------------------------------------------------------------
# Cases, shrinking, saving


@dataclass(slots=True)
class Case:
    """One generated program of either generator."""

    program: CProgram | RawProgram

    @property
    def kind(self) -> str:
        return "c" if isinstance(self.program, CProgram) else "raw"

    def build(self, out: Path) -> str | None:
        """Write the object to `out`; None on success, else why it could not be built."""
        if isinstance(self.program, CProgram):
            return compile_c(render_c(self.program), out)
        write_raw(self.program, out)
        return None

    def describe(self) -> str:
        return self.program.describe()

    def to_json(self) -> dict[str, Any]:
        if isinstance(self.program, CProgram):
            return {"generator": "c", "prog_type": self.program.prog_type, "ret": self.program.ret,
                    "blocks": [{"kind": b.kind, "params": b.params} for b in self.program.blocks]}
        return {"generator": "raw", "target": self.program.target, "access_size": self.program.access_size,
                "units": [[u.jmp, u.wide, u.code, u.dst, u.src, u.imm, u.skip] for u in self.program.units]}

    @staticmethod
    def from_json(data: dict[str, Any]) -> Case:
        if data["generator"] == "c":
            blocks = [Block(b["kind"], dict(b["params"])) for b in data["blocks"]]
            return Case(CProgram(data["prog_type"], data["ret"], blocks))
        units = [Unit(bool(u[0]), bool(u[1]), u[2], u[3], u[4], u[5], u[6]) for u in data["units"]]
        return Case(RawProgram(data["target"], units, data["access_size"]))


def evaluate(case: Case, judge: Judge, workdir: Path, name: str = "case") -> Outcome:
    out = workdir / f"{name}.o"
    error = case.build(out)
    if error is not None:
        return Outcome("compile_error", error, "missing", "")
    return judge.judge(out)


def _smaller_variants(case: Case) -> list[Case]:
    """Candidate simplifications, most aggressive first."""
    prog = case.program
    variants: list[Case] = []
    if isinstance(prog, CProgram):
        for i in range(len(prog.blocks)):
            variants.append(Case(replace(prog, blocks=prog.blocks[:i] + prog.blocks[i + 1:])))
        if prog.ret != "const":
            variants.append(Case(replace(prog, ret="const")))
        for i, block in enumerate(prog.blocks):
            for name, choices in PARAMS[block.kind].items():
                current = block.params[name]
                index = choices.index(current) if current in choices else len(choices)
                for simpler in choices[:min(index, 3)]:
                    params = dict(block.params, **{name: simpler})
                    blocks = list(prog.blocks)
                    blocks[i] = Block(block.kind, params)
                    variants.append(Case(replace(prog, blocks=blocks)))
        return variants
    for i in range(len(prog.units)):
        variants.append(Case(replace(prog, units=prog.units[:i] + prog.units[i + 1:])))
    for i, unit in enumerate(prog.units):
        if unit.src is not None:
            variants.append(Case(replace(prog, units=prog.units[:i] + [replace(unit, src=None)]
                                         + prog.units[i + 1:])))
        if not unit.wide:
            variants.append(Case(replace(prog, units=prog.units[:i] + [replace(unit, wide=True)]
                                         + prog.units[i + 1:])))
    if prog.access_size != 1:
        variants.append(Case(replace(prog, access_size=1)))
    return variants


def shrink(case: Case, outcome: Outcome, judge: Judge, workdir: Path, budget: int = 120,
           seconds: float = 90.0) -> tuple[Case, Outcome]:
    """Greedy delta debugging: take any simplification that keeps the disagreement's class."""
    target = outcome.key()
    tries = 0
    deadline = time.monotonic() + seconds
    improved = True
    while improved and tries < budget:
        improved = False
        for candidate in _smaller_variants(case):
            tries += 1
            if tries > budget or time.monotonic() > deadline:
                break
            got = evaluate(candidate, judge, workdir, "shrink")
            if got.disagrees and got.key() == target:
                case, outcome, improved = candidate, got, True
                break
    return case, outcome


def log_tail(log: str, lines: int = 25) -> str:
    return "\n".join(log.strip().splitlines()[-lines:]) + "\n"


def save_reproducer(case: Case, outcome: Outcome, directory: Path, judge: Judge) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    obj = directory / "prog.o"
    case.build(obj)
    # compile_c leaves prog.c next to prog.o; write_raw leaves prog.asm
    (directory / "kernel.log").write_text(log_tail(outcome.kernel_log))
    answer = {"kernel": outcome.kernel, "kernel_msg": outcome.kernel_msg, "bpfcheck": outcome.ours,
              "bpfcheck_msg": outcome.ours_msg}
    (directory / "bpfcheck.txt").write_text(json.dumps(answer, indent=2) + "\n")
    meta = {"description": case.describe(), "kernel_version": judge.version, "class": list(outcome.key()),
            "case": case.to_json(), **answer,
            "recordings": [{"release": judge.version, "verdict": outcome.kernel, "msg": outcome.kernel_msg}]}
    (directory / "case.json").write_text(json.dumps(meta, indent=2) + "\n")


def random_case(rng: random.Random, raw_share: float = 0.35, unprivileged: bool = False) -> Case:
    if unprivileged:  # raw programs are xdp: C only
        return Case(random_cprogram(rng, unprivileged=True))
    return Case(random_raw(rng) if rng.random() < raw_share else random_cprogram(rng))


@dataclass(slots=True)
class RunResult:
    outcomes: list[tuple[Case, Outcome]] = field(default_factory=list)
    classes: dict[tuple[str, str, str, str], tuple[Case, Outcome]] = field(default_factory=dict)

    @property
    def compared(self) -> list[tuple[Case, Outcome]]:
        return [(c, o) for c, o in self.outcomes if o.comparable]

    @property
    def false_accepts(self) -> list[tuple[Case, Outcome]]:
        return [(c, o) for c, o in self.outcomes if o.false_accept]


def run(count: int, seed: int, judge: Judge, do_shrink: bool = True, raw_share: float = 0.35,
        progress: Callable[[str], None] | None = None,
        on_class: Callable[[Case, Outcome], None] | None = None) -> RunResult:
    rng = random.Random(seed)
    result = RunResult()
    with tempfile.TemporaryDirectory(prefix="diff_fuzz_") as tmp:
        workdir = Path(tmp)
        for index in range(count):
            case = random_case(rng, raw_share, judge.unprivileged)
            outcome = evaluate(case, judge, workdir)
            result.outcomes.append((case, outcome))
            if progress and index % 25 == 24:
                progress(f"... {index + 1} programs, {len(result.classes)} classes")
            if not outcome.disagrees:
                continue
            key = outcome.key()
            if key in result.classes:
                continue
            if do_shrink:
                case, outcome = shrink(case, outcome, judge, workdir)
            result.classes[outcome.key()] = (case, outcome)
            if on_class:
                on_class(case, outcome)
            if progress:
                progress(f"[{index}] kernel {outcome.kernel} ({outcome.kernel_msg}) / bpfcheck {outcome.ours} "
                         f"({outcome.ours_msg}) :: {case.describe()}")
    return result


def next_free_dir(base: Path) -> Path:
    base.mkdir(parents=True, exist_ok=True)
    taken = {int(p.name) for p in base.iterdir() if p.is_dir() and p.name.isdigit()}
    number = max(taken, default=0) + 1
    return base / f"{number:03d}"


def known_classes(base: Path) -> set[tuple[str, ...]]:
    classes = set()
    for meta in base.glob("*/case.json"):
        classes.add(tuple(json.loads(meta.read_text())["class"]))
    return classes


def reproducer_table(base: Path = DATA_DIR) -> str:
    """A markdown table of the saved reproducers (for docs/differential-fuzzing.md)."""
    rows = ["| # | kernel says | bpfcheck says | program |", "|---|---|---|---|"]
    for meta_path in sorted(base.glob("*/case.json")):
        meta = json.loads(meta_path.read_text())
        cells = [meta_path.parent.name, f"{meta['kernel']}: `{meta['kernel_msg']}`",
                 f"{meta['bpfcheck']}: `{meta['bpfcheck_msg']}`" if meta["bpfcheck_msg"] else meta["bpfcheck"],
                 meta["description"].replace("|", "\\|")]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Differential fuzzing: bpfcheck's engine vs the kernel verifier.")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--raw-share", type=float, default=0.35, help="share of raw instruction programs")
    parser.add_argument("--no-shrink", action="store_true")
    parser.add_argument("--save", action="store_true", help=f"save new classes under {DATA_DIR}")
    parser.add_argument("--verdicts-only", action="store_true", help="ignore message mismatches")
    parser.add_argument("--list", action="store_true", help="print the saved reproducers as a markdown table")
    parser.add_argument("--unprivileged", action="store_true",
                        help="socket/cgroup_skb C programs, the kernel loading as an unprivileged user "
                             "(kernel.unprivileged_bpf_disabled 2 -> 0 for the run) and bpfcheck --unprivileged")
    args = parser.parse_args(argv)
    if args.list:
        print(reproducer_table(), end="")
        return 0
    from verifier.oracle import kernel_available

    if not kernel_available():
        print("bpf() not permitted here: no kernel oracle", file=sys.stderr)
        return 2
    judge = Judge(unprivileged=args.unprivileged)
    existing = known_classes(DATA_DIR)

    def save(case: Case, outcome: Outcome) -> None:
        if not args.save or (args.verdicts_only and not outcome.verdicts_differ):
            return
        if tuple(outcome.key()) in existing:
            return
        existing.add(tuple(outcome.key()))
        directory = next_free_dir(DATA_DIR)
        save_reproducer(case, outcome, directory, judge)
        print(f"saved {directory.relative_to(REPO_ROOT)}", flush=True)

    from verifier.oracle.unpriv import unprivileged_bpf_allowed

    with unprivileged_bpf_allowed() if args.unprivileged else nullcontext(True) as allowed:
        if not allowed:
            print("unprivileged bpf() cannot be enabled here", file=sys.stderr)
            return 2
        result = run(args.count, args.seed, judge, not args.no_shrink, args.raw_share,
                     progress=lambda line: print(line, flush=True), on_class=save)
    compared = result.compared
    kernel_rejects = sum(o.kernel == "reject" for _, o in compared)
    agree = sum(not o.disagrees for _, o in compared)
    verdict_agree = sum(not o.verdicts_differ for _, o in compared)
    print(f"\n{len(result.outcomes)} programs, {len(compared)} compared, kernel rejected {kernel_rejects}; "
          f"verdicts agree {verdict_agree}, verdicts+messages agree {agree}; "
          f"false accepts {len(result.false_accepts)}; classes {len(result.classes)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
