"""bpf_kptr_xchg() (5.19+): the destination is a referenced kptr field of a map value at a constant offset
(process_kptr_func()), and the pointer stored moves its reference into the map: it is released and
its copies become invalid (check_helper_call()); the old value comes back as a new reference, or NULL.
bpfcheck kept the stored reference held: every program that stored a kptr was 'would lead to
reference leak' (false rejects), and the destination was not checked (false accepts).

Recorded on 6.18.44-fc-v1045 (the host), this file's own programs (verdict, last log line).
"""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define KSYM __attribute__((section(".ksyms")))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __kptr __attribute__((btf_type_tag("kptr")))
#define __kptr_untrusted __attribute__((btf_type_tag("kptr_untrusted")))
struct task_struct { int pid; };
struct value { struct task_struct __kptr *ref; struct task_struct __kptr_untrusted *unref; long plain; };
struct { __uint(type, 2); __uint(max_entries, 1); __type(key, int); __type(value, struct value); } m SEC(".maps");
extern struct task_struct *bpf_task_acquire(struct task_struct *p) KSYM;
extern void bpf_task_release(struct task_struct *p) KSYM;
static void *(*lookup)(void *map, const void *key) = (void *)1;
static void *(*kptr_xchg)(void *dst, void *ptr) = (void *)194;
static struct task_struct *(*current_task_btf)(void) = (void *)158;
char LICENSE[] SEC("license") = "GPL";
int zero = 0;

SEC("tc") int store_and_release_old(void *c)
{ struct value *v = lookup(&m, &zero); struct task_struct *t, *old; if (!v) return 0;
  t = bpf_task_acquire(current_task_btf()); if (!t) return 0; old = kptr_xchg(&v->ref, t);
  if (old) bpf_task_release(old); return 0; }
SEC("tc") int old_value_leaked(void *c)
{ struct value *v = lookup(&m, &zero); struct task_struct *t; if (!v) return 0;
  t = bpf_task_acquire(current_task_btf()); if (!t) return 0; kptr_xchg(&v->ref, t); return 0; }
SEC("tc") int take_out(void *c)
{ struct value *v = lookup(&m, &zero); struct task_struct *old; if (!v) return 0; old = kptr_xchg(&v->ref, 0);
  if (old) bpf_task_release(old); return 0; }
SEC("tc") int use_after_store(void *c)
{ struct value *v = lookup(&m, &zero); struct task_struct *t, *old; if (!v) return 0;
  t = bpf_task_acquire(current_task_btf()); if (!t) return 0; old = kptr_xchg(&v->ref, t);
  if (old) bpf_task_release(old); return t->pid; }
SEC("tc") int store_unreferenced(void *c)
{ struct value *v = lookup(&m, &zero); struct task_struct *old; if (!v) return 0;
  old = kptr_xchg(&v->ref, current_task_btf()); if (old) bpf_task_release(old); return 0; }
SEC("tc") int into_untrusted_field(void *c)
{ struct value *v = lookup(&m, &zero); struct task_struct *old; if (!v) return 0; old = kptr_xchg(&v->unref, 0);
  if (old) bpf_task_release(old); return 0; }
SEC("tc") int into_plain_field(void *c)
{ struct value *v = lookup(&m, &zero); struct task_struct *old; if (!v) return 0; old = kptr_xchg(&v->plain, 0);
  if (old) bpf_task_release(old); return 0; }
"""

KERNEL_6_18 = {
    "store_and_release_old": ("accept", ""),
    "old_value_leaked": ("reject", "BPF_EXIT instruction in main prog would lead to reference leak"),
    "take_out": ("accept", ""),
    "use_after_store": ("reject", "R7 invalid mem access 'scalar'"),
    "store_unreferenced": ("reject", "R2 must be referenced when passed to release function"),
    "into_untrusted_field": ("reject", "off=8 kptr isn't referenced kptr"),
    "into_plain_field": ("reject", "off=16 doesn't point to kptr"),
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("kptr_xchg"))


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_kptr_xchg_as_the_6_18_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL_6_18[name]
