"""sync_linked_regs() makes a copy at the same distance the refined register itself (its id too).

After `r2 = r4; r2 += 0` r2 is linked to r4 at distance 0 (BPF_ADD_CONST, 6.11+); the branch
`if r2 > r4` runs sync_linked_regs() for the source and then the destination, and a copy at the
same distance gets copy_register_state(): r2 becomes r4 with r4's id, no longer a distance link, so
`r5 = r2` links r5 to r4 as well and `r5 > 7` bounds r4. bpfcheck kept r2's distance link, the copy
broke it (assign_scalar_id_before_mov()), and r4 stayed unbounded: a false reject. Kernel answer:
the running 6.18.44 (uname -r 6.18.44-fc-v1045) accepts after 18 processed instructions; 6.12 by its
source (6.12.117), 6.10 has no distance links (`r2 += 0` drops r2's id) and refuses.
"""

from __future__ import annotations

import pytest
from bpf_c import compile_c, verdict_of

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define PROG(name) SEC("socket") __attribute__((naked)) int name(void)
PROG(sync_copies_the_known_register)
{ asm volatile ("call 7; r4 = r0; r4 &= 0xff; r2 = r4; r2 += 0; if r2 > r4 goto 1f; r5 = r2; if r5 > 7 goto 1f;"
                "r3 = r10; r3 += -16; r3 += r4; r1 = 0; *(u8 *)(r3 + 0) = r1; 1: r0 = 0; exit;" ::: "memory"); }
char _license[] SEC("license") = "GPL";
"""

VERDICTS = {"6.18": "accept", "6.12": "accept", "6.10": "reject"}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("linked_sync"))


@pytest.mark.parametrize("kernel", sorted(VERDICTS))
def test_sync_copies_the_known_register(obj, kernel: str) -> None:
    assert verdict_of(obj, "sync_copies_the_known_register", kernel) == VERDICTS[kernel]
