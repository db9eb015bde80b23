"""The inputs of one concrete run, read from a plain dict (the same dict a witness is).

Keys (all optional; keys not listed here are ignored, so a witness dict can be passed as is):
- "packet_len": int; "packet": hex string (or bytes / list of ints), zero-padded to packet_len
- "ctx.<field>": int, a named field of the program type's context (see ctx_layouts)
- "ctx+<offset>:<size>": int, any context bytes
- "map lookup at insn N": "NULL" or "value" (a list gives one answer per execution of insn N)
- "map value at insn N": hex string of the value the lookup at insn N returns (or a list)
- "helper at insn N": int returned by the helper called at insn N (or a list)
- "helper returns": list of ints, used in order by helpers that have no "helper at insn N"
- "maps": {map name: {key hex: value hex}}: contents consulted by lookups without an override
- "global <name>": hex string, the initial contents of a global data section (.data/.bss/...)
"""

from __future__ import annotations

from collections import Counter

from verifier.concrete.ctx_layouts import CtxLayout
from verifier.errors import InputError

MAX_PACKET_LEN = 1 << 20


def as_bytes(value: object, what: str) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        try:
            return bytes.fromhex(value.replace(" ", ""))
        except ValueError:
            raise InputError(f"{what}: not a hex string: {value[:40]!r}") from None
    if isinstance(value, list) and all(isinstance(b, int) and 0 <= b < 256 for b in value):
        return bytes(value)
    raise InputError(f"{what}: expected hex string or bytes, got {type(value).__name__}")


def _as_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{what}: expected an integer, got {value!r}")
    return value


class Inputs:
    """Reads the input dict; remembers how often each per-instruction answer was consumed."""

    def __init__(self, raw: dict[str, object] | None) -> None:
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise InputError(f"inputs: expected a dict, got {type(raw).__name__}")
        self.raw = raw
        self._uses: Counter[str] = Counter()
        self._helper_sequence = 0
        packet = as_bytes(raw["packet"], "packet") if "packet" in raw else b""
        length = _as_int(raw.get("packet_len", len(packet)), "packet_len")
        if not 0 <= length <= MAX_PACKET_LEN:
            raise InputError(f"packet_len: {length} is out of range 0..{MAX_PACKET_LEN}")
        self.packet = (packet + bytes(max(0, length - len(packet))))[:length]
        maps = raw.get("maps", {})
        if not isinstance(maps, dict):
            raise InputError("maps: expected {map name: {key hex: value hex}}")
        self.maps: dict[str, dict[bytes, bytes]] = {}
        for name, contents in maps.items():
            if not isinstance(contents, dict):
                raise InputError(f"maps.{name}: expected {{key hex: value hex}}")
            self.maps[str(name)] = {
                as_bytes(k, f"maps.{name} key"): as_bytes(v, f"maps.{name} value") for k, v in contents.items()
            }

    def ctx_bytes(self, layout: CtxLayout) -> bytearray:
        data = bytearray(layout.size)
        for key, value in self.raw.items():
            if not isinstance(key, str) or not key.startswith("ctx"):
                continue
            if key.startswith("ctx."):
                name = key[4:]
                if name not in layout.fields:
                    raise InputError(f"{key}: {layout.struct} has no field {name!r} that can be set")
                off, size = layout.fields[name]
            elif key.startswith("ctx+"):
                try:
                    off_s, size_s = key[4:].split(":")
                    off, size = int(off_s, 0), int(size_s, 0)
                except ValueError:
                    raise InputError(f"{key}: expected ctx+<offset>:<size>") from None
                if size not in (1, 2, 4, 8) or off < 0 or off + size > layout.size:
                    raise InputError(f"{key}: outside {layout.struct} ({layout.size} bytes)")
            else:
                continue
            number = _as_int(value, key) & ((1 << (8 * size)) - 1)
            data[off:off + size] = number.to_bytes(size, "little")
        return data

    def _next(self, key: str) -> object | None:
        if key not in self.raw:
            return None
        value = self.raw[key]
        use = self._uses[key]
        self._uses[key] += 1
        if isinstance(value, list) and not key.startswith("map value"):
            return value[use] if use < len(value) else None
        if isinstance(value, list) and value and not isinstance(value[0], int):
            return value[use] if use < len(value) else None
        return value

    def lookup_override(self, insn: int) -> str | None:
        """"NULL", "value" or None (no override: consult the map contents)."""
        answer = self._next(f"map lookup at insn {insn}")
        if answer is None:
            return None
        if not isinstance(answer, str) or answer.upper() not in ("NULL", "VALUE"):
            raise InputError(f"map lookup at insn {insn}: expected 'NULL' or 'value', got {answer!r}")
        return answer.upper()

    def lookup_value(self, insn: int) -> bytes | None:
        value = self._next(f"map value at insn {insn}")
        return None if value is None else as_bytes(value, f"map value at insn {insn}")

    def helper_return(self, insn: int) -> int | None:
        value = self._next(f"helper at insn {insn}")
        if value is not None:
            return _as_int(value, f"helper at insn {insn}")
        sequence = self.raw.get("helper returns")
        if isinstance(sequence, list) and self._helper_sequence < len(sequence):
            self._helper_sequence += 1
            return _as_int(sequence[self._helper_sequence - 1], "helper returns")
        return None

    def global_data(self, name: str) -> bytes | None:
        key = f"global {name}"
        return as_bytes(self.raw[key], key) if key in self.raw else None
