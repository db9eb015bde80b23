"""Open-coded iterators other than num and bits (task, task_vma, css, css_task, task_file, kmem_cache,
dmabuf, ...): the target registers their bpf_iter_<type>_new/_next/_destroy kfuncs with KF_ITER_NEW,
KF_ITER_NEXT, KF_ITER_DESTROY (verifier/rules/data/kfunc_flags.csv), their state's size is the BTF
size of struct bpf_iter_<type>, `_next` returns the pointer its prototype names (IterMixin.iter_type(),
iters.generic_type()). bpfcheck took them for plain kfuncs: their loops never converged (a false
reject, 'BPF program is too large'), a leaked iterator went unnoticed (a false accept).

Recorded on 6.18.44-fc-v1045 (the host), this file's own programs:

    count_tasks         accept  72
    first_unchecked     reject   9  R0 invalid mem access 'scalar'
    not_destroyed       reject  15  BPF_EXIT instruction in main prog would lead to reference leak
    sleepable_no_rcu    reject   5  kernel func bpf_iter_task_new requires RCU critical section protection
    sleepable_rcu       accept  79
    wrong_iterator      reject   9  expected an initialized iter_task as arg #0
    vmas                accept  52
    vmas_of_every_task  accept 148
    destroyed_twice     reject  10  expected an initialized iter_task as arg #0
"""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message
from verifier.abstract import AnalysisOptions
from verifier.pipeline import Stages, check_program
from verifier.rules import for_kernel

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __ksym __attribute__((section(".ksyms")))
typedef unsigned int u32;
typedef unsigned long long u64;
struct task_struct { int pid; };
struct vm_area_struct { unsigned long vm_start; };
struct bpf_iter_task { u64 __opaque[3]; } __attribute__((aligned(8)));
struct bpf_iter_task_vma { u64 __opaque[1]; } __attribute__((aligned(8)));
extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task, unsigned int flags) __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __ksym;
extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it, struct task_struct *task, u64 addr) __ksym;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __ksym;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
static struct task_struct *(*current_task_btf)(void) = (void *)158;
char LICENSE[] SEC("license") = "GPL";
long out;

/* every task counted */
SEC("raw_tp/sys_enter") int count_tasks(void *ctx)
{ struct bpf_iter_task it; int n = 0;
  bpf_iter_task_new(&it, 0, 0);
  while (bpf_iter_task_next(&it)) n++;
  bpf_iter_task_destroy(&it); out = n; return 0; }
/* the first task's field read without checking the result */
SEC("raw_tp/sys_enter") int first_unchecked(void *ctx)
{ struct bpf_iter_task it; int n;
  bpf_iter_task_new(&it, 0, 0);
  n = bpf_iter_task_next(&it)->pid;
  bpf_iter_task_destroy(&it); out = n; return 0; }
/* the iterator never destroyed */
SEC("raw_tp/sys_enter") int not_destroyed(void *ctx)
{ struct bpf_iter_task it; int n = 0;
  bpf_iter_task_new(&it, 0, 0);
  while (bpf_iter_task_next(&it)) n++;
  out = n; return 0; }
/* a sleepable program outside an RCU critical section */
SEC("syscall") int sleepable_no_rcu(void *ctx)
{ struct bpf_iter_task it; int n = 0;
  bpf_iter_task_new(&it, 0, 0);
  while (bpf_iter_task_next(&it)) n++;
  bpf_iter_task_destroy(&it); out = n; return 0; }
/* the same inside bpf_rcu_read_lock() */
SEC("syscall") int sleepable_rcu(void *ctx)
{ struct bpf_iter_task it; int n = 0;
  bpf_rcu_read_lock();
  bpf_iter_task_new(&it, 0, 0);
  while (bpf_iter_task_next(&it)) n++;
  bpf_iter_task_destroy(&it); bpf_rcu_read_unlock(); out = n; return 0; }
/* a task_vma iterator handed to the task iterator's _next */
SEC("raw_tp/sys_enter") int wrong_iterator(void *ctx)
{ struct bpf_iter_task_vma it; long r;
  bpf_iter_task_vma_new(&it, current_task_btf(), 0);
  r = (long)bpf_iter_task_next((struct bpf_iter_task *)&it);
  bpf_iter_task_vma_destroy(&it); out = r; return 0; }
/* the vmas of the current task */
SEC("raw_tp/sys_enter") int vmas(void *ctx)
{ struct bpf_iter_task_vma it; long n = 0;
  bpf_iter_task_vma_new(&it, current_task_btf(), 0);
  while (bpf_iter_task_vma_next(&it)) n++;
  bpf_iter_task_vma_destroy(&it); out = n; return 0; }
/* the vmas of every task: nested iterators */
SEC("raw_tp/sys_enter") int vmas_of_every_task(void *ctx)
{ struct bpf_iter_task it; struct bpf_iter_task_vma vit; struct task_struct *t; long n = 0;
  bpf_iter_task_new(&it, 0, 0);
  while ((t = bpf_iter_task_next(&it))) {
    bpf_iter_task_vma_new(&vit, t, 0);
    while (bpf_iter_task_vma_next(&vit)) n++;
    bpf_iter_task_vma_destroy(&vit); }
  bpf_iter_task_destroy(&it); out = n; return 0; }
/* an iterator on a misaligned stack slot */
SEC("raw_tp/sys_enter") int destroyed_twice(void *ctx)
{ struct bpf_iter_task it;
  bpf_iter_task_new(&it, 0, 0);
  bpf_iter_task_destroy(&it); bpf_iter_task_destroy(&it); return 0; }
"""

KERNEL_6_18 = {
    "count_tasks": ("accept", ""),
    "first_unchecked": ("reject", "R0 invalid mem access 'scalar'"),
    "not_destroyed": ("reject", "BPF_EXIT instruction in main prog would lead to reference leak"),
    "sleepable_no_rcu": ("reject", "kernel func bpf_iter_task_new requires RCU critical section protection"),
    "sleepable_rcu": ("accept", ""),
    "wrong_iterator": ("reject", "expected an initialized iter_task as arg #0"),
    "vmas": ("accept", ""),
    "vmas_of_every_task": ("accept", ""),
    "destroyed_twice": ("reject", "expected an initialized iter_task as arg #0"),
}
# the kernel's processed counts (a task_vma iterator's element is PTR_TRUSTED, never NULL from 6.8:
# its NULL check decided; a task iterator's is MEM_RCU, both sides walked)
PROCESSED_6_18 = {
    "count_tasks": 72,
    "first_unchecked": 9,
    "not_destroyed": 15,
    "sleepable_no_rcu": 5,
    "sleepable_rcu": 79,
    "vmas": 52,
    "vmas_of_every_task": 148,
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("generic_iterators"))


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_generic_iterators_as_the_6_18_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL_6_18[name]


@pytest.mark.parametrize("name", sorted(PROCESSED_6_18))
def test_generic_iterator_loops_walk_what_the_kernel_walks(obj, name: str) -> None:
    prog = next(p for p in obj.programs if p.name == name)
    verdict = check_program(obj, prog, "6.18", for_kernel("6.18"), AnalysisOptions(timeout=20), Stages.real())
    assert verdict.stats.processed == PROCESSED_6_18[name]


# measured: 6.12.117+deb13-amd64 under qemu (scripts/kernel_vm.py): the same, but for the leak's
# message (before 6.13 the kernel names the reference) and the sleepable program's (below)
KERNEL_6_12 = {
    **KERNEL_6_18,
    "not_destroyed": ("reject", "Unreleased reference id=1 alloc_insn=4"),
    "sleepable_no_rcu": ("reject", "expected an RCU CS when using bpf_iter_task_next"),
}


@pytest.mark.parametrize("name", sorted(KERNEL_6_12))
def test_generic_iterators_as_the_6_12_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.12") == KERNEL_6_12[name]


def test_before_6_18_the_untrusted_iterator_is_refused_at_its_next_call(obj) -> None:
    # 6.7 to 6.17: mark_stack_slots_iter() makes it PTR_UNTRUSTED, is_iter_reg_valid_init() -EPROTO
    assert verdict_and_message(obj, "sleepable_no_rcu", "6.12") == (
        "reject",
        "expected an RCU CS when using bpf_iter_task_next",
    )
    assert verdict_and_message(obj, "sleepable_rcu", "6.12") == ("accept", "")
