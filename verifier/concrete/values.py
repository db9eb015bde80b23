"""Concrete values of the interpreter: 64-bit scalars (plain ints) and pointers into regions.

A pointer is a (region, offset) pair. When a pointer has to behave as a number (compared
with a scalar, used in 32-bit arithmetic, returned by the program) it becomes a fake kernel
address: a base derived from the region's name plus the offset. The base depends only on the
name, so the symbolic executor of `verifier.witness` computes the very same addresses.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

MASK64 = (1 << 64) - 1
MASK32 = (1 << 32) - 1
ADDRESS_SPACE = 0xFFFF_0000_0000_0000


@dataclass(frozen=True, slots=True)
class Ptr:
    region: str
    offset: int  # signed, relative to the region's first byte


Value = int | Ptr


def region_base(region: str) -> int:
    """The fake address of a region's first byte (stable across runs and processes)."""
    return ADDRESS_SPACE | ((zlib.crc32(region.encode()) & 0xFFFF) << 32)


def to_u64(value: Value) -> int:
    if isinstance(value, Ptr):
        return (region_base(value.region) + value.offset) & MASK64
    return value & MASK64


def to_s64(value: int) -> int:
    value &= MASK64
    return value - (1 << 64) if value >> 63 else value


def to_s32(value: int) -> int:
    value &= MASK32
    return value - (1 << 32) if value >> 31 else value


def sign_extend(value: int, bits: int) -> int:
    """Sign-extend the low `bits` of value to an unsigned 64-bit int."""
    value &= (1 << bits) - 1
    if value >> (bits - 1):
        value -= 1 << bits
    return value & MASK64
