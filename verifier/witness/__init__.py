"""Concrete witnesses for rejections, found with z3 along the engine's failing path.

`find_witness(obj, program, finding, prog_type)`; z3 is imported only when it is called.
"""

from verifier.witness.find import find_witness

__all__ = ["find_witness"]
