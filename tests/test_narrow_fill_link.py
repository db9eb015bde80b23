"""A narrow fill of a spilled scalar keeps its id (the link to the register it was spilled from).

check_stack_read_fixed_off() copies the spilled register (its id too) and coerce_reg_to_size() keeps
the id, unless the value is wider than the load ("Break the relation on a narrowing fill"). bpfcheck
dropped the id of every load narrower than 8 bytes: a bound check on the filled copy did not bound
the original register (a false reject). A spill links the register to the slot from 6.9
(assign_scalar_id_before_mov()), so before that nothing links here. Kernel answer: the running
6.18.44 (uname -r 6.18.44-fc-v1045) accepts after 14 processed instructions; 6.8 and 6.1 from sources.
"""

from __future__ import annotations

import pytest
from bpf_c import compile_c, verdict_of

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define PROG(name) SEC("socket") __attribute__((naked)) int name(void)
PROG(narrow_fill_keeps_link)
{ asm volatile ("call 7; r1 = r0; r1 &= 0xff; *(u32 *)(r10 - 8) = r1; r2 = *(u32 *)(r10 - 8); if r2 > 10 goto 1f;"
                "r3 = r10; r3 += -32; r3 += r1; r4 = 0; *(u8 *)(r3 + 0) = r4; 1: r0 = 0; exit;" ::: "memory"); }
char _license[] SEC("license") = "GPL";
"""

VERDICTS = {"6.18": "accept", "6.12": "accept", "6.8": "reject", "6.1": "reject"}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("narrow_fill"))


@pytest.mark.parametrize("kernel", sorted(VERDICTS))
def test_narrow_fill_keeps_the_link(obj, kernel: str) -> None:
    assert verdict_of(obj, "narrow_fill_keeps_link", kernel) == VERDICTS[kernel]
