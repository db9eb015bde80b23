"""BPF arena (6.9+): `r = addr_space_cast(r', 0, 1)` makes an arena pointer (PTR_TO_ARENA), which any
ALU operation keeps, which reads and writes anywhere (the JIT guards the accesses), and which any
other arena pointer matches when states are compared (check_alu_op(), adjust_reg_min_max_vals(),
check_mem_access(), regsafe()). Only a program that names an arena map may cast, and only one arena
(check_map_prog_compatibility()); the x86-64 JIT has no fetching and/or/xor on arena memory
(bpf_jit_supports_insn()). bpfcheck stopped with an internal error at the first cast, and took
bpf_arena_alloc_pages for a non-sleepable kfunc from 6.17 on (its flags' KF_ARENA_ARG2 was not read).

Recorded on 6.18.44-fc-v1045 (the host), this file's own programs (verdict, last log line).
"""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define NAKED __attribute__((naked))
#define __ksym __attribute__((section(".ksyms")))
#define __arena __attribute__((address_space(1)))
#define __uint(name, val) int (*name)[val]
#define ASM(text) asm volatile (text :: [arena]"i"(&arena), [arena2]"i"(&arena2) : "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r9", "memory")
#define CAST_PROG(name, text) SEC("syscall") NAKED int name(void) { ASM("r9 = %[arena] ll; " text); }
struct { __uint(type, 33); __uint(map_flags, 1024); __uint(max_entries, 4); __uint(map_extra, 0x10000000); } arena SEC(".maps");
struct { __uint(type, 33); __uint(map_flags, 1024); __uint(max_entries, 4); __uint(map_extra, 0x20000000); } arena2 SEC(".maps");
extern void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, unsigned int page_cnt, int node_id,
                                           unsigned long long flags) __ksym;
extern void bpf_arena_free_pages(void *map, void __arena *ptr, unsigned int page_cnt) __ksym;
/* an address hint, not NULL: the kernel ignores the argument (addr__ign), which bpfcheck only knows from the
   target's BTF (the object's own prototype has no parameter names) */
#define HINT ((void __arena *)0x10000000)
static long (*probe_read_kernel)(void *dst, unsigned int size, const void *src) = (void *)113;
struct xdp_md { unsigned int data; };
char LICENSE[] SEC("license") = "GPL";

SEC("syscall") int alloc_ok(void *ctx)
{ int __arena *p = bpf_arena_alloc_pages(&arena, HINT, 1, -1, 0); if (!p) return 1; p[1000] = 5; p[-3] = 1;
  bpf_arena_free_pages(&arena, p, 1); return 0; }
SEC("xdp") int alloc_not_sleepable(struct xdp_md *ctx)
{ int __arena *p = bpf_arena_alloc_pages(&arena, HINT, 1, -1, 0); if (p) *p = 1; return 2; }
SEC("syscall") int fetch_or(void *ctx)
{ long __arena *p = bpf_arena_alloc_pages(&arena, HINT, 1, -1, 0); if (!p) return 1; return __sync_fetch_and_or(p, 1); }
SEC("syscall") int fetch_add(void *ctx)
{ long __arena *p = bpf_arena_alloc_pages(&arena, HINT, 1, -1, 0); if (!p) return 1; return __sync_fetch_and_add(p, 1); }
SEC("syscall") int to_helper(void *ctx)
{ char __arena *p = bpf_arena_alloc_pages(&arena, HINT, 1, -1, 0); if (!p) return 1;
  probe_read_kernel((void *)p, 8, (void *)p); return 0; }

SEC("syscall") NAKED int cast_without_arena(void) { ASM("r1 = 0; r1 = addr_space_cast(r1, 0, 1); r0 = 0; exit;"); }
SEC("syscall") NAKED int two_arenas(void) { ASM("r1 = %[arena] ll; r1 = %[arena2] ll; r0 = 0; exit;"); }
CAST_PROG(cast_bad_address_space, "r1 = 0; r1 = addr_space_cast(r1, 0, 2); r0 = 0; exit;")
CAST_PROG(cast_to_user, "r1 = 0; r1 = addr_space_cast(r1, 0, 1); r1 = addr_space_cast(r1, 1, 0); "
          "r0 = *(u64 *)(r1 + 0); r0 = 0; exit;")
CAST_PROG(any_arith, "r1 = 0; r1 = addr_space_cast(r1, 0, 1); r1 *= 3; r1 ^= r10; w1 += 4; "
          "r0 = *(s8 *)(r1 + 0); *(u32 *)(r1 + 3) = 7; r0 = 0; exit;")
CAST_PROG(scalar_plus_arena, "r1 = 0; r1 = addr_space_cast(r1, 0, 1); r2 = 8; r2 += r1; "
          "r0 = *(u64 *)(r2 + 0); r0 = 0; exit;")
CAST_PROG(negated, "r1 = 0; r1 = addr_space_cast(r1, 0, 1); r1 = -r1; r0 = *(u64 *)(r1 + 0); r0 = 0; exit;")
CAST_PROG(spill_fill, "r1 = 0; r1 = addr_space_cast(r1, 0, 1); *(u64 *)(r10 - 8) = r1; "
          "r2 = *(u64 *)(r10 - 8); r0 = *(u64 *)(r2 + 0); r0 = 0; exit;")
CAST_PROG(narrow_fill, "r1 = 0; r1 = addr_space_cast(r1, 0, 1); *(u64 *)(r10 - 8) = r1; "
          "r2 = *(u32 *)(r10 - 8); r0 = 0; exit;")
CAST_PROG(walk, "r6 = 0; r1 = 0; r7 = addr_space_cast(r1, 0, 1); 1: r7 += 8; r0 = *(u64 *)(r7 + 0); "
          "r6 += 1; if r6 < 50 goto 1b; r0 = 0; exit;")
"""

KERNEL_6_18 = {
    "alloc_ok": ("accept", ""),
    "alloc_not_sleepable": (
        "reject",
        "program must be sleepable to call sleepable kfunc bpf_arena_alloc_pages",
    ),
    "fetch_or": ("reject", "BPF_ATOMIC stores into R1 arena is not allowed"),
    "fetch_add": ("accept", ""),
    "to_helper": (
        "reject",
        "R1 type=arena expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_",
    ),
    "cast_without_arena": (
        "reject",
        "addr_space_cast insn can only be used in a program that has an associated arena",
    ),
    "two_arenas": ("reject", "Only one arena per program"),
    "cast_bad_address_space": (
        "reject",
        "addr_space_cast insn can only convert between address space 1 and 0",
    ),
    "cast_to_user": ("reject", "R1 invalid mem access 'scalar'"),
    "any_arith": ("accept", ""),
    "scalar_plus_arena": ("accept", ""),
    "negated": ("reject", "R1 invalid mem access 'scalar'"),
    "spill_fill": ("accept", ""),
    "narrow_fill": ("reject", "invalid size of register fill"),
    "walk": ("accept", ""),
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("arena"))


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_arena_as_the_6_18_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL_6_18[name]


def test_scalar_plus_arena_refused_by_mainline_6_18_2(obj) -> None:
    """adjust_reg_min_max_vals() of 6.18.2 keeps only an arena destination an arena pointer."""
    assert verdict_and_message(obj, "scalar_plus_arena", "6.18.2") == (
        "reject",
        "R2 pointer arithmetic on arena prohibited",
    )
