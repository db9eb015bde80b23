"""A copy of a register linked at a distance (rX += const, BPF_ADD_CONST) breaks that link.

assign_scalar_id_before_mov() (kernel/bpf/verifier.c, 6.11+, with BPF_ADD_CONST in commit
98d7ca374ba4): before `rY = rX` (and before a spill of rX, and `wY = wX` of a 32-bit value) a
source linked at a distance loses its id and offset and gets a fresh id that the copy shares, so a
later bound check on the base register no longer bounds rX. Before 6.11 `rX += const` already
drops the id. bpfcheck kept the link through the copy: a false accept at 6.11+.

Verdicts: the running 6.18.44 (uname -r 6.18.44-fc-v1045); 6.12 and 6.10 from the sources (6.11.11
and 6.18.2 clear the id in assign_scalar_id_before_mov(), 6.10 has no BPF_ADD_CONST).
"""

from __future__ import annotations

import pytest
from bpf_c import compile_c, verdict_of

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define PROG(name) SEC("socket") __attribute__((naked)) int name(void)
/* r1 = r6 + 8 stays linked to r6 until the copy r2 = r1 */
PROG(copy_drops_add_const_link)
{ asm volatile ("call 7; r6 = r0; r6 &= 0xff; r1 = r6; r1 += 8; r2 = r1; if r6 > 7 goto 1f;"
                "r3 = r10; r3 += -32; r3 += r1; r4 = 0; *(u8 *)(r3 + 0) = r4; 1: r0 = 0; exit;" ::: "memory"); }
/* the same without the copy: the check on r6 bounds r1 */
PROG(add_const_link_kept)
{ asm volatile ("call 7; r6 = r0; r6 &= 0xff; r1 = r6; r1 += 8; if r6 > 7 goto 1f;"
                "r3 = r10; r3 += -32; r3 += r1; r4 = 0; *(u8 *)(r3 + 0) = r4; 1: r0 = 0; exit;" ::: "memory"); }
/* a spill is a copy too */
PROG(spill_drops_add_const_link)
{ asm volatile ("call 7; r6 = r0; r6 &= 0xff; r1 = r6; r1 += 8; *(u64 *)(r10 - 8) = r1; if r6 > 7 goto 1f;"
                "r3 = r10; r3 += -32; r3 += r1; r4 = 0; *(u8 *)(r3 + 0) = r4; 1: r0 = 0; exit;" ::: "memory"); }
char _license[] SEC("license") = "GPL";
"""

# measured on 6.18.44: both copies 'invalid variable-offset write to stack R3 var_off=(0x0; 0x1ff)
# ...', the kept link accepted (14 processed instructions)
VERDICTS = {
    "6.18": {
        "copy_drops_add_const_link": "reject",
        "add_const_link_kept": "accept",
        "spill_drops_add_const_link": "reject",
    },
    "6.12": {
        "copy_drops_add_const_link": "reject",
        "add_const_link_kept": "accept",
        "spill_drops_add_const_link": "reject",
    },
    "6.10": {
        "copy_drops_add_const_link": "reject",
        "add_const_link_kept": "reject",
        "spill_drops_add_const_link": "reject",
    },
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("linked_copy"))


@pytest.mark.parametrize("kernel", sorted(VERDICTS))
def test_copy_breaks_the_distance_link(obj, kernel: str) -> None:
    assert {name: verdict_of(obj, name, kernel) for name in VERDICTS[kernel]} == VERDICTS[kernel]
