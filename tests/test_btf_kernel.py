"""Reading a kernel's BTF from its containers, and BTF-typed tracing arguments and field loads."""

from __future__ import annotations

import gzip
import io
import lzma
import tarfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.btf_builder import BtfBuilder
from verifier.abstract import AnalysisOptions, btf_ptr
from verifier.abstract.regs import PTR_TO_BTF_ID, SCALAR
from verifier.abstract.reject import Reject
from verifier.btf.kernel import KernelBtf, load_kernel_btf
from verifier.btf.source import BtfSourceError, elf_section, read_btf_bytes

DEV_ID = 8
CORPUS_OBJ = Path(__file__).resolve().parent.parent / "corpus" / "build" / "alu" / "bounds.o"


def kernel_blob() -> bytes:
    """struct dev { int ifindex; char *name; struct dev *next; int stats[4]; char data[]; };
    typedef void (*btf_trace_xmit)(void *, struct dev *, int, long *);  int bpf_kfunc_x(void) (kfunc)."""
    b = BtfBuilder()
    i32 = b.int_("int", 4, signed=True)
    i64 = b.int_("long", 8, signed=True)
    char = b.int_("char", 1, signed=True)
    arr = b.array(i32, i32, 4)
    flex = b.array(char, i32, 0)
    pchar = b.ptr(char)
    pdev = b.ptr(DEV_ID)  # BTF may refer forward
    dev_id = b.struct(
        "dev",
        40,
        [
            ("ifindex", i32, 0),
            ("name", pchar, 64),
            ("next", pdev, 128),
            ("stats", arr, 192),
            ("data", flex, 320),
        ],
    )
    assert dev_id == DEV_ID
    proto = b.func_proto(i32, [("__data", b.ptr(0)), ("d", pdev), ("err", i32), ("cnt", b.ptr(i64))])
    b.typedef("btf_trace_xmit", b.ptr(proto))
    kproto = b.func_proto(i32, [])
    kf = b.func("bpf_kfunc_x", kproto)
    b.decl_tag("bpf_kfunc", kf)
    b.func("not_a_kfunc", kproto)
    return b.build()


@pytest.fixture
def btf_file(tmp_path: Path) -> str:
    path = tmp_path / "vmlinux.btf"
    path.write_bytes(kernel_blob())
    return str(path)


def test_raw_btf_is_read_as_is(btf_file: str) -> None:
    assert read_btf_bytes(btf_file) == kernel_blob()


def test_btf_inside_compressed_tar(tmp_path: Path) -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        info = tarfile.TarInfo("5.10.0-8-amd64.btf")
        info.size = len(kernel_blob())
        tar.addfile(info, io.BytesIO(kernel_blob()))
    archive = tmp_path / "5.10.0-8-amd64.btf.tar.xz"
    archive.write_bytes(lzma.compress(raw.getvalue()))
    assert read_btf_bytes(str(archive)) == kernel_blob()


def test_btf_inside_a_kernel_image(tmp_path: Path) -> None:
    """A bzImage: some boot code, then the gzip-compressed vmlinux ELF (here a BPF object's .BTF)."""
    elf = CORPUS_OBJ.read_bytes()
    image = tmp_path / "vmlinuz"
    image.write_bytes(b"\x00MZboot" * 100 + gzip.compress(elf))
    assert read_btf_bytes(str(image)) == elf_section(elf, ".BTF")


def test_not_btf_is_one_line_input_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk"
    junk.write_bytes(b"hello world, no BTF here\n" * 10)
    with pytest.raises(BtfSourceError, match="no kernel BTF found"):
        read_btf_bytes(str(junk))
    with pytest.raises(BtfSourceError, match="cannot read"):
        read_btf_bytes(str(tmp_path / "missing"))


def test_attach_protos_and_kfunc_tags(btf_file: str) -> None:
    kb = load_kernel_btf(btf_file)
    proto, hidden = kb.attach_proto("trace_raw_tp", "xmit")
    assert hidden and [name for name, _ in proto.params] == ["__data", "d", "err", "cnt"]
    assert kb.attach_proto("trace_raw_tp", "nope") is None
    assert kb.is_kfunc("bpf_kfunc_x") is True
    assert kb.is_kfunc("not_a_kfunc") is False
    assert KernelBtf.from_bytes(BtfBuilder().build(), "t").is_kfunc("x") is None


def fake_verifier(btf_file: str, attach: str = "trace_raw_tp", target: str = "xmit"):
    ids = iter(range(1, 100))
    return SimpleNamespace(
        options=AnalysisOptions(kernel_btf=(("6.18", btf_file),)),
        rules=SimpleNamespace(name="6.18"),
        attach_type=attach,
        prog=SimpleNamespace(attach_to=target),
        new_id=lambda: next(ids),
    )


def test_tracing_arguments_are_typed(btf_file: str) -> None:
    v = fake_verifier(btf_file)
    dev = btf_ptr.ctx_arg(v, 0, 8)
    assert dev.type == PTR_TO_BTF_ID and btf_ptr.type_name(v, dev) == "dev"
    assert btf_ptr.ctx_arg(v, 8, 8).type == SCALAR  # int err
    assert btf_ptr.ctx_arg(v, 8, 4).type == SCALAR  # a scalar may be read narrower
    assert btf_ptr.ctx_arg(v, 16, 8).type == SCALAR  # long *: not a struct pointer


@pytest.mark.parametrize(
    ("off", "size", "detail"),
    [
        (4, 4, "func 'xmit' offset 4 is not multiple of 8"),
        (32, 8, "func 'xmit' doesn't have 5-th argument"),
        (24, 8, "func 'xmit' doesn't have 4-th argument"),  # tp_btf has no return value slot
        (0, 4, "func 'xmit' size 4 must be 8"),
    ],
)
def test_bad_tracing_argument_reads(btf_file: str, off: int, size: int, detail: str) -> None:
    with pytest.raises(Reject) as exc:
        btf_ptr.ctx_arg(fake_verifier(btf_file), off, size)
    assert exc.value.message == f"invalid bpf_context access off={off} size={size}"
    assert exc.value.detail == detail


def test_fexit_reads_the_return_value(btf_file: str) -> None:
    b = BtfBuilder()
    i32 = b.int_("int", 4, signed=True)
    b.func("f", b.func_proto(i32, [("a", i32)]))
    kb = KernelBtf.from_bytes(b.build(), "t")
    v = SimpleNamespace(_kernel_btf=kb, attach_type="trace_fexit", prog=SimpleNamespace(attach_to="f"))
    assert btf_ptr.ctx_arg(v, 8, 8).type == SCALAR
    v.attach_type = "trace_fentry"
    with pytest.raises(Reject):
        btf_ptr.ctx_arg(v, 8, 8)


def test_struct_walk(btf_file: str) -> None:
    btf = load_kernel_btf(btf_file).btf
    dev = DEV_ID
    assert btf_ptr.struct_walk(btf, dev, 0, 4) == ("scalar", 0, "")
    assert btf_ptr.struct_walk(btf, dev, 16, 8)[0] == "ptr"  # next: struct dev * (through the FWD)
    assert btf_ptr.struct_walk(btf, dev, 8, 8) == ("scalar", 0, "")  # char *: not a struct pointer
    assert btf_ptr.struct_walk(btf, dev, 28, 8) == ("scalar", 0, "")  # inside int stats[4]
    assert btf_ptr.struct_walk(btf, dev, 100, 1) == ("scalar", 0, "")  # flexible char array
    with pytest.raises(
        Reject, match="cannot access ptr member next with moff 16 in struct dev with off 20 size 4"
    ):
        btf_ptr.struct_walk(btf, dev, 20, 4)
    with pytest.raises(Reject, match="struct dev doesn't have field at offset 4"):
        btf_ptr.struct_walk(btf, dev, 4, 4)
    with pytest.raises(
        Reject, match=r"access beyond the end of member ifindex \(mend:4\) in struct dev with off 0"
    ):
        btf_ptr.struct_walk(btf, dev, 0, 8)
    with pytest.raises(Reject, match="access beyond struct dev at off 36 size 8"):
        btf_ptr.struct_walk(btf, dev, 36, 8)


def test_pointer_arguments_by_version(btf_file: str) -> None:
    """`long *cnt`: a scalar from 5.13 (is_int_ptr), refused on 5.10 (only char * was); a 4-byte read
    of a pointer argument is refused from 6.8 only."""
    from verifier.rules import for_kernel

    v = fake_verifier(btf_file)
    v._kernel_btf = load_kernel_btf(btf_file)
    v.rules = for_kernel("5.10")
    with pytest.raises(Reject) as exc:
        btf_ptr.ctx_arg(v, 16, 8)
    assert exc.value.detail == "func 'xmit' arg2 type INT is not a struct"
    assert btf_ptr.ctx_arg(v, 0, 4).type == PTR_TO_BTF_ID
    v.rules = for_kernel("6.1")
    assert btf_ptr.ctx_arg(v, 16, 8).type == SCALAR


def test_weak_ksym_missing_from_the_target_loads_as_zero() -> None:
    """bpf_ksym_exists(kfunc): libbpf loads the address of a weak ksym the kernel lacks as 0."""
    from verifier.btf.prepare import _resolve_ksyms
    from verifier.elf.model import Program
    from verifier.isa import opcodes as op
    from verifier.isa.insn import Insn

    b = BtfBuilder()
    b.func("present", b.func_proto(0, []))
    kb = KernelBtf.from_bytes(b.build(), "t")

    def ld(dst: int) -> list[Insn]:
        return [
            Insn(op.LD_IMM64, dst, op.BPF_PSEUDO_BTF_ID, 0, 0),
            Insn(0, 0, 0, 0, 0, is_ld_imm64_tail=True),
        ]

    prog = Program("p", "tp_btf/x", "tracing", [*ld(1), *ld(2)], extern_refs={0: "absent", 2: "present"})
    done = _resolve_ksyms(prog, kb)
    assert done.insns[0].src == 0 and done.insns[0].imm64 == 0
    assert done.insns[2].src == op.BPF_PSEUDO_BTF_ID


def test_kfunc_calls_follow_the_targets_btf(btf_file: str) -> None:
    v = fake_verifier(btf_file)
    v.prog.extern_refs = {3: "bpf_kfunc_x", 5: "not_a_kfunc", 7: "missing"}
    assert btf_ptr.kfunc_result(v, 3).type == SCALAR  # returns int
    with pytest.raises(Reject, match="calling kernel function not_a_kfunc is not allowed"):
        btf_ptr.kfunc_result(v, 5)
    assert btf_ptr.kfunc_result(v, 7) is None


def test_raw_tp_null_args_table() -> None:
    """kfree_skb's fourth argument may be NULL (raw_tp_null_args, 6.13+, 6.12.6+); cachefiles_lookup's
    third (0x2: an ERR_PTR) reads as a scalar."""
    from verifier.rules import for_kernel

    b = BtfBuilder()
    s = b.struct("s", 4, [])
    ps = b.ptr(s)
    void_p = b.ptr(0)
    for tp in ("kfree_skb", "cachefiles_lookup"):
        proto = b.func_proto(0, [("__data", void_p), ("a", ps), ("b", ps), ("c", ps), ("d", ps)])
        b.typedef(f"btf_trace_{tp}", b.ptr(proto))
    kb = KernelBtf.from_bytes(b.build(), "t")
    ids = iter(range(1, 100))
    v = SimpleNamespace(
        _kernel_btf=kb, attach_type="trace_raw_tp", rules=for_kernel("6.18"), new_id=lambda: next(ids)
    )
    v.prog = SimpleNamespace(attach_to="kfree_skb")
    assert btf_ptr.ctx_arg(v, 24, 8).maybe_null and not btf_ptr.ctx_arg(v, 16, 8).maybe_null
    v.prog = SimpleNamespace(attach_to="cachefiles_lookup")
    assert btf_ptr.ctx_arg(v, 16, 8).type == SCALAR and btf_ptr.ctx_arg(v, 0, 8).maybe_null
    # btf.c: no table up to 6.11.11; the 6.12 stable series took it at 6.12.6 (Debian 6.12.117 has it)
    v.rules = for_kernel("6.12")
    assert btf_ptr.ctx_arg(v, 0, 8).maybe_null
    for older in ("6.12.5", "6.11"):
        v.rules = for_kernel(older)
        assert not btf_ptr.ctx_arg(v, 0, 8).maybe_null


def test_iterator_arguments_may_be_null() -> None:
    from verifier.abstract.regs import PTR_TO_BUF

    b = BtfBuilder()
    meta = b.struct("bpf_iter_meta", 8, [])
    task = b.struct("task_struct", 8, [])
    proto = b.func_proto(0, [("meta", b.ptr(meta)), ("task", b.ptr(task)), ("value", b.ptr(0))])
    b.func("bpf_iter_task", proto)
    ids = iter(range(1, 100))
    v = SimpleNamespace(
        _kernel_btf=KernelBtf.from_bytes(b.build(), "t"),
        attach_type="trace_iter",
        prog=SimpleNamespace(attach_to="task"),
        new_id=lambda: next(ids),
    )
    assert not btf_ptr.ctx_arg(v, 0, 8).maybe_null
    assert btf_ptr.ctx_arg(v, 8, 8).maybe_null and btf_ptr.ctx_arg(v, 8, 8).type == PTR_TO_BTF_ID
    assert btf_ptr.ctx_arg(v, 16, 8).type == PTR_TO_BUF
