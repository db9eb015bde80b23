"""libbpf resolves every `__ksym` extern of an object against the target kernel's BTF before it
loads any program (verifier/btf/ksyms.py): a non-weak kfunc or variable the kernel lacks, or a
kfunc declared with a prototype bpf_core_types_are_compat() refuses, fails every program of the
object. bpfcheck analysed them as if loaded: false accepts.

Recorded on 6.18.44-fc-v1045 (the host, Debian's libbpf 1.x), one object each (type ids of a
recording object of the same declarations):

    missing_kfunc: missing, fine  load_error  extern (func ksym) 'bpf_no_such_kfunc': not found in kernel or module BTFs
    missing_var: weak_missing, var_missing
                                  load_error  extern (var ksym) 'bpf_no_such_var': not found in kernel BTF
    fwd_proto: fwd_proto, fine    load_error  extern (func ksym) 'bpf_key_put': func_proto [10] incompatible with kernel [64296]
"""

from __future__ import annotations

import os
import re

import pytest

from tests.bpf_c import compile_c
from tests.btf_builder import BtfBuilder
from verifier.abstract import AnalysisOptions
from verifier.btf.kernel import HOST_BTF, load_kernel_btf
from verifier.btf.ksyms import ksym_problems
from verifier.pipeline import Stages, check_at_target
from verifier.rules import for_kernel

HEAD = r"""
#define SEC(n) __attribute__((section(n), used))
#define __ksym __attribute__((section(".ksyms")))
#define __weak __attribute__((weak))
struct task_struct { int pid; };
extern struct task_struct *bpf_task_from_pid(int pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
char LICENSE[] SEC("license") = "GPL";
SEC("tp_btf/sys_enter") int fine(void *ctx)
{ struct task_struct *t = bpf_task_from_pid(1); if (!t) return 0; int p = t->pid; bpf_task_release(t); return p; }
"""

SOURCES = {
    "missing_kfunc": HEAD
    + r"""
extern int bpf_no_such_kfunc(int x) __ksym;
SEC("tp_btf/sys_enter") int missing(void *ctx) { return bpf_no_such_kfunc(1); }
""",
    "missing_var": HEAD
    + r"""
extern int bpf_no_such_kfunc(int x) __ksym __weak;
extern int bpf_no_such_var __ksym;
SEC("tp_btf/sys_enter") int weak_missing(void *ctx) { if (bpf_no_such_kfunc) return bpf_no_such_kfunc(1); return 0; }
SEC("tp_btf/sys_enter") int var_missing(void *ctx) { return bpf_no_such_var; }
""",
    "fwd_proto": HEAD
    + r"""
struct bpf_key;
extern struct bpf_key *bpf_lookup_user_key(int serial, unsigned long long flags) __ksym;
extern void bpf_key_put(struct bpf_key *key) __ksym;
SEC("iter.s/task") int fwd_proto(void *ctx)
{ struct bpf_key *k = bpf_lookup_user_key(1, 0); if (k) bpf_key_put(k); return 0; }
""",
    "weak_only": HEAD
    + r"""
extern int bpf_no_such_kfunc(int x) __ksym __weak;
SEC("tp_btf/sys_enter") int weak_missing(void *ctx) { if (bpf_no_such_kfunc) return bpf_no_such_kfunc(1); return 0; }
""",
}

NOT_FOUND = "extern (func ksym) 'bpf_no_such_kfunc': not found in kernel or module BTFs"
VAR_NOT_FOUND = "extern (var ksym) 'bpf_no_such_var': not found in kernel BTF"
HOST = {  # 6.18.44-fc-v1045: (object, program) -> libbpf's message
    ("missing_kfunc", "missing"): NOT_FOUND,
    ("missing_kfunc", "fine"): NOT_FOUND,
    ("missing_var", "weak_missing"): VAR_NOT_FOUND,
    ("missing_var", "var_missing"): VAR_NOT_FOUND,
    (
        "fwd_proto",
        "fwd_proto",
    ): "extern (func ksym) 'bpf_key_put': func_proto [10] incompatible with kernel [64296]",
    (
        "fwd_proto",
        "fine",
    ): "extern (func ksym) 'bpf_key_put': func_proto [10] incompatible with kernel [64296]",
    ("weak_only", "weak_missing"): "",
}


@pytest.fixture(scope="module")
def objs(tmp_path_factory):
    return {name: compile_c(src, tmp_path_factory.mktemp(name)) for name, src in SOURCES.items()}


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    """A target kernel with the task kfuncs and bpf_lookup_user_key/bpf_key_put (a defined struct)."""
    b = BtfBuilder()
    i32 = b.int_("int", 4, signed=True)
    u64 = b.int_("unsigned long long", 8)
    task = b.struct("task_struct", 4, [("pid", i32, 0)])
    key = b.struct("bpf_key", 4, [("x", i32, 0)])
    b.func("bpf_task_from_pid", b.func_proto(b.ptr(task), [("pid", i32)]))
    b.func("bpf_task_release", b.func_proto(0, [("p", b.ptr(task))]))
    b.func("bpf_lookup_user_key", b.func_proto(b.ptr(key), [("serial", i32), ("flags", u64)]))
    b.func("bpf_key_put", b.func_proto(0, [("key", b.ptr(key))]))
    path = tmp_path_factory.mktemp("target") / "vmlinux.btf"
    path.write_bytes(b.build())
    return str(path)


LIBBPF = " (libbpf: failed to resolve externs)"


def _ids(message: str) -> str:
    return re.sub(r"\[\d+\]", "[N]", message)


def _verdict(obj, program: str, btf: str) -> tuple[str, str]:
    prog = next(p for p in obj.programs if p.name == program)
    options = AnalysisOptions(timeout=10, kernel_btf=(("6.18", btf),))
    v = check_at_target(obj, prog, "6.18", for_kernel("6.18"), options, Stages.real())
    message = v.findings[0].kernel_message if v.findings else ""
    return v.verdict, message


def test_a_missing_extern_fails_the_object_when_the_modules_are_known(objs, target) -> None:
    kb = load_kernel_btf(target)
    assert ksym_problems(objs["missing_kfunc"], kb, frozenset()) == ([NOT_FOUND], [])
    assert ksym_problems(objs["missing_var"], kb, frozenset()) == ([VAR_NOT_FOUND], [])
    assert ksym_problems(objs["weak_only"], kb, frozenset()) == ([], [])
    # a loaded module names it: found
    assert ksym_problems(objs["missing_kfunc"], kb, frozenset({"bpf_no_such_kfunc"})) == ([], [])


def test_without_the_modules_a_missing_extern_is_only_noted(objs, target) -> None:
    kb = load_kernel_btf(target)
    errors, notes = ksym_problems(objs["missing_kfunc"], kb, None)
    assert errors == [] and "bpf_no_such_kfunc" in notes[0]
    assert _verdict(objs["missing_kfunc"], "fine", target) == ("accept", "")


def test_an_incompatible_kfunc_prototype_fails_every_program(objs, target) -> None:
    for program in ("fwd_proto", "fine"):
        verdict, message = _verdict(objs["fwd_proto"], program, target)
        assert verdict == "error"
        assert (
            _ids(message)
            == "extern (func ksym) 'bpf_key_put': func_proto [N] incompatible with kernel [N]" + LIBBPF
        )


@pytest.mark.skipif(not os.access(HOST_BTF, os.R_OK), reason="no readable /sys/kernel/btf/vmlinux")
@pytest.mark.parametrize("case", sorted(HOST))
def test_against_the_running_kernel_s_btf(objs, case) -> None:
    verdict, message = _verdict(objs[case[0]], case[1], HOST_BTF)
    if HOST[case]:  # (type ids: the recording's object declared its types in another order)
        assert verdict == "error" and _ids(message) == _ids(HOST[case]) + LIBBPF
    else:
        assert verdict == "accept"
