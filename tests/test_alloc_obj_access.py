"""Objects of the program's own type from bpf_obj_new() (PTR_TO_BTF_ID | MEM_ALLOC) are writable
(check_ptr_to_btf_access(): default btf_struct_access() for program-allocated objects): at a constant,
non-negative offset inside the struct, never over a special field of its btf_record ("direct access
to bpf_refcount is disallowed"); a pointer member loads as a scalar. bpfcheck refused every store
("only read is supported": false rejects, hiding the leak and bounds findings behind it).

Recorded on 6.18.44-fc-v1045 (the host), this file's own programs (verdict, last log line).
"""

from __future__ import annotations

import os

import pytest

from tests.bpf_c import compile_c, verdict_and_message
from verifier.abstract import AnalysisOptions
from verifier.btf.kernel import HOST_BTF
from verifier.pipeline import Stages, check_at_target
from verifier.rules import for_kernel

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define KSYM __attribute__((section(".ksyms")))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define type_id(t) __builtin_btf_type_id(*(typeof(t) *)0, 0)
struct bpf_refcount { unsigned int __opaque[1]; } __attribute__((aligned(4)));
struct ao_a { long v; long w; };
struct ao_rc { long v; struct bpf_refcount r; int x; };
struct ao_p { struct ao_a *next; long v; };
extern void *bpf_obj_new_impl(unsigned long long local_type_id__k, void *meta__ign) KSYM;
extern void bpf_obj_drop_impl(void *kptr, void *meta__ign) KSYM;
static unsigned long long (*prandom)(void) = (void *)7;
struct task_struct { int pid; };
extern struct task_struct *bpf_task_acquire(struct task_struct *p) KSYM;
static struct task_struct *(*current_task_btf)(void) = (void *)158;
char LICENSE[] SEC("license") = "GPL";

SEC("tc") int write_and_drop(void *c)
{ struct ao_a *p = bpf_obj_new_impl(type_id(struct ao_a), 0); if (!p) return 0; p->v = 1; p->w = p->v + 2;
  bpf_obj_drop_impl(p, 0); return 0; }
SEC("tc") int write_and_leak(void *c)
{ struct ao_a *p = bpf_obj_new_impl(type_id(struct ao_a), 0); if (!p) return 0; p->v = 1; return 0; }
SEC("tc") int write_beyond(void *c)
{ struct ao_a *p = bpf_obj_new_impl(type_id(struct ao_a), 0); if (!p) return 0; ((long *)p)[2] = 1;
  bpf_obj_drop_impl(p, 0); return 0; }
SEC("tc") int write_before(void *c)
{ struct ao_a *p = bpf_obj_new_impl(type_id(struct ao_a), 0); if (!p) return 0; ((long *)p)[-1] = 1;
  bpf_obj_drop_impl(p, 0); return 0; }
SEC("tc") int write_variable(void *c)
{ struct ao_a *p = bpf_obj_new_impl(type_id(struct ao_a), 0); if (!p) return 0; ((char *)p)[prandom() & 7] = 1;
  bpf_obj_drop_impl(p, 0); return 0; }
SEC("tc") int write_refcount_field(void *c)
{ struct ao_rc *p = bpf_obj_new_impl(type_id(struct ao_rc), 0); if (!p) return 0; *(int *)&p->r = 1;
  bpf_obj_drop_impl(p, 0); return 0; }
SEC("tc") int write_beside_refcount(void *c)
{ struct ao_rc *p = bpf_obj_new_impl(type_id(struct ao_rc), 0); if (!p) return 0; p->x = 1; p->v = 2;
  bpf_obj_drop_impl(p, 0); return 0; }
SEC("tc") int pointer_member_is_scalar(void *c)
{ struct ao_p *p = bpf_obj_new_impl(type_id(struct ao_p), 0); long r; if (!p) return 0;
  r = p->next->v; bpf_obj_drop_impl(p, 0); return r; }
SEC("tc") int write_after_drop(void *c)
{ struct ao_a *p = bpf_obj_new_impl(type_id(struct ao_a), 0); if (!p) return 0; bpf_obj_drop_impl(p, 0);
  p->v = 1; return 0; }
struct { __uint(type, 1); __uint(max_entries, 1); __type(key, struct ao_a); __type(value, long); } m SEC(".maps");
static void *(*lookup)(void *map, const void *key) = (void *)1;
SEC("tc") int object_as_helper_memory(void *c)
{ struct ao_a *p = bpf_obj_new_impl(type_id(struct ao_a), 0); long r; if (!p) return 0; r = (long)lookup(&m, p);
  bpf_obj_drop_impl(p, 0); return r; }
SEC("tc") int drop_kernel_object(void *c)
{ struct task_struct *t = bpf_task_acquire(current_task_btf()); if (!t) return 0; bpf_obj_drop_impl(t, 0);
  return 0; }
"""

KERNEL_6_18 = {
    "write_and_drop": ("accept", ""),
    "write_and_leak": ("reject", "BPF_EXIT instruction in main prog would lead to reference leak"),
    "write_beyond": ("reject", "access beyond struct ao_a at off 16 size 8"),
    "write_before": ("reject", "R0 is ptr_ao_a invalid negative access: off=-8"),
    "write_variable": ("reject", "R1 is ptr_ao_a invalid variable offset: off=0, var_off=(0x0; 0x7)"),
    "write_refcount_field": ("reject", "direct access to bpf_refcount is disallowed"),
    "write_beside_refcount": ("accept", ""),
    "pointer_member_is_scalar": ("reject", "R1 invalid mem access 'scalar'"),
    "write_after_drop": ("reject", "R6 invalid mem access 'scalar'"),
    # helper memory arguments take no MEM_ALLOC object (mem_types)
    "object_as_helper_memory": (
        "reject",
        "R2 type=ptr_ expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_",
    ),
    # bpf_obj_drop() takes only an object of the program's own type (KF_ARG_PTR_TO_ALLOC_BTF_ID)
    "drop_kernel_object": ("reject", "arg#0 expected pointer to allocated object"),
}
# without the target's BTF a kernel object's type is not known (an opaque kernel pointer)
NEEDS_BTF = {"drop_kernel_object"}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("alloc_obj_access"))


@pytest.mark.parametrize("name", sorted(set(KERNEL_6_18) - NEEDS_BTF))
def test_alloc_obj_access_as_the_6_18_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL_6_18[name]


@pytest.mark.skipif(not os.access(HOST_BTF, os.R_OK), reason="no readable /sys/kernel/btf/vmlinux")
@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_alloc_obj_access_with_the_running_kernel_s_btf(obj, name: str) -> None:
    prog = next(p for p in obj.programs if p.name == name)
    options = AnalysisOptions(timeout=10, kernel_btf=(("6.18", HOST_BTF),))
    v = check_at_target(obj, prog, "6.18", for_kernel("6.18"), options, Stages.real())
    assert (v.verdict, v.findings[0].kernel_message if v.findings else "") == KERNEL_6_18[name]
