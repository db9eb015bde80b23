"""The ELF reader against the shared corpus and a Linux 6.18 kernel's view of it.

Each row of ebpf-samples.verdicts.jsonl names an object and a program: the
function name (libbpf backend), or the section name for objects the harness
loaded itself (backend "raw"). For every program the kernel verified (accept,
reject, env_reject) the reader must find it, with the kernel's instruction count
and program type, and without load errors. Rows the kernel never saw
(load_error) must come out as an ElfError or as a program with load errors,
except where libbpf itself would load the program (see LIBBPF_RESOLVES).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from verifier.elf.model import BpfObject, Program
from verifier.elf.reader import load_object
from verifier.errors import ElfError

CORPUS = Path("/work/shared/corpus")
VERDICTS = CORPUS / "ebpf-samples.verdicts.jsonl"

pytestmark = pytest.mark.skipif(not VERDICTS.exists(), reason="shared corpus not available")

# enum bpf_prog_type (include/uapi/linux/bpf.h) for the types the corpus uses
PROG_TYPE_ENUM = {
    "socket_filter": 1, "kprobe": 2, "sched_cls": 3, "sched_act": 4, "tracepoint": 5, "xdp": 6,
    "perf_event": 7, "cgroup_skb": 8, "cgroup_sock": 9, "lwt_in": 10, "lwt_out": 11, "lwt_xmit": 12,
    "sock_ops": 13, "sk_skb": 14, "cgroup_device": 15, "sk_msg": 16, "raw_tracepoint": 17,
    "cgroup_sock_addr": 18, "tracing": 26,
}

# The harness's own loader (backend "raw") refused relocations into cilium's `.rodata.config`
# and `.maps`; libbpf maps those sections, so the reader resolves them.
LIBBPF_RESOLVES = ("unsupported relocation to __config_", "unsupported relocation to cilium_xdp_scratch")


def _rows() -> list[dict]:
    if not VERDICTS.exists():
        return []
    return [json.loads(line) for line in VERDICTS.read_text().splitlines() if line.strip()]


ROWS = _rows()
VERIFIED = [r for r in ROWS if r["verdict"] != "load_error"]
LOAD_ERRORS = [r for r in ROWS if r["verdict"] == "load_error"]


@cache
def _load(obj: str) -> BpfObject | ElfError:
    try:
        return load_object(str(CORPUS / obj))
    except ElfError as exc:
        return exc


def _candidates(row: dict) -> list[Program]:
    """The programs a row names: by function name, or (raw backend) all programs of its section."""
    obj = _load(row["object"])
    assert isinstance(obj, BpfObject), f"{row['object']}: {obj}"
    by_name = [p for p in obj.programs if p.name == row["program"]]
    if by_name or row.get("backend") != "raw":
        return by_name
    return [p for p in obj.programs if p.section == row["section"]]


def _find(row: dict) -> Program | None:
    found = _candidates(row)
    return found[0] if len(found) == 1 else None


def _row_id(row: dict) -> str:
    return f"{row['object'].removeprefix('ebpf-samples/')}:{row.get('program', '?')}"


def test_corpus_has_rows():
    assert len(VERIFIED) > 300
    assert LOAD_ERRORS


@pytest.mark.parametrize("row", VERIFIED, ids=_row_id)
def test_verified_program_is_read_like_the_kernel_saw_it(row):
    prog = _find(row)
    assert prog is not None, f"no program {row['program']!r} (section {row['section']!r})"
    assert prog.insn_count == row["insns"]
    assert PROG_TYPE_ENUM.get(prog.prog_type or "") == row["prog_type"]
    assert prog.load_errors == []
    assert prog.subprogs and prog.subprogs[0].start == 0


@pytest.mark.parametrize("row", LOAD_ERRORS, ids=_row_id)
def test_load_error_rows_are_reported(row):
    obj = _load(row["object"])
    if "program" not in row:  # the object itself is unreadable
        assert isinstance(obj, ElfError)
        assert "\n" not in str(obj)
        return
    progs = _candidates(row)
    assert progs, f"no program {row['program']!r} (section {row['section']!r})"
    msg = row.get("msg", "")
    if msg.startswith(LIBBPF_RESOLVES) or row.get("errno") == 1:  # EPERM: the machine, not the object
        return
    assert len(progs) == 1
    prog = progs[0]
    assert prog.load_errors, f"expected a load error like {msg or row.get('errno')!r}"
    if msg.startswith("unsupported relocation to "):
        assert any(msg in e for e in prog.load_errors)
    if msg == "unknown section type":
        assert prog.prog_type is None
        assert "unknown section type" in prog.load_errors[0]


def test_linked_calls_stay_inside_the_program():
    for obj_path in sorted({r["object"] for r in ROWS}):
        obj = _load(obj_path)
        if not isinstance(obj, BpfObject):
            continue
        for prog in obj.programs:
            n = prog.insn_count
            for pc, insn in enumerate(prog.insns):
                if insn.is_pseudo_call and not prog.load_errors:
                    assert 0 <= pc + 1 + insn.imm < n, (obj_path, prog.name, pc)
            starts = [s.start for s in prog.subprogs]
            assert starts == sorted(starts) and len(set(starts)) == len(starts)
            for pc, target in prog.func_refs.items():
                assert target in starts, (obj_path, prog.name, pc)


def test_legacy_and_btf_maps_are_read():
    lxc = _load("ebpf-samples/cilium/bpf_lxc.o")
    assert isinstance(lxc, BpfObject)
    legacy = {m.name: m for m in lxc.maps if m.kind == "legacy"}
    assert len(legacy) == 20 and "cilium_events" in legacy
    sock = _load("ebpf-samples/cilium-core/bpf_sock.o")
    assert isinstance(sock, BpfObject)
    btf_maps = {m.name: m for m in sock.maps if m.kind == "btf"}
    assert btf_maps and all(m.type > 0 and m.max_entries > 0 for m in btf_maps.values())
    assert any(m.name == ".rodata.config" and m.readonly for m in sock.maps)
    in_map = _load("ebpf-samples/linux/test_map_in_map_kern.o")
    assert isinstance(in_map, BpfObject)
    outer = [m for m in in_map.maps if m.type in (12, 13)]
    assert outer and all(m.inner is not None for m in outer)


def test_every_map_ref_points_at_a_map():
    for obj_path in sorted({r["object"] for r in ROWS}):
        obj = _load(obj_path)
        if not isinstance(obj, BpfObject):
            continue
        for prog in obj.programs:
            for pc, ref in prog.map_refs.items():
                assert 0 <= ref.map_index < len(obj.maps)
                assert prog.insns[pc].is_ld_imm64 and prog.insns[pc].src == ref.pseudo
