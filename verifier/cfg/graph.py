"""The control-flow graph of a linked program, over instruction indices.

`build_cfg(program)` returns a `networkx.DiGraph` with one node per instruction index
(the second half of an ld_imm64 is not a node: control never stops there). Node attributes:
`insn` (the Insn) and `subprog` (index into `graph.graph["subprogs"]`). Edge attribute
`kind`:
- "fallthrough": to the next instruction (idx + 2 after an ld_imm64; after a call: the return);
- "taken": the target of a jump (`goto`, `gotol`, conditional jumps, `may_goto`);
- "call": a bpf-to-bpf call to the callee's first instruction;
- "func_ref": an ld_imm64 BPF_PSEUDO_FUNC to the callback it names.
`kinds` lists every kind when two edges share their ends (a conditional jump with off 0
keeps kind "fallthrough" and kinds ("fallthrough", "taken")). `exit` has no successors. Targets outside the program are not edges; they are listed in
`graph.graph["bad_targets"]` as (from, to) pairs (the structural checks report them).
Graph attributes: `entry` (0), `subprogs` (sorted starts), `subprog_names`.
"""

from __future__ import annotations

import networkx as nx

from verifier.cfg.pseudo import func_ref_target, is_pseudo_func
from verifier.elf.model import Program

FALLTHROUGH = "fallthrough"
TAKEN = "taken"
CALL = "call"
FUNC_REF = "func_ref"


def successors(program: Program, idx: int) -> list[tuple[int, str]]:
    """(target, kind) of every edge leaving `idx` (targets may be out of range)."""
    insn = program.insns[idx]
    if insn.is_ld_imm64_tail:
        return []
    if insn.is_ld_imm64:
        edges = [(idx + 2, FALLTHROUGH)]
        if is_pseudo_func(program, idx):
            edges.append((func_ref_target(program, idx), FUNC_REF))
        return edges
    if not insn.is_jmp:
        return [(idx + 1, FALLTHROUGH)]
    if insn.is_exit:
        return []
    if insn.is_call:
        edges = [(idx + 1, FALLTHROUGH)]
        if insn.is_pseudo_call:
            edges.append((idx + insn.imm + 1, CALL))
        return edges
    target = idx + insn.jump_offset() + 1
    if insn.is_ja:
        return [(target, TAKEN)]
    return [(idx + 1, FALLTHROUGH), (target, TAKEN)]


def subprog_starts(program: Program) -> list[int]:
    """Starts from `program.subprogs`, else (unlinked input) 0 plus every call/func_ref target."""
    if program.subprogs:
        return sorted({0, *(s.start for s in program.subprogs)})
    starts = {0}
    for idx, insn in enumerate(program.insns):
        if insn.is_pseudo_call and not insn.is_ld_imm64_tail:
            starts.add(idx + insn.imm + 1)
        elif insn.is_ld_imm64 and is_pseudo_func(program, idx):
            starts.add(func_ref_target(program, idx))
    return sorted(s for s in starts if 0 <= s < len(program.insns))


def build_cfg(program: Program) -> nx.DiGraph:
    """The instruction-level CFG of `program` (see the module docstring)."""
    graph = nx.DiGraph()
    starts = subprog_starts(program)
    names = {s.start: s.name for s in program.subprogs}
    graph.graph.update(entry=0, subprogs=starts, subprog_names=[names.get(s, "") for s in starts],
                       bad_targets=[])
    count = len(program.insns)
    current = -1
    for idx, insn in enumerate(program.insns):
        while current + 1 < len(starts) and starts[current + 1] <= idx:
            current += 1
        if not insn.is_ld_imm64_tail:
            graph.add_node(idx, insn=insn, subprog=max(current, 0))
    for idx in list(graph.nodes):
        for target, kind in successors(program, idx):
            if 0 <= target < count and not program.insns[target].is_ld_imm64_tail:
                if graph.has_edge(idx, target):  # a conditional jump with off 0: both edges meet
                    graph.edges[idx, target]["kinds"] += (kind,)
                else:
                    graph.add_edge(idx, target, kind=kind, kinds=(kind,))
            else:
                graph.graph["bad_targets"].append((idx, target))
    return graph


def edge_kind(graph: nx.DiGraph, src: int, dst: int) -> str:
    return str(graph.edges[src, dst]["kind"])


def is_call_edge(kind: str) -> bool:
    return kind in (CALL, FUNC_REF)
