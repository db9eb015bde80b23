"""`bpfcheck rules --kernel X.Y [--prog-type T] [--format json]`: what a kernel allows.

`rules_summary()` builds plain data; `render_rules()` prints it as rich tables
or JSON. The CLI module (not in this package) only calls `render_rules`.
"""

from __future__ import annotations

import io
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from verifier.errors import InputError
from verifier.rules.features import FEATURES
from verifier.rules.kernel_rules import KernelRules, for_kernel
from verifier.rules.limits import LIMIT_NAMES
from verifier.rules.prog_types import normalize_prog_type
from verifier.rules.versions import version_name

# Features that are instruction-set facts (shown in their own table).
ISA_FEATURES = (
    "jmp_ext",
    "jmp32",
    "atomics",
    "cpu_v4",
    "may_goto",
    "global_data",
    "btf_id_ld_imm64",
    "pseudo_func",
    "kfuncs",
    "bpf_to_bpf_calls",
)


def _range(value: tuple[int, int] | None) -> str | None:
    return None if value is None else f"[{value[0]},{value[1]}]"


def rules_summary(rules: KernelRules, prog_type: str | None = None) -> dict[str, Any]:
    """Plain-data view of what `rules` allows (optionally for one program type)."""
    name = None
    if prog_type is not None:
        name = normalize_prog_type(prog_type)
        if name is None or rules.prog_type(name) is None:
            raise InputError(f"unknown program type {prog_type!r} for kernel {rules.name}")
    out: dict[str, Any] = {
        "kernel": rules.name,
        "instruction_set": {f: rules.has(f) for f in ISA_FEATURES},
        "features": {
            f: {
                "present": rules.has(f),
                "since": version_name(FEATURES[f].since),
                "meaning": FEATURES[f].meaning,
            }
            for f in FEATURES
        },
        "limits": {
            n: {"root": rules.limit(n), "unprivileged": rules.limit(n, unprivileged=True)}
            for n in LIMIT_NAMES
        },
        "map_types": [
            {"id": m.id, "name": m.name, "since": version_name(m.version)} for m in rules.map_types()
        ],
    }
    types = [rules.prog_type(name)] if name else rules.prog_types()
    out["prog_types"] = [
        {
            "id": p.id,
            "name": p.name,
            "since": version_name(p.version),
            "sections": list(p.sections),
            "ctx": p.ctx_struct,
            "return_range": _range(rules.return_range(p.name)),
            "packet_access": rules.packet_access(p.name),
            "ld_abs": rules.ld_abs_allowed(p.name),
        }
        for p in types
        if p is not None
    ]
    helpers = rules.helpers()
    if name:
        helpers = [h for h in helpers if rules.helper_allowed(h.id, name)]
    out["helpers"] = [
        {"id": h.id, "name": h.name, "since": version_name(h.version), "gpl_only": h.gpl_only}
        for h in helpers
    ]
    if name:
        out["prog_type"] = name
    return out


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    table = Table(title=title, title_justify="left")
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    return table


def render_rules(rules: KernelRules | str, prog_type: str | None = None, fmt: str = "table") -> str:
    """The rules of one kernel as rich tables ("table") or JSON ("json")."""
    if not isinstance(rules, KernelRules):
        rules = for_kernel(rules)
    data = rules_summary(rules, prog_type)
    if fmt == "json":
        return json.dumps(data, indent=2)
    if fmt != "table":
        raise InputError(f"unknown format {fmt!r}: expected table or json")
    buf = io.StringIO()
    console = Console(file=buf, width=120, color_system=None, force_terminal=False)
    console.print(f"Linux {data['kernel']}" + (f", program type {data['prog_type']}" if prog_type else ""))
    console.print(
        _table(
            "Instruction set",
            ["feature", "allowed"],
            [[k, "yes" if v else "no"] for k, v in data["instruction_set"].items()],
        )
    )
    console.print(
        _table(
            "Limits",
            ["limit", "root", "unprivileged"],
            [[k, v["root"], v["unprivileged"]] for k, v in data["limits"].items()],
        )
    )
    console.print(
        _table(
            "Verifier features",
            ["feature", "present", "since", "meaning"],
            [
                [k, "yes" if v["present"] else "no", v["since"], v["meaning"]]
                for k, v in data["features"].items()
            ],
        )
    )
    console.print(
        _table(
            "Program types",
            ["id", "name", "since", "ctx", "R0 range", "packet", "LD_ABS"],
            [
                [
                    p["id"],
                    p["name"],
                    p["since"],
                    p["ctx"],
                    p["return_range"] or "unchecked",
                    p["packet_access"] or "-",
                    "yes" if p["ld_abs"] else "no",
                ]
                for p in data["prog_types"]
            ],
        )
    )
    console.print(
        _table(
            "Helpers" + (f" callable from {data['prog_type']}" if prog_type else ""),
            ["id", "name", "since", "GPL"],
            [[h["id"], h["name"], h["since"], "yes" if h["gpl_only"] else ""] for h in data["helpers"]],
        )
    )
    console.print(
        _table(
            "Map types",
            ["id", "name", "since"],
            [[m["id"], m["name"], m["since"]] for m in data["map_types"]],
        )
    )
    return buf.getvalue()
