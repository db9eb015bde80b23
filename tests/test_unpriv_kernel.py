"""`--unprivileged` against the kernel loading as an unprivileged user (the selftests' test_loader way:
CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_PERFMON and CAP_BPF dropped, maps an unprivileged user cannot
create left uncreated). The kernel's answers are recorded in
tests/data/kernel_recordings/unpriv_loader.json with the `uname -r` of the kernel that gave them;
bpfcheck is checked against them at that kernel's rules, and, where bpf() works and unprivileged bpf()
can be enabled, the live kernel is asked too (a different live answer is kernel drift, a skip).

The rules: bpf_prog_load() refuses every program type but socket_filter and cgroup_skb (EPERM);
bpf_base_func_proto() hands out some helpers only with CAP_BPF or CAP_PERFMON; map_create() refuses
most map types (libbpf then poisons the loads of the map); check_mem_size_reg() turns raw mode off for
a size that is not a constant, so the stack a helper fills must be initialised already. And the words of
two refusals: a pointer whose offset leaves [-(1<<29), 1<<29) (check_reg_sane_offset_ptr()), and a stack
pointer moved by a variable (the offset printed with the variable's known bits).
"""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest
from bpf_c import CLANG
from kernel_recordings import Recording, compare_live, live_kernel_usable, recording_mode

from verifier.abstract import AnalysisOptions
from verifier.pipeline import Stages, check_object

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define NAKED __attribute__((naked))
struct v48 { long long a[6]; };
struct { __uint(type, 2); __uint(max_entries, 1); __type(key, int); __type(value, struct v48); } arr SEC(".maps");
struct { __uint(type, 9); __uint(max_entries, 1); __type(key, int); __type(value, long long); } lru SEC(".maps");

#define LOOKUP(m) "r1 = 0; *(u32*)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = " m " ll; call 1;"

SEC("tracepoint") NAKED int tp_type(void) { asm volatile ("r0 = 0; exit;"); }
SEC("kprobe/x") NAKED int kprobe_type(void) { asm volatile ("r0 = 0; exit;"); }
SEC("cgroup_skb/egress") NAKED int cgroup_skb_type(void) { asm volatile ("r0 = 1; exit;"); }
SEC("socket") NAKED int socket_type(void) { asm volatile ("r0 = 0; exit;"); }
SEC("socket") NAKED int printk_needs_perfmon(void)
{ asm volatile ("r1 = 0; *(u64*)(r10 - 8) = r1; r1 = r10; r1 += -8; r2 = 8; call 6; r0 = 0; exit;"); }
SEC("socket") NAKED int jiffies_needs_bpf(void) { asm volatile ("call 118; r0 = 0; exit;"); }
SEC("socket") NAKED int task_needs_perfmon(void) { asm volatile ("call 35; r0 = 0; exit;"); }
SEC("socket") NAKED int prandom_for_all(void) { asm volatile ("call 7; r0 = 0; exit;"); }
SEC("socket") NAKED int coarse_ns_for_all(void) { asm volatile ("call 160; r0 = 0; exit;"); }
SEC("socket") NAKED int uid_gid_for_all(void) { asm volatile ("call 15; r0 = 0; exit;"); }
SEC("socket") NAKED int lru_map_reached(void)
{ asm volatile (LOOKUP("%[m]") "if r0 == 0 goto 1f; r0 = *(u64*)(r0 + 0); 1: r0 = 0; exit;" :: [m]"i"(&lru)); }
SEC("socket") NAKED int lru_map_dead(void)
{ asm volatile ("r0 = 0; if r0 == 0 goto 1f; r1 = %[m] ll; 1: exit;" :: [m]"i"(&lru)); }
SEC("socket") NAKED int array_map(void)
{ asm volatile (LOOKUP("%[m]") "if r0 == 0 goto 1f; r0 = *(u64*)(r0 + 0); 1: r0 = 0; exit;" :: [m]"i"(&arr)); }
SEC("socket") NAKED int var_len_into_uninit_stack(void)
{ asm volatile ("r6 = r1; call 7; r0 &= 7; r4 = r0; r4 += 1; r1 = r6; r2 = 0; r3 = r10; r3 += -8; call 26;"
  "r0 = 0; exit;"); }
SEC("socket") NAKED int var_len_into_init_stack(void)
{ asm volatile ("r6 = r1; r1 = 0; *(u64*)(r10 - 8) = r1; call 7; r0 &= 7; r4 = r0; r4 += 1; r1 = r6; r2 = 0;"
  "r3 = r10; r3 += -8; call 26; r0 = 0; exit;"); }
SEC("socket") NAKED int const_len_into_uninit_stack(void)
{ asm volatile ("r6 = r1; r4 = 8; r1 = r6; r2 = 0; r3 = r10; r3 += -8; call 26; r0 = *(u64*)(r10 - 8);"
  "r0 = 0; exit;"); }
SEC("socket") NAKED int map_value_minus_u32(void)
{ asm volatile ("call 7; w6 = w0; w6 |= 1;" LOOKUP("%[m]") "if r0 == 0 goto 1f; r0 -= r6; r1 = *(u8*)(r0 + 0);"
  "1: r0 = 0; exit;" :: [m]"i"(&arr)); }
SEC("socket") NAKED int stack_plus_odd_var(void)
{ asm volatile ("call 7; r0 |= 7; r0 &= 15; r1 = r10; r1 += -64; r1 += r0; r0 = 0; exit;"); }
SEC("socket") NAKED int scalar_plus_ctx(void) { asm volatile ("r6 = r1; call 7; r0 &= 4; r0 += r6; r0 = 0; exit;"); }
SEC("socket") NAKED int mixed_sign_plus_value(void)
{ asm volatile (LOOKUP("%[m]") "if r0 == 0 goto 1f; r6 = r0; call 7; r0 &= 15; r0 += -8; r0 += r6;"
  "r0 = *(u8*)(r0 + 0); 1: r0 = 0; exit;" :: [m]"i"(&arr)); }
SEC("socket") NAKED int atomic_on_spilled_pointer(void)
{ asm volatile ("*(u64*)(r10 - 8) = r1; r3 = 1; lock *(u64*)(r10 - 8) += r3; r0 = 0; exit;"); }
SEC("socket") NAKED int read_below_allocated(void) { asm volatile ("r0 = *(u64*)(r10 - 8); r0 = 0; exit;"); }
SEC("socket") NAKED int key_below_allocated(void)
{ asm volatile ("r2 = r10; r2 += -8; r1 = %[m] ll; call 1; r0 = 0; exit;" :: [m]"i"(&arr)); }
char _license[] SEC("license") = "GPL";
"""

RECORDING = Recording.load("unpriv_loader")


@pytest.fixture(scope="module")
def obj_path(tmp_path_factory) -> Path:
    if CLANG is None:
        pytest.skip("clang is not installed")
    folder = tmp_path_factory.mktemp("unpriv_loader")
    (folder / "progs.c").write_text(C_SOURCE)
    build = subprocess.run(
        [CLANG, "-O2", "-g", "-target", "bpf", "-mcpu=v3", "-c", "progs.c", "-o", "progs.o"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    if build.returncode != 0:
        pytest.skip(f"cannot compile BPF C here: {build.stderr.strip().splitlines()[-1:]}")
    return folder / "progs.o"


def _names() -> list[str]:
    return [
        line.split("int ", 1)[1].split("(", 1)[0] for line in C_SOURCE.splitlines() if " NAKED int " in line
    ]


def _live_unprivileged_usable() -> bool:
    from verifier.oracle.unpriv import read_unpriv_sysctl

    return live_kernel_usable() and (os.geteuid() == 0 or read_unpriv_sysctl() == 0)


def _live_answer(obj_path: Path, name: str) -> list:
    from verifier.oracle import LoadOptions, load_with_kernel
    from verifier.oracle.unpriv import unprivileged_bpf_allowed, unprivileged_verdict

    with unprivileged_bpf_allowed() as allowed:
        if not allowed:
            pytest.skip("unprivileged bpf() cannot be enabled here")
        kv = load_with_kernel(obj_path, name, load=LoadOptions(unprivileged=True))
        verdict = unprivileged_verdict(kv)
    # EPERM comes before the verifier: libbpf's words, not the kernel's
    return [verdict, kv.errno, "" if kv.errno == errno.EPERM else kv.msg]


@pytest.mark.parametrize("name", _names())
def test_unprivileged_as_the_kernel(obj_path: Path, name: str) -> None:
    live = _live_unprivileged_usable()
    if recording_mode():
        if not live:
            pytest.skip("recording needs unprivileged bpf()")
        RECORDING.store(name, _live_answer(obj_path, name))
    verdict, err, msg = RECORDING.answer(name)
    options = AnalysisOptions(unprivileged=True, timeout=60.0)
    result = check_object(
        str(obj_path),
        [RECORDING.release or "host"],
        options,
        prog_filter=name,
        stages=Stages.real(),
        witnesses=False,
    )
    ours = next(v for v in result.verdicts if v.name == name)
    assert ours.verdict == verdict, ours.findings[0].kernel_message if ours.findings else ""
    if verdict == "reject" and err != errno.EPERM:
        assert ours.findings[0].kernel_message == msg
    if live and not recording_mode():
        compare_live(RECORDING, name, _live_answer(obj_path, name), f"unpriv_loader:{name}")


def test_pointer_offset_words_before_the_split(obj_path: Path) -> None:
    """The earlier 6.18.44 build kept one check_reg_sane_offset() (feature sane_offset_ptr_split)."""
    options = AnalysisOptions(unprivileged=True, timeout=60.0)
    words = {}
    for build in ("6.18.44-fc", "6.18.44-fc-v1045"):
        result = check_object(
            str(obj_path),
            [build],
            options,
            prog_filter="map_value_minus_u32",
            stages=Stages.real(),
            witnesses=False,
        )
        words[build] = result.verdicts[0].findings[0].kernel_message
    assert words == {
        "6.18.44-fc": "value -4294967295 makes map_value pointer be out of bounds",
        "6.18.44-fc-v1045": "map_value pointer offset -4294967295 is not allowed",
    }
