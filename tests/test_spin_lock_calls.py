"""Calls under a bpf_spin_lock (do_check(), before the call is checked): only bpf_spin_unlock and the
kfuncs of verifier/rules/data/kfunc_spin_allowed.csv (scripts/kfunc_spin_allowed.py: the list API
from 6.2, rbtree from 6.3, bpf_iter_num_* from 6.14, ...). bpf_spin_lock itself is refused there
too, with that message (not 'Locking two bpf_spin_locks are not allowed'); bpfcheck let any kfunc
run under a lock (a false accept).

Recorded on 6.18.44-fc-v1045 (the host), this file's own programs (verdict, last log line).
"""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message
from verifier.rules import kfunc_lock

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __ksym __attribute__((section(".ksyms")))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
typedef unsigned long long u64;
struct bpf_spin_lock { unsigned int val; };
struct task_struct { int pid; };
struct bpf_iter_num { u64 __opaque[1]; } __attribute__((aligned(8)));
struct __sk_buff { unsigned int len; };
struct val { struct bpf_spin_lock l; int x; int y; };
struct { __uint(type, 1); __uint(max_entries, 4); __type(key, int); __type(value, struct val); } m SEC(".maps");
static void *(*lookup)(void *map, const void *key) = (void *)1;
static long (*spin_lock)(struct bpf_spin_lock *l) = (void *)93;
static long (*spin_unlock)(struct bpf_spin_lock *l) = (void *)94;
extern struct task_struct *bpf_task_from_pid(int pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;
char LICENSE[] SEC("license") = "GPL";

SEC("tc") int locked_ok(struct __sk_buff *s)
{ int k = 0; struct val *v = lookup(&m, &k); if (!v) return 0;
  spin_lock(&v->l); v->x++; spin_unlock(&v->l); return 0; }
SEC("tc") int kfunc_locked(struct __sk_buff *s)
{ int k = 0; struct task_struct *t; struct val *v = lookup(&m, &k); if (!v) return 0;
  spin_lock(&v->l); t = bpf_task_from_pid(1); if (t) bpf_task_release(t); spin_unlock(&v->l); return 0; }
SEC("tc") int rcu_locked(struct __sk_buff *s)
{ int k = 0; struct val *v = lookup(&m, &k); if (!v) return 0;
  spin_lock(&v->l); bpf_rcu_read_lock(); bpf_rcu_read_unlock(); spin_unlock(&v->l); return 0; }
SEC("tc") int iter_locked(struct __sk_buff *s)
{ int k = 0, *p; struct bpf_iter_num it; struct val *v = lookup(&m, &k); if (!v) return 0;
  spin_lock(&v->l); bpf_iter_num_new(&it, 0, 3);
  while ((p = bpf_iter_num_next(&it))) v->x += *p;
  bpf_iter_num_destroy(&it); spin_unlock(&v->l); return 0; }
SEC("tc") int locked_twice(struct __sk_buff *s)
{ int k = 0; struct val *v = lookup(&m, &k); if (!v) return 0;
  spin_lock(&v->l); spin_lock(&v->l); spin_unlock(&v->l); return 0; }
"""

LOCKED = ("reject", "function calls are not allowed while holding a lock")
KERNEL_6_18 = {
    "locked_ok": ("accept", ""),
    "kfunc_locked": LOCKED,
    "rcu_locked": LOCKED,
    "iter_locked": ("accept", ""),
    "locked_twice": LOCKED,
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("spin_lock_calls"))


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_calls_under_a_lock_as_the_6_18_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL_6_18[name]


def test_iterators_under_a_lock_came_in_6_14() -> None:
    assert kfunc_lock.allowed_under_lock("bpf_iter_num_next", (6, 14))
    assert not kfunc_lock.allowed_under_lock("bpf_iter_num_next", (6, 13))
    assert kfunc_lock.allowed_under_lock("bpf_list_push_front", (6, 2))
    assert not kfunc_lock.allowed_under_lock("bpf_list_push_front", (6, 1))
    assert not kfunc_lock.allowed_under_lock("bpf_task_from_pid", (6, 18))


# measured: 6.12.117+deb13-amd64 under qemu (scripts/kernel_vm.py): bpf_iter_num under a lock is
# refused there (allowed from 6.14)
KERNEL_6_12 = {**KERNEL_6_18, "iter_locked": LOCKED}


@pytest.mark.parametrize("name", sorted(KERNEL_6_12))
def test_calls_under_a_lock_as_the_6_12_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.12") == KERNEL_6_12[name]
