"""bpf_kptr_xchg() stores only a pointer of the kptr field's own type (check_reg_type() ->
map_kptr_match_type(): a kernel object of the field's kernel type, or an object of the program's
own type from bpf_obj_new() -- MEM_ALLOC -- of the field's local type, no first-member walk), and
bpf_refcount_acquire() takes only an object of the program's own type whose struct has a
`struct bpf_refcount` member (check_kfunc_args(), KF_ARG_PTR_TO_REFCOUNTED_KPTR; a struct with no
special field has no btf_record at all). bpfcheck accepted both mismatches (false accepts).

Recorded on 6.18.44-fc-v1045 (the host), this file's own programs (verdict, last log line).
"""

from __future__ import annotations

import os

import pytest

from tests.bpf_c import compile_c, verdict_and_message
from verifier.abstract import AnalysisOptions
from verifier.btf.kernel import HOST_BTF
from verifier.pipeline import Stages, check_at_target
from verifier.rules import for_kernel

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define KSYM __attribute__((section(".ksyms")))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __kptr __attribute__((btf_type_tag("kptr")))
#define type_id(t) __builtin_btf_type_id(*(typeof(t) *)0, 0)
struct task_struct { int pid; };
struct bpf_refcount { unsigned int __opaque[1]; } __attribute__((aligned(4)));
struct bpf_spin_lock { unsigned int val; };
struct kx_a { long v; long w; };
struct kx_b { long v; long w; };
struct kx_rc { long v; struct bpf_refcount r; };
struct kx_lk { long v; struct bpf_spin_lock l; };
struct value { struct kx_a __kptr *a; struct task_struct __kptr *t; };
struct { __uint(type, 2); __uint(max_entries, 1); __type(key, int); __type(value, struct value); } m SEC(".maps");
extern struct task_struct *bpf_task_acquire(struct task_struct *p) KSYM;
extern void bpf_task_release(struct task_struct *p) KSYM;
extern void *bpf_obj_new_impl(unsigned long long local_type_id__k, void *meta__ign) KSYM;
extern void bpf_obj_drop_impl(void *kptr, void *meta__ign) KSYM;
extern void *bpf_refcount_acquire_impl(void *kptr, void *meta__ign) KSYM;
static void *(*lookup)(void *map, const void *key) = (void *)1;
static void *(*kptr_xchg)(void *dst, void *ptr) = (void *)194;
static struct task_struct *(*current_task_btf)(void) = (void *)158;
char LICENSE[] SEC("license") = "GPL";
int zero = 0;

SEC("tc") int local_into_own_type(void *c)
{ struct value *v = lookup(&m, &zero); struct kx_a *p, *old; if (!v) return 0;
  p = bpf_obj_new_impl(type_id(struct kx_a), 0); if (!p) return 0; old = kptr_xchg(&v->a, p);
  if (old) bpf_obj_drop_impl(old, 0); return 0; }
SEC("tc") int local_into_other_local(void *c)
{ struct value *v = lookup(&m, &zero); struct kx_a *p, *old; if (!v) return 0;
  p = bpf_obj_new_impl(type_id(struct kx_b), 0); if (!p) return 0; old = kptr_xchg(&v->a, p);
  if (old) bpf_obj_drop_impl(old, 0); return 0; }
SEC("tc") int local_into_kernel_type(void *c)
{ struct value *v = lookup(&m, &zero); struct task_struct *p, *old; if (!v) return 0;
  p = bpf_obj_new_impl(type_id(struct kx_a), 0); if (!p) return 0; old = kptr_xchg(&v->t, p);
  if (old) bpf_task_release(old); return 0; }
SEC("tc") int kernel_into_local_type(void *c)
{ struct value *v = lookup(&m, &zero); struct task_struct *t; struct kx_a *old; if (!v) return 0;
  t = bpf_task_acquire(current_task_btf()); if (!t) return 0; old = kptr_xchg(&v->a, t);
  if (old) bpf_obj_drop_impl(old, 0); return 0; }
SEC("tc") int refcount_of_refcounted(void *c)
{ struct kx_rc *n = bpf_obj_new_impl(type_id(struct kx_rc), 0), *n2; if (!n) return 0;
  n2 = bpf_refcount_acquire_impl(n, 0); if (n2) bpf_obj_drop_impl(n2, 0); bpf_obj_drop_impl(n, 0); return 0; }
SEC("tc") int refcount_of_plain(void *c)
{ struct kx_a *n = bpf_obj_new_impl(type_id(struct kx_a), 0), *n2; if (!n) return 0;
  n2 = bpf_refcount_acquire_impl(n, 0); if (n2) bpf_obj_drop_impl(n2, 0); bpf_obj_drop_impl(n, 0); return 0; }
SEC("tc") int refcount_without_field(void *c)
{ struct kx_lk *n = bpf_obj_new_impl(type_id(struct kx_lk), 0), *n2; if (!n) return 0;
  n2 = bpf_refcount_acquire_impl(n, 0); if (n2) bpf_obj_drop_impl(n2, 0); bpf_obj_drop_impl(n, 0); return 0; }
SEC("tc") int refcount_of_map_value(void *c)
{ struct value *v = lookup(&m, &zero), *n2; if (!v) return 0;
  n2 = bpf_refcount_acquire_impl(v, 0); if (n2) bpf_obj_drop_impl(n2, 0); return 0; }
SEC("tc") int refcounted_result_into_field(void *c)
{ struct value *v = lookup(&m, &zero); struct kx_rc *n, *n2, *old; if (!v) return 0;
  n = bpf_obj_new_impl(type_id(struct kx_rc), 0); if (!n) return 0;
  n2 = bpf_refcount_acquire_impl(n, 0); bpf_obj_drop_impl(n, 0); if (!n2) return 0;
  old = kptr_xchg(&v->a, n2); if (old) bpf_obj_drop_impl(old, 0); return 0; }
"""

KERNEL_6_18 = {
    "local_into_own_type": ("accept", ""),
    "local_into_other_local": ("reject", "invalid kptr access, R2 type=ptr_kx_b expected=ptr_kx_a"),
    "local_into_kernel_type": ("reject", "invalid kptr access, R2 type=ptr_kx_a expected=ptr_task_struct"),
    "kernel_into_local_type": ("reject", "invalid kptr access, R2 type=ptr_task_struct expected=ptr_kx_a"),
    "refcount_of_refcounted": ("accept", ""),
    "refcount_of_plain": ("reject", "verifier bug: Couldn't find btf_record"),
    "refcount_without_field": ("reject", "arg#0 doesn't point to a type with bpf_refcount field"),
    "refcount_of_map_value": ("reject", "arg#0 is neither owning or non-owning ref"),
    "refcounted_result_into_field": ("reject", "invalid kptr access, R2 type=ptr_kx_rc expected=ptr_kx_a"),
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("kptr_type_match"))


# without the target's BTF a kernel object's type is not known (an opaque kernel pointer)
NEEDS_BTF = {"kernel_into_local_type"}


@pytest.mark.parametrize("name", sorted(set(KERNEL_6_18) - NEEDS_BTF))
def test_kptr_type_match_as_the_6_18_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL_6_18[name]


@pytest.mark.skipif(not os.access(HOST_BTF, os.R_OK), reason="no readable /sys/kernel/btf/vmlinux")
@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_kptr_type_match_with_the_running_kernel_s_btf(obj, name: str) -> None:
    prog = next(p for p in obj.programs if p.name == name)
    options = AnalysisOptions(timeout=10, kernel_btf=(("6.18", HOST_BTF),))
    v = check_at_target(obj, prog, "6.18", for_kernel("6.18"), options, Stages.real())
    assert (v.verdict, v.findings[0].kernel_message if v.findings else "") == KERNEL_6_18[name]
