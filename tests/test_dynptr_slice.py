"""A global function taking `struct bpf_dynptr *` (btf_prepare_func_args(): ARG_PTR_TO_DYNPTR | MEM_RDONLY,
verified as a local dynptr) and the slice kfuncs on it: bpf_dynptr_slice() returns read-only memory of
the constant size in R4 (buffer__szk), or NULL (the caller must pass a dynptr built by, here,
bpf_dynptr_from_xdp()); bpf_dynptr_slice_rdwr() writable memory; a size that is
not a constant is refused ('R4 must be a known constant'). The kernel's answers (privileged loads) are
recorded in tests/data/kernel_recordings/dynptr_slice.json with the `uname -r` of the kernel that gave
them; where bpf() works the live kernel is asked too (a different answer is kernel drift, a skip)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from bpf_c import CLANG
from kernel_recordings import Recording, compare_live, live_kernel_usable, recording_mode

from verifier.abstract import AnalysisOptions
from verifier.pipeline import Stages, check_object

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define KSYM __attribute__((section(".ksyms")))
typedef unsigned int __u32; typedef unsigned long long __u64;
struct bpf_dynptr { __u64 __opaque[2]; } __attribute__((aligned(8)));
struct xdp_md { __u32 data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex; };
extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) KSYM;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 off, void *buffer__opt, __u32 buffer__szk) KSYM;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p, __u32 off, void *buffer__opt, __u32 buffer__szk) KSYM;
static long (*bpf_get_prandom_u32)(void) = (void *) 7;
#define GLOBAL __attribute__((noinline))

GLOBAL int two_words(struct bpf_dynptr *p)
{ long buf[2] = {}, *d = bpf_dynptr_slice(p, 0, buf, sizeof(buf)); return d ? d[0] + d[1] : 0; }
GLOBAL int past_the_end(struct bpf_dynptr *p)
{ long buf[1] = {}, *d = bpf_dynptr_slice(p, 0, buf, sizeof(buf)); return d ? ((volatile long *)d)[1] : 0; }
GLOBAL int no_null_check(struct bpf_dynptr *p)
{ long buf[1] = {}, *d = bpf_dynptr_slice(p, 0, buf, sizeof(buf)); return *(volatile long *)d; }
GLOBAL int write_read_only(struct bpf_dynptr *p)
{ long buf[1] = {}, *d = bpf_dynptr_slice(p, 0, buf, sizeof(buf)); if (d) *(volatile long *)d = 1; return 0; }
GLOBAL int write_rdwr(struct bpf_dynptr *p)
{ long buf[1] = {}, *d = bpf_dynptr_slice_rdwr(p, 0, buf, sizeof(buf)); if (d) *(volatile long *)d = 1; return 0; }
GLOBAL int null_buffer(struct bpf_dynptr *p)
{ long *d = bpf_dynptr_slice(p, 0, (void *)0, 8); return d ? *d : 0; }
GLOBAL int variable_size(struct bpf_dynptr *p)
{
	long buf[2] = {};
	__u32 n = bpf_get_prandom_u32() & 8;
	char *d = bpf_dynptr_slice(p, 0, buf, n);
	return d ? *(volatile char *)d : 0;
}
#define CALLER(name) SEC("xdp") int xdp_##name(struct xdp_md *ctx) \
{ struct bpf_dynptr dptr; bpf_dynptr_from_xdp(ctx, 0, &dptr); return name(&dptr) & 1; }
CALLER(two_words)
CALLER(past_the_end)
CALLER(no_null_check)
CALLER(write_read_only)
CALLER(write_rdwr)
CALLER(null_buffer)
CALLER(variable_size)
SEC("xdp") int xdp_uninit_dynptr(struct xdp_md *ctx) { struct bpf_dynptr dptr; return two_words(&dptr) & 1; }
SEC("xdp") int xdp_stack_not_dynptr(struct xdp_md *ctx)
{ struct bpf_dynptr dptr = {}; return two_words(&dptr) & 1; }
char _license[] SEC("license") = "GPL";
"""
NAMES = [line[len("CALLER(") : -1] for line in C_SOURCE.splitlines() if line.startswith("CALLER(")]
NAMES += ["uninit_dynptr", "stack_not_dynptr"]  # the caller must pass an initialised dynptr
RECORDING = Recording.load("dynptr_slice")


@pytest.fixture(scope="module")
def obj_path(tmp_path_factory) -> Path:
    if CLANG is None:
        pytest.skip("clang is not installed")
    folder = tmp_path_factory.mktemp("dynptr_slice")
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


def _live_answer(obj_path: Path, program: str) -> list[str]:
    from verifier.oracle import load_with_kernel

    kv = load_with_kernel(obj_path, program)
    return [kv.verdict, kv.msg if kv.verdict == "reject" else ""]


@pytest.mark.parametrize("name", NAMES)
def test_dynptr_slices_as_the_kernel(obj_path: Path, name: str) -> None:
    program = f"xdp_{name}"
    live = live_kernel_usable()
    if recording_mode():
        if not live:
            pytest.skip("recording needs bpf()")
        RECORDING.store(program, _live_answer(obj_path, program))
    verdict, msg = RECORDING.answer(program)
    options = AnalysisOptions(timeout=60.0)
    result = check_object(
        str(obj_path),
        [RECORDING.release or "host"],
        options,
        prog_filter=program,
        stages=Stages.real(),
        witnesses=False,
    )
    ours = next(v for v in result.verdicts if v.name == program)
    assert ours.verdict == verdict
    if verdict == "reject":
        assert ours.findings[0].kernel_message == msg
    if live and not recording_mode():
        compare_live(RECORDING, program, _live_answer(obj_path, program), f"dynptr_slice:{program}")
