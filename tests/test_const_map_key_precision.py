"""A constant array key the lookup relies on is precise (get_constant_map_key(), 6.14+).

An array lookup with a constant in-range key returns a non-NULL value; the kernel relies on the
constant and marks the spilled key's slot precise ("We are relying on a constant value. So mark as
precise to prevent pruning on it"), so a path that stores another key is not pruned against the first.
Counts: the running 6.18.44 (uname -r 6.18.44-fc-v1045) processes 26 instructions with 2 states; 6.13
has no get_constant_map_key() (source 6.13.2), the lookup may return NULL there.
"""

from __future__ import annotations

import pytest
from bpf_c import compile_c

from verifier.abstract.analyze import analyze_program
from verifier.rules import for_kernel

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
struct { __uint(type, 2); __uint(max_entries, 4); __type(key, int); __type(value, long long); } arr SEC(".maps");
SEC("socket") __attribute__((naked)) int two_constant_keys(void)
{ asm volatile ("call 7; r8 = 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1; if r0 > 5 goto 1f; r1 = 1; goto 2f; 1: r1 = 2;"
                "2: *(u32 *)(r10 - 8) = r1; r2 = r10; r2 += -8; r1 = %[m] ll; call 1; r0 = *(u64 *)(r0 + 0);"
                "r0 = 0; exit;" :: [m]"i"(&arr) : "memory"); }
char _license[] SEC("license") = "GPL";
"""


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("const_key_precision"))


def test_constant_key_is_precise(obj) -> None:
    prog = next(p for p in obj.programs if p.name == "two_constant_keys")
    v = analyze_program(obj, prog, for_kernel("6.18"))
    assert v.verdict == "accept"
    assert (v.stats.processed, v.stats.states) == (26, 2)
    assert analyze_program(obj, prog, for_kernel("6.13")).verdict == "reject"  # map_value_or_null
