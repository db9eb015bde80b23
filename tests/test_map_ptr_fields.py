"""Reads through a map pointer (check_ptr_to_map_access(), 5.10+): privileged programs read the
fields of the map implementation's struct (struct bpf_array for an array map) through the
target's BTF; negative offsets and writes are refused in the kernel's words, unprivileged
loaders may not read at all. Also: a NULL for a helper's map value argument that may be NULL
(bpf_sk_storage_get), and the expected-type lists of socket arguments. The messages are the
running 6.18.44 kernel's (study selftests verifier_map_ptr.c / verifier_sock.c and the programs
below, loaded with its own BTF)."""

from __future__ import annotations

import pytest
from bpf_c import compile_c
from btf_builder import BtfBuilder

from verifier.abstract import AnalysisOptions
from verifier.abstract.analyze import analyze_program
from verifier.rules import for_kernel

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define NAKED __attribute__((naked))
struct { __uint(type, 2); __uint(max_entries, 4); __type(key, int); __type(value, long long); } arr SEC(".maps");
struct { __uint(type, 24); __uint(map_flags, 1); __type(key, int); __type(value, long long); } sks SEC(".maps");
SEC("socket") NAKED int read_field(void)
{ asm volatile ("r1 = %[arr] ll; r0 = *(u32 *)(r1 + 40); r0 = 0; exit;" :: [arr]"i"(&arr) : "memory"); }
SEC("socket") NAKED int read_ops(void)
{ asm volatile ("r1 = %[arr] ll; r0 = *(u64 *)(r1 + 32); r0 = 0; exit;" :: [arr]"i"(&arr) : "memory"); }
SEC("socket") NAKED int read_negative(void)
{ asm volatile ("r1 = %[arr] ll; r0 = *(u64 *)(r1 - 8); r0 = 0; exit;" :: [arr]"i"(&arr) : "memory"); }
SEC("socket") NAKED int write_field(void)
{ asm volatile ("r1 = %[arr] ll; r2 = 0; *(u64 *)(r1 + 0) = r2; r0 = 0; exit;" :: [arr]"i"(&arr) : "memory"); }
SEC("tc") NAKED int storage_null_value(void)
{ asm volatile ("r1 = *(u64 *)(r1 + 168); if r1 != 0 goto 1f; r0 = 0; exit;"
                "1: call 95; if r0 != 0 goto 2f; r0 = 0; exit;"
                "2: r4 = 0; r3 = 0; r2 = r0; r1 = %[sks] ll; call 107; r0 = 0; exit;" :: [sks]"i"(&sks) : "memory"); }
SEC("tc") NAKED int release_scalar(void) { asm volatile ("r1 = 5; call 86; r0 = 0; exit;" ::: "memory"); }
SEC("tc") NAKED int fullsock_scalar(void) { asm volatile ("r1 = 5; call 95; r0 = 0; exit;" ::: "memory"); }
char _license[] SEC("license") = "GPL";
"""


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("map_ptr"))


@pytest.fixture(scope="module")
def btf_file(tmp_path_factory) -> str:
    """struct bpf_array { struct bpf_map map; }, struct bpf_map { u8 sha[32]; ops *; u32 max_entries; }"""
    b = BtfBuilder()
    u8 = b.int_("u8", 1)
    u32 = b.int_("u32", 4)
    ops = b.struct("bpf_map_ops", 8, [("f", b.ptr(0), 0)])
    sha = b.array(u8, u32, 32)
    bpf_map = b.struct("bpf_map", 48, [("sha", sha, 0), ("ops", b.ptr(ops), 256), ("max_entries", u32, 320)])
    b.struct("bpf_array", 48, [("map", bpf_map, 0)])
    path = tmp_path_factory.mktemp("btf") / "vmlinux.btf"
    path.write_bytes(b.build())
    return str(path)


def _message(obj, name: str, kernel=(6, 18), btf: str | None = None, unprivileged: bool = False) -> str:
    prog = next(p for p in obj.programs if p.name == name)
    options = AnalysisOptions(unprivileged=unprivileged, kernel_btf=(("6.18", btf),) if btf else ())
    v = analyze_program(obj, prog, for_kernel(kernel), options)
    return v.findings[0].kernel_message if v.verdict == "reject" else ""


def test_fields_read_through_the_map_struct(obj, btf_file: str) -> None:
    assert _message(obj, "read_field", btf=btf_file) == ""
    assert _message(obj, "read_ops", btf=btf_file) == ""
    assert _message(obj, "read_negative", btf=btf_file) == "R1 is bpf_array invalid negative access: off=-8"
    assert _message(obj, "write_field", btf=btf_file) == "only read from bpf_array is supported"


def test_unprivileged_and_old_kernels_and_no_btf(obj, btf_file: str) -> None:
    assert (
        _message(obj, "read_field", btf=btf_file, unprivileged=True)
        == "'struct bpf_array' access is allowed only to CAP_PERFMON and CAP_SYS_ADMIN"
    )
    assert _message(obj, "read_field", kernel=(5, 4), btf=btf_file) == "R1 invalid mem access 'map_ptr'"
    assert _message(obj, "read_field") == "R1 invalid mem access 'map_ptr'"  # no BTF: stays refused


def test_null_map_value_argument_and_socket_type_lists(obj) -> None:
    assert _message(obj, "storage_null_value") == ""
    assert (
        _message(obj, "release_scalar")
        == "R1 type=scalar expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_"
    )
    assert _message(obj, "fullsock_scalar") == "R1 type=scalar expected=sock_common, sock, tcp_sock, xdp_sock"
