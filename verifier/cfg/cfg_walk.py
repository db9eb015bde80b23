"""`check_cfg()` of kernel/bpf/verifier.c: an iterative depth-first walk from insn 0.

It reproduces the kernel's visiting order (fall-through edge first, then the branch or
callee edge) because the *order* decides which edge is reported as the back-edge. Rules by
version: any back-edge is rejected before 5.3 and for unprivileged loaders; from 5.3 a
privileged loader may have back-edges on jump edges only (until 6.7, where every edge
kind may close a loop); from 6.7 the second half of an ld_imm64 is stepped over and must
not be reached ("jump into the middle of ldimm64 insn %d").
"""

from __future__ import annotations

from verifier.cfg.kernel_facts import KernelView
from verifier.cfg.problem import StructuralProblem
from verifier.cfg.pseudo import func_ref_target, is_pseudo_call_code, is_pseudo_func
from verifier.cfg.subprogs import jump_target
from verifier.elf.model import Program
from verifier.isa import opcodes as op

DISCOVERED = 0x10
EXPLORED = 0x20
FALLTHROUGH = 1
BRANCH = 2
DONE_EXPLORING = 0
KEEP_EXPLORING = 1


class _Walk:
    def __init__(self, program: Program, view: KernelView) -> None:
        self.program = program
        self.view = view
        self.count = len(program.insns)
        self.state = [0] * self.count
        self.stack: list[int] = []
        self.ldimm64_stride = view.behaves("cfg_ldimm64_stride")
        self.loops_allowed = view.has("bounded_loops") and view.bpf_capable
        self.loops_on_any_edge = view.behaves("cfg_loops_any_edge")

    def push(self, t: int, w: int, edge: int, loop_ok: bool) -> int:
        state = self.state
        if state[t] >= DISCOVERED | edge:
            return DONE_EXPLORING
        if not 0 <= w < self.count:
            raise StructuralProblem(t, f"jump out of range from insn {t} to {w}", "jump-out-of-range",
                                    "control flow leaves the program")
        if state[w] == 0:
            state[t] = DISCOVERED | edge
            state[w] = DISCOVERED
            self.stack.append(w)
            return KEEP_EXPLORING
        if state[w] & 0xF0 == DISCOVERED:
            if self.loops_allowed and (loop_ok or self.loops_on_any_edge):
                return DONE_EXPLORING
            raise StructuralProblem(t, f"back-edge from insn {t} to {w}", "back-edge", self._loop_explanation())
        state[t] = DISCOVERED | edge  # forward or cross edge to an explored insn
        return DONE_EXPLORING

    def _loop_explanation(self) -> str:
        if not self.view.has("bounded_loops"):
            return "loops (back-edges) are not allowed before Linux 5.3"
        if not self.view.bpf_capable:
            return "loops (back-edges) are only allowed for privileged (CAP_BPF) loaders"
        return "this kind of edge may not close a loop on this kernel (fall-through or call edge before 6.7)"

    def visit_call(self, t: int, size: int, callee: int | None, callee_loop_ok: bool) -> int:
        ret = self.push(t, t + size, FALLTHROUGH, False)
        if ret or callee is None:
            return ret
        return self.push(t, callee, BRANCH, callee_loop_ok)

    def visit(self, t: int) -> int:
        program, view = self.program, self.view
        insn = program.insns[t]
        code = insn.opcode
        size = 2 if self.ldimm64_stride and code == op.LD_IMM64 else 1
        if view.has("pseudo_func") and code == op.LD_IMM64 and is_pseudo_func(program, t):
            return self.visit_call(t, size, func_ref_target(program, t), True)
        cls = code & 0x07
        is_jump = cls == op.BPF_JMP or (cls == op.BPF_JMP32 and view.has("jmp32"))
        if not is_jump:
            return self.push(t, t + size, FALLTHROUGH, False)
        operation = code & 0xF0
        if operation == op.BPF_EXIT:
            return DONE_EXPLORING
        if operation == op.BPF_CALL:
            callee = None
            if view.has("bpf_to_bpf_calls") and is_pseudo_call_code(program, t):
                callee = t + insn.imm + 1
            return self.visit_call(t, 1, callee, False)
        if operation == op.BPF_JA and not code & op.BPF_X:
            return self.push(t, jump_target(program, t, view), FALLTHROUGH, True)
        ret = self.push(t, t + 1, FALLTHROUGH, True)
        if ret:
            return ret
        return self.push(t, t + insn.off + 1, BRANCH, True)

    def run(self) -> list[int]:
        """Walk; return the insns in the order they were finished (post-order)."""
        finished: list[int] = []
        if self.count == 0:
            return finished
        self.state[0] = DISCOVERED
        self.stack.append(0)
        while self.stack:
            t = self.stack[-1]
            if self.visit(t) == DONE_EXPLORING:
                self.state[t] = EXPLORED
                self.stack.pop()
                finished.append(t)
        self.check_all_reached()
        return finished

    def check_all_reached(self) -> None:
        insns, state = self.program.insns, self.state
        i = 0
        while i < self.count:
            if state[i] != EXPLORED:
                raise StructuralProblem(i, f"unreachable insn {i}", "unreachable-insn",
                                        "no path from the program's entry reaches this instruction")
            if self.ldimm64_stride and insns[i].opcode == op.LD_IMM64:
                if i + 1 < self.count and state[i + 1] != 0:
                    raise StructuralProblem(i, f"jump into the middle of ldimm64 insn {i}", "ldimm64-middle",
                                            "a jump lands on the second half of a 16-byte ld_imm64")
                i += 1
            i += 1


def check_cfg(program: Program, view: KernelView) -> list[int]:
    """Raise StructuralProblem as check_cfg() would; return the post-order of the walk."""
    return _Walk(program, view).run()
