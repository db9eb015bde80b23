"""build_cfg: nodes, edge kinds, subprogram attribution."""

from __future__ import annotations

import networkx as nx

from verifier.cfg.graph import CALL, FALLTHROUGH, FUNC_REF, TAKEN, build_cfg, successors
from verifier.elf.model import Program, Subprog
from verifier.isa import encode as asm
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn

R0_0 = asm.mov64_imm(0, 0)
EXIT = asm.exit_insn()


def make(*parts: Insn | list[Insn], **fields: object) -> Program:
    return Program("p", "xdp", "xdp", asm.program(*parts), **fields)  # type: ignore[arg-type]


def kinds(graph: nx.DiGraph) -> set[tuple[int, int, str]]:
    return {(a, b, d["kind"]) for a, b, d in graph.edges(data=True)}


def test_straight_line() -> None:
    graph = build_cfg(make(R0_0, asm.mov64_imm(1, 1), EXIT))
    assert list(graph.nodes) == [0, 1, 2]
    assert kinds(graph) == {(0, 1, FALLTHROUGH), (1, 2, FALLTHROUGH)}
    assert graph.out_degree(2) == 0
    assert graph.graph["entry"] == 0 and graph.graph["subprogs"] == [0]


def test_ld_imm64_tail_is_not_a_node() -> None:
    graph = build_cfg(make(asm.ld_imm64(1, 7), EXIT))
    assert list(graph.nodes) == [0, 2]
    assert kinds(graph) == {(0, 2, FALLTHROUGH)}
    assert graph.nodes[0]["insn"].is_ld_imm64


def test_conditional_and_unconditional_jumps() -> None:
    prog = make(R0_0, asm.jmp_imm(op.BPF_JEQ, 0, 0, 2), asm.mov64_imm(0, 1), asm.ja(0), EXIT)
    assert kinds(build_cfg(prog)) == {
        (0, 1, FALLTHROUGH), (1, 2, FALLTHROUGH), (1, 4, TAKEN), (2, 3, FALLTHROUGH), (3, 4, TAKEN),
    }


def test_jump_to_next_insn_keeps_both_kinds() -> None:
    graph = build_cfg(make(R0_0, asm.jmp_imm(op.BPF_JEQ, 0, 0, 0), EXIT))
    assert graph.edges[1, 2]["kind"] == FALLTHROUGH
    assert graph.edges[1, 2]["kinds"] == (FALLTHROUGH, TAKEN)


def test_gotol_and_may_goto_targets() -> None:
    prog = make(R0_0, asm.may_goto(1), asm.gotol(0), EXIT)
    assert kinds(build_cfg(prog)) == {(0, 1, FALLTHROUGH), (1, 2, FALLTHROUGH), (1, 3, TAKEN), (2, 3, TAKEN)}


def test_back_edge_is_an_edge() -> None:
    prog = make(R0_0, asm.alu64_imm(op.BPF_ADD, 0, 1), asm.jmp_imm(op.BPF_JLT, 0, 9, -2), EXIT)
    graph = build_cfg(prog)
    assert (2, 1, TAKEN) in kinds(graph)
    assert not nx.is_directed_acyclic_graph(graph)


def test_calls_and_subprogs() -> None:
    prog = make(asm.call_pseudo(2), asm.call_helper(1), EXIT, R0_0, EXIT,
                subprogs=[Subprog(0, "main"), Subprog(3, "helper_fn")])
    graph = build_cfg(prog)
    assert kinds(graph) == {
        (0, 1, FALLTHROUGH), (0, 3, CALL), (1, 2, FALLTHROUGH), (3, 4, FALLTHROUGH),
    }
    assert [graph.nodes[i]["subprog"] for i in graph.nodes] == [0, 0, 0, 1, 1]
    assert graph.graph["subprogs"] == [0, 3]
    assert graph.graph["subprog_names"] == ["main", "helper_fn"]


def test_subprogs_derived_from_calls_when_not_given() -> None:
    graph = build_cfg(make(asm.call_pseudo(2), R0_0, EXIT, R0_0, EXIT))
    assert graph.graph["subprogs"] == [0, 3]
    assert graph.nodes[4]["subprog"] == 1


def test_func_ref_edge() -> None:
    head = Insn(op.LD_IMM64, 2, op.BPF_PSEUDO_FUNC, 0, 3, imm64=3)
    tail = Insn(0, 0, 0, 0, 0, is_ld_imm64_tail=True)
    graph = build_cfg(make(head, tail, R0_0, EXIT, R0_0, EXIT, func_refs={0: 4}))
    assert (0, 4, FUNC_REF) in kinds(graph)
    assert graph.graph["subprogs"] == [0, 4]


def test_bad_targets_are_listed_not_added() -> None:
    graph = build_cfg(make(asm.ja(10), asm.ld_imm64(1, 0), asm.ja(-2), R0_0))
    # 0 -> 11 is outside; 3 -> 2 lands in the middle of the ld_imm64; 4 falls off the end
    assert graph.graph["bad_targets"] == [(0, 11), (3, 2), (4, 5)]
    assert kinds(graph) == {(1, 3, FALLTHROUGH)}


def test_successors_of_a_tail_is_empty() -> None:
    prog = make(asm.ld_imm64(1, 0), EXIT)
    assert successors(prog, 1) == []
    assert successors(prog, 0) == [(2, FALLTHROUGH)]
