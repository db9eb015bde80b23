"""check_map_prog_compatibility(), run for every map a program names before any instruction is walked:
a sleepable program may name only some map types (the list grew from 5.10 to 6.9; hash maps had to be
preallocated until 6.1), and a program names one cgroup storage of each type at most. bpfcheck had
neither rule: false accepts.

Recorded on 6.18.44-fc-v1045 (the host), this file's own programs (verdict, last log line); the
older rows are the kernel sources' (see SLEEPABLE_MAPS).
"""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define MAP(T, name, ...) struct { __uint(type, T); __uint(max_entries, 4); __type(key, int); __type(value, int); \
    __VA_ARGS__ } name SEC(".maps");
#define USE(sec, prog, map) SEC(sec) __attribute__((naked)) int prog(void) \
    { asm volatile ("r1 = %[m] ll; r0 = 0; exit;" :: [m]"i"(&map) : "r0", "r1"); }
struct cgroup_storage_key { unsigned long long cgroup_inode_id; unsigned int attach_type; };
struct __sk_buff { unsigned int len; };
MAP(1, hash)
MAP(1, hash_no_prealloc, __uint(map_flags, 1);)
MAP(2, array)
MAP(3, prog_array)
MAP(4, perf_event_array)
MAP(14, devmap)
struct { __uint(type, 27); __uint(max_entries, 4096); } ringbuf SEC(".maps");
struct { __uint(type, 19); __type(key, struct cgroup_storage_key); __type(value, long); } storage SEC(".maps");
struct { __uint(type, 19); __type(key, struct cgroup_storage_key); __type(value, long); } storage2 SEC(".maps");
struct { __uint(type, 21); __type(key, struct cgroup_storage_key); __type(value, long); } percpu_storage SEC(".maps");
static void *(*get_local_storage)(void *map, unsigned long long flags) = (void *)81;
char LICENSE[] SEC("license") = "GPL";

USE("syscall", sleepable_hash, hash)
USE("syscall", sleepable_hash_no_prealloc, hash_no_prealloc)
USE("syscall", sleepable_array, array)
USE("syscall", sleepable_ringbuf, ringbuf)
USE("syscall", sleepable_prog_array, prog_array)
USE("syscall", sleepable_perf_event_array, perf_event_array)
USE("syscall", sleepable_devmap, devmap)
USE("raw_tp/sys_enter", raw_tp_prog_array, prog_array)
SEC("cgroup_skb/egress") int two_storages(struct __sk_buff *s)
{ long *a = get_local_storage(&storage, 0), *b = get_local_storage(&storage2, 0); return *a + *b ? 1 : 0; }
SEC("cgroup_skb/egress") int storage_of_each_type(struct __sk_buff *s)
{ long *a = get_local_storage(&storage, 0), *b = get_local_storage(&percpu_storage, 0); return *a + *b ? 1 : 0; }
"""

ONLY = "Sleepable programs can only use array, hash, ringbuf and local storage maps"
KERNEL_6_18 = {
    "sleepable_hash": ("accept", ""),
    "sleepable_hash_no_prealloc": ("accept", ""),
    "sleepable_array": ("accept", ""),
    "sleepable_ringbuf": ("accept", ""),
    "sleepable_prog_array": ("reject", ONLY),
    "sleepable_perf_event_array": ("reject", ONLY),
    "sleepable_devmap": ("reject", ONLY),
    "raw_tp_prog_array": ("accept", ""),
    "two_storages": ("reject", "only one cgroup storage of each type is allowed"),
    "storage_of_each_type": ("accept", ""),
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("map_prog_compat"))


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_map_prog_compat_as_the_6_18_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL_6_18[name]


@pytest.mark.parametrize(
    ("kernel", "name", "expected"),
    [
        ("6.1", "sleepable_hash_no_prealloc", ("accept", "")),
        (
            "6.0",
            "sleepable_hash_no_prealloc",
            ("reject", "Sleepable programs can only use preallocated maps"),
        ),
        (
            "5.15",
            "sleepable_prog_array",
            ("reject", "Sleepable programs can only use array, hash, and ringbuf maps"),
        ),
        ("6.1", "sleepable_ringbuf", ("accept", "")),
        (
            "6.1",
            "sleepable_devmap",
            ("reject", "Sleepable programs can only use array, hash, and ringbuf maps"),
        ),
    ],
)
def test_sleepable_maps_by_version(obj, kernel: str, name: str, expected: tuple[str, str]) -> None:
    assert verdict_and_message(obj, name, kernel) == expected
