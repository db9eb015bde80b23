"""Dynptr kfuncs check their dynptr argument (check_kfunc_args() KF_ARG_PTR_TO_DYNPTR ->
process_dynptr_func()): a `const struct bpf_dynptr *` must point to the stack (or be a global
function's const dynptr) and hold an initialised dynptr. bpfcheck passed anything: false accepts.

Recorded on 6.18.44-fc-v1045 (the host):

    size_uninit     reject  Expected an initialized dynptr as arg #0
    size_ok         accept
    adjust_uninit   reject  Expected an initialized dynptr as arg #0
    slice_uninit    reject  Expected an initialized dynptr as arg #0
    size_not_stack  reject  arg#0 expected pointer to stack or const struct bpf_dynptr
"""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __ksym __attribute__((section(".ksyms")))
typedef unsigned int __u32; typedef unsigned long long __u64;
struct bpf_dynptr { __u64 a; __u64 b; } __attribute__((aligned(8)));
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;
extern int bpf_dynptr_adjust(const struct bpf_dynptr *p, __u32 start, __u32 end) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
static long (*dynptr_from_mem)(void *data, __u32 size, __u64 flags, struct bpf_dynptr *ptr) = (void *)197;
char LICENSE[] SEC("license") = "GPL";
char buf[16];

SEC("raw_tp/sys_enter") int size_uninit(void *ctx) { struct bpf_dynptr d; return bpf_dynptr_size(&d); }
SEC("raw_tp/sys_enter") int size_ok(void *ctx) { struct bpf_dynptr d; dynptr_from_mem(buf, 16, 0, &d); return bpf_dynptr_size(&d); }
SEC("raw_tp/sys_enter") int adjust_uninit(void *ctx) { struct bpf_dynptr d; return bpf_dynptr_adjust(&d, 0, 1); }
SEC("raw_tp/sys_enter") int slice_uninit(void *ctx) { struct bpf_dynptr d; char *p = bpf_dynptr_slice(&d, 0, 0, 4); return p ? p[0] : 0; }
SEC("raw_tp/sys_enter") int size_not_stack(void *ctx) { return bpf_dynptr_size((const struct bpf_dynptr *)buf); }
"""

KERNEL = {  # 6.18.44-fc-v1045
    "size_uninit": ("reject", "Expected an initialized dynptr as arg #0"),
    "size_ok": ("accept", ""),
    "adjust_uninit": ("reject", "Expected an initialized dynptr as arg #0"),
    "slice_uninit": ("reject", "Expected an initialized dynptr as arg #0"),
    "size_not_stack": ("reject", "arg#0 expected pointer to stack or const struct bpf_dynptr"),
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("kfunc_dynptr"))


@pytest.mark.parametrize("name", sorted(KERNEL))
def test_dynptr_kfunc_arguments_as_the_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL[name]
