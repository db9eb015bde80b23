"""bpf_tail_call() and held resources or packet pointers.

check_helper_call() refuses a tail call inside an RCU read section or with preemption disabled from
6.11 ("tail_call cannot be used inside ...-ed region"; 6.13+ through check_resource_leak(), which adds
saved IRQ flags at 6.14): bpfcheck checked held references only (false accepts). A tail call made in a
subprogram (6.18: the curframe branch) returns to the caller on the called program's exit; that path has
lost every packet pointer (clear_all_pkt_pointers() after the fall-through is pushed): bpfcheck kept the
caller's (false accept). A tail call in the main program keeps them at 6.18.

Recorded on 6.18.44-fc-v1045 (the host), this file's own programs (verdict, last log line).
"""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __ksym __attribute__((section(".ksyms")))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define NAKED __attribute__((naked))
char LICENSE[] SEC("license") = "GPL";
struct __sk_buff { unsigned int len; };
struct { __uint(type, 3); __uint(max_entries, 4); __type(key, int); __type(value, int); } jt SEC(".maps");
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern void bpf_preempt_disable(void) __ksym;
extern void bpf_preempt_enable(void) __ksym;
static long (*tail_call)(void *ctx, void *map, unsigned int index) = (void *)12;

SEC("tc") int tail_call_in_rcu(struct __sk_buff *s)
{ bpf_rcu_read_lock(); tail_call(s, &jt, 0); bpf_rcu_read_unlock(); return 0; }
SEC("tc") int tail_call_after_rcu(struct __sk_buff *s)
{ bpf_rcu_read_lock(); bpf_rcu_read_unlock(); tail_call(s, &jt, 0); return 0; }
SEC("tc") int tail_call_no_preempt(struct __sk_buff *s)
{ bpf_preempt_disable(); tail_call(s, &jt, 0); bpf_preempt_enable(); return 0; }

/* a tail call in a subprogram: the path returning to the caller (the called program's exit)
   has lost the caller's packet pointers (__sk_buff data@76, data_end@80) */
__attribute__((naked, noinline, used)) static int sub_tail_call(void)
{ asm volatile("r2 = %[jt] ll; r3 = 0; call 12; r0 = 0; exit;" :: [jt]"i"(&jt) : "memory"); }
SEC("tc") NAKED int pkt_after_subprog_tail_call(void)
{ asm volatile("r6 = r1; r7 = *(u32 *)(r1 + 76); r8 = *(u32 *)(r1 + 80); r2 = r7; r2 += 1;"
	"if r2 > r8 goto 1f; r1 = r6; call sub_tail_call; r0 = *(u8 *)(r7 + 0); 1: r0 = 0; exit;" ::: "memory"); }
SEC("tc") NAKED int pkt_after_direct_tail_call(void)
{ asm volatile("r6 = r1; r7 = *(u32 *)(r1 + 76); r8 = *(u32 *)(r1 + 80); r2 = r7; r2 += 1;"
	"if r2 > r8 goto 1f; r1 = r6; r2 = %[jt] ll; r3 = 0; call 12; r0 = *(u8 *)(r7 + 0); 1: r0 = 0; exit;"
	:: [jt]"i"(&jt) : "memory"); }
"""

OK = ("accept", "")
KERNEL_6_18 = {
    "tail_call_in_rcu": ("reject", "tail_call cannot be used inside bpf_rcu_read_lock-ed region"),
    "tail_call_after_rcu": OK,
    "tail_call_no_preempt": ("reject", "tail_call cannot be used inside bpf_preempt_disable-ed region"),
    "pkt_after_subprog_tail_call": ("reject", "R7 invalid mem access 'scalar'"),
    "pkt_after_direct_tail_call": OK,
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("tail_call_regions"))


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_tail_calls_as_the_6_18_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL_6_18[name]


def test_region_checks_from_6_11(obj) -> None:
    assert verdict_and_message(obj, "tail_call_in_rcu", "6.10")[0] == "accept"  # 6.9.0, 6.10: references only
    assert verdict_and_message(obj, "tail_call_no_preempt", "6.11") == KERNEL_6_18["tail_call_no_preempt"]
