"""Global (non-static) functions, verified on their own from 5.6 (`btf_prepare_func_args`,
`btf_check_func_arg_match`, `do_check_subprogs`).

A global function's arguments are typed by its BTF prototype, not by what a
caller passes: a pointer to the program type's context struct is ctx, an
integer or enum is an unknown scalar, and (from 5.12) a pointer to anything
else is memory of the pointee's size that may be NULL. Callers only check that
their arguments fit; the call returns an unknown scalar.
"""

from __future__ import annotations

from dataclasses import dataclass

from verifier.elf import btf as B

CTX = "ctx"
SCALAR = "scalar"
MEM = "mem"


@dataclass(frozen=True, slots=True)
class GlobalArg:
    kind: str  # CTX, SCALAR or MEM
    size: int = 0  # MEM: bytes of the pointee


@dataclass(frozen=True, slots=True)
class GlobalProto:
    name: str
    args: tuple[GlobalArg, ...]
    returns_scalar: bool
    problem: str = ""  # why the kernel refuses the prototype, when it does


def global_proto(obj, prog, subprog_start: int, ctx_struct: str | None, ptr_args: bool) -> GlobalProto | None:
    """The BTF prototype of the global function starting at `subprog_start`, if BTF has it."""
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
_CTX_ALIASES = {
    "__sk_buff": ("sk_buff",),
    "xdp_md": ("xdp_buff",),
    "pt_regs": ("user_pt_regs",),
}
