"""Reading the CSV tables shipped in verifier/rules/data/."""

from __future__ import annotations

import csv
from importlib import resources

from verifier.rules.versions import Version


def read_rows(name: str) -> list[dict[str, str]]:
    """Rows of data/<name> as dicts (values stripped)."""
    text = resources.files("verifier.rules").joinpath("data", name).read_text(encoding="utf-8")
    return [
        {k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(text.splitlines())
    ]


def parse_version(text: str) -> Version | None:
    """ "4.14" -> (4, 14); "" -> None."""
    text = text.strip()
    if not text:
        return None
    major, minor = text.split(".")[:2]
    return int(major), int(minor)
