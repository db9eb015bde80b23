"""`.kconfig` externs (`extern int LINUX_KERNEL_VERSION __kconfig;`, `CONFIG_*`), filled in as
libbpf does (bpf_object__resolve_externs, find_kcfg_type, set_kcfg_value_*; libbpf/libbpf@f7081a6b).

The loader writes the values into the read-only `.kconfig` map before loading, so the verifier
sees constants and prunes the branches they decide. Known here: `LINUX_KERNEL_VERSION` (the
target's version), `LINUX_HAS_SYSCALL_WRAPPER` and `LINUX_HAS_BPF_COOKIE` (from the version),
and `CONFIG_*` when the target's config is known (`--kernel host`: /proc/config.gz or
/boot/config-$(uname -r)). Anything else stays unknown to the verifier (an unknown value, never a
guessed one) and is reported as an assumption.
"""

from __future__ import annotations

import gzip
import os
import re
from dataclasses import dataclass, field
from typing import Any

from verifier.elf import btf as B

BTF_INT_SIGNED, BTF_INT_BOOL = 1, 4
# version facts: syscall wrappers (pt_regs-taking __x64_sys_*) since 4.17 on x86-64 (commit
# fa697140f9a2); the attach cookie (bpf_get_attach_cookie) since 5.15 (commit 7adfc6c9b315)
SYSCALL_WRAPPER_SINCE = (4, 17)
BPF_COOKIE_SINCE = (5, 15)
_CONFIG_LINE = re.compile(r"^(CONFIG_\w+)=(.*)$")


@dataclass(slots=True)
class KconfigValues:
    data: bytearray
    unknown: list[tuple[int, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def kernel_version_code(major: int, minor: int, patch: int = 0) -> int:
    """KERNEL_VERSION(a, b, c), the patch level capped at 255 as libbpf does."""
    return (major << 16) + (minor << 8) + min(patch, 255)


def host_release_version() -> tuple[int, int, int]:
    match = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", os.uname().release)
    if not match:
        return (0, 0, 0)
    return int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)


def read_config(path: str) -> dict[str, str] | None:
    try:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", errors="replace") as f:  # type: ignore[operator]
            text = f.read()
    except OSError:
        return None
    return parse_config(text)


def parse_config(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        match = _CONFIG_LINE.match(line.strip())
        if match:
            out[match.group(1)] = match.group(2)
    return out


def host_config() -> dict[str, str] | None:
    for path in (f"/boot/config-{os.uname().release}", "/proc/config.gz"):
        if os.path.exists(path):
            found = read_config(path)
            if found is not None:
                return found
    return None


def _kcfg_type(btf: B.Btf, type_id: int) -> tuple[str, int]:
    """find_kcfg_type(): ("bool" | "char" | "int" | "tristate" | "char_arr" | "unknown", size)."""
    t = btf.resolve(type_id)
    if t is None:
        return "unknown", 0
    if t.kind == B.KIND_INT:
        if t.int_encoding & BTF_INT_BOOL:
            return ("bool" if t.size_or_type == 1 else "unknown"), t.size_or_type
        if t.size_or_type == 1:
            return "char", 1
        return ("int" if t.size_or_type in (2, 4, 8) else "unknown"), t.size_or_type
    if t.kind in (B.KIND_ENUM, B.KIND_ENUM64) and t.name == "libbpf_tristate":
        return "tristate", t.size_or_type
    if t.kind == B.KIND_ARRAY and t.array is not None and t.array[2] > 0:
        if _kcfg_type(btf, t.array[0])[0] == "char":
            return "char_arr", t.array[2]
    return "unknown", btf.size_of(type_id)


def _encode(kind: str, size: int, raw: str) -> bytes | None:
    """set_kcfg_value_tri / _str / _num; None when the value does not fit the extern's type."""
    if raw in ("y", "n", "m"):
        if kind == "bool" and raw != "m":
            return bytes([raw == "y"])
        if kind == "tristate":
            return {"y": 1, "n": 0, "m": 2}[raw].to_bytes(size, "little")
        if kind == "char":
            return raw.encode()
        return None
    if raw.startswith('"'):
        if kind != "char_arr":
            return None
        text = raw.strip('"').encode()[: size - 1]
        return text + b"\0" * (size - len(text))
    if kind != "int":
        return None
    try:
        value = int(raw, 0)
    except ValueError:
        return None
    return (value & ((1 << (8 * size)) - 1)).to_bytes(size, "little")


def fill(
    obj: Any, version: tuple[int, int, int], config: dict[str, str] | None, config_source: str
) -> KconfigValues | None:
    """The `.kconfig` map's contents for this target, or None when the object has no such externs."""
    btf = getattr(obj, "btf", None)
    datasec = btf.find_datasec(".kconfig") if btf is not None else None
    kmap = next((m for m in getattr(obj, "maps", ()) if m.name == ".kconfig" and m.kind == "data"), None)
    if datasec is None or kmap is None:
        return None
    offsets = _offsets(obj)
    out = KconfigValues(bytearray(kmap.value_size))
    for info in datasec.secinfo:
        var = btf.get(info.type_id)
        if var is None or var.name not in offsets:
            continue
        name, off = var.name, offsets[var.name]
        kind, size = _kcfg_type(btf, var.size_or_type)
        value = _value_of(name, kind, size, version, config)
        if value is None:
            out.unknown.append((off, off + max(size, 1)))
            where = (
                "no config of the target kernel is known" if config is None else f"not set in {config_source}"
            )
            out.notes.append(f"{name}: unknown to the verifier ({where})")
            continue
        out.data[off : off + len(value)] = value
    return out


def _value_of(
    name: str, kind: str, size: int, version: tuple[int, int, int], config: dict[str, str] | None
) -> bytes | None:
    if name == "LINUX_KERNEL_VERSION":
        return _encode("int", size, str(kernel_version_code(*version))) if kind == "int" else None
    if name == "LINUX_HAS_SYSCALL_WRAPPER":
        return _encode(kind, size, "y" if version[:2] >= SYSCALL_WRAPPER_SINCE else "n")
    if name == "LINUX_HAS_BPF_COOKIE":
        return _encode(kind, size, "y" if version[:2] >= BPF_COOKIE_SINCE else "n")
    if not name.startswith("CONFIG_") or config is None:
        return None
    raw = config.get(name)
    if raw is None:
        return b"\0" * max(size, 1)  # a weak extern libbpf cannot find defaults to zero
    return _encode(kind, size, raw)


def _offsets(obj: Any) -> dict[str, int]:
    """The loader's layout of the .kconfig map (recomputed as the object reader did)."""
    from verifier.elf.maps import kconfig_layout

    return kconfig_layout(obj.btf)
