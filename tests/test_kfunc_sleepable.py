"""KF_SLEEPABLE kfuncs only in sleepable programs (check_kfunc_call(), 6.1+): the flag is registered
in the kernel's BTF_ID sets (verifier/rules/data/kfunc_flags.csv), not in BTF. bpfcheck let a
non-sleepable program call one: a false accept.

Recorded on 6.18.44-fc-v1045 (the host):

    key_sleepable      accept
    key_not_sleepable  reject  program must be sleepable to call sleepable kfunc bpf_lookup_user_key
    str_syscall        accept
    str_tp_btf         reject  program must be sleepable to call sleepable kfunc bpf_copy_from_user_str
"""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message
from verifier.rules import kfunc_refs

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __ksym __attribute__((section(".ksyms")))
typedef unsigned int u32;
typedef unsigned long long u64;
struct bpf_key { int x; };
struct bpf_iter__task { void *meta; void *task; };
extern struct bpf_key *bpf_lookup_user_key(int serial, u64 flags) __ksym;
extern void bpf_key_put(struct bpf_key *key) __ksym;
extern int bpf_copy_from_user_str(void *dst, u32 dst__sz, const void *unsafe_ptr__ign, u64 flags) __ksym;
char LICENSE[] SEC("license") = "GPL";

SEC("iter.s/task") int key_sleepable(struct bpf_iter__task *ctx)
{ struct bpf_key *k = bpf_lookup_user_key(1, 0); if (k) bpf_key_put(k); return 0; }
SEC("iter/task") int key_not_sleepable(struct bpf_iter__task *ctx)
{ struct bpf_key *k = bpf_lookup_user_key(1, 0); if (k) bpf_key_put(k); return 0; }
SEC("syscall") int str_syscall(void *ctx)
{ char buf[16]; return bpf_copy_from_user_str(buf, sizeof(buf), ctx, 0); }
SEC("tp_btf/sys_enter") int str_tp_btf(void *ctx)
{ char buf[16]; return bpf_copy_from_user_str(buf, sizeof(buf), ctx, 0); }
"""

KERNEL = {  # 6.18.44-fc-v1045
    "key_sleepable": ("accept", ""),
    "key_not_sleepable": ("reject", "program must be sleepable to call sleepable kfunc bpf_lookup_user_key"),
    "str_syscall": ("accept", ""),
    "str_tp_btf": ("reject", "program must be sleepable to call sleepable kfunc bpf_copy_from_user_str"),
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("kfunc_sleepable"))


@pytest.mark.parametrize("name", sorted(KERNEL))
def test_sleepable_kfuncs_as_the_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL[name]


def test_before_6_2_the_kernel_words_it_otherwise(obj) -> None:
    # Debian 6.1.192 kernel/bpf/btf.c btf_check_kfunc_arg_match()
    assert verdict_and_message(obj, "key_not_sleepable", "6.1") == (
        "reject",
        "kernel function bpf_lookup_user_key is sleepable but the program is not",
    )


def test_flags_follow_the_version() -> None:
    assert kfunc_refs.flags("bpf_copy_from_user_str", (6, 18)) == {"KF_SLEEPABLE"}
    assert kfunc_refs.flags("bpf_copy_from_user_str", (6, 11)) is None  # added in 6.12
    assert kfunc_refs.flags("bpf_task_acquire", (6, 2)) == {"KF_ACQUIRE", "KF_TRUSTED_ARGS"}
    assert kfunc_refs.flags("bpf_task_acquire", (6, 6)) == {"KF_ACQUIRE", "KF_RCU", "KF_RET_NULL"}  # 6.4 tree
    assert kfunc_refs.flags("bpf_task_acquire", (5, 15)) is None
    # sleepable in the HID set only, not in the syscall set: not sleepable for the rules that reject
    assert "KF_SLEEPABLE" not in (kfunc_refs.flags("hid_bpf_allocate_context", (6, 18)) or ())
    assert kfunc_refs.any_flag("hid_bpf_allocate_context", (6, 18), "KF_SLEEPABLE")
