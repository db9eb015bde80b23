"""Members walked in a sleepable program are RCU pointers only inside bpf_rcu_read_lock()
(check_ptr_to_btf_access(): in_rcu_cs()), and stop being so at bpf_rcu_read_unlock(). bpfcheck took
every sleepable program as outside an RCU section (a false reject of `parent_in_rcu`).

Recorded on 6.18.44-fc-v1045 (the host) with its BTF, this file's own programs.
"""

from __future__ import annotations

import os

import pytest

from tests.bpf_c import compile_c
from verifier.abstract import AnalysisOptions
from verifier.btf.kernel import HOST_BTF
from verifier.pipeline import Stages, check_at_target
from verifier.rules import for_kernel

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __ksym __attribute__((section(".ksyms")))
struct task_struct { struct task_struct *real_parent; } __attribute__((preserve_access_index));
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
static struct task_struct *(*current_task_btf)(void) = (void *)158;
char LICENSE[] SEC("license") = "GPL";

SEC("syscall") int parent_in_rcu(void *ctx)
{ struct task_struct *t = current_task_btf(), *p;
  bpf_rcu_read_lock(); p = bpf_task_acquire(t->real_parent); if (p) bpf_task_release(p);
  bpf_rcu_read_unlock(); return 0; }
SEC("syscall") int parent_no_rcu(void *ctx)
{ struct task_struct *t = current_task_btf(), *p;
  p = bpf_task_acquire(t->real_parent); if (p) bpf_task_release(p); return 0; }
SEC("syscall") int parent_after_unlock(void *ctx)
{ struct task_struct *t = current_task_btf(), *p, *q;
  bpf_rcu_read_lock(); p = t->real_parent; bpf_rcu_read_unlock();
  q = bpf_task_acquire(p); if (q) bpf_task_release(q); return 0; }
"""

KERNEL_6_18 = {
    "parent_in_rcu": ("accept", ""),
    "parent_no_rcu": ("reject", "R1 must be a rcu pointer"),
    "parent_after_unlock": ("reject", "R1 must be a rcu pointer"),
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("rcu_walked"))


@pytest.mark.skipif(not os.access(HOST_BTF, os.R_OK), reason="no readable /sys/kernel/btf/vmlinux")
@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_rcu_members_in_sleepable_programs(obj, name: str) -> None:
    prog = next(p for p in obj.programs if p.name == name)
    options = AnalysisOptions(timeout=10, kernel_btf=(("6.18", HOST_BTF),))
    v = check_at_target(obj, prog, "6.18", for_kernel("6.18"), options, Stages.real())
    assert (v.verdict, v.findings[0].kernel_message if v.findings else "") == KERNEL_6_18[name]
