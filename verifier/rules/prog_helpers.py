"""Which helpers each program type may call (the per-type `*_func_proto` switches).

Data: data/prog_helpers.csv, one row per (group, helper): the proto symbol the
switch returns, an optional first version the row applies to (empty: the
helper's own version), an optional attach-type restriction ("a|b|c"), an
optional capability ("bpf", "perfmon", "sys_admin": root has them all), and
the source. A program type's chain of groups is in prog_types.py; the first
group (most specific) that names the helper decides its proto, as the
`default:` fall-through of the kernel switches does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from verifier.rules._csv import parse_version, read_rows
from verifier.rules.versions import Version


@dataclass(frozen=True, slots=True)
class ProgHelperRow:
    group: str
    helper: str  # helper name without prefix
    proto: str  # proto symbol
    since: Version | None
    attach_types: frozenset[str] | None  # None: any attach type
    cap: str  # "", "bpf", "perfmon", "sys_admin"
    source: str

    def exists_in(self, version: Version) -> bool:
        return self.since is None or version >= self.since

    def permits(self, attach_type: str | None, privileged: bool) -> bool:
        """The switch case's own condition (attach type, capability)."""
        if self.attach_types is not None and attach_type is not None and attach_type not in self.attach_types:
            return False
        return privileged or not self.cap


@cache
def rows_by_group() -> dict[str, dict[str, ProgHelperRow]]:
    """group -> helper name -> row."""
    out: dict[str, dict[str, ProgHelperRow]] = {}
    for row in read_rows("prog_helpers.csv"):
        attach = frozenset(a for a in row["attach_types"].split("|") if a) or None
        entry = ProgHelperRow(
            group=row["group"],
            helper=row["helper"],
            proto=row["proto"],
            since=parse_version(row["since"]),
            attach_types=attach,
            cap=row["cap"],
            source=row["source"],
        )
        out.setdefault(entry.group, {}).setdefault(entry.helper, entry)
    return out


def find_row(
    groups: tuple[str, ...], helper: str, version: Version, attach_type: str | None, privileged: bool
) -> ProgHelperRow | None:
    """The row of the first group in the chain that has a case for `helper` at this version.

    A case whose own condition fails (wrong attach type, missing capability) returns
    NULL in the kernel instead of falling through: None here too.
    """
    table = rows_by_group()
    for group in groups:
        row = table.get(group, {}).get(helper)
        if row is not None and row.exists_in(version):
            return row if row.permits(attach_type, privileged) else None
    return None
