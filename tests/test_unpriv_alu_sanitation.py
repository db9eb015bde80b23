"""Unprivileged pointer arithmetic sanitation (update_alu_sanitation_state()): the kernel patches a
pointer ALU instruction with a masking sequence whose limit is kept per instruction. An instruction
reached with different pointer kinds, different directions, or different limits cannot be patched
for all of them and is refused with REASON_PATHS. The paths must therefore not be pruned into each
other when their limits differ (explore_alu_limits makes the scalars compare exactly). Verdicts and
messages as the running 6.18.44 kernel gave them to a loader without CAP_PERFMON, CAP_SYS_ADMIN and
CAP_NET_ADMIN; the privileged verdicts are all accepts."""

from __future__ import annotations

import pytest
from bpf_c import compile_c

from verifier.abstract import AnalysisOptions
from verifier.abstract.analyze import analyze_program
from verifier.rules import for_kernel

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define NAKED __attribute__((naked))
struct big { unsigned int index; int foo[11]; };
struct two { long long a; long long b; };
struct { __uint(type, 2); __uint(max_entries, 1); __type(key, int); __type(value, struct big); } arr48 SEC(".maps");
struct { __uint(type, 1); __uint(max_entries, 1); __type(key, long long); __type(value, struct two); } hash16 SEC(".maps");
struct { __uint(type, 1); __uint(max_entries, 1); __type(key, long long); __type(value, long long); } hash8 SEC(".maps");
SEC("socket") NAKED int map_ptr_vs_zero(void)
{ asm volatile ("r1 = %[m] ll; if r1 == 0 goto 1f; 1: r0 = 0; exit;" :: [m]"i"(&hash8) : "memory"); }
SEC("socket") NAKED int limits_differ(void)
{ asm volatile ("r0 = *(u32*)(r1 + 0); r1 = 0; *(u64*)(r10 - 8) = r1; r2 = r10; r2 += -8;"
  "if r0 == 1 goto 1f; r1 = %[h] ll; if r0 != 1 goto 2f; 1: r1 = %[a] ll; 2: call 1;"
  "if r0 == 0 goto 3f; r4 = *(u8*)(r0 + 0); if r4 == 1 goto 4f; r1 = 6; r1 = -r1; r1 &= 0x7; goto 5f;"
  "4: r1 = 3; 5: r1 += r0; r0 = *(u8*)(r1 + 0); 3: r0 = 1; exit;"
  :: [h]"i"(&hash16), [a]"i"(&arr48) : "memory"); }
SEC("socket") NAKED int limits_same(void)
{ asm volatile ("r0 = *(u32*)(r1 + 0); r1 = 0; *(u64*)(r10 - 8) = r1; r2 = r10; r2 += -8;"
  "r1 = %[a] ll; call 1;"
  "if r0 == 0 goto 3f; r4 = *(u8*)(r0 + 0); if r4 == 1 goto 4f; r1 = 3; goto 5f;"
  "4: r1 = 3; 5: r1 += r0; r0 = *(u8*)(r1 + 0); 3: r0 = 1; exit;"
  :: [a]"i"(&arr48) : "memory"); }
SEC("socket") NAKED int pointer_or_scalar(void)
{ asm volatile ("r0 = 1; r1 = %[a] ll; r2 = r10; r2 += -16; r6 = 0; *(u64*)(r10 - 16) = r6; call 1;"
  "if r0 != 0 goto 1f; exit; 1: r1 = *(u8*)(r0 + 0); if r1 != 0 goto 2f; r2 = r0; r3 = 0; goto 3f;"
  "2: r2 = 0; r3 = 0x100000; 3: r2 += r3; if r1 != 0 goto 4f; goto 5f;"
  "4: r0 = 0x13371337; if r2 != 0x100000 goto 5f; r0 = 0; exit; 5: r0 = *(u8*)(r0 + 0); r0 = 0; exit;"
  :: [a]"i"(&arr48) : "memory"); }
char _license[] SEC("license") = "GPL";
"""

REASON_PATHS = (
    "tried to add from different maps, paths or scalars, pointer arithmetic with it prohibited for !root"
)
KERNEL_6_18 = {
    "map_ptr_vs_zero": "",  # a map pointer constant is never NULL: the branch is decided
    "limits_differ": "R1 " + REASON_PATHS,
    "limits_same": "",
    "pointer_or_scalar": "R2 " + REASON_PATHS,
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("unpriv_alu"))


def _message(obj, name: str, unprivileged: bool) -> str:
    prog = next(p for p in obj.programs if p.name == name)
    v = analyze_program(obj, prog, for_kernel((6, 18)), AnalysisOptions(unprivileged=unprivileged))
    return v.findings[0].kernel_message if v.verdict == "reject" else ""


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_unprivileged_as_the_6_18_kernel(obj, name: str) -> None:
    assert _message(obj, name, True) == KERNEL_6_18[name]


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_privileged_accepts(obj, name: str) -> None:
    assert _message(obj, name, False) == ""


def test_map_pointer_vs_zero_before_reg_not_null_knew_map_pointers(obj) -> None:
    """6.1's reg_type_not_null() has no CONST_PTR_TO_MAP: the branch is open, the comparison refused."""
    prog = next(p for p in obj.programs if p.name == "map_ptr_vs_zero")
    v = analyze_program(obj, prog, for_kernel((6, 1)), AnalysisOptions(unprivileged=True))
    assert v.verdict == "reject"
    assert v.findings[0].kernel_message == "R1 pointer comparison prohibited"
