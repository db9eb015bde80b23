"""LD_ABS / LD_IND and held resources, and helper arguments typed ARG_PTR_TO_BTF_ID.

check_ld_abs(): R6 is read first ("R6 !read_ok"); then, from 6.13, check_resource_leak() with the
prefix "BPF_LD_[ABS|IND]" (a lock, then a reference: "... would lead to reference leak", IRQ flags, RCU,
preemption); before 6.13 a reference first ("... cannot be mixed with socket references"). The
references are check_reference_leak()'s: from 6.1 a subprogram does not see its caller's (bpfcheck
refused those: a false reject).

check_func_arg() for ARG_PTR_TO_BTF_ID (bpf_task_pt_regs, ...) accepts BTF pointers only
(btf_ptr_types): a context, stack or packet pointer was taken (false accepts).

Recorded on 6.18.44-fc-v1045 (the host), this file's own programs (verdict, last log line).
"""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define NAKED __attribute__((naked))
char LICENSE[] SEC("license") = "GPL";
/* bpf_sk_lookup_tcp (84) takes a socket reference, bpf_sk_release (86) drops it */
#define LOOKUP \
	"r6 = r1; r2 = 0; *(u64 *)(r10 - 8) = r2; *(u64 *)(r10 - 16) = r2;" \
	"r2 = r10; r2 += -16; r3 = 12; r4 = -1; r5 = 0; call 84; r7 = r0;"
#define RELEASE "if r7 == 0 goto 1f; r1 = r7; call 86; 1: r0 = 0; exit;"
SEC("tc") NAKED int ld_abs_with_ref(void) { asm volatile(LOOKUP "r0 = *(u8 *)skb[0];" RELEASE ::: "memory"); }
SEC("tc") NAKED int ld_abs_after_release(void)
{ asm volatile(LOOKUP "if r7 == 0 goto 1f; r1 = r7; call 86; 1: r0 = *(u8 *)skb[0]; r0 = 0; exit;" ::: "memory"); }
SEC("tc") NAKED int ld_abs_no_r6_with_ref(void)
{ asm volatile("r2 = 0; *(u64 *)(r10 - 8) = r2; *(u64 *)(r10 - 16) = r2; r2 = r10; r2 += -16; r3 = 12;"
	"r4 = -1; r5 = 0; call 84; r7 = r0; r0 = *(u8 *)skb[0];" RELEASE ::: "memory"); }
/* the reference is held by the caller: the subprogram's LD_ABS does not see it (6.1+) */
SEC("tc") NAKED int ld_abs_in_subprog_with_ref(void)
{ asm volatile(LOOKUP "r1 = r6; call sub_ld_abs;" RELEASE ::: "memory"); }
__attribute__((naked, noinline, used)) static int sub_ld_abs(void)
{ asm volatile("r6 = r1; r0 = *(u8 *)skb[0]; r0 = 0; exit;" ::: "memory"); }

/* bpf_task_pt_regs (175): ARG_PTR_TO_BTF_ID (struct task_struct); bpf_get_current_task_btf (158) */
SEC("tc") NAKED int task_pt_regs_ctx(void) { asm volatile("call 175; r0 = 0; exit;" ::: "memory"); }
SEC("tc") NAKED int task_pt_regs_null(void) { asm volatile("r1 = 0; call 175; r0 = 0; exit;" ::: "memory"); }
SEC("tc") NAKED int task_pt_regs_stack(void) { asm volatile("r1 = r10; r1 += -8; call 175; r0 = 0; exit;" ::: "memory"); }
SEC("tc") NAKED int task_pt_regs_task(void) { asm volatile("call 158; r1 = r0; call 175; r0 = 0; exit;" ::: "memory"); }
"""

OK = ("accept", "")
BTF = "expected=ptr_, trusted_ptr_, rcu_ptr_"
KERNEL_6_18 = {
    "ld_abs_with_ref": ("reject", "BPF_LD_[ABS|IND] would lead to reference leak"),
    "ld_abs_after_release": OK,
    "ld_abs_no_r6_with_ref": ("reject", "R6 !read_ok"),
    "ld_abs_in_subprog_with_ref": OK,
    "task_pt_regs_ctx": ("reject", f"R1 type=ctx {BTF}"),
    "task_pt_regs_null": ("reject", f"R1 type=scalar {BTF}"),
    "task_pt_regs_stack": ("reject", f"R1 type=fp {BTF}"),
    "task_pt_regs_task": OK,
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("ld_abs_btf_args"))


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_as_the_6_18_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL_6_18[name]


def test_older_words(obj) -> None:
    # 6.12.117: the reference check first, in its own words; 6.1.192: btf_ptr_types is PTR_TO_BTF_ID alone
    assert verdict_and_message(obj, "ld_abs_with_ref", "6.12") == (
        "reject",
        "BPF_LD_[ABS|IND] cannot be mixed with socket references",
    )
    assert verdict_and_message(obj, "task_pt_regs_ctx", "6.1") == ("reject", "R1 type=ctx expected=ptr_")
