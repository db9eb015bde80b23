"""RCU read sections (bpf_rcu_read_lock/unlock, 6.2+) and non-preemptible sections
(bpf_preempt_disable/enable, 6.10+): check_kfunc_call() opens and closes them (no nesting of RCU
sections, no unmatched unlock or enable), no sleepable helper or kfunc inside them, and the main
program may not exit inside one (check_resource_leak() from 6.13; 'bpf_rcu_read_unlock is missing'
and '%d bpf_preempt_enable is missing' before). bpfcheck followed none of it: false accepts.

Recorded on 6.18.44-fc-v1045 (the host), this file's own programs (verdict, last log line).
"""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __ksym __attribute__((section(".ksyms")))
struct __sk_buff { unsigned int len; };
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern void bpf_preempt_disable(void) __ksym;
extern void bpf_preempt_enable(void) __ksym;
static long (*copy_from_user)(void *dst, unsigned int size, const void *src) = (void *)148;
char LICENSE[] SEC("license") = "GPL";
char buf[16];

SEC("tc") int rcu_ok(struct __sk_buff *s) { bpf_rcu_read_lock(); bpf_rcu_read_unlock(); return 0; }
SEC("tc") int rcu_left_locked(struct __sk_buff *s) { bpf_rcu_read_lock(); return 0; }
SEC("tc") int rcu_unlock_only(struct __sk_buff *s) { bpf_rcu_read_unlock(); return 0; }
SEC("tc") int rcu_nested(struct __sk_buff *s)
{ bpf_rcu_read_lock(); bpf_rcu_read_lock(); bpf_rcu_read_unlock(); bpf_rcu_read_unlock(); return 0; }
SEC("tc") int rcu_on_one_path(struct __sk_buff *s)
{ if (s->len > 10) bpf_rcu_read_lock(); if (s->len > 10) bpf_rcu_read_unlock(); return 0; }
SEC("syscall") int rcu_sleepable_helper(void *ctx)
{ bpf_rcu_read_lock(); copy_from_user(buf, 8, ctx); bpf_rcu_read_unlock(); return 0; }
SEC("syscall") int sleepable_helper_ok(void *ctx) { copy_from_user(buf, 8, ctx); return 0; }
SEC("tc") int preempt_ok(struct __sk_buff *s)
{ bpf_preempt_disable(); bpf_preempt_disable(); bpf_preempt_enable(); bpf_preempt_enable(); return 0; }
SEC("tc") int preempt_left_disabled(struct __sk_buff *s) { bpf_preempt_disable(); return 0; }
SEC("tc") int preempt_enable_only(struct __sk_buff *s) { bpf_preempt_enable(); return 0; }
SEC("syscall") int preempt_sleepable_helper(void *ctx)
{ bpf_preempt_disable(); copy_from_user(buf, 8, ctx); bpf_preempt_enable(); return 0; }
"""

EXIT = "BPF_EXIT instruction in main prog cannot be used inside"
KERNEL_6_18 = {
    "rcu_ok": ("accept", ""),
    "rcu_left_locked": ("reject", f"{EXIT} bpf_rcu_read_lock-ed region"),
    "rcu_unlock_only": ("reject", "unmatched rcu read unlock (kernel function bpf_rcu_read_unlock)"),
    "rcu_nested": ("reject", "nested rcu read lock (kernel function bpf_rcu_read_lock)"),
    "rcu_on_one_path": ("reject", f"{EXIT} bpf_rcu_read_lock-ed region"),
    "rcu_sleepable_helper": ("reject", "sleepable helper bpf_copy_from_user#148 in rcu_read_lock region"),
    "sleepable_helper_ok": ("accept", ""),
    "preempt_ok": ("accept", ""),
    "preempt_left_disabled": ("reject", f"{EXIT} bpf_preempt_disable-ed region"),
    "preempt_enable_only": (
        "reject",
        "unmatched attempt to enable preemption (kernel function bpf_preempt_enable)",
    ),
    "preempt_sleepable_helper": (
        "reject",
        "sleepable helper bpf_copy_from_user#148 in non-preemptible region",
    ),
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("critical_sections"))


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_critical_sections_as_the_6_18_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL_6_18[name]


# measured: 6.12.117+deb13-amd64 under qemu (scripts/kernel_vm.py): the exit's own messages (before
# check_resource_leak(), 6.13)
KERNEL_6_12 = {
    **KERNEL_6_18,
    "rcu_left_locked": ("reject", "bpf_rcu_read_unlock is missing"),
    "rcu_on_one_path": ("reject", "bpf_rcu_read_unlock is missing"),
    "preempt_left_disabled": ("reject", "1 bpf_preempt_enable is missing"),
}


@pytest.mark.parametrize("name", sorted(KERNEL_6_12))
def test_critical_sections_as_the_6_12_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.12") == KERNEL_6_12[name]
