"""Byte regions of the concrete interpreter, with bounds checks and spilled pointers."""

from __future__ import annotations

from dataclasses import dataclass, field

from verifier.concrete.values import Ptr, Value, to_u64


class MemoryFault(Exception):
    """An access outside a region, through NULL, through a non-pointer, or into read-only memory."""

    def __init__(self, kind: str, region: str, offset: int, size: int) -> None:
        super().__init__(f"{kind} {region}+{offset} size {size}")
        self.kind = kind
        self.region = region
        self.offset = offset
        self.size = size


@dataclass(slots=True)
class Region:
    name: str
    data: bytearray
    readonly: bool = False
    addressable: bool = True  # False for map objects and functions: a handle, not memory
    pointers: dict[int, Ptr] = field(default_factory=dict)  # offset -> pointer spilled there (8 bytes)

    @property
    def size(self) -> int:
        return len(self.data)


class Memory:
    def __init__(self) -> None:
        self.regions: dict[str, Region] = {}

    def add(self, name: str, data: bytes | bytearray, readonly: bool = False,
            addressable: bool = True) -> Region:
        region = Region(name, bytearray(data), readonly, addressable)
        self.regions[name] = region
        return region

    def _checked(self, ptr: Value, off: int, size: int, write: bool) -> tuple[Region, int]:
        if not isinstance(ptr, Ptr):
            kind = "null" if ptr == 0 else "not-a-pointer"
            raise MemoryFault(kind, "scalar", (ptr + off), size)
        region = self.regions.get(ptr.region)
        start = ptr.offset + off
        if region is None or not region.addressable:
            raise MemoryFault("not-memory", ptr.region, start, size)
        if start < 0 or start + size > region.size:
            raise MemoryFault("out-of-bounds", region.name, start, size)
        if write and region.readonly:
            raise MemoryFault("readonly", region.name, start, size)
        return region, start

    def load(self, ptr: Value, off: int, size: int) -> Value:
        region, start = self._checked(ptr, off, size, write=False)
        if size == 8 and start in region.pointers:
            return region.pointers[start]
        return int.from_bytes(region.data[start:start + size], "little")

    def load_bytes(self, ptr: Value, off: int, size: int) -> bytes:
        region, start = self._checked(ptr, off, size, write=False)
        return bytes(region.data[start:start + size])

    def store(self, ptr: Value, off: int, size: int, value: Value) -> None:
        region, start = self._checked(ptr, off, size, write=True)
        for slot in [s for s in region.pointers if s < start + size and start < s + 8]:
            del region.pointers[slot]
        if isinstance(value, Ptr) and size == 8:
            region.pointers[start] = value
        number = to_u64(value) & ((1 << (8 * size)) - 1)
        region.data[start:start + size] = number.to_bytes(size, "little")

    def store_bytes(self, ptr: Value, off: int, data: bytes) -> None:
        region, start = self._checked(ptr, off, len(data), write=True)
        for slot in [s for s in region.pointers if s < start + len(data) and start < s + 8]:
            del region.pointers[slot]
        region.data[start:start + len(data)] = data
