"""Kptr fields of a map value (5.19+, `__kptr` / `__kptr_untrusted` type tags): check_map_access() lets a
program touch one only with a direct load or store of all 8 bytes at its constant offset, and
check_map_kptr_access() refuses stores into a referenced kptr and gives a load the pointee, possibly
NULL, RCU-protected in an RCU section when the kernel frees the object only after a grace period,
else untrusted. bpfcheck took kptr fields for plain bytes: stores into referenced kptrs, narrow and
misaligned accesses passed (false accepts), and a loaded kptr was a scalar (false rejects).

Recorded on 6.18.44-fc-v1045 (the host), this file's own programs (verdict, last log line).
"""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define KSYM __attribute__((section(".ksyms")))
#define NAKED __attribute__((naked))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __kptr __attribute__((btf_type_tag("kptr")))
#define __kptr_untrusted __attribute__((btf_type_tag("kptr_untrusted")))
struct task_struct { int pid; };
struct value { struct task_struct __kptr *ref; struct task_struct __kptr_untrusted *unref; };
struct { __uint(type, 2); __uint(max_entries, 1); __type(key, int); __type(value, struct value); } m SEC(".maps");
extern struct task_struct *bpf_task_acquire(struct task_struct *p) KSYM;
extern void bpf_task_release(struct task_struct *p) KSYM;
static void *(*lookup)(void *map, const void *key) = (void *)1;
char LICENSE[] SEC("license") = "GPL";
int zero = 0;
#define LOOKUP "r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[m] ll; call 1; if r0 == 0 goto 1f; "
#define ASM_PROG(name, text) SEC("tc") NAKED int name(void) \
    { asm volatile (LOOKUP text "1: r0 = 0; exit;" :: [m]"i"(&m) : "r0", "r1", "r2", "r3", "r4", "r5", "memory"); }

SEC("tc") int load_ref(void *c)
{ struct value *v = lookup(&m, &zero); struct task_struct *t; if (!v) return 0; t = v->ref; return t ? t->pid : 0; }
SEC("tc") int load_unref(void *c)
{ struct value *v = lookup(&m, &zero); struct task_struct *t; if (!v) return 0; t = v->unref; return t ? t->pid : 0; }
SEC("tc") int acquire_loaded_unref(void *c)
{ struct value *v = lookup(&m, &zero); struct task_struct *t; if (!v) return 0; t = v->unref; if (!t) return 0;
  t = bpf_task_acquire(t); if (t) bpf_task_release(t); return 0; }
SEC("tc") int clear_unref(void *c) { struct value *v = lookup(&m, &zero); if (v) v->unref = 0; return 0; }
ASM_PROG(store_zero_into_ref, "*(u64 *)(r0 + 0) = 0; ")
ASM_PROG(store_reg_into_ref, "r1 = 5; *(u64 *)(r0 + 0) = r1; ")
ASM_PROG(store_imm_into_unref, "*(u64 *)(r0 + 8) = 5; ")
ASM_PROG(narrow_load, "r1 = *(u32 *)(r0 + 0); ")
ASM_PROG(misaligned_load, "r1 = *(u64 *)(r0 + 4); ")
ASM_PROG(atomic_on_kptr, "r1 = 1; lock *(u64 *)(r0 + 8) += r1; ")
"""

KERNEL_6_18 = {
    "load_ref": ("accept", ""),
    "load_unref": ("accept", ""),
    "acquire_loaded_unref": ("reject", "R1 must be a rcu pointer"),
    "clear_unref": ("accept", ""),
    "store_zero_into_ref": ("reject", "store to referenced kptr disallowed"),
    "store_reg_into_ref": ("reject", "store to referenced kptr disallowed"),
    "store_imm_into_unref": ("reject", "BPF_ST imm must be 0 when storing to kptr at off=8"),
    "narrow_load": ("reject", "kptr access size must be BPF_DW"),
    "misaligned_load": ("reject", "kptr access misaligned expected=0 off=4"),
    "atomic_on_kptr": ("reject", "kptr in map can only be accessed using BPF_MEM instruction mode"),
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("map_kptr_fields"))


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_map_kptr_fields_as_the_6_18_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL_6_18[name]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("store_zero_into_ref", ("accept", "")),  # `kptr` was the unreferenced kind before 6.4
        ("store_imm_into_unref", ("accept", "")),  # `kptr_untrusted` unknown: a plain field
        ("narrow_load", ("reject", "kptr access size must be BPF_DW")),
    ],
)
def test_kptr_tags_of_6_1(obj, name: str, expected: tuple[str, str]) -> None:
    assert verdict_and_message(obj, name, "6.1") == expected
