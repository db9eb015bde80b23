"""Global (non-static) functions, verified on their own from 5.6 (`btf_prepare_func_args`,
`btf_check_func_arg_match`, `do_check_subprogs`).

A global function's arguments are typed by its BTF prototype, not by what a
caller passes: a pointer to the program type's context struct is ctx, an
integer or enum is an unknown scalar, and (from 5.12) a pointer to anything
else is memory of the pointee's size that may be NULL. Callers only check that
their arguments fit; the call returns an unknown scalar.

From 6.8 `arg:` BTF decl tags on a parameter (`__arg_ctx`, `__arg_nonnull`, `__arg_nullable`,
...) take precedence over the type (btf_prepare_func_args()): `arg:ctx` makes any pointer the
context once btf_validate_prog_ctx_type() accepts its type for the program type, `arg:nonnull`
makes memory that is never NULL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from verifier.elf import btf as B

CTX: Final = "ctx"
SCALAR: Final = "scalar"
MEM: Final = "mem"
DYNPTR: Final = "dynptr"  # `struct bpf_dynptr *` (6.8+): ARG_PTR_TO_DYNPTR | MEM_RDONLY


@dataclass(frozen=True, slots=True)
class GlobalArg:
    kind: str  # CTX, SCALAR, MEM or DYNPTR
    size: int = 0  # MEM: bytes of the pointee
    nonnull: bool = False  # MEM: `arg:nonnull` (the callee gets it without PTR_MAYBE_NULL)


# btf_prepare_func_args() (kernel/bpf/btf.c, v6.8+): the tags it knows
_ARG_TAGS: Final = ("ctx", "trusted", "untrusted", "nonnull", "nullable", "arena")

# include/linux/bpf_types.h: the program types' canonical (user-facing) context types that are
# structs, as btf_validate_prog_ctx_type() compares them; the others (tracepoint's __u64,
# lirc_mode2's __u32, and void for tracing, lsm, struct_ops, ext, syscall) take only `void *`
# under __arg_ctx, besides the special cases of _ctx_tag_problem()
CANONICAL_CTX_STRUCT: Final = {
    "socket_filter": "__sk_buff",
    "sched_cls": "__sk_buff",
    "sched_act": "__sk_buff",
    "xdp": "xdp_md",
    "cgroup_skb": "__sk_buff",
    "cgroup_sock": "bpf_sock",
    "cgroup_sock_addr": "bpf_sock_addr",
    "lwt_in": "__sk_buff",
    "lwt_out": "__sk_buff",
    "lwt_xmit": "__sk_buff",
    "lwt_seg6local": "__sk_buff",
    "sock_ops": "bpf_sock_ops",
    "sk_skb": "__sk_buff",
    "sk_msg": "sk_msg_md",
    "flow_dissector": "__sk_buff",
    "kprobe": "pt_regs",  # bpf_user_pt_regs_t, a typedef of struct pt_regs on x86
    "perf_event": "bpf_perf_event_data",
    "raw_tracepoint": "bpf_raw_tracepoint_args",
    "raw_tracepoint_writable": "bpf_raw_tracepoint_args",
    "cgroup_device": "bpf_cgroup_dev_ctx",
    "cgroup_sysctl": "bpf_sysctl",
    "cgroup_sockopt": "bpf_sockopt",
    "sk_reuseport": "sk_reuseport_md",
    "sk_lookup": "bpf_sk_lookup",
    "netfilter": "bpf_nf_ctx",
}


def _arg_tags(btf, func_id: int, index: int) -> list[str]:
    """The `arg:` decl tags of parameter `index` of the FUNC `func_id`, in type id order."""
    out: list[str] = []
    for t in btf.types[1:]:
        if t is not None and t.kind == B.KIND_DECL_TAG and t.size_or_type == func_id \
                and t.component_idx == index and t.name.startswith("arg:"):
            out.append(t.name[4:])
    return out


def _is_u64(t) -> bool:
    return t is not None and t.kind == B.KIND_INT and t.size_or_type == 8


def _ctx_tag_problem(btf, ptr_type_id: int, i: int, prog_type: str | None, attach: str | None) -> str:
    """btf_validate_prog_ctx_type() on the pointer type `ptr_type_id` ("" when it is accepted)."""
    tid = btf.get(ptr_type_id).size_or_type
    if prog_type in ("kprobe", "perf_event"):  # bpf_user_pt_regs_t, before other modifiers go
        cur = tid
        for _ in range(64):
            t = btf.get(cur)
            if t is None or t.kind not in (B.KIND_CONST, B.KIND_VOLATILE, B.KIND_RESTRICT, B.KIND_TYPE_TAG):
                break
            cur = t.size_or_type
        t = btf.get(cur)
        if t is not None and t.kind == B.KIND_TYPEDEF and t.name == "bpf_user_pt_regs_t":
            return ""
    t = btf.resolve(tid)
    if t is None:  # `void *ctx __arg_ctx` is always valid
        return ""
    if not t.name:
        return f"arg#{i} type doesn't have a name"
    is_struct = t.kind == B.KIND_STRUCT
    if prog_type == "kprobe" and is_struct and t.name == "pt_regs":
        return ""
    if prog_type == "perf_event" and is_struct and t.name == "pt_regs":  # x86: bpf_user_pt_regs_t
        return ""
    if prog_type in ("raw_tracepoint", "raw_tracepoint_writable", "lsm", "struct_ops") and _is_u64(t):
        return ""
    if prog_type == "tracing":
        if attach == "trace_raw_tp" and (is_struct and t.name == "bpf_raw_tracepoint_args" or _is_u64(t)):
            return ""
        if attach == "trace_iter" and is_struct and t.name.startswith("bpf_iter__"):
            return ""
        if attach in ("trace_fentry", "trace_fexit", "modify_return") and _is_u64(t):
            return ""
    if prog_type in ("tracepoint", "syscall", "ext"):
        return ""  # anything goes
    canonical = CANONICAL_CTX_STRUCT.get(prog_type or "")
    if canonical is None:
        return f"arg#{i} should be void pointer"
    if not is_struct or t.name != canonical:
        return f"arg#{i} should be `struct {canonical} *`"
    return ""


@dataclass(frozen=True, slots=True)
class GlobalProto:
    name: str
    args: tuple[GlobalArg, ...]
    returns_scalar: bool
    problem: str = ""  # why the kernel refuses the prototype, when it does


def global_proto(
    obj,
    prog,
    subprog_start: int,
    ctx_struct: str | None,
    ptr_args: bool,
    arg_tags: bool = False,
    prog_type: str | None = None,
    attach: str | None = None,
) -> GlobalProto | None:
    """The BTF prototype of the global function starting at `subprog_start`, if BTF has it.

    `arg_tags`: the target reads `arg:` decl tags (6.8+); `prog_type` and `attach` (the engine's
    names) decide which types `arg:ctx` accepts."""
    btf = getattr(obj, "btf", None)
    func_info = getattr(prog, "func_info", None) or {}
    type_id = func_info.get(subprog_start)
    if btf is None or type_id is None:
        return None
    func = btf.get(type_id)
    if func is None or func.kind != B.KIND_FUNC:
        return None
    proto = btf.resolve(func.size_or_type)
    if proto is None or proto.kind != B.KIND_FUNC_PROTO:
        return None
    args: list[GlobalArg] = []
    problem = ""
    for i, (_, tid) in enumerate(proto.params):
        t = btf.resolve(tid)
        tags = _arg_tags(btf, type_id, i) if arg_tags else []
        if tags:
            if any(tag not in _ARG_TAGS for tag in tags):
                problem = problem or f"arg#{i} has unsupported set of tags"
                args.append(GlobalArg(SCALAR))
                continue
            if t is None or t.kind != B.KIND_PTR:
                problem = problem or f"arg#{i} has pointer tag, but is not a pointer type"
                args.append(GlobalArg(SCALAR))
                continue
            if "ctx" in tags:
                bad = f"arg#{i} has invalid combination of tags" if set(tags) != {"ctx"} else ""
                bad = bad or _ctx_tag_problem(btf, btf.skip_modifiers(tid), i, prog_type, attach)
                problem = problem or bad
                args.append(GlobalArg(CTX))
                continue
            if set(tags) <= {"nonnull", "nullable"}:  # generic memory (trusted, arena: as before)
                size = btf.size_of(t.size_or_type) if btf.resolve(t.size_or_type) is not None else 0
                if "nullable" in tags:
                    problem = problem or f"arg#{i} has invalid combination of tags"
                args.append(GlobalArg(MEM, size, nonnull=True))
                continue
        if t is None:
            problem = problem or f"arg#{i} type is void"
            args.append(GlobalArg(SCALAR))
            continue
        if t.kind in (B.KIND_INT, B.KIND_ENUM, B.KIND_ENUM64):
            args.append(GlobalArg(SCALAR))
            continue
        if t.kind == B.KIND_PTR:
            pointee = btf.resolve(t.size_or_type)
            name = pointee.name if pointee is not None else ""
            if ctx_struct and name == ctx_struct or name in _CTX_ALIASES.get(ctx_struct or "", ()):
                args.append(GlobalArg(CTX))
                continue
            if arg_tags and name == "bpf_dynptr" and pointee is not None and pointee.kind == B.KIND_STRUCT:
                # btf_prepare_func_args() (with the arg tags, 6.8): a dynptr the callee gets as a
                # CONST_PTR_TO_DYNPTR of a local dynptr; the caller must pass an initialised one
                args.append(GlobalArg(DYNPTR))
                continue
            size = btf.size_of(t.size_or_type) if pointee is not None else 0
            if ptr_args and size > 0:
                args.append(GlobalArg(MEM, size))
                continue
            problem = problem or f"arg#{i} type is not a pointer to ctx or scalar"
            args.append(GlobalArg(SCALAR))
            continue
        problem = problem or f"arg#{i} type is not a pointer to ctx or scalar"
        args.append(GlobalArg(SCALAR))
    ret = btf.resolve(proto.size_or_type)
    returns_scalar = ret is not None and ret.kind in (B.KIND_INT, B.KIND_ENUM, B.KIND_ENUM64)
    return GlobalProto(func.name, tuple(args), returns_scalar, problem)


# context structs a program may also name by its kernel-internal type
_CTX_ALIASES: Final = {
    "__sk_buff": ("sk_buff",),
    "xdp_md": ("xdp_buff",),
    "pt_regs": ("user_pt_regs",),
}
