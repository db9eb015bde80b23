"""check_struct_ops_btf_id() (kernel/bpf/verifier.c, 5.6+): what the kernel checks of a struct_ops
program before any instruction is simulated.

The loader names the struct the program implements (attach_btf_id) only when a `.struct_ops`
variable of the object points at it (verifier.elf.struct_ops); otherwise attach_btf_id is 0 and no
struct_ops type has that id. The checks, in the kernel's order: a GPL-compatible license, then the
struct. Members and their prototypes are not checked here.
"""

from __future__ import annotations

from typing import Any

GPL_MESSAGE = "struct ops programs must have a GPL compatible license"
NO_STRUCT_MESSAGE = "attach_btf_id 0 is not a supported struct"


def struct_ops_rejection(obj: Any, program: Any, rules: Any) -> Any:
    """The Finding check_struct_ops_btf_id() refuses `program` with, or None."""
    from verifier.verdict import Finding

    if getattr(program, "prog_type", None) != "struct_ops":
        return None
    known = getattr(rules, "prog_type", None)
    if callable(known) and known("struct_ops") is None:  # before 5.6 the type itself is refused later
        return None
    if not getattr(obj, "gpl_compatible", True):
        return Finding(
            insn=0,
            kernel_message=GPL_MESSAGE,
            category="struct-ops-attach",
            message=f"struct_ops programs need a GPL-compatible license (this one: {obj.license or 'none'})",
        )
    if getattr(program, "struct_ops_type", None):
        return None
    has = getattr(rules, "has", None)
    silent = callable(has) and has("struct_ops_zero_attach_silent")
    return Finding(
        insn=0,
        kernel_message="" if silent else NO_STRUCT_MESSAGE,
        category="struct-ops-attach",
        message=(
            f"no `.struct_ops` variable of the object points at {program.name}, so the loader (libbpf 1.1: "
            "`.struct_ops.link` is libbpf 1.2's) passes attach_btf_id 0 and the kernel refuses the program"
            + (" with ENOTSUPP (524) and no log line" if silent else "")
        ),
    )
