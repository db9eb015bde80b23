"""Which program types may call a kfunc (check_kfunc_call() -> fetch_kfunc_meta() ->
btf_kfunc_id_set_contains(): the sets registered for the common hook or the program type's hook,
verifier/rules/kfunc_prog_types.py with the tables scripts/kfunc_hooks.py extracts from the kernel
trees). bpfcheck let any program call any kfunc: false accepts ('calling kernel function %s is not
allowed').

Recorded on 6.18.44-fc-v1045 (the host), this file's own programs: every one below agrees in verdict
and message (tests/test_kfunc_prog_types.py KERNEL_6_18).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.bpf_c import compile_c, verdict_and_message
from verifier.rules import kfunc_prog_types

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __ksym __attribute__((section(".ksyms")))
typedef unsigned long long u64;
struct task_struct { int pid; };
struct bpf_cpumask { u64 x; };
struct bpf_dynptr { u64 __opaque[2]; } __attribute__((aligned(8)));
struct __sk_buff { unsigned int len; };
extern struct task_struct *bpf_task_from_pid(int pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern struct bpf_cpumask *bpf_cpumask_create(void) __ksym;
extern void bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym;
extern int bpf_dynptr_from_skb(struct __sk_buff *skb, u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
char LICENSE[] SEC("license") = "GPL";
#define TASK(sec, name) SEC(sec) int name(void *ctx) \
{ struct task_struct *t = bpf_task_from_pid(1); if (t) bpf_task_release(t); return 0; }
#define CPUMASK(sec, name) SEC(sec) int name(void *ctx) \
{ struct bpf_cpumask *m = bpf_cpumask_create(); if (m) bpf_cpumask_release(m); return 0; }
#define RCU(sec, name) SEC(sec) int name(void *ctx) { bpf_rcu_read_lock(); bpf_rcu_read_unlock(); return 0; }
TASK("xdp", task_xdp)
TASK("tc", task_tc)
TASK("socket", task_socket_filter)
TASK("raw_tp/sys_enter", task_raw_tp)
TASK("kprobe/do_sys_open", task_kprobe)
TASK("perf_event", task_perf_event)
TASK("tracepoint/syscalls/sys_enter_open", task_tracepoint)
TASK("cgroup/sysctl", task_cgroup_sysctl)
TASK("sk_lookup", task_sk_lookup)
TASK("syscall", task_syscall)
CPUMASK("tc", cpumask_tc)
CPUMASK("syscall", cpumask_syscall)
RCU("socket", rcu_socket_filter)
RCU("sk_lookup", rcu_sk_lookup)
SEC("xdp") int dynptr_skb_xdp(void *ctx) { struct bpf_dynptr p; bpf_dynptr_from_skb(ctx, 0, &p); return 0; }
SEC("socket") int dynptr_skb_socket(struct __sk_buff *ctx) { struct bpf_dynptr p; bpf_dynptr_from_skb(ctx, 0, &p); return 0; }
"""


def _refused(name: str) -> tuple[str, str]:
    return ("reject", f"calling kernel function {name} is not allowed")


KERNEL_6_18 = {
    "task_xdp": ("accept", ""),
    "task_tc": ("accept", ""),
    "task_socket_filter": _refused("bpf_task_from_pid"),
    "task_raw_tp": _refused("bpf_task_from_pid"),
    "task_kprobe": _refused("bpf_task_from_pid"),
    "task_perf_event": ("accept", ""),  # the TRACING hook's (bpf_prog_type_to_kfunc_hook())
    "task_tracepoint": ("accept", ""),
    "task_cgroup_sysctl": ("accept", ""),  # the CGROUP hook: registered for cgroup_skb
    "task_sk_lookup": _refused("bpf_task_from_pid"),
    "task_syscall": ("accept", ""),
    "cpumask_tc": _refused("bpf_cpumask_create"),
    "cpumask_syscall": ("accept", ""),
    "rcu_socket_filter": ("accept", ""),  # the common hook: every program type
    "rcu_sk_lookup": ("accept", ""),
    "dynptr_skb_xdp": _refused("bpf_dynptr_from_skb"),
    "dynptr_skb_socket": ("accept", ""),
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("kfunc_prog_types"))


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_kfunc_program_types_as_the_6_18_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL_6_18[name]


def test_the_hooks_follow_the_version() -> None:
    # the generic set came to XDP in 6.8, the TRACING hook took tracepoint and perf_event in 6.12
    # (kernel/bpf/helpers.c, kernel/bpf/btf.c of the trees read)
    assert kfunc_prog_types.allowed("bpf_task_from_pid", "xdp", (6, 8)) is True
    assert kfunc_prog_types.allowed("bpf_task_from_pid", "xdp", (6, 7)) is False
    assert kfunc_prog_types.allowed("bpf_task_from_pid", "perf_event", (6, 12)) is True
    assert kfunc_prog_types.allowed("bpf_task_from_pid", "perf_event", (6, 11)) is False
    assert kfunc_prog_types.allowed("bpf_task_from_pid", "lsm", (6, 2)) is True
    # not registered by the trees read: no judgement (a module's kfunc, or before 6.0)
    assert kfunc_prog_types.allowed("bpf_task_from_pid", "xdp", (5, 15)) is None
    assert kfunc_prog_types.allowed("no_such_kfunc", "xdp", (6, 18)) is None


def test_conntrack_kfuncs_in_every_tree() -> None:
    # net/netfilter/nf_conntrack_bpf.c registers its sets for XDP and TC from 6.0 on; the 6.1 and
    # 6.12 tables were once generated from partly unpacked Debian trees and lacked them (false
    # rejects of bpf_xdp_ct_lookup at --kernel 6.1 / 6.12)
    for version in ((6, 0), (6, 1), (6, 12), (6, 18)):
        assert kfunc_prog_types.allowed("bpf_xdp_ct_lookup", "xdp", version) is True
        assert kfunc_prog_types.allowed("bpf_skb_ct_lookup", "sched_cls", version) is True


@pytest.mark.parametrize("table", ["kfunc_prog_types.csv", "kfunc_flags.csv"])
def test_generated_rows_have_no_holes(table: str) -> None:
    # a registration missing from one tree between two that have it means the tree read was
    # incomplete (a partly unpacked source), not a kernel that dropped and re-added a kfunc
    path = Path(kfunc_prog_types.__file__).parent / "data" / table
    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    ranges: dict[tuple[str, ...], int] = {}
    for row in csv.reader(lines[1:]):
        key = tuple(row[:-2])
        ranges[key] = ranges.get(key, 0) + 1
    assert [key for key, count in ranges.items() if count > 1] == []


# measured: 6.12.117+deb13-amd64 under qemu (scripts/kernel_vm.py): the same answers
@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_kfunc_program_types_as_the_6_12_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.12") == KERNEL_6_18[name]
