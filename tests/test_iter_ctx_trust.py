"""An iterator program's object arguments are typed by the iterator's registration
(bpf_iter_reg.ctx_arg_info): PTR_TO_BTF_ID_OR_NULL, PTR_TRUSTED only for some targets (task, cgroup,
kmem_cache, bpf_map, tcp, udp in 6.18). reg_not_null() decides a second NULL check only for a trusted
pointer, so task_file's file keeps both ways. Recorded on 6.18.44-fc-v1045 (the host):

    file_checked_twice  reject  9  At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]
    task_checked_twice  accept  9
"""

from __future__ import annotations

import os

import pytest

from tests.bpf_c import compile_c
from verifier.abstract import AnalysisOptions
from verifier.pipeline import Stages, check_program
from verifier.rules import for_kernel

HOST_BTF = "/sys/kernel/btf/vmlinux"  # the iterators' attach targets (bpf_iter_task, bpf_iter_task_file)

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
struct bpf_iter_meta { void *seq; unsigned long long session_id; unsigned long long seq_num; } __attribute__((preserve_access_index));
struct task_struct { int pid; } __attribute__((preserve_access_index));
struct file { unsigned int f_flags; } __attribute__((preserve_access_index));
struct bpf_iter__task_file { struct bpf_iter_meta *meta; struct task_struct *task; unsigned int fd; struct file *file; } __attribute__((preserve_access_index));
struct bpf_iter__task { struct bpf_iter_meta *meta; struct task_struct *task; } __attribute__((preserve_access_index));

SEC("iter/task_file") int file_checked_twice(struct bpf_iter__task_file *ctx)
{
    struct file *file = ctx->file;
    if (!file)
        return 0;
    asm volatile ("" : "+r"(file));
    if (file == (void *)0)
        return 2;
    return file->f_flags & 1;
}

SEC("iter/task") int task_checked_twice(struct bpf_iter__task *ctx)
{
    struct task_struct *task = ctx->task;
    if (!task)
        return 0;
    asm volatile ("" : "+r"(task));
    if (task == (void *)0)
        return 2;
    return task->pid & 1;
}
char _license[] SEC("license") = "GPL";
"""

KERNEL_6_18 = {
    "file_checked_twice": (
        "reject",
        "At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]",
    ),
    "task_checked_twice": ("accept", ""),
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("iter_ctx_trust"))


def _verdict(obj, name: str, options: AnalysisOptions) -> tuple[str, str]:
    prog = next(p for p in obj.programs if p.name == name)
    v = check_program(obj, prog, "6.18", for_kernel("6.18"), options, Stages.real())
    return v.verdict, (v.findings[0].kernel_message if v.findings else "")


@pytest.mark.skipif(not os.path.exists(HOST_BTF), reason="no kernel BTF here")
@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_iterator_argument_trust_as_the_6_18_kernel(obj, name: str) -> None:
    options = AnalysisOptions(timeout=10, kernel_btf=(("6.18", HOST_BTF),))
    assert _verdict(obj, name, options) == KERNEL_6_18[name]


def test_untrusted_argument_without_btf_keeps_both_ways(obj) -> None:
    # without the target's BTF no argument is trusted: the stricter side
    assert (
        _verdict(obj, "file_checked_twice", AnalysisOptions(timeout=10)) == KERNEL_6_18["file_checked_twice"]
    )
