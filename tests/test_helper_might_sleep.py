"""Helpers that might sleep (bpf_copy_from_user, bpf_copy_from_user_task, bpf_ima_*_hash) only in
sleepable programs (`*.s` sections, syscall programs): check_helper_call() refuses them elsewhere
("helper call might sleep in a non-sleepable prog", 6.1+); before, the tracing/LSM func_proto gave
no such helper to a non-sleepable program ("unknown func bpf_copy_from_user#148").

Recorded on 6.18.44-fc-v1045 (the host): `kp` rejected with "helper call might sleep in a
non-sleepable prog"; `ups` (a sleepable uprobe) accepted."""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
static long (*copy_from_user)(void *dst, unsigned int size, const void *user_ptr) = (void *)148;
char LICENSE[] SEC("license") = "GPL";
SEC("kprobe/do_sys_open") int kp(void *ctx) { char b[8]; copy_from_user(b, 8, (void *)0x1000); return 0; }
SEC("uprobe.s//bin/true:main") int ups(void *ctx) { char b[8]; copy_from_user(b, 8, (void *)0x1000); return 0; }
"""


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("might_sleep"))


@pytest.mark.parametrize(
    ("kernel", "message"),
    [
        ("6.18", "helper call might sleep in a non-sleepable prog"),
        ("6.1", "helper call might sleep in a non-sleepable prog"),
        ("5.15", "unknown func bpf_copy_from_user#148"),
    ],
)
def test_a_sleeping_helper_needs_a_sleepable_program(obj, kernel: str, message: str) -> None:
    assert verdict_and_message(obj, "kp", kernel) == ("reject", message)
    assert verdict_and_message(obj, "ups", kernel) == ("accept", "")
