"""Read corpus/manifest.toml: the expected verdict of each corpus program at each kernel version.

from corpus.manifest import load_manifest, MATRIX_VERSIONS
for entry in load_manifest():
    entry.expected("5.2")  # "accept", "reject", or None when the entry makes no claim there
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from verifier.errors import InputError

CORPUS_DIR = Path(__file__).resolve().parent
MANIFEST_PATH = CORPUS_DIR / "manifest.toml"
BUILD_DIR = CORPUS_DIR / "build"
SRC_DIR = CORPUS_DIR / "src"

ACCEPT = "accept"
REJECT = "reject"
DEFAULT_CHECKED = ">=4.15"

# Every kernel release from 4.15 to the running 6.18 (x.y only): the version matrix.
MATRIX_VERSIONS: tuple[str, ...] = (
    *(f"4.{m}" for m in range(15, 21)),
    *(f"5.{m}" for m in range(0, 20)),
    *(f"6.{m}" for m in range(0, 19)),
)

Version = tuple[int, int]
_COMPARISON_RE = re.compile(r"^(>=|<=|==|>|<)\s*(\d+)\.(\d+)$")
_KNOWN_KEYS = frozenset(
    {"object", "name", "area", "accept", "checked", "message", "note", "prog_type", "btf"}
)


def parse_version(text: str) -> Version:
    """ "5.3" or "6.18.44-fc" -> (5, 3); InputError otherwise."""
    m = re.match(r"^(\d+)\.(\d+)", text.strip())
    if not m:
        raise InputError(f"not a kernel version: {text!r}")
    return int(m.group(1)), int(m.group(2))


@dataclass(frozen=True, slots=True)
class VersionSpec:
    """A set of kernel versions: "all", "none", or comparisons that must all hold (">=4.16,<5.6");
    alternatives joined by "|" (">=5.12 | ==5.10": a stable series that got a backport)."""

    text: str
    comparisons: tuple[tuple[str, Version], ...]
    everything: bool
    nothing: bool
    alternatives: tuple[VersionSpec, ...] = ()

    @staticmethod
    def parse(text: str) -> VersionSpec:
        spec = text.strip()
        if spec == "all":
            return VersionSpec(spec, (), True, False)
        if spec == "none":
            return VersionSpec(spec, (), False, True)
        if "|" in spec:
            return VersionSpec(spec, (), False, False, tuple(VersionSpec.parse(p) for p in spec.split("|")))
        comparisons = []
        for part in spec.split(","):
            m = _COMPARISON_RE.match(part.strip())
            if not m:
                raise InputError(f"bad version spec {text!r}: {part.strip()!r} is not like '>=5.3'")
            comparisons.append((m.group(1), (int(m.group(2)), int(m.group(3)))))
        if not comparisons:
            raise InputError(f"empty version spec {text!r}")
        return VersionSpec(spec, tuple(comparisons), False, False)

    def contains(self, version: Version) -> bool:
        if self.alternatives:
            return any(alt.contains(version) for alt in self.alternatives)
        if self.everything or self.nothing:
            return self.everything
        return all(_holds(version, op, bound) for op, bound in self.comparisons)


def _holds(version: Version, op: str, bound: Version) -> bool:
    match op:
        case ">=":
            return version >= bound
        case ">":
            return version > bound
        case "<=":
            return version <= bound
        case "<":
            return version < bound
        case _:
            return version == bound


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    object: str  # relative to corpus/build
    name: str
    area: str
    accept: VersionSpec
    checked: VersionSpec
    message: str = ""
    note: str = ""
    prog_type: str | None = None
    btf: str = ""  # "host": the claims hold with the target kernel's BTF (checked on the host only)

    @property
    def object_path(self) -> Path:
        return BUILD_DIR / self.object

    @property
    def source_path(self) -> Path:
        return SRC_DIR / Path(self.object).with_suffix(".c")

    @property
    def id(self) -> str:
        return f"{self.object}:{self.name}"

    def expected(self, version: str | Version) -> str | None:
        """ACCEPT or REJECT at `version`, or None when the entry makes no claim about it."""
        v = parse_version(version) if isinstance(version, str) else version
        if not self.checked.contains(v):
            return None
        return ACCEPT if self.accept.contains(v) else REJECT


def _entry(raw: dict[str, object], where: str) -> ManifestEntry:
    unknown = set(raw) - _KNOWN_KEYS
    if unknown:
        raise InputError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("object", "name", "accept"):
        if not isinstance(raw.get(key), str):
            raise InputError(f"{where}: missing string '{key}'")
    obj, name = str(raw["object"]), str(raw["name"])
    prog_type = raw.get("prog_type")
    return ManifestEntry(
        object=obj,
        name=name,
        area=str(raw.get("area") or obj.split("/")[0]),
        accept=VersionSpec.parse(str(raw["accept"])),
        checked=VersionSpec.parse(str(raw.get("checked", DEFAULT_CHECKED))),
        message=str(raw.get("message", "")),
        note=str(raw.get("note", "")),
        prog_type=str(prog_type) if prog_type is not None else None,
        btf=str(raw.get("btf", "")),
    )


def load_manifest(path: Path = MANIFEST_PATH) -> list[ManifestEntry]:
    """Every entry of the manifest, in file order; InputError on a malformed file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot read manifest: {exc}") from exc
    programs = data.get("program", [])
    if not isinstance(programs, list):
        raise InputError(f"{path}: 'program' must be an array of tables")
    entries = [_entry(raw, f"{path} program #{i + 1}") for i, raw in enumerate(programs)]
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise InputError(f"{path}: {entry.id} is listed twice")
        seen.add(entry.id)
    return entries


def version_facts(entries: Iterable[ManifestEntry]) -> list[ManifestEntry]:
    """Entries whose verdict changes with the kernel version (the version matrix proper)."""
    out = []
    for entry in entries:
        verdicts = {entry.expected(v) for v in MATRIX_VERSIONS} - {None}
        if len(verdicts) > 1:
            out.append(entry)
    return out
