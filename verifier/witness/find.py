"""find_witness: concrete inputs that make a rejected program really fault, or proof that none exist."""

from __future__ import annotations

import time

from verifier.concrete.ctx_layouts import layout_for
from verifier.concrete.interp import run
from verifier.elf.model import BpfObject, Program
from verifier.verdict import Finding

DEFAULT_TIMEOUT = 5.0  # seconds for the whole search
SOLVER_TIMEOUT_MS = 2000  # per z3 check


def find_witness(obj: BpfObject, program: Program, finding: Finding, prog_type: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> dict[str, object] | None:
    """Inputs under which the access at `finding.insn`, reached along `finding.path`, faults.

    Returns the witness dict (inputs in the format of verifier.concrete.inputs, plus "feasible":
    True, "verified": whether the concrete interpreter faults at that instruction on them, and
    "fault": what it reported); {"feasible": False, ...} when no input can take that path to a
    fault (the rejection comes from the verifier's imprecision); None when this cannot be told
    (not a memory access, an instruction the symbolic executor does not model, time out).
    """
    if not 0 <= finding.insn < len(program.insns):
        return None
    if finding.category in NO_WITNESS_CATEGORIES or len(finding.path) > MAX_PATH_DECISIONS:
        return None  # no single input shows these (limits, structure), or the path is too long to solve
    try:
        return _find_witness(obj, program, finding, prog_type, timeout)
    except (ArithmeticError, IndexError, KeyError, ValueError, TypeError, RecursionError):
        return None  # the search is best effort: an instruction it does not model ends it


# rejections that no input demonstrates: the verifier's limits, the program's structure or types
NO_WITNESS_CATEGORIES = frozenset({
    "too-complex", "infinite-loop", "back-edge", "too-large", "program-too-large", "unsupported-insn",
    "unsupported-prog-type", "helper-not-allowed", "helper-unknown", "helper-gpl", "load-error", "timeout",
    "memory", "stack-limit", "call-depth", "struct-ops-attach", "lsm-sleepable",
})
MAX_PATH_DECISIONS = 5000


def _find_witness(obj: BpfObject, program: Program, finding: Finding, prog_type: str | None,
                  timeout: float) -> dict[str, object] | None:
    import z3  # imported only when a witness is wanted

    from verifier.witness.executor import Executor
    from verifier.witness.readable import prefer_zeros, smallest_packet, witness_dict
    from verifier.witness.search import PathSearch

    kind = prog_type or program.prog_type
    executor = Executor(program, obj, layout_for(kind))
    deadline = time.monotonic() + timeout
    search = PathSearch(executor, list(finding.path), finding.insn, deadline, SOLVER_TIMEOUT_MS)
    try:
        result = search.run()
    except z3.Z3Exception:
        return None
    if result.status == "unsat":
        return {"feasible": False, "reason": result.reason}
    if result.status != "sat" or result.state is None or result.model is None or result.fault is None:
        return None
    model = result.model
    if result.state.uses_packet:
        model = smallest_packet(search, result.state, result.fault, model, executor)
    model = prefer_zeros(search, result.state, result.fault, model, executor)
    witness = witness_dict(model, result.state, executor)
    concrete = run(program, obj, witness, prog_type=kind)
    witness["verified"] = concrete.fault is not None and concrete.fault.insn == finding.insn
    witness["fault"] = concrete.fault.describe() if concrete.fault else "no fault in the concrete run"
    return witness
