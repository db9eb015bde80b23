"""Concrete execution of BPF programs: `run(program, obj, inputs) -> ConcreteResult`."""

from verifier.concrete.interp import ConcreteResult, Fault, run

__all__ = ["ConcreteResult", "Fault", "run"]
