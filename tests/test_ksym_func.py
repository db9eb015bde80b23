"""ld_imm64 of a kernel function (`bpf_ksym_exists(kfunc)`): check_pseudo_btf_id() makes it a
read-only pointer of size 0 that is never NULL from 6.4, so a guard on it is decided; before 6.4
the kernel refuses the load ("pseudo btf_id N in ldimm64 isn't KIND_VAR.").

Recorded on 6.18.44-fc-v1045 (libbpf 1.x, the kfunc present): `guarded` accepted after 4
processed instructions, `unguarded` rejected with "R0 invalid mem access 'scalar'"."""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __ksym __attribute__((section(".ksyms")))
#define __weak __attribute__((weak))
struct task_struct { int pid; };
extern struct task_struct *bpf_task_from_pid(int pid) __ksym __weak;
static unsigned long long (*get_prandom)(void) = (void *)7;
char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_kill")
int guarded(void *ctx)
{
	if (!bpf_task_from_pid)  /* dead where the kfunc exists */
		return *(int *)(long)get_prandom();
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_kill")
int unguarded(void *ctx)
{
	if (bpf_task_from_pid)
		return *(int *)(long)get_prandom();
	return 0;
}
"""


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("ksym_func"))


@pytest.mark.parametrize("kernel", ["6.4", "6.12", "6.18"])
def test_a_kfunc_address_is_never_null(obj, kernel: str) -> None:
    assert verdict_and_message(obj, "guarded", kernel) == ("accept", "")
    assert verdict_and_message(obj, "unguarded", kernel) == ("reject", "R0 invalid mem access 'scalar'")


@pytest.mark.parametrize("kernel", ["5.15", "6.3"])
def test_before_6_4_a_kfunc_in_ld_imm64_is_refused(obj, kernel: str) -> None:
    verdict, message = verdict_and_message(obj, "guarded", kernel)
    assert verdict == "reject"
    assert message.startswith("pseudo btf_id ") and message.endswith(" in ldimm64 isn't KIND_VAR.")
