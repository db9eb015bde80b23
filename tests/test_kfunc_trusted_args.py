"""KF_TRUSTED_ARGS / KF_RCU kfuncs (check_kfunc_args(), 6.4+): a pointer argument must not be NULL,
and a PTR_TO_BTF_ID one must be trusted (referenced, a tp_btf/iterator argument,
bpf_get_current_task_btf(), a member the kernel's BTF lists in `<struct>__safe_trusted`) or, for
KF_RCU, an RCU pointer (a member listed in `<struct>__safe_rcu`, walked inside an RCU section).
A member walked through any other field is a plain pointer, and everything walked from an
untrusted pointer is untrusted. bpfcheck did not check kfunc arguments: false accepts.

Recorded on 6.18.44-fc-v1045 (the host), bpf_task_acquire being KF_ACQUIRE | KF_RCU | KF_RET_NULL:

    current_ok, rcu_field_ok, referenced_ok, iter_arg_checked           accept
    plain_field, untrusted_field                                        reject  R1 must be a rcu pointer
    helper_walked, helper_walked_sleepable  reject  R1 type=untrusted_ptr_ expected=ptr_, trusted_ptr_, rcu_ptr_
    helper_trusted_sleepable                                            accept
    maybe_null, null_literal, iter_arg_unchecked                        reject  Possibly NULL pointer passed to trusted arg0
"""

from __future__ import annotations

import os

import pytest

from tests.bpf_c import compile_c, verdict_and_message
from tests.btf_builder import BtfBuilder
from verifier.abstract import AnalysisOptions
from verifier.btf.kernel import HOST_BTF
from verifier.pipeline import Stages, check_at_target
from verifier.rules import for_kernel

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __ksym __attribute__((section(".ksyms")))
#define __pai __attribute__((preserve_access_index))
struct task_struct { int pid; struct task_struct *real_parent; struct task_struct *last_wakee; } __pai;
struct iter_ctx { void *meta; struct task_struct *task; };
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern struct task_struct *bpf_task_from_pid(int pid) __ksym;
static struct task_struct *(*get_current_task_btf)(void) = (void *)158;
static void *(*task_pt_regs)(struct task_struct *t) = (void *)175;
char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_enter") int current_ok(void *ctx)
{ struct task_struct *a = bpf_task_acquire(get_current_task_btf()); if (a) bpf_task_release(a); return 0; }
SEC("tp_btf/sys_enter") int rcu_field_ok(void *ctx)
{ struct task_struct *a = bpf_task_acquire(get_current_task_btf()->real_parent); if (a) bpf_task_release(a); return 0; }
SEC("tp_btf/sys_enter") int plain_field(void *ctx)
{ struct task_struct *a = bpf_task_acquire(get_current_task_btf()->last_wakee); if (a) bpf_task_release(a); return 0; }
SEC("tp_btf/sys_enter") int untrusted_field(void *ctx)
{ struct task_struct *a = bpf_task_acquire(get_current_task_btf()->last_wakee->real_parent);
  if (a) bpf_task_release(a); return 0; }
SEC("tp_btf/sys_enter") int maybe_null(void *ctx)
{ struct task_struct *t = bpf_task_from_pid(1); struct task_struct *a = bpf_task_acquire(t);
  if (a) bpf_task_release(a); if (t) bpf_task_release(t); return 0; }
SEC("tp_btf/sys_enter") int referenced_ok(void *ctx)
{ struct task_struct *t = bpf_task_from_pid(1); if (!t) return 0; struct task_struct *a = bpf_task_acquire(t);
  if (a) bpf_task_release(a); bpf_task_release(t); return 0; }
SEC("tp_btf/sys_enter") int null_literal(void *ctx)
{ struct task_struct *a = bpf_task_acquire((void *)0); if (a) bpf_task_release(a); return 0; }
SEC("iter/task") int iter_arg_checked(struct iter_ctx *ctx)
{ struct task_struct *t = ctx->task; if (!t) return 0; struct task_struct *a = bpf_task_acquire(t);
  if (a) bpf_task_release(a); return 0; }
SEC("iter/task") int helper_walked(struct iter_ctx *ctx)
{ struct task_struct *t = ctx->task; if (!t) return 0; return task_pt_regs(t->last_wakee) ? 1 : 0; }
SEC("iter.s/task") int helper_walked_sleepable(struct iter_ctx *ctx)
{ struct task_struct *t = ctx->task; if (!t) return 0; return task_pt_regs(t->last_wakee) ? 1 : 0; }
SEC("iter.s/task") int helper_trusted_sleepable(struct iter_ctx *ctx)
{ struct task_struct *t = ctx->task; if (!t) return 0; return task_pt_regs(t) ? 1 : 0; }
SEC("iter/task") int iter_arg_unchecked(struct iter_ctx *ctx)
{ struct task_struct *a = bpf_task_acquire(ctx->task); if (a) bpf_task_release(a); return 0; }
"""

RCU = ("reject", "R1 must be a rcu pointer")
NULL = ("reject", "Possibly NULL pointer passed to trusted arg0")
UNTRUSTED = ("reject", "R1 type=untrusted_ptr_ expected=ptr_, trusted_ptr_, rcu_ptr_")
KERNEL = {  # 6.18.44-fc-v1045
    "current_ok": ("accept", ""),
    "rcu_field_ok": ("accept", ""),
    "plain_field": RCU,
    "untrusted_field": RCU,
    "maybe_null": NULL,
    "referenced_ok": ("accept", ""),
    "null_literal": NULL,
    "iter_arg_checked": ("accept", ""),
    "iter_arg_unchecked": NULL,
    "helper_walked": UNTRUSTED,
    "helper_walked_sleepable": UNTRUSTED,
    "helper_trusted_sleepable": ("accept", ""),
}
# mainline 6.18.2 (check_ptr_to_btf_access(): clear_trusted_flags()) leaves a member no list names a
# plain pointer, which helpers take; the 6.18.44 build above makes it untrusted (`walked_member_untrusted`)
MAINLINE_6_18_2 = {**KERNEL, "helper_walked": ("accept", "")}
# without the target's BTF the members' trust and the iterator's argument are not known
NEEDS_BTF = {
    "plain_field",
    "untrusted_field",
    "iter_arg_unchecked",
    "helper_walked",
    "helper_walked_sleepable",
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("kfunc_trusted"))


@pytest.fixture(scope="module")
def target(tmp_path_factory) -> str:
    """A target kernel's BTF with what these programs touch: task_struct and its `__safe_rcu` list,
    the tracepoint and the task iterator, the three kfuncs tagged `bpf_kfunc`."""
    b = BtfBuilder()
    i32 = b.int_("int", 4, signed=True)
    i64 = b.int_("long", 8, signed=True)
    task_ptr2 = b.ptr(4)  # the next type: task_struct points to itself
    task = b.struct(
        "task_struct", 24, [("pid", i32, 0), ("real_parent", task_ptr2, 64), ("last_wakee", task_ptr2, 128)]
    )
    assert task == 4
    b.struct("task_struct__safe_rcu", 8, [("real_parent", task_ptr2, 0)])
    regs = b.struct("pt_regs", 8, [("di", i64, 0)])
    b.typedef(
        "btf_trace_sys_enter",
        b.ptr(b.func_proto(0, [("__data", b.ptr(0)), ("regs", b.ptr(regs)), ("id", i64)])),
    )
    meta = b.struct("bpf_iter_meta", 8, [("seq", b.ptr(0), 0)])
    b.func("bpf_iter_task", b.func_proto(i32, [("meta", b.ptr(meta)), ("task", task_ptr2)]))
    for name, proto in (
        ("bpf_task_acquire", b.func_proto(task_ptr2, [("p", task_ptr2)])),
        ("bpf_task_release", b.func_proto(0, [("p", task_ptr2)])),
        ("bpf_task_from_pid", b.func_proto(task_ptr2, [("pid", i32)])),
    ):
        b.decl_tag("bpf_kfunc", b.func(name, proto))
    path = tmp_path_factory.mktemp("target") / "vmlinux.btf"
    path.write_bytes(b.build())
    return str(path)


def _with_btf(obj, name: str, btf: str, kernel: str = "6.18") -> tuple[str, str]:
    prog = next(p for p in obj.programs if p.name == name)
    options = AnalysisOptions(timeout=10, kernel_btf=((kernel, btf),))
    v = check_at_target(obj, prog, kernel, for_kernel(kernel), options, Stages.real())
    return v.verdict, v.findings[0].kernel_message if v.findings else ""


@pytest.mark.parametrize("name", sorted(KERNEL))
def test_trusted_arguments_with_the_target_btf(obj, target, name: str) -> None:
    assert _with_btf(obj, name, target) == KERNEL[name]


@pytest.mark.parametrize("name", sorted(MAINLINE_6_18_2))
def test_trusted_arguments_at_6_18_2(obj, target, name: str) -> None:
    assert _with_btf(obj, name, target, "6.18.2") == MAINLINE_6_18_2[name]


# 6.12.117 (Debian, qemu: the same helper programs in an object of their own, 2026-12-03)
KERNEL_6_12 = {
    "helper_walked": ("accept", ""),
    "helper_walked_sleepable": UNTRUSTED,
    "helper_trusted_sleepable": ("accept", ""),
}


@pytest.mark.parametrize("name", sorted(KERNEL_6_12))
def test_helpers_and_walked_members_at_6_12(obj, target, name: str) -> None:
    assert _with_btf(obj, name, target, "6.12") == KERNEL_6_12[name]


@pytest.mark.skipif(not os.access(HOST_BTF, os.R_OK), reason="no readable /sys/kernel/btf/vmlinux")
@pytest.mark.parametrize("name", sorted(KERNEL))
def test_trusted_arguments_with_the_running_kernel_s_btf(obj, name: str) -> None:
    assert _with_btf(obj, name, HOST_BTF) == KERNEL[name]


@pytest.mark.parametrize("name", sorted(set(KERNEL) - NEEDS_BTF))
def test_null_arguments_without_btf(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL[name]
