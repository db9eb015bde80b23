"""Stack spill and fill of scalars by version (check_stack_write_fixed_off / check_stack_read_fixed_off).

kernel/bpf/verifier.c of 5.10.262 and 6.1.192 (Debian's linux-source packages) against 6.12.117:
- a fill narrower than the spill reads an unknown scalar before 6.9 (c1e6148cb4f8, narrowing fill);
- an unbounded scalar is written as STACK_MISC before 6.9 (register_is_bounded(); e67ddd9b1cff), so a
  copy's bound check does not reach the slot;
- STACK_ZERO bytes become STACK_MISC when a partial spill lands in their slot before 6.8
  (scrub_spilled_slot(); eaf18febd6eb / e322f0bcb8d3);
- BPF_ST of a non-zero immediate is a spilled constant from 6.3, backported to 5.10.186 and 6.1.36.

Each program returns what it filled from a cgroup_skb program (return range [0, 3]): a fill that keeps
the constant is accepted, an unknown one is refused. VERDICTS are the real kernels' answers: Debian
5.10.0-46 (5.10.262), 6.1.0-57 (6.1.192) and 6.12.117 booted under qemu (scripts/kernel_vm.py), and
the host's 6.18.44.
"""

from __future__ import annotations

import pytest
from bpf_c import compile_c, verdict_of

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define PROG(name, body) SEC("cgroup_skb/egress") __attribute__((naked)) int name(void) \
    { asm volatile (body ::: "memory"); }
PROG(fill_same_size, "r1 = 1; *(u64 *)(r10 - 8) = r1; r0 = *(u64 *)(r10 - 8); exit;")
PROG(fill_narrower, "r1 = 1; *(u64 *)(r10 - 8) = r1; r0 = *(u8 *)(r10 - 8); exit;")
PROG(fill_narrow_spill, "r1 = 1; *(u32 *)(r10 - 8) = r1; r0 = *(u32 *)(r10 - 8); exit;")
PROG(spill_unbounded_linked,
     "call 5; r6 = r0; *(u64 *)(r10 - 8) = r0; r0 = 0; if r6 > 1 goto 1f; r0 = *(u64 *)(r10 - 8); 1: exit;")
PROG(spill_bounded_linked,
     "call 5; r0 &= 0xffff; r6 = r0; *(u64 *)(r10 - 8) = r0; r0 = 0; if r6 > 1 goto 1f;"
     "r0 = *(u64 *)(r10 - 8); 1: exit;")
PROG(st_imm_one, "*(u64 *)(r10 - 8) = 1; r0 = *(u64 *)(r10 - 8); exit;")
PROG(st_imm_zero, "*(u64 *)(r10 - 8) = 0; r0 = *(u64 *)(r10 - 8); exit;")
PROG(zero_then_partial_spill,
     "r1 = 0; *(u32 *)(r10 - 4) = r1; r1 = 1; *(u32 *)(r10 - 8) = r1; r0 = *(u32 *)(r10 - 4); exit;")
PROG(partial_spill_then_byte_store,
     "r1 = 0; *(u32 *)(r10 - 4) = r1; r1 = 1; *(u32 *)(r10 - 8) = r1; r1 = 2; *(u8 *)(r10 - 6) = r1;"
     "r0 = *(u32 *)(r10 - 4); exit;")
SEC("kprobe/do_nanosleep") __attribute__((naked)) int helper_write_into_spill(void)
{ asm volatile ("r1 = 0; *(u32 *)(r10 - 4) = r1; r1 = 1; *(u32 *)(r10 - 8) = r1;"
                "r1 = r10; r1 += -8; r2 = 1; call 16;"  /* bpf_get_current_comm(fp-8, 1): a raw write */
                "r0 = *(u32 *)(r10 - 4); r1 = r10; r1 += r0; r2 = 0; *(u8 *)(r1 - 8) = r2; r0 = 0; exit;"
                ::: "memory"); }
char _license[] SEC("license") = "GPL";
"""

OLD_REJECTS = {"fill_narrower", "spill_unbounded_linked", "zero_then_partial_spill"}
PROGRAMS = [
    "fill_same_size",
    "fill_narrow_spill",
    "spill_bounded_linked",
    "st_imm_one",
    "st_imm_zero",
    *OLD_REJECTS,
]
# measured: 5.10.0-46 and 6.1.0-57 refuse OLD_REJECTS ("At program exit the register R0 has value
# (0x0; 0xff) / unknown scalar value / (0x0; 0xffffffff) ..."), 6.12.117 and 6.18.44 accept all eight
VERDICTS = {
    kernel: {
        name: "reject" if name in OLD_REJECTS and kernel in ("5.10", "6.1") else "accept" for name in PROGRAMS
    }
    for kernel in ("5.10", "6.1", "6.12", "6.18")
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("spill_versions"))


@pytest.mark.parametrize("kernel", sorted(VERDICTS))
def test_spill_and_fill_as_the_real_kernels(obj, kernel: str) -> None:
    assert {name: verdict_of(obj, name, kernel) for name in PROGRAMS} == VERDICTS[kernel]


def test_st_immediate_spill_is_a_stable_backport(obj) -> None:
    """5.10.186 / 6.1.36 got 'track immediate values written to stack by BPF_ST instruction'."""
    assert verdict_of(obj, "st_imm_one", "5.10.185") == "reject"
    assert verdict_of(obj, "st_imm_one", "5.10.186") == "accept"
    assert verdict_of(obj, "st_imm_one", "6.1.35") == "reject"
    assert verdict_of(obj, "st_imm_zero", "5.10.185") == "accept"  # STACK_ZERO reads 0 at every version


def test_store_into_a_spill_scrubs_the_slot(obj) -> None:
    """A plain store into a slot holding a narrow spill makes every initialised byte of it STACK_MISC,
    the zeros beside the spill included (scrub_spilled_slot() in check_stack_write_fixed_off()): the
    u32 read back is unknown, which the cgroup_skb exit refuses. The host's 6.18.44 refuses it
    ("At program exit the register R0 has unknown scalar value"); 6.12 has the same code; 5.10 and
    6.1 lose those zeros already at the narrow spill (before 6.8). Keeping the zeros accepted it."""
    for kernel in ("5.10", "6.1", "6.12", "6.18"):
        assert verdict_of(obj, "partial_spill_then_byte_store", kernel) == "reject", kernel


def test_helper_write_into_a_spill_scrubs_the_slot(obj) -> None:
    """A helper's raw-mode write is a byte store at a time (check_mem_access(BPF_B, BPF_WRITE)): into
    a slot holding a narrow spill it scrubs the slot as a plain store does, so the zeros beside the
    spill read back unknown and the stack pointer moved by them is refused ("invalid unbounded
    variable-offset write to stack R1", the host's 6.18.44)."""
    for kernel in ("5.10", "6.1", "6.12", "6.18"):
        assert verdict_of(obj, "helper_write_into_spill", kernel) == "reject", kernel
