"""The ELF reader on small objects compiled here with clang-19 (-O2 -g -target bpf)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from verifier.elf.model import BpfObject, Program
from verifier.elf.reader import TEXT_NOT_A_PROGRAM, load_object
from verifier.isa import opcodes as op

CLANG = shutil.which("clang-19") or ("/usr/bin/clang-19" if Path("/usr/bin/clang-19").exists() else None)
pytestmark = pytest.mark.skipif(CLANG is None, reason="clang-19 not installed")

PRELUDE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __array(name, val) typeof(val) *name[]
typedef unsigned int u32;
typedef unsigned long long u64;
struct bpf_spin_lock { u32 val; };
struct xdp_md { u32 data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex; };
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_loop)(u32 nr, void *fn, void *ctx, u64 flags) = (void *)181;
char _license[] SEC("license") = "Dual BSD/GPL";
"""

CALLS = PRELUDE + r"""
static int cb(u32 i, void *ctx) { return 0; }
static __attribute__((noinline)) int leaf(int x) { return x * 3; }
__attribute__((noinline)) int shared(int x) { return leaf(x) + 1; }
static __attribute__((noinline)) int first(int x) { return shared(x) ^ 5; }
SEC("xdp") int prog_a(struct xdp_md *ctx) {
    bpf_loop(4, cb, 0, 0);
    return first(ctx->ingress_ifindex) & 1;
}
SEC("xdp") int prog_b(struct xdp_md *ctx) { return ctx->rx_queue_index ? 2 : 1; }
SEC("tc") int prog_c(struct xdp_md *ctx) { return shared(ctx->data) & 3; }
u32 _version SEC("version") = 0x50a00;
"""

MAPS = PRELUDE + r"""
struct val { u64 a; struct bpf_spin_lock lock; u32 b; };
struct { __uint(type, 1); __uint(max_entries, 128); __type(key, u64); __type(value, struct val); } hmap SEC(".maps");
struct { __uint(type, 2); __uint(max_entries, 4); __uint(key_size, 4); __uint(value_size, 24); } amap SEC(".maps");
struct inner { __uint(type, 2); __uint(max_entries, 8); __type(key, u32); __type(value, u64); };
struct { __uint(type, 12); __uint(max_entries, 2); __type(key, u32); __array(values, struct inner); } outer SEC(".maps");
struct bpf_map_def { u32 type, key_size, value_size, max_entries, map_flags; };
struct bpf_map_def SEC("maps") legacy = { .type = 2, .key_size = 4, .value_size = 8, .max_entries = 16 };
u64 counter = 7;
const volatile u32 limit = 42;
u64 zeroes[4];
static volatile u64 hidden[2];
extern u32 LINUX_KERNEL_VERSION __attribute__((section(".kconfig")));
SEC("socket") int use_maps(void *ctx) {
    u32 k = 0; u64 hk = 1;
    struct val *v = bpf_map_lookup_elem(&hmap, &hk);
    void *a = bpf_map_lookup_elem(&amap, &k);
    void *o = bpf_map_lookup_elem(&outer, &k);
    void *l = bpf_map_lookup_elem(&legacy, &k);
    counter += limit + zeroes[2] + LINUX_KERNEL_VERSION + hidden[1];
    return (v != 0) + (a != 0) + (o != 0) + (l != 0);
}
"""

EXTERNS = PRELUDE + r"""
extern void not_defined_anywhere(void);
extern void bpf_rcu_read_lock(void) __attribute__((section(".ksyms")));
SEC("lsm.s/file_open") int sleepy(void *ctx) { bpf_rcu_read_lock(); return 0; }
SEC("mystery") int odd(void *ctx) { not_defined_anywhere(); return 0; }
SEC("fentry/do_unlinkat") int fent(void *ctx) { return 0; }
SEC("cgroup/connect4") int conn(void *ctx) { return 1; }
"""

TEXT_ONLY = PRELUDE + r"""
int func(struct xdp_md *ctx) { return ctx->data == 3; }
"""


def _compile(tmp: Path, name: str, source: str, target: str = "bpf") -> str:
    src = tmp / f"{name}.c"
    out = tmp / f"{name}.o"
    src.write_text(source)
    subprocess.run([CLANG, "-O2", "-g", "-target", target, "-c", str(src), "-o", str(out)],
                   check=True, capture_output=True)
    return str(out)


@pytest.fixture(scope="module")
def objs(tmp_path_factory) -> dict[str, BpfObject]:
    tmp = tmp_path_factory.mktemp("elf")
    out = {name: load_object(_compile(tmp, name, src))
           for name, src in [("calls", CALLS), ("maps", MAPS), ("externs", EXTERNS), ("text", TEXT_ONLY)]}
    out["maps_eb"] = load_object(_compile(tmp, "maps_eb", MAPS, target="bpfeb"))
    return out


def _prog(obj: BpfObject, name: str) -> Program:
    found = [p for p in obj.programs if p.name == name]
    assert len(found) == 1, [p.name for p in obj.programs]
    return found[0]


def _call_targets(prog: Program) -> list[int]:
    return [pc + 1 + i.imm for pc, i in enumerate(prog.insns) if i.is_pseudo_call]


def test_programs_sharing_a_section_are_split(objs):
    obj = objs["calls"]
    assert [p.name for p in obj.programs] == ["prog_a", "prog_b", "prog_c"]
    assert [p.section for p in obj.programs] == ["xdp", "xdp", "tc"]
    b = _prog(obj, "prog_b")
    assert b.insns[-1].is_exit and len(b.subprogs) == 1 and b.insn_count < 10


def test_subprograms_are_appended_depth_first_each_once(objs):
    a = _prog(objs["calls"], "prog_a")
    names = [s.name for s in a.subprogs]
    assert names[0] == "prog_a"
    # libbpf order: cb (address taken first), then first -> shared -> leaf
    assert names[1:] == ["cb", "first", "shared", "leaf"]
    starts = {s.name: s.start for s in a.subprogs}
    assert {s.name: s.is_global for s in a.subprogs}["shared"] is True
    assert {s.name: s.is_global for s in a.subprogs}["leaf"] is False
    targets = _call_targets(a)
    assert sorted(targets) == sorted([starts["first"], starts["shared"], starts["leaf"]])
    assert all(a.insns[pc].src == op.BPF_PSEUDO_CALL for pc, i in enumerate(a.insns) if i.is_pseudo_call)
    assert list(a.func_refs.values()) == [starts["cb"]]
    (pc,) = a.func_refs
    assert a.insns[pc].src == op.BPF_PSEUDO_FUNC and pc + 1 + a.insns[pc].imm == starts["cb"]


def test_each_program_links_its_own_copy(objs):
    c = _prog(objs["calls"], "prog_c")
    assert [s.name for s in c.subprogs] == ["prog_c", "shared", "leaf"]
    a = _prog(objs["calls"], "prog_a")
    # shared + leaf close both layouts, with the same bodies (calls re-targeted to the same relative place)
    assert c.insns[c.subprogs[1].start:] == a.insns[a.subprogs[3].start:]
    assert c.insn_count - c.subprogs[1].start == a.insn_count - a.subprogs[3].start


def test_line_info_maps_linked_insns_to_source(objs):
    a = _prog(objs["calls"], "prog_a")
    assert a.line_info
    leaf_start = {s.name: s.start for s in a.subprogs}["leaf"]
    leaf_lines = [sl for idx, sl in a.line_info.items() if idx >= leaf_start]
    assert leaf_lines and all("leaf" in sl.text for sl in leaf_lines)
    assert all(sl.file.endswith("calls.c") and sl.line > 0 for sl in a.line_info.values())


def test_license_version_and_types(objs):
    obj = objs["calls"]
    assert obj.license == "Dual BSD/GPL" and obj.gpl_compatible
    assert obj.kern_version == 0x50A00
    assert obj.has_btf and obj.has_btf_ext
    assert _prog(obj, "prog_a").prog_type == "xdp"
    assert _prog(obj, "prog_c").prog_type == "sched_cls"


def test_btf_maps(objs):
    obj = objs["maps"]
    maps = {m.name: m for m in obj.maps}
    h = maps["hmap"]
    assert (h.type, h.key_size, h.value_size, h.max_entries, h.kind) == (1, 8, 16, 128, "btf")
    assert h.spin_lock_off == 8 and h.timer_off == -1 and h.btf_value_type_id > 0
    a = maps["amap"]
    assert (a.type, a.key_size, a.value_size, a.max_entries) == (2, 4, 24, 4)
    o = maps["outer"]
    assert o.type == 12 and o.value_size == 4 and o.inner is not None
    assert (o.inner.type, o.inner.key_size, o.inner.value_size, o.inner.max_entries) == (2, 4, 8, 8)


def test_legacy_map_and_global_data(objs):
    obj = objs["maps"]
    maps = {m.name: m for m in obj.maps}
    leg = maps["legacy"]
    assert (leg.kind, leg.type, leg.key_size, leg.value_size, leg.max_entries) == ("legacy", 2, 4, 8, 16)
    data, rodata, bss = maps[".data"], maps[".rodata"], maps[".bss"]
    assert data.kind == "data" and data.value_size == 8 and data.initial == (7).to_bytes(8, "little")
    assert rodata.readonly and rodata.initial == (42).to_bytes(4, "little")
    assert not data.readonly and bss.initial is None and bss.value_size == 48
    assert maps[".kconfig"].readonly


def test_map_references(objs):
    obj = objs["maps"]
    # a legacy `maps` section makes this an object libbpf 1.x refuses: its loaders (iproute2,
    # bpf_load) take each section as one program named after the section
    prog = _prog(obj, "socket")
    assert prog.load_errors == []
    index = {m.name: i for i, m in enumerate(obj.maps)}
    fd_refs = {obj.maps[r.map_index].name for r in prog.map_refs.values() if r.pseudo == op.BPF_PSEUDO_MAP_FD}
    assert fd_refs == {"hmap", "amap", "outer", "legacy"}
    value_refs = {(obj.maps[r.map_index].name, r.offset) for r in prog.map_refs.values()
                  if r.pseudo == op.BPF_PSEUDO_MAP_VALUE}
    assert (".kconfig", 0) in value_refs
    bss_offsets = sorted(off for name, off in value_refs if name == ".bss")
    assert len(bss_offsets) == 2 and {bss_offsets[1] - bss_offsets[0]} <= {32, 16}
    assert {name for name, _ in value_refs} >= {".data", ".rodata", ".bss"}
    for pc, ref in prog.map_refs.items():
        insn = prog.insns[pc]
        assert insn.src == ref.pseudo and insn.imm == ref.map_index and insn.next_imm == ref.offset
        assert prog.insns[pc + 1].is_ld_imm64_tail
    assert index["hmap"] != index["amap"]


def test_section_attributes_and_externs(objs):
    obj = objs["externs"]
    sleepy = _prog(obj, "sleepy")
    assert (sleepy.prog_type, sleepy.expected_attach_type, sleepy.attach_to, sleepy.sleepable) == \
        ("lsm", "lsm_mac", "file_open", True)
    assert sleepy.load_errors == []
    (pc,) = sleepy.extern_refs
    assert sleepy.extern_refs[pc] == "bpf_rcu_read_lock" and sleepy.insns[pc].is_kfunc_call
    fent = _prog(obj, "fent")
    assert (fent.prog_type, fent.expected_attach_type, fent.attach_to) == ("tracing", "trace_fentry", "do_unlinkat")
    conn = _prog(obj, "conn")
    assert (conn.prog_type, conn.expected_attach_type) == ("cgroup_sock_addr", "cgroup_inet4_connect")
    odd = _prog(obj, "odd")
    assert odd.prog_type is None
    assert "unknown section type" in odd.load_errors[0]
    assert "unsupported relocation to not_defined_anywhere" in odd.load_errors


def test_text_only_object_reports_its_functions(objs):
    (prog,) = objs["text"].programs
    assert prog.name == "func" and prog.section == ".text" and prog.prog_type is None
    assert prog.load_errors[0] == TEXT_NOT_A_PROGRAM


def test_func_info_names_every_subprogram(objs):
    obj = objs["calls"]
    a = _prog(obj, "prog_a")
    assert obj.btf is not None
    assert sorted(a.func_info) == [s.start for s in a.subprogs]
    names = {start: obj.btf.get(type_id).name for start, type_id in a.func_info.items()}
    assert names == {s.start: s.name for s in a.subprogs}


def test_big_endian_object_reads_the_same(objs):
    le, be = objs["maps"], objs["maps_eb"]
    assert [p.insns for p in le.programs] == [p.insns for p in be.programs]
    assert [(m.name, m.type, m.key_size, m.value_size, m.max_entries, m.spin_lock_off) for m in le.maps] == \
        [(m.name, m.type, m.key_size, m.value_size, m.max_entries, m.spin_lock_off) for m in be.maps]
    def lines(obj: BpfObject) -> dict[int, tuple[int, int, str]]:
        return {i: (sl.line, sl.col, sl.text) for i, sl in obj.programs[0].line_info.items()}

    assert lines(be) == lines(le) and be.license == le.license


KCONFIG = PRELUDE + r"""
extern u32 LINUX_KERNEL_VERSION __attribute__((section(".kconfig")));
extern char CONFIG_DEFAULT_HOSTNAME[16] __attribute__((section(".kconfig")));
extern _Bool CONFIG_BPF_SYSCALL __attribute__((section(".kconfig")));
extern u64 CONFIG_HZ __attribute__((section(".kconfig")));
SEC("xdp") int kc(struct xdp_md *ctx) {
    return LINUX_KERNEL_VERSION + CONFIG_DEFAULT_HOSTNAME[3] + CONFIG_BPF_SYSCALL + CONFIG_HZ;
}
"""


def test_kconfig_externs_are_laid_out_like_libbpf(tmp_path):
    obj = load_object(_compile(tmp_path, "kconfig", KCONFIG))
    (prog,) = obj.programs
    kconfig = next(i for i, m in enumerate(obj.maps) if m.name == ".kconfig")
    offsets = sorted(r.offset for r in prog.map_refs.values() if r.map_index == kconfig)
    # align 8: CONFIG_HZ@0; align 4: LINUX_KERNEL_VERSION@8; align 1 by size: CONFIG_BPF_SYSCALL@12,
    # CONFIG_DEFAULT_HOSTNAME@13
    assert offsets == [0, 8, 12, 13]
    assert obj.maps[kconfig].value_size == 29 and prog.load_errors == []
