"""`arg:` BTF decl tags on global function parameters (6.8+, btf_prepare_func_args()):
__arg_ctx makes a pointer the context when btf_validate_prog_ctx_type() accepts its type,
__arg_nonnull makes memory that is never NULL (and callers must pass a checked pointer); a bad
prototype is "Caller passes invalid args" at the call. Verdicts and messages as the running
6.18.44 kernel gave them."""

from __future__ import annotations

import pytest
from bpf_c import compile_c

from verifier.abstract.analyze import analyze_program
from verifier.rules import for_kernel

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __arg_ctx __attribute__((btf_decl_tag("arg:ctx")))
#define __arg_nonnull __attribute__((btf_decl_tag("arg:nonnull")))
#define __arg_nullable __attribute__((btf_decl_tag("arg:nullable")))
#define GLOBAL __attribute__((noinline))
struct __sk_buff { unsigned int len; };
struct xdp_md { unsigned int data; };
struct { __uint(type, 1); __uint(max_entries, 1); __type(key, int); __type(value, int); } vals SEC(".maps");
static void *(*lookup)(void *map, const void *key) = (void *)1;
static long (*get_prandom)(void) = (void *)7;

GLOBAL int void_ctx(void *ctx __arg_ctx) { asm volatile("" ::: "memory"); return ((struct __sk_buff *)ctx)->len & 1; }
GLOBAL int skb_ctx(struct __sk_buff *ctx __arg_ctx) { asm volatile("" ::: "memory"); return ctx->len & 1; }
GLOBAL int xdp_ctx(struct xdp_md *ctx __arg_ctx) { asm volatile("" ::: "memory"); return 0; }
GLOBAL int u64_ctx(unsigned long long *ctx __arg_ctx) { asm volatile("" ::: "memory"); return 0; }
GLOBAL int ctx_and_nonnull(void *ctx __arg_ctx __arg_nonnull) { asm volatile("" ::: "memory"); return 0; }
GLOBAL int read_nonnull(int *p __arg_nonnull) { asm volatile("" ::: "memory"); return *p; }
GLOBAL int read_plain(int *p) { asm volatile("" ::: "memory"); return p ? *p : 0; }
GLOBAL int read_plain_unchecked(int *p) { asm volatile("" ::: "memory"); return *p; }
GLOBAL int nonnull_nullable(int *p __arg_nonnull __arg_nullable) { asm volatile("" ::: "memory"); return 0; }
GLOBAL int tag_on_int(int x __arg_nonnull) { asm volatile("" ::: "memory"); return x; }

SEC("socket") int call_void_ctx(struct __sk_buff *skb) { return void_ctx(skb); }
SEC("socket") int call_skb_ctx(struct __sk_buff *skb) { return skb_ctx(skb); }
SEC("socket") int call_xdp_ctx(struct __sk_buff *skb) { return xdp_ctx((void *)skb); }
SEC("socket") int call_u64_ctx(struct __sk_buff *skb) { return u64_ctx((void *)skb); }
SEC("socket") int call_ctx_and_nonnull(struct __sk_buff *skb) { return ctx_and_nonnull(skb); }
SEC("socket") int stack_to_nonnull(struct __sk_buff *skb) { int x = 1; return read_nonnull(&x); }
SEC("socket") int maybe_null_to_nonnull(struct __sk_buff *skb)
{ int k = 0; return read_nonnull(lookup(&vals, &k)); }
SEC("socket") int checked_to_nonnull(struct __sk_buff *skb)
{ int k = 0; int *v = lookup(&vals, &k); return v ? read_nonnull(v) : 0; }
SEC("socket") int maybe_null_to_plain(struct __sk_buff *skb)
{ int k = 0; return read_plain(lookup(&vals, &k)); }
SEC("socket") int stack_to_plain_unchecked(struct __sk_buff *skb) { int x = 1; return read_plain_unchecked(&x); }
SEC("socket") int call_nonnull_nullable(struct __sk_buff *skb) { int x = 1; return nonnull_nullable(&x); }
SEC("socket") int call_tag_on_int(struct __sk_buff *skb) { return tag_on_int(3); }
char _license[] SEC("license") = "GPL";
"""

# program -> the 6.18 kernel's last log line ("" when accepted)
KERNEL_6_18 = {
    "call_void_ctx": "",
    "call_skb_ctx": "",
    "call_xdp_ctx": "Caller passes invalid args into func#1 ('xdp_ctx')",
    "call_u64_ctx": "Caller passes invalid args into func#1 ('u64_ctx')",
    "call_ctx_and_nonnull": "Caller passes invalid args into func#1 ('ctx_and_nonnull')",
    "stack_to_nonnull": "",
    "maybe_null_to_nonnull": "Caller passes invalid args into func#1 ('read_nonnull')",
    "checked_to_nonnull": "",
    "maybe_null_to_plain": "",
    "stack_to_plain_unchecked": "R1 invalid mem access 'mem_or_null'",
    "call_nonnull_nullable": "Caller passes invalid args into func#1 ('nonnull_nullable')",
    "call_tag_on_int": "Caller passes invalid args into func#1 ('tag_on_int')",
}

# the line before it, where the kernel prints one
DETAIL = {
    "call_xdp_ctx": "arg#0 should be `struct __sk_buff *`",
    "call_u64_ctx": "arg#0 should be `struct __sk_buff *`",
    "call_ctx_and_nonnull": "arg#0 has invalid combination of tags",
    "maybe_null_to_nonnull": "arg#0 is expected to be non-NULL",
    "call_nonnull_nullable": "arg#0 has invalid combination of tags",
    "call_tag_on_int": "arg#0 has pointer tag, but is not a pointer type",
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("arg_tags"))


def _verdict(obj, name: str, kernel: tuple[int, int]):
    prog = next(p for p in obj.programs if p.name == name)
    return analyze_program(obj, prog, for_kernel(kernel))


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_as_the_6_18_kernel(obj, name: str) -> None:
    verdict = _verdict(obj, name, (6, 18))
    message = verdict.findings[0].kernel_message if verdict.verdict == "reject" else ""
    assert message == KERNEL_6_18[name]
    if name in DETAIL:
        assert verdict.findings[0].message == DETAIL[name]


@pytest.mark.parametrize("name", ["call_void_ctx", "stack_to_nonnull", "checked_to_nonnull"])
def test_tags_are_read_from_6_8(obj, name: str) -> None:
    assert _verdict(obj, name, (6, 7)).verdict == "reject"
    assert _verdict(obj, name, (6, 8)).verdict == "accept"
