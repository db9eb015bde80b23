"""Typed `__ksym` variables (check_pseudo_btf_id()): a per-CPU variable is PTR_TO_BTF_ID | MEM_PERCPU,
readable only through bpf_this_cpu_ptr() / bpf_per_cpu_ptr(), whose result is the variable's memory
(read-only from 5.17, its type's size) or struct, NULL-checked for bpf_per_cpu_ptr(). Before, bpfcheck
typed every ksym as an opaque pointer anything could be read through: false accepts.

Recorded on the real 6.12.117+deb13-amd64 and 6.1.0-57-amd64 kernels (qemu, scripts/kernel_vm.py),
the same answer on both (5.10.0-46's BTF has no per-CPU variables: libbpf refuses the object):

    direct_percpu_int     reject  R1 is ptr_int access percpu memory: off=0
    direct_percpu_struct  reject  R1 is ptr_rq access percpu memory: off=0
    via_this_cpu          accept
    via_per_cpu_nocheck   reject  R0 invalid mem access 'ptr_or_null_'
    via_per_cpu_check     accept
    int_this_cpu          accept
    int_this_cpu_oob      reject  R0 min value is outside of the allowed memory range

Without the target's BTF a typed ksym is taken as per-CPU (the kernel's BTF describes no others)
and sized by the object's own type; the messages then lack the kernel's type name."""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __ksym __attribute__((section(".ksyms")))
extern const int bpf_prog_active __ksym;
struct rq { int cpu; };
extern const struct rq runqueues __ksym;
static void *(*this_cpu_ptr)(const void *p) = (void *)154;
static void *(*per_cpu_ptr)(const void *p, unsigned int cpu) = (void *)153;
char LICENSE[] SEC("license") = "GPL";

SEC("raw_tp/sys_enter") int direct_percpu_int(void *ctx) { return bpf_prog_active; }
SEC("raw_tp/sys_enter") int direct_percpu_struct(void *ctx) { return runqueues.cpu; }
SEC("raw_tp/sys_enter") int via_this_cpu(void *ctx) { const struct rq *r = this_cpu_ptr(&runqueues); return r->cpu; }
SEC("raw_tp/sys_enter") int via_per_cpu_nocheck(void *ctx) { const struct rq *r = per_cpu_ptr(&runqueues, 0); return r->cpu; }
SEC("raw_tp/sys_enter") int via_per_cpu_check(void *ctx) { const struct rq *r = per_cpu_ptr(&runqueues, 0); return r ? r->cpu : 0; }
SEC("raw_tp/sys_enter") int int_this_cpu(void *ctx) { const int *p = this_cpu_ptr(&bpf_prog_active); return *p; }
SEC("raw_tp/sys_enter") int int_this_cpu_oob(void *ctx) { const int *p = this_cpu_ptr(&bpf_prog_active); return p[1]; }
SEC("raw_tp/sys_enter") int not_percpu_arg(void *ctx) { int x = 0; const int *p = this_cpu_ptr(&x); return p ? 0 : 1; }
"""

KERNEL = {  # 6.12.117+deb13-amd64 and 6.1.0-57-amd64
    "direct_percpu_int": "reject",
    "direct_percpu_struct": "reject",
    "via_this_cpu": "accept",
    "via_per_cpu_nocheck": "reject",
    "via_per_cpu_check": "accept",
    "int_this_cpu": "accept",
    "int_this_cpu_oob": "reject",
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("ksym_percpu"))


@pytest.mark.parametrize("kernel", ["6.1", "6.12"])
@pytest.mark.parametrize("name", sorted(KERNEL))
def test_per_cpu_ksyms_as_the_kernel(obj, name: str, kernel: str) -> None:
    assert verdict_and_message(obj, name, kernel)[0] == KERNEL[name]


def test_messages(obj) -> None:
    assert verdict_and_message(obj, "direct_percpu_int", "6.12")[1].endswith("access percpu memory: off=0")
    assert verdict_and_message(obj, "via_per_cpu_nocheck", "6.12")[1] == "R0 invalid mem access 'ptr_or_null_'"
    assert verdict_and_message(obj, "int_this_cpu_oob", "6.12")[1] == "R0 min value is outside of the allowed memory range"
    # before MEM_PERCPU (5.18) the per-CPU pointer was a type of its own
    assert verdict_and_message(obj, "direct_percpu_int", "5.15")[1] == "R1 invalid mem access 'percpu_ptr_'"


@pytest.mark.parametrize(
    ("kernel", "expected"),
    [
        ("5.15", "percpu_ptr_"),
        ("6.1", "percpu_ptr_"),
        ("6.4", "percpu_ptr_, percpu_trusted_ptr_"),
        ("6.12", "percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_"),
    ],
)
def test_only_a_per_cpu_variable_is_an_argument(obj, kernel: str, expected: str) -> None:
    verdict, message = verdict_and_message(obj, "not_percpu_arg", kernel)
    assert verdict == "reject"
    assert message == f"R1 type=fp expected={expected}"
