"""Helper functions: id, name, version introduced, GPL-only flag.

Data: data/helpers.csv (copied from shared/reference/helpers.csv: ids from
the uapi ___BPF_FUNC_MAPPER, versions from bcc docs/kernel-versions.md,
gpl_only from kernel sources; the notes column of each row names its source).
An empty gpl_only cell means "not looked up": `HelperInfo.gpl_only` is then
False and `gpl_known` False.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from verifier.rules._csv import parse_version, read_rows
from verifier.rules.versions import Version


@dataclass(frozen=True, slots=True)
class HelperInfo:
    id: int
    name: str  # without the BPF_FUNC_ prefix: "map_lookup_elem"
    version: Version
    gpl_only: bool
    gpl_known: bool
    source: str

    @property
    def kernel_name(self) -> str:
        """The name the kernel log uses: "bpf_map_lookup_elem"."""
        return f"bpf_{self.name}"


@cache
def all_helpers() -> dict[int, HelperInfo]:
    out: dict[int, HelperInfo] = {}
    for row in read_rows("helpers.csv"):
        version = parse_version(row["kernel_version_introduced"])
        if version is None:
            continue
        gpl = row["gpl_only"].lower()
        out[int(row["id"])] = HelperInfo(
            id=int(row["id"]),
            name=row["name"].removeprefix("BPF_FUNC_"),
            version=version,
            gpl_only=gpl == "true",
            gpl_known=gpl in ("true", "false"),
            source=row["notes"],
        )
    return out


@cache
def helpers_by_name() -> dict[str, HelperInfo]:
    return {info.name: info for info in all_helpers().values()}


def find_helper(name_or_id: int | str) -> HelperInfo | None:
    """Look up by id, "map_lookup_elem", "bpf_map_lookup_elem" or "BPF_FUNC_map_lookup_elem"."""
    if isinstance(name_or_id, int):
        return all_helpers().get(name_or_id)
    name = name_or_id.strip().removeprefix("BPF_FUNC_")
    by_name = helpers_by_name()
    if name in by_name:
        return by_name[name]
    return by_name.get(name.removeprefix("bpf_"))
