"""An array lookup with a constant key in range returns a non-NULL value (6.13+, get_constant_map_key()),
but only to a bpf_capable loader, and only when the key's bytes are zeroed stack or a constant scalar
spilled with exactly the key's size (its whole value counts: a 4-byte spill of 1 << 32 is not key 0).
A possibly-NULL pointer is NULL-checked only by `if rX == 0` / `!= 0` with an immediate (a register
holding 0 checks nothing), and an unprivileged loader may compare it in no other way.
The kernel's answers, privileged and unprivileged (the test_loader way), are recorded in
tests/data/kernel_recordings/const_map_key.json with the `uname -r` of the kernel that gave them; where
bpf() works the live kernel is asked too (a different answer is kernel drift, a skip)."""

from __future__ import annotations

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
#define LOOK(k) k "r2 = r10; r2 += -8; r1 = %[m] ll; call 1; r0 = *(u64*)(r0 + 0); r0 = 0; exit;"
SEC("socket") NAKED int spill32_zero(void) { asm volatile (LOOK("r1 = 0; *(u32*)(r10 - 8) = r1;") :: [m]"i"(&arr)); }
SEC("socket") NAKED int spill64_zero_key32(void) { asm volatile (LOOK("r1 = 0; *(u64*)(r10 - 8) = r1;") :: [m]"i"(&arr)); }
SEC("socket") NAKED int spill32_wide_value(void)
{ asm volatile (LOOK("r1 = 0x100000000 ll; *(u32*)(r10 - 8) = r1;") :: [m]"i"(&arr)); }
SEC("socket") NAKED int st32_zero(void) { asm volatile (LOOK("*(u32*)(r10 - 8) = 0;") :: [m]"i"(&arr)); }
SEC("socket") NAKED int spill32_one(void) { asm volatile (LOOK("r1 = 1; *(u32*)(r10 - 8) = r1;") :: [m]"i"(&arr)); }
struct { __uint(type, 1); __uint(max_entries, 1); __type(key, long long); __type(value, long long); } h SEC(".maps");
#define LK "r1 = 0; *(u64 *)(r10 - 8) = r1; r2 = r10; r2 += -8; r1 = %[m] ll; call 1;"
SEC("socket") NAKED int null_check_by_register(void)
{ asm volatile (LK "r1 = 0; if r0 == r1 goto 1f; r0 = *(u8*)(r0 + 0); 1: r0 = 1; exit;" :: [m]"i"(&h)); }
SEC("socket") NAKED int maybe_null_eq_1(void) { asm volatile (LK "if r0 == 1 goto 1f; 1: r0 = 1; exit;" :: [m]"i"(&h)); }
SEC("socket") NAKED int maybe_null_gt_0(void) { asm volatile (LK "if r0 > 0 goto 1f; 1: r0 = 1; exit;" :: [m]"i"(&h)); }
char _license[] SEC("license") = "GPL";
"""
NAMES = [
    "spill32_zero",
    "spill64_zero_key32",
    "spill32_wide_value",
    "st32_zero",
    "spill32_one",
    "null_check_by_register",
    "maybe_null_eq_1",
    "maybe_null_gt_0",
]
RECORDING = Recording.load("const_map_key")
CASES = [(name, unprivileged) for name in NAMES for unprivileged in (False, True)]


@pytest.fixture(scope="module")
def obj_path(tmp_path_factory) -> Path:
    if CLANG is None:
        pytest.skip("clang is not installed")
    folder = tmp_path_factory.mktemp("const_map_key")
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


def _live_usable(unprivileged: bool) -> bool:
    from verifier.oracle.unpriv import read_unpriv_sysctl

    return live_kernel_usable() and (not unprivileged or os.geteuid() == 0 or read_unpriv_sysctl() == 0)


def _live_answer(obj_path: Path, name: str, unprivileged: bool) -> list[str]:
    from verifier.oracle import LoadOptions, load_with_kernel
    from verifier.oracle.unpriv import unprivileged_bpf_allowed, unprivileged_verdict

    if not unprivileged:
        kv = load_with_kernel(obj_path, name)
        return [kv.verdict, kv.msg if kv.verdict == "reject" else ""]
    with unprivileged_bpf_allowed() as allowed:
        if not allowed:
            pytest.skip("unprivileged bpf() cannot be enabled here")
        kv = load_with_kernel(obj_path, name, load=LoadOptions(unprivileged=True))
        verdict = unprivileged_verdict(kv)
    return [verdict, kv.msg if verdict == "reject" else ""]


@pytest.mark.parametrize(("name", "unprivileged"), CASES)
def test_constant_keys_as_the_kernel(obj_path: Path, name: str, unprivileged: bool) -> None:
    key = f"{name}:{'unpriv' if unprivileged else 'priv'}"
    live = _live_usable(unprivileged)
    if recording_mode():
        if not live:
            pytest.skip("recording needs bpf()")
        RECORDING.store(key, _live_answer(obj_path, name, unprivileged))
    verdict, msg = RECORDING.answer(key)
    options = AnalysisOptions(unprivileged=unprivileged, timeout=60.0)
    result = check_object(
        str(obj_path),
        [RECORDING.release or "host"],
        options,
        prog_filter=name,
        stages=Stages.real(),
        witnesses=False,
    )
    ours = next(v for v in result.verdicts if v.name == name)
    assert ours.verdict == verdict
    if verdict == "reject":
        assert ours.findings[0].kernel_message == msg
    if live and not recording_mode():
        compare_live(RECORDING, key, _live_answer(obj_path, name, unprivileged), f"const_map_key:{key}")
