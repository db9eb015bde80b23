"""Context field model shared by the per-struct tables (ctx_tables.py) and ctx.py.

An access rule is a string:
  "-"       not allowed
  "exact"   size must equal the field's access unit (`unit`, default: the field size)
  "narrow"  1/2/4/8-byte loads of at most `unit` bytes (bpf_ctx_narrow_access_ok)
  "head"    "narrow" at the field's first byte only: a `case offsetof(struct X, f):` label (an
            access further inside falls to the switch's default, the field's full size)
  "any"     any size, as long as the access stays inside the field (e.g. __sk_buff.cb)
A leading "P" makes the rule apply to privileged (bpf_capable) loads only: "Pexact".
"""

from __future__ import annotations

from dataclasses import dataclass

from verifier.rules.versions import Version


@dataclass(frozen=True, slots=True)
class CtxField:
    name: str
    off: int
    size: int
    read: str = "narrow"
    write: str = "-"
    unit: int = 0  # access unit for "exact"/"narrow" (0: min(size, 4) for arrays/ints, 8 for u64 fields)
    reg_type: str | None = None  # register type a load yields ("pkt", "sock_or_null", ...); None: scalar
    since: Version = (4, 14)
    attach: frozenset[str] | None = None  # attach types that may access it (None: all)
    source: str = ""
    min_size: int = 0  # loads below this size are refused (sk_reuseport_md.eth_protocol: 2)

    @property
    def end(self) -> int:
        return self.off + self.size

    def access_unit(self) -> int:
        if self.unit:
            return self.unit
        return 8 if self.size == 8 else min(self.size, 4)


def size_ok(rule: str, size: int, field: CtxField) -> bool:
    unit = field.access_unit()
    if size < field.min_size:
        return False
    if rule == "exact":
        return size == unit
    if rule == "narrow":
        return size <= unit and size in (1, 2, 4, 8)
    if rule == "any":
        return size in (1, 2, 4, 8)
    return False
