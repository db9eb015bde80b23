"""CO-RE without the target's BTF: what can still be decided, and what is assumed.

Guards on the kernel's own BPF enums (`bpf_core_enum_value_exists(enum bpf_func_id,
BPF_FUNC_get_current_task_btf)` and the like for `bpf_prog_type`, `bpf_map_type`,
`bpf_attach_type`) are answered from the rule tables of the target version: the enumerator
exists in that kernel's UAPI exactly when the helper / program type / map type / attach type
does. Every other relocation keeps the value the compiler put in (the build machine's layout),
and each guard among them is reported as an assumption that `--btf FILE` would decide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from verifier.btf import core
from verifier.elf import btf as B
from verifier.isa.insn import Insn

GUARD_KINDS = frozenset({core.FIELD_EXISTS, core.TYPE_EXISTS, core.TYPE_MATCHES, core.ENUMVAL_EXISTS})
GUARD_NAMES = {
    core.FIELD_EXISTS: "bpf_core_field_exists",
    core.TYPE_EXISTS: "bpf_core_type_exists",
    core.TYPE_MATCHES: "bpf_core_type_matches",
    core.ENUMVAL_EXISTS: "bpf_core_enum_value_exists",
}


@dataclass(slots=True)
class Guarded:
    insns: list[Insn]
    notes: list[str] = field(default_factory=list)


def _helper(rules: Any, name: str) -> int | None:
    info = rules.helper_by_name(name.lower())
    return info.id if info is not None else None


def _prog_type(rules: Any, name: str) -> int | None:
    info = rules.prog_type(name.lower())
    return info.id if info is not None else None


def _map_type(rules: Any, name: str) -> int | None:
    return next((m.id for m in rules.map_types() if m.name == name.lower()), None)


# enum name -> (enumerator prefix, lookup of the enumerator's value at the target version)
UAPI_ENUMS: dict[str, tuple[str, Callable[[Any, str], int | None]]] = {
    "bpf_func_id": ("BPF_FUNC_", _helper),
    "bpf_prog_type": ("BPF_PROG_TYPE_", _prog_type),
    "bpf_map_type": ("BPF_MAP_TYPE_", _map_type),
}


def _uapi_value(rules: Any, enum_name: str, enumerator: str) -> tuple[bool, int | None] | None:
    """(exists, value) of a UAPI enumerator at the target version; None when the tables cannot tell."""
    if enum_name == "bpf_attach_type":
        if not enumerator.startswith("BPF_") or not hasattr(rules, "attach_type_supported"):
            return None
        return bool(rules.attach_type_supported(enumerator[4:].lower())), None
    entry = UAPI_ENUMS.get(enum_name)
    if entry is None or not enumerator.startswith(entry[0]):
        return None
    suffix = enumerator[len(entry[0]) :]
    if suffix in ("unspec", "UNSPEC"):
        return True, 0
    value = entry[1](rules, suffix)
    return value is not None, value


def resolve_without_btf(local_btf: B.Btf, relocs: list[Any], insns: list[Insn], rules: Any) -> Guarded:
    out = Guarded(list(insns))
    kept = 0
    for relo in relocs:
        try:
            spec = core.parse_spec(local_btf, relo.type_id, relo.access_str, relo.kind)
        except core.CoreError:
            continue
        if relo.kind in core.ENUM_KINDS and _decide_uapi_enum(local_btf, spec, relo, out, rules):
            continue
        if relo.kind in GUARD_KINDS:
            out.notes.append(
                f"{GUARD_NAMES[relo.kind]}({core.format_spec(spec).split('] ', 1)[-1]}) at insn {relo.insn} "
                f"assumed {_compiled_value(insns[relo.insn])} as compiled (no BTF of the target: --btf FILE decides it)"
            )
        else:
            kept += 1
    if kept:
        out.notes.append(
            f"{kept} CO-RE relocation{'s' if kept > 1 else ''} assumed to resolve as compiled "
            "(no BTF of the target: --btf FILE applies them)"
        )
    return out


def _compiled_value(insn: Insn) -> int:
    return insn.imm64 if insn.is_ld_imm64 else insn.imm


def _decide_uapi_enum(local_btf: B.Btf, spec: core.Spec, relo: Any, out: Guarded, rules: Any) -> bool:
    enum = local_btf.resolve(relo.type_id)
    if enum is None or not spec.acc or spec.acc[0].name is None:
        return False
    answer = _uapi_value(rules, core.essential_name(enum.name), spec.acc[0].name)
    if answer is None:
        return False
    exists, value = answer
    local_value = enum.enums[spec.acc[0].idx][1]
    if relo.kind == core.ENUMVAL_EXISTS:
        res = core.Result(orig=1, new=int(exists))
    elif not exists:
        res = core.Result(orig=local_value, poison=True)
    elif value is None:
        return False
    else:
        res = core.Result(orig=local_value, new=value)
    try:
        core.patch(out.insns, relo.insn, res, core.format_spec(spec))
    except core.CoreError:
        return False
    return True
