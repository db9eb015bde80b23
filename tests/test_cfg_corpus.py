"""Every program a 6.18 kernel accepted passes the structural checks at 6.18.

Programs are matched to the verdict rows by (name, section), then name, then a section
that holds one program (legacy objects are listed by section name).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from verifier.cfg.checks import structural_check
from verifier.cfg.graph import build_cfg
from verifier.elf.model import Program
from verifier.isa.decode import decode
from verifier.isa.disasm import disassemble
from verifier.isa.encode import encode

reader = pytest.importorskip("verifier.elf.reader")
rules_module = pytest.importorskip("verifier.rules")

CORPUS = Path("/work/shared/corpus")
VERDICTS = CORPUS / "ebpf-samples.verdicts.jsonl"


def accepted_by_object() -> dict[str, list[dict[str, object]]]:
    if not VERDICTS.exists():
        return {}
    rows: dict[str, list[dict[str, object]]] = defaultdict(list)
    for line in VERDICTS.read_text().splitlines():
        row = json.loads(line)
        if row["verdict"] == "accept":
            rows[row["object"]].append(row)
    return dict(rows)


ACCEPTED = accepted_by_object()


def find_program(programs: list[Program], row: dict[str, object]) -> Program | None:
    for program in programs:
        if program.name == row["program"] and program.section == row["section"]:
            return program
    named = [p for p in programs if p.name == row["program"]]
    if len(named) == 1:
        return named[0]
    by_section = [p for p in programs if p.section == row["section"]]
    return by_section[0] if len(by_section) == 1 else None


@pytest.mark.skipif(not ACCEPTED, reason="shared corpus not present")
@pytest.mark.parametrize("object_path", sorted(ACCEPTED))
def test_accepted_programs_pass_structural_checks(object_path: str) -> None:
    rules = rules_module.for_kernel("6.18")
    obj = reader.load_object(str(CORPUS / object_path))
    checked = 0
    for row in ACCEPTED[object_path]:
        program = find_program(obj.programs, row)
        if program is None:
            continue
        assert structural_check(program, rules) == [], (row["program"], structural_check(program, rules))
        graph = build_cfg(program)
        assert graph.graph["bad_targets"] == []
        lines = disassemble(program)
        assert not any("BUG" in line for line in lines)
        assert decode(encode(program.insns)) == program.insns
        checked += 1
    assert checked, f"no accepted program of {object_path} was found by the reader"
