"""CO-RE relocations resolved against the target kernel's BTF, as libbpf does before loading.

The behaviour follows libbpf's src/relo_core.c and bpf_core_find_cands() in src/libbpf.c
(libbpf/libbpf@f7081a6b, the same rules since libbpf 1.0): the local access string is parsed
into a spec; candidate target types are the types of a compatible kind whose name matches up
to a `___flavor` suffix; each candidate is matched field by field (named members, searched
through anonymous members; array indexes within bounds; compatible field types); all matching
candidates must agree. A relocation that finds no candidate is answered from the relocation
kind: existence checks become 0, everything else poisons the instruction:

    call 0xbad2310        (the verifier then says "invalid func unknown#195896080")

which only matters when the instruction is reachable. Errors that make libbpf refuse the whole
object (ambiguous candidates, an instruction that does not hold the expected value) are
returned as load errors.

This module knows nothing of the verifier: it rewrites instructions.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from verifier.btf.kernel import KernelBtf
from verifier.elf import btf as B
from verifier.elf.model import CoreReloc
from verifier.isa import opcodes as op
from verifier.isa.insn import Insn

POISON_IMM = 195896080  # 0xbad2310, "bad relo"
POISON_MESSAGE = f"invalid func unknown#{POISON_IMM}"

# enum bpf_core_relo_kind (include/uapi/linux/bpf.h) and libbpf's names for them
FIELD_BYTE_OFFSET, FIELD_BYTE_SIZE, FIELD_EXISTS, FIELD_SIGNED = 0, 1, 2, 3
FIELD_LSHIFT_U64, FIELD_RSHIFT_U64 = 4, 5
TYPE_ID_LOCAL, TYPE_ID_TARGET, TYPE_EXISTS, TYPE_SIZE = 6, 7, 8, 9
ENUMVAL_EXISTS, ENUMVAL_VALUE, TYPE_MATCHES = 10, 11, 12
KIND_NAMES = {
    0: "byte_off",
    1: "byte_sz",
    2: "field_exists",
    3: "signed",
    4: "lshift_u64",
    5: "rshift_u64",
    6: "local_type_id",
    7: "target_type_id",
    8: "type_exists",
    9: "type_size",
    10: "enumval_exists",
    11: "enumval_value",
    12: "type_matches",
}
FIELD_KINDS = frozenset(range(0, 6))
TYPE_KINDS = frozenset({6, 7, 8, 9, 12})
ENUM_KINDS = frozenset({10, 11})
SPEC_MAX_LEN = 64
BTF_INT_SIGNED = 1

_KIND_STR = {
    B.KIND_INT: "int",
    B.KIND_PTR: "ptr",
    B.KIND_ARRAY: "array",
    B.KIND_STRUCT: "struct",
    B.KIND_UNION: "union",
    B.KIND_ENUM: "enum",
    B.KIND_FWD: "fwd",
    B.KIND_TYPEDEF: "typedef",
    B.KIND_VOLATILE: "volatile",
    B.KIND_CONST: "const",
    B.KIND_RESTRICT: "restrict",
    B.KIND_FUNC: "func",
    B.KIND_FUNC_PROTO: "func_proto",
    B.KIND_VAR: "var",
    B.KIND_DATASEC: "datasec",
    B.KIND_FLOAT: "float",
    B.KIND_DECL_TAG: "decl_tag",
    B.KIND_TYPE_TAG: "type_tag",
    B.KIND_ENUM64: "enum64",
}


class CoreError(Exception):
    """libbpf refuses the object ("failed to perform CO-RE relocations")."""


@dataclass(slots=True)
class Accessor:
    type_id: int
    idx: int
    name: str | None = None


@dataclass(slots=True)
class Spec:
    btf: B.Btf
    root_type_id: int
    kind: int
    raw: list[int] = field(default_factory=list)
    acc: list[Accessor] = field(default_factory=list)
    bit_offset: int = 0


@dataclass(slots=True)
class Result:
    orig: int = 0
    new: int = 0
    poison: bool = False
    validate: bool = True
    fail_memsz_adjust: bool = False
    orig_sz: int = 0
    new_sz: int = 0
    orig_type_id: int = 0
    new_type_id: int = 0


@dataclass(slots=True)
class Relocated:
    """A program's instructions after CO-RE, with what happened to each relocation."""

    insns: list[Insn]
    poisoned: dict[int, str] = field(
        default_factory=dict
    )  # insn -> "<byte_off> [4] struct s.a (0:1 @ offset 4)"
    resolved: dict[int, tuple[str, int]] = field(default_factory=dict)  # insn -> (spec text, new value)
    errors: list[str] = field(default_factory=list)


# ---- names ----------------------------------------------------------------------------------


def essential_name(name: str) -> str:
    """bpf_core_essential_name_len(): the name before the last `___X` flavor suffix (X not '_')."""
    for i in range(len(name) - 5, -1, -1):
        if name[i + 1 : i + 4] == "___" and name[i] != "_" and i + 4 < len(name) and name[i + 4] != "_":
            return name[: i + 1]
    return name


def _is_composite(t: B.BtfType | None) -> bool:
    return t is not None and t.kind in (B.KIND_STRUCT, B.KIND_UNION)


def _is_any_enum(t: B.BtfType | None) -> bool:
    return t is not None and t.kind in (B.KIND_ENUM, B.KIND_ENUM64)


def _kind_compat(a: B.BtfType, b: B.BtfType) -> bool:
    return a.kind == b.kind or (_is_any_enum(a) and _is_any_enum(b))


# Kinds whose declared size btf__resolve_size() returns as is, zero included (libbpf btf.c).
_KINDS_WITH_SIZE = (
    B.KIND_INT,
    B.KIND_STRUCT,
    B.KIND_UNION,
    B.KIND_ENUM,
    B.KIND_ENUM64,
    B.KIND_FLOAT,
    B.KIND_DATASEC,
)


def _resolve_size(btf: B.Btf, type_id: int) -> int:
    """btf__resolve_size(): 0 is a size (an empty struct such as `struct bpf_raw_tracepoint_args`
    with only a flexible array, a zero-length array); only types without one (void, functions,
    forward declarations) fail."""
    size = btf.size_of(type_id)
    if size <= 0:
        t = btf.resolve(type_id)
        if t is not None and (t.kind == B.KIND_ARRAY or t.kind in _KINDS_WITH_SIZE):
            return 0
        raise CoreError(f"cannot resolve the size of type [{type_id}]")
    return size


# ---- specs ------------------------------------------------------------------------------------


def parse_spec(btf: B.Btf, type_id: int, access: str, kind: int) -> Spec:
    """bpf_core_parse_spec()."""
    spec = Spec(btf, type_id, kind)
    if not access or access.startswith(":"):
        raise CoreError(f"invalid CO-RE access string {access!r}")
    if kind in TYPE_KINDS:
        if access != "0":
            raise CoreError(f"invalid type-based CO-RE access string {access!r}")
        return spec
    try:
        spec.raw = [int(part) for part in access.split(":")]
    except ValueError:
        raise CoreError(f"invalid CO-RE access string {access!r}") from None
    if any(i < 0 for i in spec.raw) or len(spec.raw) > SPEC_MAX_LEN:
        raise CoreError(f"invalid CO-RE access string {access!r}")
    tid = btf.skip_modifiers(type_id)
    t = btf.get(tid)
    if t is None:
        raise CoreError(f"CO-RE relocation of unknown type [{type_id}]")
    first = spec.raw[0]
    spec.acc.append(Accessor(tid, first))
    if kind in ENUM_KINDS:
        if not _is_any_enum(t) or len(spec.raw) > 1 or first >= len(t.enums):
            raise CoreError(f"invalid enum CO-RE relocation on type [{type_id}]")
        spec.acc[0].name = t.enums[first][0]
        return spec
    if kind not in FIELD_KINDS:
        raise CoreError(f"unknown CO-RE relocation kind {kind}")
    spec.bit_offset = first * _resolve_size(btf, tid) * 8
    for access_idx in spec.raw[1:]:
        tid = btf.skip_modifiers(tid)
        t = btf.get(tid)
        if t is None:
            raise CoreError("invalid CO-RE access")
        if _is_composite(t):
            if access_idx >= len(t.members):
                raise CoreError("CO-RE access beyond the members of a struct")
            m = t.members[access_idx]
            spec.bit_offset += m.bit_offset
            if m.name:
                spec.acc.append(Accessor(tid, access_idx, m.name))
            tid = m.type_id
        elif t.kind == B.KIND_ARRAY and t.array is not None:
            elem_id = btf.skip_modifiers(t.array[0])
            flex = _is_flex(btf, spec.acc[-1], t)
            if not flex and access_idx >= t.array[2]:
                raise CoreError("CO-RE access beyond the end of an array")
            spec.acc.append(Accessor(elem_id, access_idx))
            spec.bit_offset += access_idx * _resolve_size(btf, elem_id) * 8
            tid = elem_id
        else:
            raise CoreError(f"CO-RE relocation captures type [{tid}] of unexpected kind")
    return spec


def _is_flex(btf: B.Btf, acc: Accessor, arr: B.BtfType) -> bool:
    """A zero-sized array that is the last member of the enclosing struct."""
    if acc.name is None or arr.array is None or arr.array[2] > 0:
        return False
    t = btf.get(acc.type_id)
    return t is not None and acc.idx == len(t.members) - 1


def format_spec(spec: Spec) -> str:
    """bpf_core_format_spec(), the text libbpf puts in the log for a failed relocation."""
    t = spec.btf.get(spec.root_type_id)
    name = (t.name if t is not None else "") or "<anon>"
    kind = _KIND_STR.get(t.kind, "unknown") if t is not None else "unknown"
    text = f"<{KIND_NAMES.get(spec.kind, 'unknown')}> [{spec.root_type_id}] {kind} {name}"
    if spec.kind in TYPE_KINDS:
        return text
    if spec.kind in ENUM_KINDS:
        et = spec.btf.resolve(spec.root_type_id)
        if et is not None and spec.raw and spec.raw[0] < len(et.enums):
            ename, value = et.enums[spec.raw[0]]
            text += f"::{ename} = {value}"
        return text
    for i, acc in enumerate(spec.acc):
        if acc.name:
            text += f".{acc.name}"
        elif i > 0 or acc.idx > 0:
            text += f"[{acc.idx}]"
    text += " (" + ":".join(str(i) for i in spec.raw)
    if spec.bit_offset % 8:
        text += f" @ offset {spec.bit_offset // 8}.{spec.bit_offset % 8})"
    else:
        text += f" @ offset {spec.bit_offset // 8})"
    return text


# ---- compatibility ------------------------------------------------------------------------------


def _fields_compat(lb: B.Btf, lid: int, tb: B.Btf, tid: int) -> bool:
    """bpf_core_fields_are_compat()."""
    for _ in range(64):
        lt, tt = lb.resolve(lid), tb.resolve(tid)
        if lt is None or tt is None:
            return lt is None and tt is None  # void
        if _is_composite(lt) and _is_composite(tt):
            return True
        if not _kind_compat(lt, tt):
            return False
        if lt.kind in (B.KIND_PTR, B.KIND_FLOAT):
            return True
        if lt.kind in (B.KIND_FWD, B.KIND_ENUM, B.KIND_ENUM64):
            ln, tn = essential_name(lt.name), essential_name(tt.name)
            return not ln or not tn or ln == tn
        if lt.kind == B.KIND_INT:
            return lt.int_offset == 0 and tt.int_offset == 0
        if lt.kind == B.KIND_ARRAY and lt.array is not None and tt.array is not None:
            lid, tid = lt.array[0], tt.array[0]
            continue
        return False
    return False


def types_are_compat(lb: B.Btf, lid: int, tb: B.Btf, tid: int, level: int = 32) -> bool:
    """__bpf_core_types_are_compat() (type-based relocations)."""
    lt0, tt0 = lb.get(lid), tb.get(tid)
    if lt0 is not None and tt0 is not None and not _kind_compat(lt0, tt0):
        return False
    for _ in range(32):
        lid, tid = lb.skip_modifiers(lid), tb.skip_modifiers(tid)
        lt, tt = lb.get(lid), tb.get(tid)
        if lt is None or tt is None:
            return lt is None and tt is None
        if not _kind_compat(lt, tt):
            return False
        if lt.kind in (B.KIND_STRUCT, B.KIND_UNION, B.KIND_ENUM, B.KIND_FWD, B.KIND_ENUM64):
            return True
        if lt.kind == B.KIND_INT:
            return lt.int_offset == 0 and tt.int_offset == 0
        if lt.kind == B.KIND_PTR:
            lid, tid = lt.size_or_type, tt.size_or_type
            continue
        if lt.kind == B.KIND_ARRAY and lt.array is not None and tt.array is not None:
            lid, tid = lt.array[0], tt.array[0]
            continue
        if lt.kind == B.KIND_FUNC_PROTO:
            if len(lt.params) != len(tt.params) or level <= 0:
                return False
            for (_, lp), (_, tp) in zip(lt.params, tt.params, strict=True):
                if not types_are_compat(lb, lb.skip_modifiers(lp), tb, tb.skip_modifiers(tp), level - 1):
                    return False
            lid, tid = lt.size_or_type, tt.size_or_type
            continue
        return False
    return False


def _names_match(local: str, targ: str) -> bool:
    if not targ:
        return not local
    return essential_name(local) == essential_name(targ)


def types_match(lb: B.Btf, lid: int, tb: B.Btf, tid: int, behind_ptr: bool = False, level: int = 32) -> bool:
    """__bpf_core_types_match() (bpf_core_type_matches())."""
    if level <= 0:
        return False
    for _ in range(32):
        lid, tid = lb.skip_modifiers(lid), tb.skip_modifiers(tid)
        lt, tt = lb.get(lid), tb.get(tid)
        if lt is None or tt is None:
            return lt is None and tt is None
        if not _names_match(lt.name, tt.name):
            return False
        lk, tk = lt.kind, tt.kind
        if lk == B.KIND_FWD:
            if behind_ptr and lk != tk:
                return (tk == B.KIND_STRUCT and not lt.kind_flag) or (tk == B.KIND_UNION and lt.kind_flag)
            return lk == tk and lt.kind_flag == tt.kind_flag
        if lk in (B.KIND_ENUM, B.KIND_ENUM64):
            if not _is_any_enum(tt) or lt.size_or_type != tt.size_or_type or len(lt.enums) > len(tt.enums):
                return False
            return all(any(_names_match(ln, tn) for tn, _ in tt.enums) for ln, _ in lt.enums)
        if lk in (B.KIND_STRUCT, B.KIND_UNION):
            if behind_ptr:
                return lk == tk or (tk == B.KIND_FWD and (lk == B.KIND_UNION) == tt.kind_flag)
            if lk != tk or len(lt.members) > len(tt.members):
                return False
            for lm in lt.members:
                if not any(
                    _names_match(lm.name, tm.name)
                    and types_match(lb, lm.type_id, tb, tm.type_id, behind_ptr, level - 1)
                    for tm in tt.members
                ):
                    return False
            return True
        if lk == B.KIND_INT:
            return (
                lk == tk
                and lt.size_or_type == tt.size_or_type
                and (lt.int_encoding & BTF_INT_SIGNED) == (tt.int_encoding & BTF_INT_SIGNED)
            )
        if lk == B.KIND_PTR:
            if lk != tk:
                return False
            behind_ptr = True
            lid, tid = lt.size_or_type, tt.size_or_type
            continue
        if lk == B.KIND_ARRAY and lt.array is not None:
            if lk != tk or tt.array is None or lt.array[2] != tt.array[2]:
                return False
            lid, tid = lt.array[0], tt.array[0]
            continue
        if lk == B.KIND_FUNC_PROTO:
            if lk != tk or len(lt.params) != len(tt.params):
                return False
            for (_, lp), (_, tp) in zip(lt.params, tt.params, strict=True):
                if not types_match(lb, lp, tb, tp, behind_ptr, level - 1):
                    return False
            lid, tid = lt.size_or_type, tt.size_or_type
            continue
        return False
    return False


# ---- matching a spec against a candidate ----------------------------------------------------------


def _match_member(local: Spec, lacc: Accessor, tb: B.Btf, tid: int, targ: Spec) -> int | None:
    """bpf_core_match_member(): the next target type id when found (targ updated), else None."""
    tid = tb.skip_modifiers(tid)
    tt = tb.get(tid)
    if not _is_composite(tt):
        return None
    assert tt is not None
    lt = local.btf.get(lacc.type_id)
    assert lt is not None
    lmember = lt.members[lacc.idx]
    for i, m in enumerate(tt.members):
        if len(targ.raw) >= SPEC_MAX_LEN:
            raise CoreError("CO-RE spec too deep")
        targ.bit_offset += m.bit_offset
        targ.raw.append(i)
        if not m.name:
            found = _match_member(local, lacc, tb, m.type_id, targ)
            if found is not None:
                return found
        elif m.name == lmember.name:
            if not _fields_compat(local.btf, lmember.type_id, tb, m.type_id):
                return None
            targ.acc.append(Accessor(tid, i, m.name))
            return m.type_id
        targ.bit_offset -= m.bit_offset
        targ.raw.pop()
    return None


def spec_match(local: Spec, tb: B.Btf, tid: int) -> Spec | None:
    """bpf_core_spec_match(): the target spec when the candidate matches."""
    targ = Spec(tb, tid, local.kind)
    if local.kind in TYPE_KINDS:
        if local.kind == TYPE_MATCHES:
            ok = types_match(local.btf, local.root_type_id, tb, tid)
        else:
            ok = types_are_compat(local.btf, local.root_type_id, tb, tid)
        return targ if ok else None
    if local.kind in ENUM_KINDS:
        tid = tb.skip_modifiers(tid)
        tt = tb.get(tid)
        if not _is_any_enum(tt):
            return None
        assert tt is not None
        want = essential_name(local.acc[0].name or "")
        for i, (name, _) in enumerate(tt.enums):
            if essential_name(name) == want:
                targ.acc.append(Accessor(tid, i, name))
                targ.raw.append(i)
                return targ
        return None
    for i, lacc in enumerate(local.acc):
        tid = tb.skip_modifiers(tid)
        tt = tb.get(tid)
        if tt is None:
            return None
        if lacc.name:
            nxt = _match_member(local, lacc, tb, tid, targ)
            if nxt is None:
                return None
            tid = nxt
            continue
        if i > 0:
            if tt.kind != B.KIND_ARRAY or tt.array is None:
                return None
            if not _is_flex(tb, targ.acc[-1], tt) and lacc.idx >= tt.array[2]:
                return None
            tid = tb.skip_modifiers(tt.array[0])
        targ.acc.append(Accessor(tid, lacc.idx))
        targ.raw.append(lacc.idx)
        targ.bit_offset += lacc.idx * _resolve_size(tb, tid) * 8
    return targ


# ---- values ---------------------------------------------------------------------------------------


class _Poison(Exception):
    pass


def _elem_size(btf: B.Btf, type_id: int) -> tuple[int, int]:
    """(size, type id) of the innermost element when `type_id` is an array, else of itself."""
    tid = btf.skip_modifiers(type_id)
    t = btf.get(tid)
    while t is not None and t.kind == B.KIND_ARRAY and t.array is not None:
        tid = btf.skip_modifiers(t.array[0])
        t = btf.get(tid)
    return _resolve_size(btf, tid), tid


def _field_value(kind: int, spec: Spec | None, res: Result, orig: bool) -> int:
    """bpf_core_calc_field_relo(); raises _Poison when the instruction must be poisoned."""
    if kind == FIELD_EXISTS:
        return 1 if spec is not None else 0
    if spec is None:
        raise _Poison()
    btf = spec.btf
    acc = spec.acc[-1]
    if acc.name is None:
        if kind == FIELD_BYTE_OFFSET:
            size, tid = _elem_size(btf, acc.type_id)
            if orig:
                res.orig_sz, res.orig_type_id = size, acc.type_id
            else:
                res.new_sz, res.new_type_id = size, acc.type_id
            return spec.bit_offset // 8
        if kind == FIELD_BYTE_SIZE:
            return _resolve_size(btf, acc.type_id)
        raise CoreError(f"CO-RE relocation {KIND_NAMES.get(kind)} cannot be applied to an array access")
    t = btf.get(acc.type_id)
    assert t is not None
    m = t.members[acc.idx]
    field_id = btf.skip_modifiers(m.type_id)
    mt = btf.get(field_id)
    bit_off = spec.bit_offset
    bit_sz = m.bitfield_size
    bitfield = bit_sz > 0
    if bitfield:
        byte_sz = mt.size_or_type if mt is not None else 0
        if byte_sz <= 0:
            raise CoreError("bitfield of unsized type")
        byte_off = bit_off // 8 // byte_sz * byte_sz
        while bit_off + bit_sz - byte_off * 8 > byte_sz * 8:
            if byte_sz >= 8:
                raise CoreError("CO-RE relocation can't be satisfied for bitfield")
            byte_sz *= 2
            byte_off = bit_off // 8 // byte_sz * byte_sz
    else:
        byte_sz = _resolve_size(btf, field_id)
        byte_off = bit_off // 8
        bit_sz = byte_sz * 8
    if orig:
        res.validate = not bitfield
    if kind == FIELD_BYTE_OFFSET:
        if not bitfield:
            size, _ = _elem_size(btf, field_id)
            if orig:
                res.orig_sz, res.orig_type_id = size, field_id
            else:
                res.new_sz, res.new_type_id = size, field_id
        return byte_off
    if kind == FIELD_BYTE_SIZE:
        return byte_sz
    if kind == FIELD_SIGNED:
        if orig:
            res.validate = True
        if _is_any_enum(mt):
            return int(bool(mt and mt.kind_flag))
        return int(mt is not None and mt.kind == B.KIND_INT and bool(mt.int_encoding & BTF_INT_SIGNED))
    if kind == FIELD_LSHIFT_U64:
        return 64 - (bit_off + bit_sz - byte_off * 8)
    if kind == FIELD_RSHIFT_U64:
        if orig:
            res.validate = True
        return 64 - bit_sz
    raise CoreError(f"unknown CO-RE relocation kind {kind}")


def _type_value(kind: int, spec: Spec | None) -> int:
    if spec is None:
        return 0
    if kind == TYPE_ID_TARGET:
        return spec.root_type_id
    if kind in (TYPE_EXISTS, TYPE_MATCHES):
        return 1
    if kind == TYPE_SIZE:
        return _resolve_size(spec.btf, spec.root_type_id)
    raise CoreError(f"unknown CO-RE relocation kind {kind}")


def _enum_value(kind: int, spec: Spec | None) -> int:
    if kind == ENUMVAL_EXISTS:
        return 1 if spec is not None else 0
    if spec is None:
        raise _Poison()
    t = spec.btf.get(spec.acc[0].type_id)
    assert t is not None
    return t.enums[spec.acc[0].idx][1]


def calc_relo(local: Spec, targ: Spec | None) -> Result:
    """bpf_core_calc_relo()."""
    res = Result()
    kind = local.kind
    try:
        if kind in FIELD_KINDS:
            res.orig = _field_value(kind, local, res, True)
            res.new = _field_value(kind, targ, res, False)
            if res.orig_sz != res.new_sz:
                ot = local.btf.get(res.orig_type_id)
                nt = targ.btf.get(res.new_type_id) if targ is not None else None
                both_ptr = ot is not None and nt is not None and ot.kind == nt.kind == B.KIND_PTR
                both_uint = (
                    ot is not None
                    and nt is not None
                    and ot.kind == nt.kind == B.KIND_INT
                    and ot.int_encoding != BTF_INT_SIGNED
                    and nt.int_encoding != BTF_INT_SIGNED
                )
                res.fail_memsz_adjust = not (both_ptr or both_uint)
        elif kind in TYPE_KINDS:
            res.orig = _type_value(kind, local)
            res.new = _type_value(kind, targ)
            res.validate = kind != TYPE_ID_TARGET
        else:
            res.orig = _enum_value(kind, local)
            res.new = _enum_value(kind, targ)
    except _Poison:
        res.poison = True
    return res


# ---- candidates and the whole relocation ------------------------------------------------------------


def candidates(local_btf: B.Btf, local_id: int, target: KernelBtf) -> list[int]:
    """bpf_core_find_cands() on the target's BTF: same kind family, same essential name."""
    lt = local_btf.get(local_id)
    if lt is None or not lt.name:
        raise CoreError(f"CO-RE relocation of an anonymous type [{local_id}]")
    want = essential_name(lt.name)
    out = []
    for tid in target.ids_with_essential_name(want):
        t = target.btf.types[tid]
        if t is not None and _kind_compat(t, lt):
            out.append(tid)
    return out


def resolve(local_btf: B.Btf, relo: CoreReloc, target: KernelBtf) -> tuple[Spec, Result]:
    """bpf_core_calc_relo_insn(): the local spec and the relocation's result; CoreError when
    libbpf would refuse the object."""
    local = parse_spec(local_btf, relo.type_id, relo.access_str, relo.kind)
    if relo.kind == TYPE_ID_LOCAL:
        return local, Result(relo.type_id, relo.type_id, validate=False)
    chosen: tuple[Spec, Result] | None = None
    for cand in candidates(local_btf, relo.type_id, target):
        targ = spec_match(local, target.btf, cand)
        if targ is None:
            continue
        res = calc_relo(local, targ)
        if chosen is None:
            chosen = (targ, res)
        elif targ.bit_offset != chosen[0].bit_offset:
            raise CoreError(
                f"field offset ambiguity: {targ.bit_offset} != {chosen[0].bit_offset} ({format_spec(local)})"
            )
        elif res.poison != chosen[1].poison or res.new != chosen[1].new:
            raise CoreError(f"relocation decision ambiguity ({format_spec(local)})")
    if chosen is None:
        return local, calc_relo(local, None)
    return local, chosen[1]


def _poison(insns: list[Insn], idx: int) -> None:
    bad = Insn(op.CALL, 0, 0, 0, POISON_IMM)
    if insns[idx].is_ld_imm64 and idx + 1 < len(insns):
        insns[idx + 1] = bad
    insns[idx] = bad


def patch(insns: list[Insn], idx: int, res: Result, spec_text: str) -> None:
    """bpf_core_patch_insn(); CoreError when the instruction does not fit the relocation."""
    insn = insns[idx]
    if res.poison:
        _poison(insns, idx)
        return
    cls = insn.opcode & 7
    if cls in (op.BPF_ALU, op.BPF_ALU64):
        if insn.opcode & op.BPF_X:
            raise CoreError(f"insn #{idx}: CO-RE relocation on a register ALU instruction")
        if res.validate and (insn.imm & 0xFFFFFFFF) != (res.orig & 0xFFFFFFFF):
            raise CoreError(f"insn #{idx} (ALU/ALU64) value: got {insn.imm}, exp {res.orig} -> {res.new}")
        insns[idx] = dataclasses.replace(insn, imm=_s32(res.new))
        return
    if cls in (op.BPF_LDX, op.BPF_ST, op.BPF_STX):
        if res.validate and insn.off != res.orig:
            raise CoreError(f"insn #{idx} (LDX/ST/STX) value: got {insn.off}, exp {res.orig} -> {res.new}")
        if res.new > 0x7FFF:
            raise CoreError(f"insn #{idx} (LDX/ST/STX) value too big: {res.new}")
        if res.fail_memsz_adjust:
            _poison(insns, idx)
            return
        new = dataclasses.replace(insn, off=res.new)
        if res.new_sz != res.orig_sz:
            size_code = {8: op.BPF_DW, 4: op.BPF_W, 2: op.BPF_H, 1: op.BPF_B}
            have = {v: k for k, v in size_code.items()}.get(insn.opcode & 0x18)
            if have != res.orig_sz or res.new_sz not in size_code:
                raise CoreError(f"insn #{idx} (LDX/ST/STX) unexpected mem size")
            new = dataclasses.replace(new, opcode=(insn.opcode & ~0x18) | size_code[res.new_sz])
        insns[idx] = new
        return
    if insn.is_ld_imm64:
        if res.validate and insn.imm64 != res.orig:
            raise CoreError(f"insn #{idx} (LDIMM64) value: got {insn.imm64}, exp {res.orig} -> {res.new}")
        value = res.new & ((1 << 64) - 1)
        insns[idx] = dataclasses.replace(
            insn, imm=_s32(value & 0xFFFFFFFF), imm64=value, next_imm=_s32(value >> 32)
        )
        if idx + 1 < len(insns):
            insns[idx + 1] = dataclasses.replace(insns[idx + 1], imm=_s32(value >> 32))
        return
    raise CoreError(f"insn #{idx}: CO-RE relocation on an unrecognized instruction (code 0x{insn.opcode:x})")


def _s32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >> 31 else value


def relocate(local_btf: B.Btf, relocs: list[CoreReloc], insns: list[Insn], target: KernelBtf) -> Relocated:
    """Apply every CO-RE relocation of a linked program (libbpf's bpf_object__relocate_core)."""
    out = Relocated(list(insns))
    for relo in relocs:
        if not 0 <= relo.insn < len(out.insns):
            out.errors.append(f"CO-RE relocation at insn {relo.insn} is outside the program")
            continue
        try:
            local, res = resolve(local_btf, relo, target)
            text = format_spec(local)
            patch(out.insns, relo.insn, res, text)
        except CoreError as exc:
            out.errors.append(f"failed to perform CO-RE relocation at insn {relo.insn}: {exc}")
            continue
        if res.poison or (res.fail_memsz_adjust and (out.insns[relo.insn].opcode == op.CALL)):
            out.poisoned[relo.insn] = text
        else:
            out.resolved[relo.insn] = (text, res.new)
    return out
