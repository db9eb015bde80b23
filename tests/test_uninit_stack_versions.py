"""Uninitialised stack reads by a privileged program, by version.

- from 6.3 (5.10.222, 6.1.100: 'bpf: Allow reads from uninit stack'), STACK_INVALID bytes may be read,
  but before 'bpf: Fix accesses to uninit stack slots' (6.8; 6.1.191) only inside the stack the frame
  has allocated by its writes: check_stack_slot_within_bounds() bounds reads by -allocated_stack
  (5.10.262 source), so a read below the deepest write fails;
- a partial spill leaves the slot's other bytes STACK_INVALID (scrub_spilled_slot() /
  mark_stack_slot_misc() keep them for a privileged loader), so reading them needs the same rule.

VERDICTS are the real kernels' answers: Debian 5.10.0-46 (5.10.262), 6.1.0-57 (6.1.192) and 6.12.117
under qemu (scripts/kernel_vm.py), and the host's 6.18.44; 5.10.221 and 6.1.99 are the point releases
before the backport (no uninitialised read at all).
"""

from __future__ import annotations

import dataclasses

import pytest
from bpf_c import compile_c, verdict_of

from verifier.abstract import AnalysisOptions
from verifier.pipeline import Stages, check_program
from verifier.rules import for_kernel

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define PROG(name, body) SEC("xdp") __attribute__((naked)) int name(void) { asm volatile (body ::: "memory"); }
PROG(uninit_within, "r1 = 0; *(u8 *)(r10 - 16) = r1; r0 = *(u64 *)(r10 - 8); r0 = 2; exit;")
PROG(uninit_below, "r1 = 0; *(u8 *)(r10 - 8) = r1; r0 = *(u64 *)(r10 - 16); r0 = 2; exit;")
PROG(uninit_within_var,
     "call 7; r0 &= 8; r1 = 0; *(u8 *)(r10 - 24) = r1; r1 = r10; r1 += -16; r1 += r0; r0 = *(u8 *)(r1 + 0);"
     "r0 = 2; exit;")
PROG(uninit_partial_spill, "r1 = 1; *(u32 *)(r10 - 8) = r1; r0 = *(u32 *)(r10 - 4); r0 = 2; exit;")
char _license[] SEC("license") = "GPL";
"""

PROGRAMS = ("uninit_within", "uninit_below", "uninit_within_var", "uninit_partial_spill")
ALL_ACCEPT = dict.fromkeys(PROGRAMS, "accept")
VERDICTS = {
    "5.10.221": dict.fromkeys(PROGRAMS, "reject"),
    "5.10": {**ALL_ACCEPT, "uninit_below": "reject"},  # measured on 5.10.0-46
    "6.1.99": dict.fromkeys(PROGRAMS, "reject"),
    "6.1": ALL_ACCEPT,  # measured on 6.1.0-57 (6.1.192 has both backports)
    "6.12": ALL_ACCEPT,  # measured on 6.12.117
    "6.18": ALL_ACCEPT,  # measured on 6.18.44
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("uninit_versions"))


@pytest.mark.parametrize("kernel", sorted(VERDICTS))
def test_uninitialised_reads_as_the_real_kernels(obj, kernel: str) -> None:
    assert {name: verdict_of(obj, name, kernel) for name in PROGRAMS} == VERDICTS[kernel]


def test_unprivileged_never_reads_uninitialised_stack(obj) -> None:
    prog = next(p for p in obj.programs if p.name == "uninit_within")
    prog = dataclasses.replace(prog, section="socket", prog_type="socket_filter")  # a type it may load
    options = AnalysisOptions(timeout=10, unprivileged=True)
    verdict = check_program(obj, prog, "6.18", for_kernel("6.18"), options, Stages.real())
    assert verdict.findings[0].kernel_message == "invalid read from stack off -8+0 size 8"
