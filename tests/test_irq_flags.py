"""IRQ flags (bpf_local_irq_save/restore, 6.14+): the flag is a stack object (STACK_IRQ_FLAG,
process_irq_flag()), restored innermost first, and no exit or sleepable call happens while one is
saved (check_resource_leak(), check_helper_call()). bpfcheck took them for plain kfuncs: false
accepts.

Recorded on 6.18.44-fc-v1045 (the host), this file's own programs (verdict, last log line).
"""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __ksym __attribute__((section(".ksyms")))
struct __sk_buff { unsigned int len; };
extern void bpf_local_irq_save(unsigned long *flags) __ksym;
extern void bpf_local_irq_restore(unsigned long *flags) __ksym;
static long (*copy_from_user)(void *dst, unsigned int size, const void *src) = (void *)148;
char LICENSE[] SEC("license") = "GPL";
char buf[16];

SEC("tc") int irq_ok(struct __sk_buff *s)
{ unsigned long f; bpf_local_irq_save(&f); bpf_local_irq_restore(&f); return 0; }
SEC("tc") int irq_nested_ok(struct __sk_buff *s)
{ unsigned long f, g; bpf_local_irq_save(&f); bpf_local_irq_save(&g);
  bpf_local_irq_restore(&g); bpf_local_irq_restore(&f); return 0; }
SEC("tc") int irq_out_of_order(struct __sk_buff *s)
{ unsigned long f, g; bpf_local_irq_save(&f); bpf_local_irq_save(&g);
  bpf_local_irq_restore(&f); bpf_local_irq_restore(&g); return 0; }
SEC("tc") int irq_left_disabled(struct __sk_buff *s) { unsigned long f; bpf_local_irq_save(&f); return 0; }
SEC("tc") int irq_restore_only(struct __sk_buff *s) { unsigned long f = 0; bpf_local_irq_restore(&f); return 0; }
SEC("tc") int irq_flag_overwritten(struct __sk_buff *s)
{ unsigned long f; bpf_local_irq_save(&f); f = 0; bpf_local_irq_restore(&f); return 0; }
SEC("syscall") int irq_sleepable_helper(void *ctx)
{ unsigned long f; bpf_local_irq_save(&f); copy_from_user(buf, 8, ctx); bpf_local_irq_restore(&f); return 0; }
"""

UNINIT = ("reject", "expected an initialized irq flag as arg#0")
KERNEL_6_18 = {
    "irq_ok": ("accept", ""),
    "irq_nested_ok": ("accept", ""),
    "irq_out_of_order": (
        "reject",
        "cannot restore irq state out of order, expected id=2 acquired at insn_idx=7",
    ),
    "irq_left_disabled": (
        "reject",
        "BPF_EXIT instruction in main prog cannot be used inside bpf_local_irq_save-ed region",
    ),
    "irq_restore_only": UNINIT,
    "irq_flag_overwritten": UNINIT,
    "irq_sleepable_helper": ("reject", "sleepable helper bpf_copy_from_user#148 in IRQ-disabled region"),
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("irq_flags"))


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_irq_flags_as_the_6_18_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL_6_18[name]
