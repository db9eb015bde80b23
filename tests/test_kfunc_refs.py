"""References through kfuncs: a KF_ACQUIRE kfunc's result holds a reference the program must
release (or the exit leaks it), a KF_RELEASE kfunc takes a non-NULL referenced pointer and
invalidates every copy of it. The flags live in the kernel's BTF_ID sets, not in BTF
(verifier/rules/kfunc_refs.py). bpfcheck tracked no reference through kfuncs: false accepts.

Recorded on 6.18.44-fc-v1045 (the host):

    ok                 accept
    leak               reject  BPF_EXIT instruction in main prog would lead to reference leak
    unchecked_release  reject  Possibly NULL pointer passed to trusted arg0
    not_acquired       reject  release kernel function bpf_task_release expects refcounted PTR_TO_BTF_ID
    use_after_release  reject  R6 invalid mem access 'scalar'
"""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __ksym __attribute__((section(".ksyms")))
struct task_struct { int pid; };
extern struct task_struct *bpf_task_from_pid(int pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
static struct task_struct *(*get_current_task_btf)(void) = (void *)158;
char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_enter") int ok(void *ctx)
{ struct task_struct *t = bpf_task_from_pid(1); if (!t) return 0; int p = t->pid; bpf_task_release(t); return p; }
SEC("tp_btf/sys_enter") int leak(void *ctx)
{ struct task_struct *t = bpf_task_from_pid(1); if (!t) return 0; return t->pid; }
SEC("tp_btf/sys_enter") int unchecked_release(void *ctx)
{ struct task_struct *t = bpf_task_from_pid(1); bpf_task_release(t); return 0; }
SEC("tp_btf/sys_enter") int not_acquired(void *ctx)
{ bpf_task_release(get_current_task_btf()); return 0; }
SEC("tp_btf/sys_enter") int use_after_release(void *ctx)
{ struct task_struct *t = bpf_task_from_pid(1); if (!t) return 0; bpf_task_release(t); return t->pid; }
"""

KERNEL = {  # 6.18.44-fc-v1045
    "ok": ("accept", ""),
    "leak": ("reject", "BPF_EXIT instruction in main prog would lead to reference leak"),
    "unchecked_release": ("reject", "Possibly NULL pointer passed to trusted arg0"),
    "not_acquired": ("reject", "release kernel function bpf_task_release expects refcounted PTR_TO_BTF_ID"),
    "use_after_release": ("reject", "R6 invalid mem access 'scalar'"),
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("kfunc_refs"))


@pytest.mark.parametrize("name", sorted(KERNEL))
def test_references_through_kfuncs_as_the_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL[name]
