"""BTF-typed pointers: tracing program arguments (`btf_ctx_access`) and loads through
`PTR_TO_BTF_ID` (`check_ptr_to_btf_access` + `btf_struct_walk`), against the target's BTF.

Semantics and messages from kernel/bpf/btf.c and kernel/bpf/verifier.c (v6.18). Without a BTF
for the target (no `--btf`, not `--kernel host`), every function here returns None and the
engine keeps its untyped approximation.

A register's `btf_id` is the type id of the pointed-to struct in the target BTF, with flags
from bit 32 up (MEM_USER, MEM_PERCPU: the `__user` / `__percpu` type tags).
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any, Final

from verifier.abstract.regs import (
    BTF_RCU,
    BTF_TRUSTED,
    BTF_UNTRUSTED,
    PTR_TO_BTF_ID,
    PTR_TO_BUF,
    PTR_TO_MEM,
    SCALAR,
    Reg,
    pointer_reg,
    unknown_reg,
)
from verifier.abstract.reject import Reject
from verifier.btf.kernel import KernelBtf
from verifier.btf.target import target_btf
from verifier.elf import btf as B
from verifier.rules import kfunc_refs

FLAG_USER: Final = 1 << 32
FLAG_PERCPU: Final = 1 << 33
# MEM_ALLOC: an object of the program's own BTF (bpf_obj_new), its type id in the program's BTF, not the target's
FLAG_ALLOC: Final = 1 << 37
ID_MASK: Final = (1 << 32) - 1
TRUST_FLAGS: Final = BTF_TRUSTED | BTF_RCU | BTF_UNTRUSTED  # (regs.py: PTR_TRUSTED, MEM_RCU, PTR_UNTRUSTED)
_RCU_TAG: Final = 1 << 40  # a walked member's `__rcu` type tag (btf_struct_walk(): MEM_RCU), inside a walk only

# LSM hooks whose arguments are not trusted (untrusted_lsm_hooks, kernel/bpf/bpf_lsm.c, 6.18.2;
# bpf_lsm_is_trusted()); every other LSM hook's arguments are PTR_TRUSTED
UNTRUSTED_LSM_HOOKS: Final = frozenset(
    {
        "bpf_map_free",
        "bpf_prog_free",
        "file_alloc_security",
        "file_free_security",
        "sk_alloc_security",
        "sk_free_security",
        "task_free",
    }
)

# program types whose context is the traced function's arguments (tracing_prog_is_valid_access,
# bpf_lsm_is_valid_access -> btf_ctx_access)
BTF_CTX_PROG_TYPES: Final = frozenset({"tracing", "lsm"})

# attach types whose context slot after the last argument is the traced function's return value
# (btf_ctx_access: BPF_LSM_MAC, BPF_LSM_CGROUP, BPF_TRACE_FEXIT; BPF_MODIFY_RETURN needs a small int)
RETVAL_ATTACH: Final = frozenset({"trace_fexit", "lsm_mac", "lsm_cgroup"})
FMOD_RET: Final = "modify_return"
ITER_ATTACH: Final = "trace_iter"

# helpers whose result is a PTR_TO_BTF_ID of a fixed struct (`ret_btf_id` of their bpf_func_proto:
# kernel/bpf/helpers.c, kernel/trace/bpf_trace.c, net/core/filter.c, v6.18)
HELPER_RET_STRUCT: Final = {
    "bpf_get_current_task_btf": "task_struct",
    "bpf_task_pt_regs": "pt_regs",
    "bpf_skc_to_tcp_sock": "tcp_sock",
    "bpf_skc_to_tcp6_sock": "tcp6_sock",
    "bpf_skc_to_tcp_timewait_sock": "tcp_timewait_sock",
    "bpf_skc_to_tcp_request_sock": "tcp_request_sock",
    "bpf_skc_to_udp6_sock": "udp6_sock",
    "bpf_skc_to_unix_sock": "unix_sock",
    "bpf_skc_to_mptcp_sock": "mptcp_sock",
    "bpf_sock_from_file": "socket",
}

UNSET: Final = object()  # Verifier._kernel_btf before kernel_btf_of() looked it up


def kernel_btf_of(v: Any) -> KernelBtf | None:
    """The target BTF of the verifier `v` (cached on it)."""
    cached = getattr(v, "_kernel_btf", UNSET)  # (fakes in tests may lack it)
    if cached is UNSET:
        cached = target_btf(v.options, getattr(v.rules, "name", ""))
        v._kernel_btf = cached
    return cached  # type: ignore[return-value]


def _attach(v: Any) -> tuple[KernelBtf, B.BtfType, list[tuple[str, int]], str] | None:
    kb = kernel_btf_of(v)
    if kb is None:
        return None
    found = kb.attach_proto(v.attach_type, v.prog.attach_to)
    if found is None:
        return None
    proto, hidden_first = found
    params = proto.params[1:] if hidden_first else list(proto.params)
    return kb, proto, params, v.prog.attach_to or ""


# bpf_lsm_get_retval_range() (kernel/bpf/bpf_lsm.c, 6.11.11 to 6.18.2): the hooks of bool_lsm_hooks return 0
# or 1, every other hook that returns a value 0 or a negative errno; a void hook is not checked
BOOL_LSM_HOOKS: Final = frozenset({"xfrm_state_pol_flow_match", "audit_rule_known", "inode_xattr_skipcap"})
MAX_ERRNO: Final = 4095


def lsm_retval_range(v: Any) -> tuple[int, int] | None:
    """The return range of an lsm_mac program's hook, or None (no BTF, no such hook, a void hook)."""
    kb = kernel_btf_of(v)
    target = getattr(v.prog, "attach_to", None)
    found = kb.attach_proto("lsm_mac", target) if kb is not None else None
    if found is None or not found[0].size_or_type:
        return None
    return (0, 1) if target in BOOL_LSM_HOOKS else (-MAX_ERRNO, 0)


def _bad_ctx(off: int, size: int, log_line: str) -> Reject:
    return Reject(f"invalid bpf_context access off={off} size={size}", "ctx-access").with_detail(log_line)


def _is_small_int(t: B.BtfType | None) -> bool:
    return t is not None and t.kind == B.KIND_INT and t.size_or_type <= 8


def _is_struct(t: B.BtfType | None) -> bool:
    return t is not None and t.kind in (B.KIND_STRUCT, B.KIND_UNION)


def _arg_index(btf: B.Btf, params: list[tuple[str, int]], off: int) -> int:
    """btf_ctx_arg_idx(): struct arguments of 9..16 bytes take two u64 slots."""
    slot = off // 8
    for i, (_, type_id) in enumerate(params):
        t = btf.resolve(type_id)
        width = 2 if _is_struct(t) and t is not None and t.size_or_type > 8 else 1
        if slot < width:
            return i
        slot -= width
    return len(params) + slot


def ctx_arg(v: Any, off: int, size: int) -> Reg | None:
    """The value a tracing/LSM program reads from its context at `off` (btf_ctx_access), or None
    when the target's BTF (or the attach target in it) is not known."""
    found = _attach(v)
    if found is None:
        return None
    kb, proto, params, tname = found
    btf = kb.btf
    if off % 8:
        raise _bad_ctx(off, size, f"func '{tname}' offset {off} is not multiple of 8")
    arg = _arg_index(btf, params, off)
    nr_args = len(params)
    if arg > nr_args:
        raise _bad_ctx(off, size, f"func '{tname}' doesn't have {arg + 1}-th argument")
    if arg == nr_args:
        if v.attach_type in RETVAL_ATTACH:
            type_id = proto.size_or_type
        elif v.attach_type == FMOD_RET:
            type_id = proto.size_or_type
            if not _is_small_int(btf.resolve(type_id)):
                kind = _kind_name(btf.resolve(type_id))
                raise _bad_ctx(off, size, f"ret type {kind} not allowed for fmod_ret")
        else:
            raise _bad_ctx(off, size, f"func '{tname}' doesn't have {arg + 1}-th argument")
        name = ""
    else:
        name, type_id = params[arg]
    t = btf.resolve(type_id)
    rules = getattr(v, "rules", None)
    has = rules.has if hasattr(rules, "has") else (lambda _name: True)
    struct_scalar = _is_struct(t) and has("btf_ctx_struct_arg")
    if t is None or _is_small_int(t) or t.kind in (B.KIND_ENUM, B.KIND_ENUM64) or struct_scalar:
        return unknown_reg()  # accessing a scalar (void return value included)
    if t.kind != B.KIND_PTR:
        raise _bad_ctx(
            off,
            size,
            f"func '{tname}' arg{arg} '{t.name}' has type {_kind_name(t)}. Only pointer access is allowed",
        )
    if size != 8 and has("btf_ctx_ptr_size_8"):
        raise _bad_ctx(off, size, f"func '{tname}' size {size} must be 8")
    pointee_id, flags = _pointee(btf, t.size_or_type)
    pointee = btf.get(pointee_id)
    iter_arg = v.attach_type == ITER_ATTACH and arg > 0
    if iter_arg and pointee is None:
        # the map iterators' key/value (bpf_iter__bpf_map_elem, __sockmap, __bpf_sk_storage_map):
        # PTR_TO_BUF_OR_NULL, bounded by the map only when the iterator is attached
        return pointer_reg(PTR_TO_BUF, maybe_null=True, id=v.new_id())
    if not _is_struct(pointee):
        if pointee is None or has("btf_ctx_non_struct_ptr_scalar") or _int_pointee(pointee, has):
            return unknown_reg()  # void *, int * (char * before 5.13): the same as a scalar
        raise _bad_ctx(off, size, f"func '{tname}' arg{arg} type {_kind_name(pointee)} is not a struct")
    # every iterator registers its object arguments as PTR_TO_BTF_ID_OR_NULL (ctx_arg_info of
    # bpf_iter_reg: task, file, vma, map, prog, link, sk, ...); the meta argument is not listed
    maybe_null = name.endswith("__nullable") or iter_arg
    if v.attach_type == "trace_raw_tp" and has("raw_tp_null_args"):
        nibble = (raw_tp_null_args().get(tname, 0) >> (4 * arg)) & 0xF
        if nibble & 0x2:
            return unknown_reg()  # may encode an error: "marking pointer arg%d as scalar"
        maybe_null = maybe_null or bool(nibble & 0x1)
    if has("trusted_btf_ptrs") and prog_args_trusted(v) and (not iter_arg or (tname, name) in ITER_TRUSTED_ARGS):
        flags |= BTF_TRUSTED
    reg = pointer_reg(PTR_TO_BTF_ID, btf_id=pointee_id | flags, maybe_null=maybe_null)
    return reg.evolve(id=v.new_id()) if maybe_null else reg


# An iterator's object arguments are typed by its registration (bpf_iter_reg.ctx_arg_info), not by
# prog_args_trusted(): PTR_TO_BTF_ID_OR_NULL, with PTR_TRUSTED only for these (target, argument) of
# 6.18.2 (task_iter.c task, cgroup_iter.c, kmem_cache_iter.c, map_iter.c bpf_map, tcp_ipv4.c, udp.c);
# task_file, task_vma, link, prog, dmabuf, ksym, sockmap and sk_storage map arguments are not trusted.
ITER_TRUSTED_ARGS: Final = frozenset(
    {
        ("task", "task"),
        ("cgroup", "cgroup"),
        ("kmem_cache", "s"),
        ("bpf_map", "map"),
        ("tcp", "sk_common"),
        ("udp", "udp_sk"),
    }
)


def prog_args_trusted(v: Any) -> bool:
    """prog_args_trusted() (kernel/bpf/btf.c): tp_btf and iterator arguments, and an LSM hook's
    unless the hook is listed untrusted, are PTR_TRUSTED; fentry/fexit/fmod_ret ones are not."""
    if getattr(v.prog, "prog_type", None) == "lsm":
        return (getattr(v.prog, "attach_to", None) or "") not in UNTRUSTED_LSM_HOOKS
    return v.attach_type in ("trace_raw_tp", ITER_ATTACH)


@functools.cache
def raw_tp_null_args() -> dict[str, int]:
    """tracepoint -> mask of arguments that may be NULL (0x1) / an ERR_PTR (0x2), 4 bits each."""
    text = resources.files("verifier.btf").joinpath("data/raw_tp_null_args.csv").read_text()
    rows = [
        line.split(",") for line in text.splitlines() if line and not line.startswith(("#", "tracepoint"))
    ]
    return {name: int(mask, 16) for name, mask in rows}


def _int_pointee(t: B.BtfType, has: Any) -> bool:
    """is_int_ptr() (any integer), is_string_ptr() before it (1-byte integers only)."""
    return t.kind == B.KIND_INT and (t.size_or_type == 1 or has("btf_ctx_int_ptr_scalar"))


def _pointee(btf: B.Btf, type_id: int, tags: dict[str, int] | None = None) -> tuple[int, int]:
    """Skip modifiers after a PTR, noting the `user`/`percpu` type tags (and those of `tags`)."""
    flags = 0
    t = btf.get(type_id)
    if t is not None and t.kind == B.KIND_TYPE_TAG and not t.kind_flag:
        flags |= {"user": FLAG_USER, "percpu": FLAG_PERCPU, **(tags or {})}.get(t.name, 0)
    return btf.skip_modifiers(type_id), flags


_KIND_NAMES: Final = {
    B.KIND_INT: "INT",
    B.KIND_PTR: "PTR",
    B.KIND_ARRAY: "ARRAY",
    B.KIND_STRUCT: "STRUCT",
    B.KIND_UNION: "UNION",
    B.KIND_ENUM: "ENUM",
    B.KIND_FWD: "FWD",
    B.KIND_TYPEDEF: "TYPEDEF",
    B.KIND_VOLATILE: "VOLATILE",
    B.KIND_CONST: "CONST",
    B.KIND_RESTRICT: "RESTRICT",
    B.KIND_FUNC: "FUNC",
    B.KIND_FUNC_PROTO: "FUNC_PROTO",
    B.KIND_VAR: "VAR",
    B.KIND_DATASEC: "DATASEC",
    B.KIND_FLOAT: "FLOAT",
    B.KIND_DECL_TAG: "DECL_TAG",
    B.KIND_TYPE_TAG: "TYPE_TAG",
    B.KIND_ENUM64: "ENUM64",
}


def _kind_name(t: B.BtfType | None) -> str:
    return "UNKNOWN" if t is None else _KIND_NAMES.get(t.kind, "UNKNOWN")


def type_name(v: Any, reg: Reg) -> str:
    if reg.btf_id & FLAG_ALLOC:
        local = local_type(v, reg)
        return local.name if local is not None else ""
    kb = kernel_btf_of(v)
    t = kb.btf.get(reg.btf_id & ID_MASK) if kb is not None else None
    return t.name if t is not None else ""


def local_type(v: Any, reg: Reg) -> B.BtfType | None:
    """The program's own struct a MEM_ALLOC register points to."""
    btf = getattr(v.obj, "btf", None)
    return btf.get(reg.btf_id & ID_MASK) if btf is not None else None


def obj_new_result(v: Any, r0: Reg, type_arg: Reg) -> Reg:
    """bpf_obj_new_impl() (check_kfunc_call()): PTR_TO_BTF_ID | MEM_ALLOC of the program's struct
    `local_type_id__k` (the constant first argument)."""
    btf = getattr(v.obj, "btf", None)
    if r0.type != PTR_TO_BTF_ID or btf is None or not type_arg.is_const:
        return r0
    type_id = type_arg.var.const_value
    t = btf.get(type_id) if 0 < type_id <= ID_MASK else None
    if t is None or t.kind != B.KIND_STRUCT:
        return r0
    return r0.evolve(btf_id=FLAG_ALLOC | type_id)


# alloc_obj_fields of kernel/bpf/btf.c (v6.18.2): a program struct with a member of one of these types
# (or a kptr member) has a btf_struct_meta, its btf_record (btf_parse_struct_metas())
_ALLOC_OBJ_FIELDS: Final = frozenset(
    {"bpf_spin_lock", "bpf_list_head", "bpf_list_node", "bpf_rb_root", "bpf_rb_node", "bpf_refcount"}
)
_KPTR_TAGS: Final = frozenset({"kptr", "kptr_untrusted", "percpu_kptr"})  # btf_find_kptr(..., BPF_KPTR)


def _local_fields(btf: B.Btf, t: B.BtfType) -> list[str] | None:
    """btf_parse_struct_metas(): the special member types of program struct `t` ("kptr" for a kptr
    member), None when it has none (no btf_struct_meta: no record)."""
    found = []
    for mem in t.members:
        m = btf.get(mem.type_id)
        if m is None:
            continue
        if m.kind == B.KIND_STRUCT and m.name in _ALLOC_OBJ_FIELDS:
            found.append(m.name)
        elif m.kind == B.KIND_PTR:
            tag = btf.get(m.size_or_type)
            if tag is not None and tag.kind == B.KIND_TYPE_TAG and tag.name in _KPTR_TAGS:
                found.append("kptr")
    return found or None


def _local_record(btf: B.Btf, t: B.BtfType) -> list[tuple[int, int, str]]:
    """The btf_record of program struct `t` (btf_parse_struct_metas()): its special members as
    (byte offset, size, btf_field_type_name()); empty when it has no record."""
    if _local_fields(btf, t) is None:
        return []
    found = []
    for mem in t.members:
        m = btf.get(mem.type_id)
        if m is None:
            continue
        if m.kind == B.KIND_STRUCT and m.name in _ALLOC_OBJ_FIELDS:
            found.append((mem.bit_offset // 8, m.size_or_type, m.name))
        elif m.kind == B.KIND_PTR:
            tag = btf.get(m.size_or_type)
            if tag is not None and tag.kind == B.KIND_TYPE_TAG and tag.name in _KPTR_TAGS:
                found.append((mem.bit_offset // 8, 8, "percpu_kptr" if tag.name == "percpu_kptr" else "kptr"))
    return found


def alloc_access(v: Any, regno: int, reg: Reg, off: int, size: int) -> Reg:
    """check_ptr_to_btf_access() for an object of the program's own type (MEM_ALLOC, from
    bpf_obj_new()): reads and writes at a constant, non-negative offset inside its struct, never
    over a special field ("direct access to %s is disallowed", btf_struct_access()); a pointer
    member loads as a scalar ("the destination register cannot become a pointer again")."""
    local = local_type(v, reg)
    btf = getattr(v.obj, "btf", None)
    if local is None or btf is None:
        return unknown_reg()
    tname = local.name
    total = off + reg.off
    if total < 0:
        raise Reject(f"R{regno} is ptr_{tname} invalid negative access: off={total}", "btf-access", (regno,))
    if not reg.var.is_const or reg.var.const_value:
        raise Reject(
            f"R{regno} is ptr_{tname} invalid variable offset: off={total}, var_off={reg.var.var_off}",
            "btf-access",
            (regno,),
        )
    for at, fsize, fname in _local_record(btf, local):
        if total < at + fsize and at < total + size:
            raise Reject(f"direct access to {fname} is disallowed", "btf-access", (regno,))
    struct_walk(btf, reg.btf_id & ID_MASK, total, size)
    return unknown_reg()


# kfuncs whose first argument is KF_ARG_PTR_TO_ALLOC_BTF_ID (`p__alloc`, kernel/bpf/helpers.c v6.18.2):
# whether they take a per-CPU object
_ALLOC_ARG_KFUNCS: Final = {"bpf_obj_drop_impl": False, "bpf_percpu_obj_drop_impl": True}
# the graph node types bpf_rbtree_remove() & co return (owning or non-owning objects of the program's
# type in the kernel; kept as the node type here)
_GRAPH_NODES: Final = frozenset({"bpf_rb_node", "bpf_list_node"})


def check_alloc_arg(v: Any, name: str, reg: Reg) -> None:
    """check_kfunc_args() for KF_ARG_PTR_TO_ALLOC_BTF_ID: bpf_obj_drop() takes an object of the
    program's own type (PTR_TO_BTF_ID | MEM_ALLOC), bpf_percpu_obj_drop() a per-CPU one; a kernel
    object is "expected pointer to allocated object"."""
    percpu = _ALLOC_ARG_KFUNCS.get(name)
    if percpu is None or reg.type != PTR_TO_BTF_ID or reg.maybe_null:
        return
    if reg.btf_id & FLAG_ALLOC:
        if bool(reg.btf_id & FLAG_PERCPU) != percpu:
            other = "bpf_obj_drop_impl" if percpu else "bpf_percpu_obj_drop_impl"
            raise Reject(f"arg#0 expected for {other}()", "kfunc-arg", (1,))
        return
    if reg.btf_id & ID_MASK and type_name(v, reg) not in _GRAPH_NODES:
        raise Reject("arg#0 expected pointer to allocated object", "kfunc-arg", (1,))


def check_refcounted_kptr_arg(v: Any, regno: int, reg: Reg) -> Reg | None:
    """check_kfunc_args() for KF_ARG_PTR_TO_REFCOUNTED_KPTR (bpf_refcount_acquire, 6.4+): an object
    of the program's own type (owning or non-owning) whose struct has a `struct bpf_refcount`
    member. Returns what the kfunc gives back (the same type, MEM_ALLOC), None when not known."""
    i = regno - 1
    # (a non-owning reference, from bpf_rbtree_first() and the like, is kept as the kernel's node
    # type: only a pointer of another kind is refused)
    if reg.type != PTR_TO_BTF_ID:
        raise Reject(f"arg#{i} is neither owning or non-owning ref", "kfunc-arg", (regno,))
    local = local_type(v, reg) if reg.btf_id & FLAG_ALLOC else None
    if local is None:
        return None
    fields = _local_fields(v.obj.btf, local)
    if fields is None:
        raise Reject(v.rules.message("no_btf_record"), "kfunc-arg", (regno,))
    if "bpf_refcount" not in fields:
        raise Reject(f"arg#{i} doesn't point to a type with bpf_refcount field", "kfunc-arg", (regno,))
    return pointer_reg(PTR_TO_BTF_ID, btf_id=FLAG_ALLOC | reg.btf_id & ID_MASK)


# ---- loads through PTR_TO_BTF_ID ------------------------------------------------------------


def struct_load(v: Any, regno: int, reg: Reg, off: int, size: int) -> Reg | None:
    """check_ptr_to_btf_access() for a read; None when the register's type is not known."""
    if reg.btf_id & FLAG_ALLOC:
        return None  # an object of the program's own type: read untyped
    kb = kernel_btf_of(v)
    type_id = reg.btf_id & ID_MASK
    if reg.btf_id & FLAG_PERCPU and not v.feature("percpu_mem_flag"):
        raise Reject(f"R{regno} invalid mem access 'percpu_ptr_'", "btf-access", (regno,))
    if kb is None or not type_id:
        if reg.btf_id & FLAG_PERCPU:  # (a ksym taken as per-CPU without the target's BTF: no type name)
            raise Reject(f"R{regno} is ptr_ access percpu memory: off={off + reg.off}", "btf-access", (regno,))
        return None
    tname = type_name(v, reg)
    total = off + reg.off
    if total < 0:
        raise Reject(f"R{regno} is ptr_{tname} invalid negative access: off={total}", "btf-access", (regno,))
    if not reg.var.is_const or reg.var.const_value:
        raise Reject(
            f"R{regno} is ptr_{tname} invalid variable offset: off={total}, var_off={reg.var.var_off}",
            "btf-access",
            (regno,),
        )
    if reg.btf_id & FLAG_USER:
        raise Reject(f"R{regno} is ptr_{tname} access user memory: off={total}", "btf-access", (regno,))
    if reg.btf_id & FLAG_PERCPU:
        raise Reject(f"R{regno} is ptr_{tname} access percpu memory: off={total}", "btf-access", (regno,))
    kind, next_id, field = struct_walk(kb.btf, type_id, total, size)
    if kind != "ptr":
        return unknown_reg()
    if not v.feature("trusted_btf_ptrs"):
        return pointer_reg(PTR_TO_BTF_ID, btf_id=next_id & ~_RCU_TAG)
    flags, maybe_null = walked_trust(v, kb, reg, field, next_id)
    loaded = pointer_reg(PTR_TO_BTF_ID, btf_id=(next_id & ~_RCU_TAG) | flags, maybe_null=maybe_null)
    return loaded.evolve(id=v.new_id()) if maybe_null else loaded


def walked_trust(v: Any, kb: KernelBtf, reg: Reg, field: str, walked: int) -> tuple[int, bool]:
    """check_ptr_to_btf_access() (6.4+, kernel/bpf/verifier.c): the trust of a pointer loaded
    from `reg`'s struct member `field` (type id and tag flags `walked`), and whether it may be NULL.

    An untrusted pointer's members are untrusted. A trusted or RCU pointer's member is trusted
    when the kernel's BTF lists it in `<struct>__safe_trusted` (`__safe_trusted_or_null`: possibly
    NULL), and inside an RCU read section (a non-sleepable program, or bpf_rcu_read_lock() held: in_rcu_cs())
    an RCU pointer when listed in `<struct>__safe_rcu` (`__safe_rcu_or_null` or tagged `__rcu`: possibly
    NULL); any other member is a plain PTR_TO_BTF_ID (untrusted in builds with `walked_member_untrusted`).
    Outside an RCU section it is untrusted. A plain pointer's members are plain.
    """
    target = walked & ID_MASK
    own = reg.btf_id & TRUST_FLAGS
    if own & BTF_UNTRUSTED:
        return BTF_UNTRUSTED, False
    if not (own & (BTF_TRUSTED | BTF_RCU) or reg.ref_obj_id):
        return 0, False
    struct_id = reg.btf_id & ID_MASK
    if _nested_safe(kb, struct_id, field, target, "__safe_trusted"):
        return BTF_TRUSTED, False
    if _nested_safe(kb, struct_id, field, target, "__safe_trusted_or_null"):
        return BTF_TRUSTED, True
    if not _in_rcu_cs(v) or reg.maybe_null:
        return BTF_UNTRUSTED, False
    if _nested_safe(kb, struct_id, field, target, "__safe_rcu"):
        return BTF_RCU, False
    if walked & _RCU_TAG or _nested_safe(kb, struct_id, field, target, "__safe_rcu_or_null"):
        return BTF_RCU, True
    if walked & (FLAG_USER | FLAG_PERCPU):
        return 0, False
    # mainline (6.18.2, 7.2) clears the trust of any other member: a plain PTR_TO_BTF_ID; the measured
    # 6.18.44 build makes it untrusted
    return (BTF_UNTRUSTED if v.feature("walked_member_untrusted") else 0), False


def _in_rcu_cs(v: Any) -> bool:
    """in_rcu_cs(): inside bpf_rcu_read_lock(), under a bpf_spin_lock, or in a non-sleepable program."""
    if not getattr(v.prog, "sleepable", False):
        return True
    state = getattr(v, "state", None)
    return state is not None and (state.active_rcu or state.active_lock is not None)


def _nested_safe(kb: KernelBtf, struct_id: int, field: str, target: int, suffix: str) -> bool:
    """btf_nested_type_is_trusted(): the kernel's BTF has a `<struct><suffix>` type with a pointer
    member named `field` to the type `target`."""
    t = kb.btf.get(struct_id)
    if t is None or not t.name or not field:
        return False
    safe_id = kb.find(t.name + suffix, t.kind)
    safe = kb.btf.get(safe_id) if safe_id is not None else None
    if safe is None:
        return False
    for m in safe.members:
        mtype = kb.btf.get(m.type_id)
        if m.name == field and mtype is not None and mtype.kind == B.KIND_PTR:
            if kb.btf.skip_modifiers(mtype.size_or_type) == target:
                return True
    return False


def map_ptr_access(v: Any, regno: int, reg: Reg, off: int, size: int, write: bool, unprivileged: bool) -> Reg | None:
    """check_ptr_to_map_access() (5.10+): a map pointer's fields read through the BTF of the map
    implementation's struct; None when the target's BTF or the struct is not known."""
    from verifier.rules.maps import MAP_BTF_STRUCT

    kb = kernel_btf_of(v)
    m = v.maps[reg.map_index] if 0 <= reg.map_index < len(v.maps) else None
    tname = MAP_BTF_STRUCT.get(m.type) if m is not None else None
    if not tname:
        return None
    if unprivileged:
        raise Reject(
            f"'struct {tname}' access is allowed only to CAP_PERFMON and CAP_SYS_ADMIN", "pointer-leak", (regno,)
        )
    if off < 0:
        raise Reject(f"R{regno} is {tname} invalid negative access: off={off}", "btf-access", (regno,))
    if write:
        raise Reject(f"only read from {tname} is supported", "btf-access", (regno,))
    type_id = kb.find(tname, B.KIND_STRUCT) if kb is not None else None
    if not type_id:
        return None  # the fields need the target kernel's BTF
    kind, next_id, _ = struct_walk(kb.btf, type_id, off, size)
    if kind == "ptr":
        return pointer_reg(PTR_TO_BTF_ID, btf_id=next_id & ~_RCU_TAG)
    return unknown_reg()


class _WalkError(Exception):
    pass


def struct_walk(btf: B.Btf, type_id: int, off: int, size: int) -> tuple[str, int, str]:
    """btf_struct_access(): ("scalar", 0, "") or ("ptr", struct id with tag flags, the member's
    name); Reject otherwise."""
    for _ in range(64):
        try:
            kind, next_id, field = _walk_once(btf, type_id, off, size)
        except _WalkError as exc:
            raise Reject(str(exc), "btf-access") from None
        if kind != "struct":
            return kind, next_id, field
        type_id, off = next_id, 0
    return "scalar", 0, ""


def _walk_once(btf: B.Btf, type_id: int, off: int, size: int) -> tuple[str, int, str]:
    """One btf_struct_walk(): WALK_SCALAR / WALK_PTR / WALK_PTR_UNTRUSTED (read as a scalar here) /
    WALK_STRUCT (a nested struct starts exactly at `off`)."""
    for _ in range(256):
        type_id = btf.skip_modifiers(type_id)
        t = btf.get(type_id)
        tname = t.name if t is not None else ""
        if not _is_struct(t):
            raise _WalkError(f"Type '{tname}' is not a struct")
        assert t is not None
        if off + size > t.size_or_type:
            flex = _flex_tail(btf, t, off)
            if flex is None:
                raise _WalkError(f"access beyond struct {tname} at off {off} size {size}")
            if flex[0] == "int":
                return "scalar", 0, ""
            type_id, off = flex[1], flex[2]
            continue
        descend = None
        for m in t.members:
            moff = m.bit_offset // 8
            if off + size <= moff:
                break
            if m.bitfield_size:
                end_bit = m.bit_offset + m.bitfield_size
                if off <= moff and (end_bit + 7) // 8 <= off + size:
                    return "scalar", 0, ""
                continue
            if off < moff:
                break
            msize = btf.size_of(m.type_id)
            mtrue_end = moff + msize
            if off >= mtrue_end:
                continue
            mid = m.type_id
            mtype = btf.resolve(mid)
            if mtype is not None and mtype.kind == B.KIND_ARRAY:
                if moff == mtrue_end:
                    continue
                elem_id, nelems = _array_elem(btf, mid)
                elem_size = msize // nelems if nelems else msize
                moff += (off - moff) // elem_size * elem_size if elem_size else 0
                mid = elem_id
                mtype = btf.resolve(mid)
            if _is_struct(mtype):
                if off == moff:
                    return "struct", btf.skip_modifiers(mid), ""
                descend = (btf.skip_modifiers(mid), off - moff)
                break
            if mtype is not None and mtype.kind == B.KIND_PTR:
                if size != 8 or off != moff:
                    raise _WalkError(
                        f"cannot access ptr member {m.name} with moff {moff} in struct {tname} "
                        f"with off {off} size {size}"
                    )
                pointee_id, flags = _pointee(btf, mtype.size_or_type, {"rcu": _RCU_TAG})
                if _is_struct(btf.get(pointee_id)):
                    return "ptr", pointee_id | flags, m.name
                return "scalar", 0, ""
            if off + size > mtrue_end:
                raise _WalkError(
                    f"access beyond the end of member {m.name} (mend:{mtrue_end}) in struct {tname} "
                    f"with off {off} size {size}"
                )
            return "scalar", 0, ""
        if descend is None:
            raise _WalkError(f"struct {tname} doesn't have field at offset {off}")
        type_id, off = descend
    raise _WalkError("struct nesting too deep")


def _array_elem(btf: B.Btf, type_id: int) -> tuple[int, int]:
    """The innermost element type of a (multi-dimensional) array and the total element count."""
    total = 1
    for _ in range(32):
        t = btf.resolve(type_id)
        if t is None or t.kind != B.KIND_ARRAY or t.array is None:
            return btf.skip_modifiers(type_id), total
        total *= t.array[2]
        type_id = t.array[0]
    return type_id, total


def _flex_tail(btf: B.Btf, t: B.BtfType, off: int) -> tuple[str, int, int] | None:
    """A read past the end of a struct that ends in a flexible array: ("int",) or the element struct."""
    if not t.members:
        return None
    last = t.members[-1]
    arr = btf.resolve(last.type_id)
    if arr is None or arr.kind != B.KIND_ARRAY or arr.array is None or arr.array[2] != 0:
        return None
    moff = last.bit_offset // 8
    if off < moff:
        return None
    elem_id = btf.skip_modifiers(arr.array[0])
    elem = btf.get(elem_id)
    if elem is not None and elem.kind == B.KIND_INT:
        return ("int", 0, 0)
    if not _is_struct(elem) or elem is None or not elem.size_or_type:
        return None
    return ("struct", elem_id, (off - moff) % elem.size_or_type)


# ---- helper results ------------------------------------------------------------------------


def helper_result(v: Any, helper_name: str, maybe_null: bool) -> Reg | None:
    """The PTR_TO_BTF_ID a helper returns, typed when its struct is known in the target BTF."""
    kb = kernel_btf_of(v)
    struct = HELPER_RET_STRUCT.get(helper_name)
    if kb is None or struct is None:
        return None
    type_id = kb.find(struct, B.KIND_STRUCT)
    if type_id is None:
        return None
    return pointer_reg(PTR_TO_BTF_ID, btf_id=type_id, maybe_null=maybe_null)


# ---- ld_imm64 of a ksym ----------------------------------------------------------------------


def ksym_is_function(obj: Any, name: str) -> bool:
    """Whether the `__ksym` extern `name` is a function (a FUNC in the object's `.ksyms` DATASEC,
    as `bpf_ksym_exists(kfunc)` leaves it), not a variable."""
    btf = getattr(obj, "btf", None)
    datasec = btf.find_datasec(".ksyms") if btf is not None else None
    if datasec is None:
        return False
    for info in datasec.secinfo:
        t = btf.get(info.type_id)
        if t is not None and t.name == name:
            return t.kind == B.KIND_FUNC
    return False


PERCPU_DATASEC: Final = ".data..percpu"  # find_btf_percpu_datasec()
_PERCPU_VARS: dict[int, tuple[KernelBtf, frozenset[int]]] = {}


def _percpu_vars(kb: KernelBtf) -> frozenset[int]:
    """The VAR ids of the target's per-CPU variables (the secinfo of its `.data..percpu` DATASEC)."""
    known = _PERCPU_VARS.get(id(kb))
    if known is None or known[0] is not kb:
        sec_id = kb.find(PERCPU_DATASEC, B.KIND_DATASEC)
        sec = kb.get(sec_id) if sec_id is not None else None
        known = _PERCPU_VARS[id(kb)] = (kb, frozenset(info.type_id for info in sec.secinfo) if sec else frozenset())
    return known[1]


def ksym_var_reg(v: Any, idx: int) -> Reg | None:
    """check_pseudo_btf_id() for a typed `__ksym` variable: a per-CPU one is PTR_TO_BTF_ID | MEM_PERCPU
    (readable only through bpf_this_cpu_ptr()/bpf_per_cpu_ptr()), a struct PTR_TO_BTF_ID, anything
    else memory of the type's size (read-only from 5.17). Without the target's BTF the variable is
    taken as per-CPU: the kernel's BTF (pahole) describes per-CPU variables only, and a loader finds
    no other. None when the ld_imm64 at `idx` names no variable, or the target lacks it."""
    name = getattr(v.prog, "extern_refs", {}).get(idx)
    if not name or ksym_is_function(v.obj, name):
        return None
    kb = kernel_btf_of(v)
    if kb is None:  # mem_size: the object's own type for the variable, when it is no struct
        return pointer_reg(PTR_TO_BTF_ID, btf_id=FLAG_PERCPU, mem_size=_object_ksym_size(v.obj, name))
    var_id = kb.find(name, B.KIND_VAR)
    var = kb.get(var_id) if var_id is not None else None
    if var is None:
        return None
    type_id = var.size_or_type
    if var_id in _percpu_vars(kb):
        return pointer_reg(PTR_TO_BTF_ID, btf_id=type_id | FLAG_PERCPU)
    if _is_struct(kb.btf.resolve(type_id)):
        return pointer_reg(PTR_TO_BTF_ID, btf_id=type_id)
    return pointer_reg(PTR_TO_MEM, mem_size=kb.btf.size_of(type_id), rdonly=v.feature("ksym_mem_rdonly"))


def _object_ksym_size(obj: Any, name: str) -> int:
    """The size of the object's type for the `__ksym` variable `name`; 0 for a struct or unknown."""
    btf = getattr(obj, "btf", None)
    datasec = btf.find_datasec(".ksyms") if btf is not None else None
    for info in datasec.secinfo if datasec is not None else ():
        t = btf.get(info.type_id)
        if t is not None and t.name == name and t.kind == B.KIND_VAR:
            return 0 if _is_struct(btf.resolve(t.size_or_type)) else btf.size_of(t.size_or_type)
    return 0


def percpu_ptr_result(v: Any, percpu: Reg, maybe_null: bool) -> Reg | None:
    """R0 of bpf_this_cpu_ptr()/bpf_per_cpu_ptr() (RET_PTR_TO_MEM_OR_BTF_ID): the variable's struct
    as PTR_TO_BTF_ID, any other type as memory of its size (read-only from 5.17); None when the
    variable's type is not known (no target BTF)."""
    kb = kernel_btf_of(v)
    type_id = percpu.btf_id & ID_MASK
    if (kb is None or not type_id) and percpu.mem_size:  # sized by the object's own type (no target BTF)
        return pointer_reg(
            PTR_TO_MEM, mem_size=percpu.mem_size, rdonly=v.feature("ksym_mem_rdonly"), maybe_null=maybe_null
        )
    if kb is None or not type_id:
        return None
    if _is_struct(kb.btf.resolve(type_id)):
        return pointer_reg(PTR_TO_BTF_ID, btf_id=type_id, maybe_null=maybe_null)
    size = kb.btf.size_of(type_id)
    return pointer_reg(PTR_TO_MEM, mem_size=size, rdonly=v.feature("ksym_mem_rdonly"), maybe_null=maybe_null)


def ksym_func_reg(v: Any, idx: int) -> Reg | None:
    """check_pseudo_btf_id() for a kernel function: from 6.4 a read-only pointer of size 0 that is
    never NULL (so `if (!bpf_ksym_exists(f))` is decided); before, the load is refused. None when
    the ld_imm64 at `idx` names no function."""
    name = getattr(v.prog, "extern_refs", {}).get(idx)
    if not name or not ksym_is_function(v.obj, name):
        return None
    if not v.feature("ld_imm64_kfunc"):
        kb = kernel_btf_of(v)
        btf_id = kb.find(name, B.KIND_FUNC) if kb is not None else None
        raise Reject(f"pseudo btf_id {btf_id or 0} in ldimm64 isn't KIND_VAR.", "invalid-insn")
    return pointer_reg(PTR_TO_MEM, mem_size=0, rdonly=True)


# ---- kfunc calls ---------------------------------------------------------------------------


def kfunc_dynptr_args(v: Any, name: str) -> tuple[int, ...] | None:
    """The argument registers of kfunc `name` that take an initialised `struct bpf_dynptr *` (a
    parameter not named `*__uninit`: check_kfunc_args() KF_ARG_PTR_TO_DYNPTR); None when the
    target's BTF does not describe the kfunc."""
    kb = kernel_btf_of(v)
    proto = kb.func_proto(name) if kb is not None else None
    if proto is None:
        return None
    out = []
    for regno, (pname, ptype) in enumerate(proto.params[:5], start=1):
        t = kb.btf.resolve(ptype)
        if t is None or t.kind != B.KIND_PTR or pname.endswith("__uninit"):
            continue
        target = kb.btf.resolve(t.size_or_type)
        if target is not None and target.kind == B.KIND_STRUCT and target.name == "bpf_dynptr":
            out.append(regno)
    return tuple(out)


def iter_facts(v: Any, kind: str) -> tuple[int, tuple[int, ...]] | None:
    """sizeof(struct bpf_iter_<kind>) and the registers of bpf_iter_<kind>_new()'s scalar parameters,
    from the target's BTF (process_iter_arg() sizes the iterator from the kfunc's own BTF), else from
    the object's (its vmlinux.h declares them); None when neither describes the iterator."""
    kb = kernel_btf_of(v)
    struct = proto = None
    if kb is not None:
        btf = kb.btf
        struct_id = kb.find(f"bpf_iter_{kind}", B.KIND_STRUCT)
        struct = btf.get(struct_id) if struct_id is not None else None
        proto = kb.func_proto(f"bpf_iter_{kind}_new")
    else:
        btf = getattr(getattr(v, "obj", None), "btf", None)
        for t in btf.types if btf is not None else ():
            if t is None:
                continue
            if t.kind == B.KIND_STRUCT and t.name == f"bpf_iter_{kind}" and struct is None:
                struct = t
            elif t.kind == B.KIND_FUNC and t.name == f"bpf_iter_{kind}_new" and proto is None:
                proto = btf.get(t.size_or_type)
    if struct is None or proto is None or proto.kind != B.KIND_FUNC_PROTO:
        return None
    scalars = []
    for regno, (_, ptype) in enumerate(proto.params[:5], start=1):
        t = btf.resolve(ptype)
        if t is not None and t.kind in (B.KIND_INT, B.KIND_ENUM, B.KIND_ENUM64):
            scalars.append(regno)
    return struct.size_or_type, tuple(scalars)


# struct types check_kfunc_args() gives an argument kind of its own (dynptrs, iterators, lists,
# rbtrees, ...: get_kfunc_ptr_arg_type(), kernel/bpf/verifier.c 6.18.2): not KF_ARG_PTR_TO_BTF_ID
_SPECIAL_ARG_STRUCTS: Final = frozenset(
    {
        "bpf_dynptr",
        "bpf_list_head",
        "bpf_list_node",
        "bpf_rb_root",
        "bpf_rb_node",
        "bpf_refcount",
        "bpf_wq",
        "bpf_task_work",
        "bpf_res_spin_lock",
        "bpf_timer",
    }
)
# parameter name suffixes with a meaning of their own (is_kfunc_arg_ignore(), _prog, _irq_flag, ...)
_SPECIAL_ARG_SUFFIXES: Final = ("__ign", "__prog", "__irq_flag", "__str", "__map", "__uninit", "__alloc", "__refcounted_kptr")


def _local_kfunc_proto(v: Any, name: str) -> tuple[B.Btf, B.BtfType] | None:
    """The object's own prototype of the `__ksym` kfunc `name` (libbpf found it compatible with
    the kernel's: the same shape, pointers where the kernel has pointers)."""
    btf = getattr(v.obj, "btf", None)
    datasec = btf.find_datasec(".ksyms") if btf is not None else None
    for info in datasec.secinfo if datasec is not None else ():
        t = btf.get(info.type_id)
        if t is not None and t.kind == B.KIND_FUNC and t.name == name:
            proto = btf.get(t.size_or_type)
            return (btf, proto) if proto is not None and proto.kind == B.KIND_FUNC_PROTO else None
    return None


# the `meta__ign` parameter of the allocated-object kfuncs (kernel/bpf/helpers.c, v6.18.2), which an
# object's own prototype of the extern does not name
_META_IGN: Final = {
    "bpf_obj_new_impl": 1,
    "bpf_percpu_obj_new_impl": 1,
    "bpf_obj_drop_impl": 1,
    "bpf_percpu_obj_drop_impl": 1,
    "bpf_refcount_acquire_impl": 1,
}


def check_kfunc_trusted_args(v: Any, regs: list[Reg], name: str, kflags: frozenset[str]) -> None:
    """check_kfunc_args() (6.4+) for a KF_TRUSTED_ARGS or KF_RCU kfunc: no pointer argument may be
    NULL (unless its parameter is `__nullable`), and a PTR_TO_BTF_ID argument must be trusted
    (referenced or PTR_TRUSTED) or, for KF_RCU, an RCU pointer. Without the target's BTF a plain
    PTR_TO_BTF_ID's trust is not known (its members were walked untyped): only an untrusted one is
    refused."""
    rcu = "KF_RCU" in kflags
    if "KF_TRUSTED_ARGS" not in kflags and not rcu:
        return
    kb = kernel_btf_of(v)
    proto = kb.func_proto(name) if kb is not None else None
    found = (kb.btf, proto) if kb is not None and proto is not None else _local_kfunc_proto(v, name)
    if found is None:
        return
    btf, fproto = found
    for i, (pname, ptype) in enumerate(fproto.params[:5]):
        regno = i + 1
        reg = regs[regno]
        t = btf.resolve(ptype)
        if t is None or t.kind != B.KIND_PTR or pname.endswith(_SPECIAL_ARG_SUFFIXES):
            continue
        is_null = reg.type == SCALAR and reg.var.is_const and reg.var.const_value == 0
        if is_null and not pname and i == _META_IGN.get(name):
            continue  # the object's own prototype of an extern names no parameter: the kernel's `meta__ign`
        if (is_null or reg.maybe_null) and not pname.endswith("__nullable"):
            raise Reject(f"Possibly NULL pointer passed to trusted arg{i}", "kfunc-arg", (regno,))
        if reg.type != PTR_TO_BTF_ID or reg.btf_id & (FLAG_USER | FLAG_PERCPU):
            continue
        pointee = btf.get(btf.skip_modifiers(t.size_or_type))
        if not _is_struct(pointee) or pointee is None:
            continue
        if pointee.name in _SPECIAL_ARG_STRUCTS or pointee.name.startswith("bpf_iter_"):
            continue
        trust = reg.btf_id & TRUST_FLAGS
        if reg.ref_obj_id or trust & BTF_TRUSTED:
            continue
        if not trust and kb is None:
            continue  # a plain pointer without the target's BTF: its trust is not known
        if not rcu:
            raise Reject(f"R{regno} must be referenced or trusted", "kfunc-arg", (regno,))
        if not trust & BTF_RCU:
            raise Reject(f"R{regno} must be a rcu pointer", "kfunc-arg", (regno,))


def kfunc_result(v: Any, idx: int) -> Reg | None:
    """R0 after calling the kfunc at `idx`, from its BTF prototype in the target; None when the
    target's BTF (or the kfunc's name) is not known.

    A FUNC the target does not tag as a kfunc is refused (check_kfunc_call: "calling kernel function
    %s is not allowed"). Which kfuncs return NULL (KF_RET_NULL) or acquire references is registered
    in the kernel, not in BTF: a returned struct pointer is taken as possibly NULL (the program must
    check it, as it must for most of them).
    """
    kb = kernel_btf_of(v)
    name = getattr(v.prog, "extern_refs", {}).get(idx)
    if kb is None or not name:
        return None
    if kb.find(name, B.KIND_FUNC) is None:
        return None  # not in the target at all: libbpf's business (a weak one is left as a dead call)
    if kb.is_kfunc(name) is False:
        raise Reject(f"calling kernel function {name} is not allowed", "kfunc")
    proto = kb.func_proto(name)
    if proto is None:
        return None
    ret = kb.btf.resolve(proto.size_or_type)
    if ret is None or ret.kind != B.KIND_PTR:
        return unknown_reg()
    pointee_id, flags = _pointee(kb.btf, ret.size_or_type)
    if not _is_struct(kb.btf.get(pointee_id)):
        return unknown_reg()
    # check_kfunc_call(): KF_RET_NULL results may be NULL, KF_RCU_PROTECTED ones are MEM_RCU; a kfunc
    # whose flags are not known is taken as returning NULL (the program must check it)
    variants = kfunc_refs.flag_variants(name, v.rules.version) if hasattr(v.rules, "version") else []
    maybe_null = not variants or any("KF_RET_NULL" in f for f in variants)
    if v.feature("trusted_btf_ptrs") and any("KF_RCU_PROTECTED" in f for f in variants):
        flags |= BTF_RCU
    reg = pointer_reg(PTR_TO_BTF_ID, btf_id=pointee_id | flags, maybe_null=maybe_null)
    return reg.evolve(id=v.new_id()) if maybe_null else reg
