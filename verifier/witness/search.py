"""Follow the engine's failing path symbolically and ask z3 whether the fault can happen.

The path is the engine's list of (branch instruction, taken?) from the program entry. Branches
on the way that the list does not mention are decided by their condition when it is constant,
otherwise both sides are explored (depth first, within a budget). Arriving at the failing
instruction with the whole path consumed, the solver is asked for inputs that satisfy the path
and make that access fault.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import z3

from verifier.isa import opcodes as op
from verifier.witness.executor import Executor
from verifier.witness.state import SymState, Unsupported

INFEASIBLE = (
    "no input takes this path to an out-of-range or NULL access: the rejection comes from the "
    "verifier's imprecision, not from a reachable fault"
)
MAX_STEPS = 20000  # instructions per symbolic path
MAX_FORKS = 64  # branches explored on both sides, in total


@dataclass(slots=True)
class SearchResult:
    status: str  # "sat", "unsat" (no path to the fault is feasible), "unknown"
    state: SymState | None = None
    model: z3.ModelRef | None = None
    fault: z3.BoolRef | None = None
    reason: str = ""


class PathSearch:
    def __init__(self, executor: Executor, path: list[tuple[int, bool]], target: int,
                 deadline: float, solver_timeout_ms: int) -> None:
        self.executor = executor
        self.path = path
        self.target = target
        self.deadline = deadline
        self.solver_timeout_ms = solver_timeout_ms
        self.forks = 0
        self.incomplete = ""  # why the search could not cover every path (then "unsat" is not claimed)

    def solver(self, constraints: list[z3.BoolRef]) -> z3.Solver:
        solver = z3.Solver()
        remaining_ms = int((self.deadline - time.monotonic()) * 1000)
        solver.set("timeout", max(1, min(self.solver_timeout_ms, remaining_ms)))
        solver.add(*constraints)
        return solver

    def _feasible(self, constraints: list[z3.BoolRef]) -> bool:
        result = self.solver(constraints).check()
        if result == z3.unknown:
            self.incomplete = "the solver timed out"
        return result != z3.unsat

    def run(self) -> SearchResult:
        stack = [self.executor.initial_state()]
        while stack:
            state = stack.pop()
            try:
                found = self._follow(state, stack)
            except Unsupported as exc:
                self.incomplete = str(exc)
                continue
            if found is not None:
                return found
        if self.incomplete:
            return SearchResult("unknown", reason=self.incomplete)
        return SearchResult("unsat", reason=INFEASIBLE)

    def _follow(self, state: SymState, stack: list[SymState]) -> SearchResult | None:
        insns = self.executor.program.insns
        while True:
            if time.monotonic() > self.deadline:
                self.incomplete = "time budget exhausted"
                return None
            if state.steps > MAX_STEPS:
                self.incomplete = f"path longer than {MAX_STEPS} instructions"
                return None
            if not 0 <= state.pc < len(insns):
                return self._dead_end(state)
            insn = insns[state.pc]
            if insn.dst > op.BPF_REG_FP or insn.src > op.BPF_REG_FP:
                raise Unsupported("register number out of range")
            if state.pc == self.target and state.cursor >= len(self.path):
                return self._solve_at_target(state)
            if not insn.is_cond_jmp:
                if not self.executor.step(state):
                    return self._dead_end(state)  # exited before the failing instruction
                continue
            state.steps += 1
            condition = self.executor.branch_condition(state, insn)
            if state.cursor < len(self.path) and self.path[state.cursor][0] == state.pc:
                taken = self.path[state.cursor][1]
                state.cursor += 1
            else:
                simple = z3.simplify(condition)
                if z3.is_true(simple) or z3.is_false(simple):
                    taken = z3.is_true(simple)
                else:
                    if self.forks >= MAX_FORKS:
                        self.incomplete = "too many branches outside the engine's path"
                        return None
                    self.forks += 1
                    state.free_choices += 1
                    other = state.fork()
                    self._decide(other, insn, condition, taken=False)
                    if self._feasible(other.constraints):
                        stack.append(other)
                    taken = True
                    self._decide(state, insn, condition, taken)
                    if not self._feasible(state.constraints):
                        return None
                    continue
            self._decide(state, insn, condition, taken)
            simple = z3.simplify(state.constraints[-1])
            if z3.is_false(simple):
                return None

    def _decide(self, state: SymState, insn, condition: z3.BoolRef, taken: bool) -> None:
        state.constraints.append(condition if taken else z3.Not(condition))
        self.executor.mark_null_check(state, insn, taken)
        state.pc = state.pc + 1 + insn.off if taken else state.pc + 1

    def _dead_end(self, state: SymState) -> None:
        """A path that ends without reaching the failing instruction.

        Fine when it is infeasible or came from exploring both sides of a branch; otherwise the
        engine's path does not describe this program, and "no witness" cannot be claimed.
        """
        off_path = state.free_choices == 0 or state.cursor < len(self.path)
        if off_path and self._feasible(state.constraints):
            self.incomplete = "the engine's path does not lead to the failing instruction"
        return None

    def _solve_at_target(self, state: SymState) -> SearchResult | None:
        fault = self.executor.fault_condition(state, self.executor.program.insns[state.pc])
        solver = self.solver([*state.constraints, fault])
        result = solver.check()
        if result == z3.sat:
            return SearchResult("sat", state, solver.model(), fault)
        if result == z3.unknown:
            self.incomplete = "the solver timed out"
        return None
