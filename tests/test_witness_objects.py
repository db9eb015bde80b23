"""Witnesses for real objects: corpus programs the kernel rejects, and small C programs built here."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from verifier.concrete import run
from verifier.verdict import Finding
from verifier.witness import find_witness

reader = pytest.importorskip("verifier.elf.reader")
CORPUS = Path("/work/shared/corpus/ebpf-samples/build")
CLANG = shutil.which("clang-19")


def _corpus(name: str):
    path = CORPUS / f"{name}.o"
    if not path.exists():
        pytest.skip(f"{path} is not here")
    obj = reader.load_object(str(path))
    return obj, obj.programs[0]


def test_corpus_packet_overflow_has_a_real_witness():
    # packet_overflow.o: reads 4 bytes at data without comparing against data_end (kernel 6.18:
    # "R2 offset is outside of the packet" at insn 4)
    obj, prog = _corpus("packet_overflow")
    finding = Finding(4, "R2 offset is outside of the packet", "packet-bounds", path=[(3, False)])
    witness = find_witness(obj, prog, finding, prog.prog_type)
    assert witness is not None and witness["verified"] is True
    fault = run(prog, obj, witness, prog_type=prog.prog_type).fault
    assert fault is not None and fault.insn == 4 and fault.region == "packet"


def test_corpus_correlated_branch_is_verifier_imprecision():
    # correlated_branch.o: r7 is set to data only after a bounds check and tested for 0 later; the
    # kernel loses the relation at the join ("R7 offset is outside of the packet" at insn 16)
    obj, prog = _corpus("correlated_branch")
    finding = Finding(16, "R7 offset is outside of the packet", "packet-bounds",
                      path=[(12, False), (14, False), (15, False)])
    witness = find_witness(obj, prog, finding, prog.prog_type)
    assert witness is not None and witness["feasible"] is False


C_SOURCE = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct val { __u32 idx; __u32 slots[4]; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16); __type(key, __u32);
         __type(value, struct val); } vals SEC(".maps");

SEC("xdp")
int off_by_one(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;
	if (data + 14 > end)
		return XDP_DROP;
	return data[14] == 0x08 ? XDP_PASS : XDP_DROP;
}

SEC("kprobe/do_sys_open")
int null_deref(void *ctx)
{
	__u32 key = 1;
	struct val *v = bpf_map_lookup_elem(&vals, &key);
	return v->idx;
}

SEC("kprobe/do_sys_open")
int bad_index(void *ctx)
{
	__u32 key = 1;
	struct val *v = bpf_map_lookup_elem(&vals, &key);
	if (!v)
		return 0;
	__u32 i = v->idx;
	if (i > 4)
		return 0;
	return v->slots[i];
}
char LICENSE[] SEC("license") = "GPL";
"""


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    if CLANG is None:
        pytest.skip("clang-19 is not installed")
    folder = tmp_path_factory.mktemp("witness_c")
    (folder / "progs.c").write_text(C_SOURCE)
    arch = subprocess.run(["uname", "-m"], capture_output=True, text=True).stdout.strip()
    build = subprocess.run(
        [CLANG, "-O2", "-g", "-target", "bpf", f"-I/usr/include/{arch}-linux-gnu", "-c", "progs.c", "-o", "progs.o"],
        cwd=folder, capture_output=True, text=True,
    )
    if build.returncode != 0:
        pytest.skip(f"cannot compile BPF C here: {build.stderr.strip().splitlines()[-1:]}")
    return reader.load_object(str(folder / "progs.o"))


def _engine_finding(obj, prog) -> Finding:
    analyze = pytest.importorskip("verifier.abstract.analyze")
    rules = pytest.importorskip("verifier.rules")
    verdict = analyze.analyze_program(obj, prog, rules.for_kernel("6.18"))
    if not verdict.findings:
        pytest.skip(f"the engine accepts {prog.name} (it should not)")
    return verdict.findings[0]


@pytest.mark.parametrize(("name", "expected_key", "region_prefix"), [
    ("off_by_one", "packet_len", "packet"),
    ("null_deref", "map lookup at insn", "scalar"),
    ("bad_index", "map value at insn", "map value"),
])
def test_engine_finding_on_compiled_c_has_a_replayable_witness(compiled, name, expected_key, region_prefix):
    prog = next(p for p in compiled.programs if p.name == name)
    finding = _engine_finding(compiled, prog)
    witness = find_witness(compiled, prog, finding, prog.prog_type)
    assert witness is not None and witness["feasible"] is True, witness
    assert any(key.startswith(expected_key) for key in witness)
    fault = run(prog, compiled, witness, prog_type=prog.prog_type).fault
    assert fault is not None and fault.insn == finding.insn and fault.region.startswith(region_prefix)
    assert witness["verified"] is True
    print(name, witness, file=sys.stderr)
