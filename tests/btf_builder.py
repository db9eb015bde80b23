"""Build small raw BTF blobs by hand for tests (layout: include/uapi/linux/btf.h)."""

from __future__ import annotations

import struct

INT, PTR, ARRAY, STRUCT, UNION, ENUM, FWD, TYPEDEF = 1, 2, 3, 4, 5, 6, 7, 8
VOLATILE, CONST, RESTRICT, FUNC, FUNC_PROTO, VAR, DATASEC, FLOAT, DECL_TAG, TYPE_TAG = range(9, 19)


class BtfBuilder:
    def __init__(self) -> None:
        self.strings = bytearray(b"\0")
        self.types: list[bytes] = []
        self._offsets: dict[str, int] = {"": 0}

    def _str(self, name: str) -> int:
        if name not in self._offsets:
            self._offsets[name] = len(self.strings)
            self.strings += name.encode() + b"\0"
        return self._offsets[name]

    def _add(self, blob: bytes) -> int:
        self.types.append(blob)
        return len(self.types)

    @staticmethod
    def _info(kind: int, vlen: int = 0, kflag: bool = False) -> int:
        return (int(kflag) << 31) | (kind << 24) | vlen

    def int_(self, name: str, size: int, signed: bool = False, bits: int | None = None, enc: int = 0) -> int:
        encoding = (enc or (1 if signed else 0)) << 24 | (bits if bits is not None else size * 8)
        return self._add(struct.pack("<3II", self._str(name), self._info(INT), size, encoding))

    def ptr(self, target: int) -> int:
        return self._add(struct.pack("<3I", 0, self._info(PTR), target))

    def typedef(self, name: str, target: int) -> int:
        return self._add(struct.pack("<3I", self._str(name), self._info(TYPEDEF), target))

    def const(self, target: int) -> int:
        return self._add(struct.pack("<3I", 0, self._info(CONST), target))

    def type_tag(self, name: str, target: int) -> int:
        return self._add(struct.pack("<3I", self._str(name), self._info(TYPE_TAG), target))

    def array(self, elem: int, index: int, nelems: int) -> int:
        return self._add(struct.pack("<3I3I", 0, self._info(ARRAY), 0, elem, index, nelems))

    def struct(
        self,
        name: str,
        size: int,
        members: list[tuple[str, int, int]],
        union: bool = False,
        bitfields: dict[str, int] | None = None,
    ) -> int:
        """members: (name, type id, bit offset); bitfields: name -> bit size (sets kind_flag)."""
        kflag = bool(bitfields)
        body = b""
        for mname, mtype, bit_off in members:
            off = bit_off
            if kflag:
                off = ((bitfields or {}).get(mname, 0) << 24) | bit_off
            body += struct.pack("<3I", self._str(mname), mtype, off)
        kind = UNION if union else STRUCT
        return self._add(
            struct.pack("<3I", self._str(name), self._info(kind, len(members), kflag), size) + body
        )

    def fwd(self, name: str, union: bool = False) -> int:
        return self._add(struct.pack("<3I", self._str(name), self._info(FWD, 0, union), 0))

    def enum(self, name: str, values: list[tuple[str, int]], size: int = 4, signed: bool = False) -> int:
        body = b"".join(struct.pack("<Ii", self._str(n), v) for n, v in values)
        return self._add(
            struct.pack("<3I", self._str(name), self._info(ENUM, len(values), signed), size) + body
        )

    def func_proto(self, ret: int, params: list[tuple[str, int]]) -> int:
        body = b"".join(struct.pack("<II", self._str(n), t) for n, t in params)
        return self._add(struct.pack("<3I", 0, self._info(FUNC_PROTO, len(params)), ret) + body)

    def func(self, name: str, proto: int, linkage: int = 1) -> int:
        return self._add(struct.pack("<3I", self._str(name), self._info(FUNC, linkage), proto))

    def decl_tag(self, name: str, target: int, component: int = -1) -> int:
        return self._add(struct.pack("<3Ii", self._str(name), self._info(DECL_TAG), target, component))

    def build(self) -> bytes:
        types = b"".join(self.types)
        header = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(self.strings))
        return header + types + bytes(self.strings)
