"""Load-acquire and store-release (BPF_ATOMIC with imm BPF_LOAD_ACQ / BPF_STORE_REL, 6.15+): the kernel
checks them as a BPF_LDX / BPF_STX with strict alignment (check_atomic_load(), check_atomic_store()),
then refuses the context, packet, flow keys and socket pointers (atomic_ptr_type_ok()). bpfcheck took
them for read-modify-write atomics: the load's destination was read ('R0 !read_ok', false rejects), r10
as the destination passed (a false accept), and a pointer stored with store-release was not spilled.

Recorded on 6.18.44-fc-v1045 (the host), this file's own programs (verdict, last log line).
"""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message

# one instruction as a 64-bit number: code, dst | src << 4, off, imm (little endian)
SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define NAKED __attribute__((naked))
#define INSN(code, dst, src, off, imm) ((unsigned long long)(code) | ((unsigned long long)((dst) | ((src) << 4)) << 8) \
    | ((unsigned long long)(unsigned short)(off) << 16) | ((unsigned long long)(unsigned int)(imm) << 32))
#define LA(size, dst, src, off) INSN(0xc3 | (size), dst, src, off, 0x100)
#define SR(size, dst, src, off) INSN(0xc3 | (size), dst, src, off, 0x110)
#define W 0x00
#define H 0x08
#define B 0x10
#define DW 0x18
#define PROG(sec, name, text, insn) SEC(sec) NAKED int name(void) \
    { asm volatile (text :: [i]"i"(insn) : "r0", "r1", "r2", "r3", "r4", "r5", "memory"); }
char LICENSE[] SEC("license") = "GPL";

PROG("socket", la_stack, "r1 = 5; *(u64*)(r10 - 8) = r1; .8byte %[i]; if r0 == 5 goto 1f; r0 = *(u64*)(r10 - 16); 1: r0 = 0; exit;",
     LA(DW, 0, 10, -8))
PROG("socket", la_byte, "r1 = 5; *(u64*)(r10 - 8) = r1; .8byte %[i]; r0 = 0; exit;", LA(B, 0, 10, -8))
PROG("socket", la_half, "r1 = 5; *(u64*)(r10 - 8) = r1; .8byte %[i]; r0 = 0; exit;", LA(H, 0, 10, -6))
PROG("socket", la_misaligned, "r1 = 5; *(u64*)(r10 - 8) = r1; .8byte %[i]; r0 = 0; exit;", LA(W, 0, 10, -6))
PROG("socket", la_into_fp, "r1 = 5; *(u64*)(r10 - 8) = r1; .8byte %[i]; r0 = 0; exit;", LA(DW, 10, 10, -8))
PROG("socket", la_ctx, ".8byte %[i]; r0 = 0; exit;", LA(W, 0, 1, 0))
PROG("socket", sr_ctx, "r0 = 0; .8byte %[i]; r0 = 0; exit;", SR(W, 1, 0, 0))
PROG("socket", la_fill_pointer, "*(u64*)(r10 - 8) = r10; .8byte %[i]; r0 = *(u64*)(r1 - 8); r0 = 0; exit;",
     LA(DW, 1, 10, -8))
PROG("socket", la_narrow_fill, "*(u64*)(r10 - 8) = r10; .8byte %[i]; r0 = 0; exit;", LA(W, 1, 10, -8))
PROG("socket", sr_spill_pointer, ".8byte %[i]; r1 = *(u64*)(r10 - 8); r0 = *(u64*)(r1 - 16); r0 = 0; exit;",
     SR(DW, 10, 10, -8))
PROG("socket", la_precise, "call 7; r0 &= 7; *(u64*)(r10 - 8) = r0; .8byte %[i]; r2 = r10; r2 += -16; "
     "r2 += r1; r0 = *(u8*)(r2 + 0); r0 = 0; exit;", LA(DW, 1, 10, -8))
PROG("tc", la_packet, "r2 = *(u32*)(r1 + 76); r3 = *(u32*)(r1 + 80); r0 = r2; r0 += 8; if r0 > r3 goto 1f; "
     ".8byte %[i]; 1: r0 = 0; exit;", LA(DW, 0, 2, 0))
PROG("tc", sr_packet_misaligned, "r2 = *(u32*)(r1 + 76); r3 = *(u32*)(r1 + 80); r0 = r2; r0 += 8; "
     "if r0 > r3 goto 1f; r1 = 0; .8byte %[i]; 1: r0 = 0; exit;", SR(DW, 2, 1, 0))
PROG("tc", sr_packet, "r2 = *(u32*)(r1 + 76); r3 = *(u32*)(r1 + 80); r0 = r2; r0 += 16; "
     "if r0 > r3 goto 1f; r1 = 0; .8byte %[i]; 1: r0 = 0; exit;", SR(DW, 2, 1, 6))
"""

KERNEL_6_18 = {
    "la_stack": ("accept", ""),
    "la_byte": ("accept", ""),
    "la_half": ("accept", ""),
    "la_misaligned": ("reject", "misaligned stack access off 0+0+-6 size 4"),
    "la_into_fp": ("reject", "frame pointer is read only"),
    "la_ctx": ("reject", "BPF_ATOMIC loads from R1 ctx is not allowed"),
    "sr_ctx": ("reject", "invalid bpf_context access off=0 size=4"),
    "la_fill_pointer": ("accept", ""),
    "la_narrow_fill": ("reject", "invalid size of register fill"),
    "sr_spill_pointer": ("accept", ""),
    "la_precise": ("accept", ""),
    "la_packet": ("reject", "BPF_ATOMIC loads from R2 pkt is not allowed"),
    "sr_packet_misaligned": ("reject", "misaligned packet access off 2+0+0+0 size 8"),
    "sr_packet": ("reject", "BPF_ATOMIC stores into R2 pkt is not allowed"),
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("load_acquire"))


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_load_acquire_as_the_6_18_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL_6_18[name]


def test_packet_load_acquire_checked_first_for_alignment_in_6_18_2(obj) -> None:
    """Mainline 6.18.2's check_atomic_load() checks the load before the pointer kind."""
    assert verdict_and_message(obj, "la_packet", "6.18.2") == (
        "reject",
        "misaligned packet access off 2+0+0+0 size 8",
    )
