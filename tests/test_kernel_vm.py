"""The kernel-VM oracle's parts that need no VM: initramfs, job protocol, recordings, raw loader."""

from __future__ import annotations

import json
import lzma
import os
from pathlib import Path

import pytest

from verifier.oracle.vm import guest, initramfs, recordings
from verifier.oracle.vm.boot import VmRun, qemu_command
from verifier.oracle.vm.fetch import KernelImage
from verifier.oracle.vm.jobs import RAW, Job, Result, read_jsonl, write_jobs
from verifier.oracle.vm.kernels import KERNELS, KernelPackage, kernel_for
from verifier.oracle.vm.sets import corpus_jobs, object_path, realworld_jobs, shared_rows, split_id

SHARED = Path(os.environ.get("BPFCHECK_SHARED_CORPUS", "/work/shared/corpus"))


def _read_cpio(data: bytes) -> dict[str, tuple[int, bytes]]:
    """newc archive -> {name: (mode, data)} (a reader written from the format, to check the writer)."""
    out, pos = {}, 0
    while True:
        assert data[pos : pos + 6] == b"070701"
        fields = [int(data[pos + 6 + 8 * i : pos + 14 + 8 * i], 16) for i in range(13)]
        mode, size, namesize = fields[1], fields[6], fields[11]
        name_start = pos + 110
        name = data[name_start : name_start + namesize - 1].decode()
        body = name_start + namesize + (-(110 + namesize) % 4)
        if name == "TRAILER!!!":
            return out
        out[name] = (mode, data[body : body + size])
        pos = body + size + (-size % 4)


def _module(deps: str) -> bytes:
    return b"\x7fELF fake\x00license=GPL\x00depends=" + deps.encode() + b"\x00vermagic=x\x00"


@pytest.fixture()
def fake_image(tmp_path: Path) -> KernelImage:
    package = KernelPackage("9.9", "linux-image-fake", "9.9.0-fake", "none")
    mods = tmp_path / "lib" / "modules" / package.release / "kernel"
    (mods / "net").mkdir(parents=True)
    (mods / "fs").mkdir()
    (mods / "net" / "9pnet_virtio.ko").write_bytes(_module("9pnet,virtio_ring"))
    (mods / "net" / "9pnet.ko").write_bytes(_module(""))
    (mods / "net" / "virtio_ring.ko").write_bytes(_module(""))
    (mods / "fs" / "9p.ko.xz").write_bytes(lzma.compress(_module("9pnet,netfs")))
    (mods / "fs" / "netfs.ko").write_bytes(_module(""))
    (mods.parent / "modules.builtin").write_text("kernel/drivers/virtio/virtio_pci.ko\n")
    (tmp_path / "boot").mkdir()
    (tmp_path / "boot" / f"vmlinuz-{package.release}").write_bytes(b"kernel")
    return KernelImage(package, tmp_path, tmp_path / "boot" / f"vmlinuz-{package.release}", mods.parent)


def test_module_order_puts_dependencies_first_and_skips_builtins(fake_image: KernelImage) -> None:
    names = [name for name, _ in initramfs.module_order(fake_image)]
    assert "virtio_pci.ko" not in names  # built in
    assert set(names) == {"9pnet.ko", "virtio_ring.ko", "9pnet_virtio.ko", "netfs.ko", "9p.ko"}
    for module, deps in (
        ("9pnet_virtio.ko", ("9pnet.ko", "virtio_ring.ko")),
        ("9p.ko", ("9pnet.ko", "netfs.ko")),
    ):
        assert all(names.index(d) < names.index(module) for d in deps)


def test_initramfs_holds_init_busybox_and_decompressed_modules(
    fake_image: KernelImage, tmp_path: Path
) -> None:
    try:
        initramfs.busybox_path()
    except initramfs.VmUnavailable as exc:
        pytest.skip(str(exc))
    files = _read_cpio(initramfs.build(fake_image, tmp_path / "out" / "initrd.cpio").read_bytes())
    assert files["init"][0] & 0o111 and files["init"][1].startswith(b"#!/bin/busybox sh")
    assert f"{initramfs.HOST_TAG} /host".encode() in files["init"][1]
    assert files["modules/9p.ko"][1].startswith(b"\x7fELF")  # the .xz was unpacked
    listed = files["modules.list"][1].decode().split()
    assert listed.index("netfs.ko") < listed.index("9p.ko")


def test_qemu_command_uses_tcg_and_a_read_only_host_root(fake_image: KernelImage, tmp_path: Path) -> None:
    pytest.importorskip("shutil").which("qemu-system-x86_64") or pytest.skip("no qemu")
    cmd = qemu_command(fake_image, tmp_path / "initrd", tmp_path)
    assert cmd[cmd.index("-accel") + 1] == "tcg"
    host_share = next(a for a in cmd if f"mount_tag={initramfs.HOST_TAG}" in a)
    assert "path=/," in host_share and "readonly=on" in host_share


def test_kernel_table_names_the_three_series() -> None:
    assert [k.series for k in KERNELS] == ["5.10", "6.1", "6.12"]
    assert kernel_for("6.1").release.startswith("6.1.")
    with pytest.raises(KeyError):
        kernel_for("4.19")


def test_job_ids_name_their_objects() -> None:
    assert split_id("corpus/alu/atomics.o:atomic_add") == ("corpus", "alu/atomics.o", "atomic_add")
    assert split_id("shared/ebpf-samples/build/x.o:2/7") == ("shared", "ebpf-samples/build/x.o", "2/7")
    assert split_id("shared/b/y.o:uprobe/libc:malloc")[2] == "uprobe/libc:malloc"
    for job in corpus_jobs()[:5]:
        assert object_path(job.id) == Path(job.object) and Path(job.object).is_file()


def test_guest_supervisor_records_every_job_even_when_loads_fail(tmp_path: Path) -> None:
    jobs = [
        Job("corpus/none.o:a", str(tmp_path / "none.o"), "a"),
        Job("corpus/none.o:b", str(tmp_path / "x.o"), "b"),
    ]
    write_jobs(tmp_path / "jobs.jsonl", jobs)
    assert guest.run(tmp_path / "jobs.jsonl", tmp_path / "results.jsonl") == 0
    rows = read_jsonl(tmp_path / "results.jsonl")
    assert [r["id"] for r in rows] == [j.id for j in jobs]
    assert all(r["verdict"] == "load_error" and r["release"] == os.uname().release for r in rows)


def test_recordings_merge_and_keep_the_release(tmp_path: Path) -> None:
    package = KERNELS[0]
    first = Result("corpus/a.o:x", "accept", 0, "", release="5.10.0-test", seconds=0.1)
    second = Result("corpus/a.o:y", "reject", 13, "R0 !read_ok", release="5.10.0-test", seconds=0.2)
    recordings.write(package, "corpus", VmRun("5.10.0-test", [first], 1.0, 2.0, ""), tmp_path)
    recordings.write(package, "corpus", VmRun("5.10.0-test", [second], 1.0, 2.0, ""), tmp_path)
    got = recordings.read("5.10.0-test", "corpus", tmp_path)
    assert got == {first.id: first, second.id: second}
    info = json.loads((tmp_path / "5.10.0-test" / "run.json").read_text())
    assert info["sets"]["corpus"]["accelerator"] == "tcg" and info["release"] == "5.10.0-test"


def test_realworld_jobs_and_labels_stay_outside_the_repository(tmp_path: Path) -> None:
    """Real-project objects are recorded under $BPFCHECK_VM_LABELS and exported as <set>.verdicts.jsonl."""
    labels, root = tmp_path / "labels", tmp_path / "built"
    labels.mkdir()
    (root / "proj").mkdir(parents=True)
    (root / "proj" / "a.o").write_bytes(b"")
    rows = [{"object": "proj/a.o", "program": "p", "verdict": "accept"},
            {"object": "proj/missing.o", "program": "q", "verdict": "accept"},
            {"object": "proj/a.o", "program": "r", "verdict": "load_error", "backend": "raw", "prog_type": 6},
            {"object": "proj/a.o", "program": "s", "verdict": "accept", "prog_type": 3}]  # fmt: skip
    (labels / "proj.verdicts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (labels / "other.verdicts.jsonl").write_text(json.dumps(rows[0]) + "\n")
    jobs = realworld_jobs(root, labels, ("proj",))
    # libbpf loads: the labelled type only where libbpf cannot tell one from the section (l3af's tc-egress)
    assert [(j.id, j.prog_type, j.backend, j.type_if_unknown) for j in jobs] == [
        ("realworld/proj/a.o:p", None, "libbpf", True), ("realworld/proj/a.o:r", "6", RAW, False),
        ("realworld/proj/a.o:s", "3", "libbpf", True)]  # fmt: skip
    assert all(j.fill_maps for j in jobs)  # sized as the projects' loaders size them, as the labels were made
    assert recordings.root_for("realworld") != recordings.RECORDINGS
    assert recordings.root_for("corpus") == recordings.RECORDINGS
    answer = Result("realworld/proj/a.o:p", "reject", 13, "R1 invalid mem access", 7, 1, release="5.10.0-test")
    assert recordings.export_labels({answer.id: answer}, tmp_path / "out") == {"proj": 1}
    (row,) = read_jsonl(tmp_path / "out" / "proj.verdicts.jsonl")
    assert (row["object"], row["program"], row["verdict"], row["processed"]) == ("proj/a.o", "p", "reject", 7)


def test_every_recording_carries_the_guests_release() -> None:
    found = recordings.releases()
    if not found:
        pytest.skip("no recordings")
    for release in found:
        rows = recordings.results_of(release)
        assert rows and all(r.release == release for r in rows.values()), release


def test_raw_loader_agrees_with_the_recorded_host_kernel(kernel_oracle) -> None:
    """Legacy objects loaded with bpf() directly give what the shared corpus's 6.18 recording says."""
    from verifier.oracle.raw_loader import load_raw

    rows = [
        r for r in shared_rows(SHARED) if r.get("backend") == RAW and r.get("verdict") in ("accept", "reject")
    ]
    if not rows:
        pytest.skip("no shared corpus")
    for row in rows[::25]:
        got = load_raw(str(SHARED / row["object"]), row["program"], str(row["prog_type"]))
        assert got.verdict == row["verdict"], (row["object"], row["program"], got.msg)


def test_point_releases_select_backports() -> None:
    from verifier.rules.features import has_feature
    from verifier.rules.kernel_rules import for_kernel

    assert not has_feature("var_off_stack_read", (5, 10), patch=32)
    assert has_feature("var_off_stack_read", (5, 10), patch=33)
    assert has_feature("var_off_stack_read", (5, 10))  # X.Y: the newest point release known
    assert not has_feature("var_off_stack_read", (5, 11))
    assert not for_kernel("6.1.99").has("uninit_stack_read_priv")
    assert for_kernel("6.1.100").has("uninit_stack_read_priv")
    assert not for_kernel("6.1.190").has("uninit_stack_read_any_depth")
    assert for_kernel("6.1").has("uninit_stack_read_any_depth")
    assert for_kernel("6.1.0-57-amd64").build.patch == 192


def test_facts_are_named_only_where_no_real_kernel_was_run() -> None:
    from verifier.rules.measured import facts_for_verdict

    used = ["uninit_stack_read_priv", "jmp32"]
    assert [f.name for f in facts_for_verdict("5.15", used)] == ["uninit_stack_read_priv"]
    assert not facts_for_verdict("5.15", ["jmp32"])  # the same at 5.10.262 and 6.1.192
    for measured in ("6.1", "6.1.0-57-amd64", "5.10", "6.12"):
        assert facts_for_verdict(measured, used) == [], measured
    note = facts_for_verdict("6.1.50", used)[0]
    assert not note.present and "6.1.100" in note.backports


def test_json_report_says_what_a_verdict_rests_on(tmp_path: Path) -> None:
    import subprocess
    import sys

    obj = Path(__file__).resolve().parent.parent / "corpus" / "build" / "stack" / "uninit.o"
    cmd = [
        sys.executable,
        "-m",
        "verifier",
        str(obj),
        "--kernel",
        "5.15,6.1",
        "--format",
        "json",
        "--no-witness",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)
    doc = json.loads(proc.stdout)
    programs = [p for o in doc["objects"] for p in o["programs"] if p["name"] == "stack_uninit_read"]
    by_kernel = {p["kernel"]: p for p in programs}
    # 5.15 lies between 5.10.262 and 6.1.192, which differ in both (6.1 took the 6.2 prune points at 6.1.72)
    # (and before 6.7 even a privileged read may not go below the stack written so far)
    assert [f["name"] for f in by_kernel["5.15"]["facts"]] == [
        "reduced_prune_points",
        "uninit_stack_read_any_depth",
        "uninit_stack_read_priv",
    ]
    assert "facts" not in by_kernel["6.1"]


class _FakeMaps:
    """The libbpf map calls `_fill_maps` makes, over a list of [type, max_entries, value_size, pin]."""

    def __init__(self, maps: list[list]) -> None:
        self.maps = maps

    def bpf_object__next_map(self, obj, m):
        i = 0 if m is None else m
        return i + 1 if i < len(self.maps) else None

    def bpf_map__type(self, m):
        return self.maps[m - 1][0]

    def bpf_map__max_entries(self, m):
        return self.maps[m - 1][1]

    def bpf_map__set_max_entries(self, m, n):
        self.maps[m - 1][1] = n

    def bpf_map__value_size(self, m):
        return self.maps[m - 1][2]

    def bpf_map__set_value_size(self, m, n):
        self.maps[m - 1][2] = n

    def bpf_map__set_pin_path(self, m, path):
        self.maps[m - 1][3] = path


def test_realworld_loads_fill_the_maps_a_projects_loader_sizes() -> None:
    from verifier.oracle.loader import STACK_TRACE_VALUE, _fill_maps

    lib = _FakeMaps([[2, 0, 16, "/sys/fs/bpf/x"], [4, 0, 4, None], [7, 0, 0, None], [1, 64, 8, None]])
    _fill_maps(lib, 0)  # type: ignore[arg-type]
    assert lib.maps == [[2, 1, 16, None], [4, os.cpu_count() or 1, 4, None], [7, 1, STACK_TRACE_VALUE, None],
                        [1, 64, 8, None]]  # fmt: skip
