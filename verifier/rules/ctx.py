"""Context access rules: may a program load/store `size` bytes at `off` of its ctx?

`check_ctx_access(prog_type, off, size, write, version, attach_type, privileged)`
mirrors the kernel's per-type `*_is_valid_access` callbacks (tables in
ctx_tables.py). A failed access carries the kernel's message
"invalid bpf_context access off=%d size=%d". Unknown program types (and types
whose rules were not read: struct_ops, ext) are permissive.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from verifier.rules import ctx_tables as t
from verifier.rules import sock_fields
from verifier.rules.ctx_fields import CtxField, size_ok
from verifier.rules.features import has_feature
from verifier.rules.versions import Version


@dataclass(frozen=True, slots=True)
class CtxAccess:
    ok: bool
    reg_type: str | None = None  # register type of a load ("pkt", "sock_or_null", ...); None: scalar
    reason: str = ""


@dataclass(frozen=True, slots=True)
class _Query:
    off: int
    size: int
    write: bool
    version: Version
    attach_type: str | None
    privileged: bool
    tracepoint_record_8k: bool | None = None  # PERF_MAX_TRACE_SIZE 8192 (None: by version alone)


def _deny(q: _Query, why: str = "") -> CtxAccess:
    msg = f"invalid bpf_context access off={q.off} size={q.size}"
    return CtxAccess(False, None, f"{msg} ({why})" if why else msg)


def _allow(reg_type: str | None = None, why: str = "") -> CtxAccess:
    return CtxAccess(True, reg_type, why)


def _basic(q: _Query, struct_size: int) -> str:
    """Bounds and alignment common to every type; '' when fine."""
    if q.size not in (1, 2, 4, 8):
        return "bad access size"
    if q.off < 0 or q.off + q.size > struct_size:
        return "outside the context struct"
    if q.off % q.size:
        return "misaligned access"
    return ""


def _find(fields: tuple[CtxField, ...], off: int) -> CtxField | None:
    for f in fields:
        if f.off <= off < f.end:
            return f
    return None


def _field_access(
    q: _Query,
    fields: tuple[CtxField, ...],
    struct_size: int,
    write_attach: dict[str, frozenset[str]] | None = None,
    sizes_checked: bool = False,
) -> CtxAccess:
    """`sizes_checked`: the caller already applied the type's own size rules (the table's are skipped)."""
    why = _basic(q, struct_size)
    if why:
        return _deny(q, why)
    f = _find(fields, q.off)
    if f is None:
        return _deny(q, "no field at this offset")
    if q.version < f.since:
        return _deny(q, f"field {f.name} is newer than this kernel")
    if q.off + q.size > f.end:
        return _deny(q, f"access crosses the end of {f.name}")
    if f.attach is not None and q.attach_type is not None and q.attach_type not in f.attach:
        return _deny(q, f"{f.name} not available for attach type {q.attach_type}")
    rule = f.write if q.write else f.read
    if rule.startswith("P"):
        if not q.privileged:
            return _deny(q, f"{f.name} needs CAP_BPF")
        rule = rule[1:]
    if rule == "-":
        return _deny(q, f"{f.name} is {'read-only' if q.write else 'not readable'}")
    if q.write and write_attach and f.name in write_attach and q.attach_type is not None:
        if q.attach_type not in write_attach[f.name]:
            return _deny(q, f"{f.name} not writable for attach type {q.attach_type}")
    if sizes_checked:
        return _allow(None if q.write else f.reg_type)
    if rule == "head":
        if q.off != f.off:
            return _deny(q, f"{f.name} is read narrow at its first byte only")
        rule = "narrow"
    if not size_ok(rule, q.size, f):
        return _deny(q, f"bad size for {f.name}")
    if (q.off - f.off) % min(q.size, f.access_unit()) and rule != "any":
        return _deny(q, "misaligned inside field")
    return _allow(None if q.write else f.reg_type)


# ---------------------------------------------------------------------------
# __sk_buff


def _skb_perm(code: str, version: Version) -> str:
    """'R@4.20' -> 'R' when version >= 4.20 else '-'."""
    if "@" in code:
        code, since = code.split("@")
        major, minor = since.split(".")
        if version < (int(major), int(minor)):
            return "-"
    return code


@cache
def _skb_fields(group: str, version: Version) -> tuple[CtxField, ...]:
    col = t.SKB_GROUPS.index(group)
    out: list[CtxField] = []
    for name, off, size, since, kind, *perms, reg in t.SKB_ROWS:
        perm = _skb_perm(perms[col], version)
        if perm == "-":
            continue
        read_priv = perm[0] == "R"
        can_write = "w" in perm or "W" in perm
        write_priv = "W" in perm
        if kind == "n":
            read, write, unit = "narrow", "exact", 4
        elif kind == "e4":
            read, write, unit = "exact", "exact", 4
        elif kind == "cb":
            read, write, unit = "any", "any", 8
        elif kind == "e1":
            read, write, unit = "exact", "-", 1
        else:  # "u64", "sk"
            read, write, unit = "exact", "exact", 8
        if kind in ("sk",) or name == "hwtstamp":
            can_write = False
        read = ("P" if read_priv else "") + read
        write = (("P" if write_priv else "") + write) if can_write else "-"
        out.append(CtxField(name, off, size, read, write, unit, reg, since, source=t.CA + " §1"))
    return tuple(out)


def _skb(group: str) -> Callable[[_Query], CtxAccess]:
    def check(q: _Query) -> CtxAccess:
        return _field_access(q, _skb_fields(group, q.version), t.SKB_SIZE)

    return check


# ---------------------------------------------------------------------------
# Types with their own rule shape


def _xdp(q: _Query) -> CtxAccess:
    if q.write:
        return _deny(q, "xdp_md is read-only (rx_queue_index only for offloaded programs)")
    return _field_access(q, t.XDP_FIELDS, t.XDP_SIZE)


def _kprobe(q: _Query) -> CtxAccess:
    why = _basic(q, t.PT_REGS_SIZE)
    if why:
        return _deny(q, why)
    if q.write:
        return _deny(q, "pt_regs is read-only")
    return _allow()


def _tracepoint(q: _Query) -> CtxAccess:
    if q.off < 8:
        return _deny(q, "the first 8 bytes of a tracepoint record are hidden")
    big = q.tracepoint_record_8k if q.tracepoint_record_8k is not None else q.version >= t.PERF_MAX_TRACE_SIZE_SINCE
    size = t.PERF_MAX_TRACE_SIZE if big else t.PERF_MAX_TRACE_SIZE_OLD
    why = _basic(q, size)
    if why:
        return _deny(q, why)
    if q.write:
        return _deny(q, "tracepoint context is read-only")
    return _allow()


def _raw_tp(q: _Query) -> CtxAccess:
    why = _basic(q, 8 * t.MAX_BPF_FUNC_ARGS)
    if why:
        return _deny(q, why)
    if q.write:
        return _deny(q, "raw tracepoint arguments are read-only")
    return _allow()


def _raw_tp_writable(q: _Query) -> CtxAccess:
    if q.off == 0:
        if q.size != 8 or q.write:
            return _deny(q, "offset 0 is the writable buffer pointer: 8-byte read only")
        return _allow("tp_buffer")
    return _raw_tp(q)


def _btf_ctx(q: _Query) -> CtxAccess:
    """fentry/fexit/tp_btf/iter/lsm: u64 args typed by BTF (+1 slot for fexit's return value).

    Without vmlinux BTF the argument types are unknown: an 8-byte load is reported as
    "btf_id" (a BTF-typed value: the engine should treat it leniently, it may be a scalar).
    """
    why = _basic(q, 8 * (t.MAX_BPF_FUNC_ARGS + 1))
    if why:
        return _deny(q, why)
    if q.write:
        return _deny(q, "tracing context is read-only")
    return _allow("btf_id" if q.size == 8 else None, "BTF-typed argument (type not known here)")


def _perf_event(q: _Query) -> CtxAccess:
    if q.write:
        return _deny(q, "perf event context is read-only")
    return _field_access(q, t.PERF_EVENT_FIELDS, t.PERF_EVENT_SIZE)


def _sock(q: _Query) -> CtxAccess:
    # sock_filter_is_valid_access() reads through bpf_sock_is_valid_access(): no padding, narrow
    # loads of family/type/protocol/state/src_port/rx_queue_mapping at the field's start only
    # (net/core/filter.c: the per-field rules from 5.2.1 on, absent from 5.0.0; dst_port 16 bits
    # wide from 5.18.12; was: from 6.1). Its sizes replace the table's; the table still says which
    # fields exist and which attach types see them (__sock_filter_check_attach_type()).
    u16 = has_feature("sock_dst_port_u16", q.version)
    if not q.write and has_feature("sock_narrow_per_field", q.version):
        if not sock_fields.sock_access_ok(q.off, q.size, u16):
            return _deny(q, "not a readable bpf_sock field at this size")
        return _field_access(q, t.SOCK_FIELDS, t.SOCK_SIZE, sizes_checked=True)
    return _field_access(q, t.SOCK_FIELDS, t.SOCK_SIZE)


def _sock_addr(q: _Query) -> CtxAccess:
    why = _basic(q, t.SOCK_ADDR_SIZE)
    if why:
        return _deny(q, why)
    f = _find(t.SOCK_ADDR_FIELDS, q.off)
    if f is not None and f.name in t.SOCK_ADDR_WIDE and q.size == 8:
        # bpf_ctx_wide_access_ok: 8-byte aligned, inside the ip6 array
        if q.off % 8 == 0 and q.off + 8 <= f.end:
            if f.attach is not None and q.attach_type is not None and q.attach_type not in f.attach:
                return _deny(q, f"{f.name} not available for attach type {q.attach_type}")
            return _allow()
    return _field_access(q, t.SOCK_ADDR_FIELDS, t.SOCK_ADDR_SIZE)


def _sock_ops(q: _Query) -> CtxAccess:
    return _field_access(q, t.SOCK_OPS_FIELDS, t.SOCK_OPS_SIZE)


def _sk_msg(q: _Query) -> CtxAccess:
    if q.write:
        return _deny(q, "sk_msg_md is read-only")
    return _field_access(q, t.SK_MSG_FIELDS, t.SK_MSG_SIZE)


def _sysctl(q: _Query) -> CtxAccess:
    return _field_access(q, t.SYSCTL_FIELDS, t.SYSCTL_SIZE)


def _sockopt(q: _Query) -> CtxAccess:
    return _field_access(q, t.SOCKOPT_FIELDS, t.SOCKOPT_SIZE, t.SOCKOPT_WRITE_ATTACH)


def _cgroup_dev(q: _Query) -> CtxAccess:
    return _field_access(q, t.CGROUP_DEV_FIELDS, t.CGROUP_DEV_SIZE)


def _sk_reuseport(q: _Query) -> CtxAccess:
    return _field_access(q, t.SK_REUSEPORT_FIELDS, t.SK_REUSEPORT_SIZE)


def _sk_lookup(q: _Query) -> CtxAccess:
    return _field_access(q, t.SK_LOOKUP_FIELDS, t.SK_LOOKUP_SIZE)


def _netfilter(q: _Query) -> CtxAccess:
    return _field_access(q, t.NF_FIELDS, t.NF_SIZE)


def _lirc(q: _Query) -> CtxAccess:
    if q.write or q.off != 0 or q.size != 4:
        return _deny(q, "lirc_mode2 ctx is one read-only u32")
    return _allow()


def _syscall(q: _Query) -> CtxAccess:
    why = _basic(q, t.SYSCALL_CTX_MAX)
    return _deny(q, why) if why else _allow()


def _permissive(q: _Query) -> CtxAccess:
    return _allow("btf_id" if q.size == 8 and not q.write else None, "context rules not modelled: permissive")


_CHECKS: dict[str, Callable[[_Query], CtxAccess]] = {
    **{ptype: _skb(group) for ptype, group in t.SKB_GROUP_OF.items()},
    "xdp": _xdp,
    "kprobe": _kprobe,
    "tracepoint": _tracepoint,
    "raw_tracepoint": _raw_tp,
    "raw_tracepoint_writable": _raw_tp_writable,
    "tracing": _btf_ctx,
    "lsm": _btf_ctx,
    "perf_event": _perf_event,
    "cgroup_sock": _sock,
    "cgroup_sock_addr": _sock_addr,
    "sock_ops": _sock_ops,
    "sk_msg": _sk_msg,
    "cgroup_sysctl": _sysctl,
    "cgroup_sockopt": _sockopt,
    "cgroup_device": _cgroup_dev,
    "sk_reuseport": _sk_reuseport,
    "sk_lookup": _sk_lookup,
    "netfilter": _netfilter,
    "lirc_mode2": _lirc,
    "syscall": _syscall,
}


def check_ctx_access(
    prog_type: str | None,
    off: int,
    size: int,
    write: bool,
    version: Version,
    attach_type: str | None = None,
    privileged: bool = True,
    tracepoint_record_8k: bool | None = None,
) -> CtxAccess:
    check = _CHECKS.get(prog_type or "", _permissive)
    return check(_Query(off, size, write, version, attach_type, privileged, tracepoint_record_8k))


def modelled_prog_types() -> tuple[str, ...]:
    return tuple(_CHECKS)
