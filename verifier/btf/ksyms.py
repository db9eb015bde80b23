"""libbpf's resolution of an object's `__ksym` externs against the target kernel, before any
program is loaded (bpf_object__resolve_ksyms_btf_id() in libbpf.c, libbpf 1.x).

Every typed extern of the object's `.ksyms` DATASEC is looked up in vmlinux's BTF, then in the
modules' BTF (find_ksym_btf_id()). One that is not found fails the load of the whole object, every
program of it, unless its ELF symbol is weak (then it is left as 0):

    extern (func ksym) 'NAME': not found in kernel or module BTFs
    extern (var ksym) 'NAME': not found in kernel BTF

A kfunc found is checked against the object's prototype with bpf_core_types_are_compat(); an
incompatible non-weak one fails the load too (libbpf 1.x as Debian ships it words the target
`kernel`; newer libbpf names `vmlinux` or the module). libbpf stops at the first failure, the
externs sorted by name (cmp_externs()):

    extern (func ksym) 'NAME': func_proto [LOCAL] incompatible with kernel [TARGET]

Modules: with the running kernel's BTF (`--kernel host`) the names of the loaded modules' BTF
(/sys/kernel/btf/<module>) count as found. A BTF file given with `--btf` has no modules: a name
it lacks is then only noted as an assumption (a module may provide it), never refused.
"""

from __future__ import annotations

import functools
import os
import struct
from typing import Any

from verifier.btf.core import types_are_compat
from verifier.btf.kernel import KernelBtf
from verifier.elf import btf as B

MODULES_DIR = "/sys/kernel/btf"


def essential_name(name: str) -> str:
    """The name without a `___flavor` suffix (libbpf's ext->essent_name)."""
    cut = name.find("___")
    return name[:cut] if cut > 0 else name


@functools.cache
def host_module_names() -> frozenset[str]:
    """Every string of the loaded modules' split BTF (/sys/kernel/btf/* but vmlinux): a module's
    kfuncs and variables are named there."""
    names: set[str] = set()
    try:
        entries = os.listdir(MODULES_DIR)
    except OSError:
        return frozenset()
    for entry in entries:
        if entry == "vmlinux":
            continue
        try:
            with open(os.path.join(MODULES_DIR, entry), "rb") as f:
                data = f.read()
        except OSError:
            continue
        names.update(_btf_strings(data))
    return frozenset(names)


def _btf_strings(data: bytes) -> list[str]:
    """The string section of a raw BTF blob (struct btf_header: magic, version, flags, hdr_len,
    type_off, type_len, str_off, str_len)."""
    if len(data) < 24:
        return []
    for endian in ("<", ">"):
        magic, _, _, hdr_len = struct.unpack_from(endian + "HBBI", data, 0)
        if magic == 0xEB9F:
            _, _, str_off, str_len = struct.unpack_from(endian + "IIII", data, 8)
            start = hdr_len + str_off
            return [s.decode("utf-8", "replace") for s in data[start : start + str_len].split(b"\0") if s]
    return []


def _extern_order(t: B.BtfType | None) -> bytes:
    return t.name.encode() if t is not None else b""


def ksym_problems(obj: Any, target: KernelBtf, modules: frozenset[str] | None) -> tuple[list[str], list[str]]:
    """(libbpf's errors, notes) for the object's `__ksym` externs against `target`; `modules`: the
    names in the target's module BTFs (None: not known, a name `target` lacks is only noted)."""
    btf = getattr(obj, "btf", None)
    datasec = btf.find_datasec(".ksyms") if btf is not None else None
    if datasec is None:
        return [], []
    weak = getattr(obj, "weak_externs", frozenset())
    errors: list[str] = []
    notes: list[str] = []
    for t in sorted((btf.get(info.type_id) for info in datasec.secinfo), key=_extern_order):
        if t is None or not t.name or errors:
            continue  # libbpf stops at the first extern it cannot resolve (sorted by name: cmp_externs())
        if t.kind == B.KIND_FUNC:
            kind, what = B.KIND_FUNC, "func ksym"
        elif t.kind == B.KIND_VAR and t.size_or_type:
            kind, what = B.KIND_VAR, "var ksym"  # (a typeless ksym is resolved through kallsyms)
        else:
            continue
        name = essential_name(t.name) if kind == B.KIND_FUNC else t.name
        target_id = target.find(name, kind)
        if target_id is None:
            if t.name in weak:
                continue
            if modules is not None and name in modules:
                continue  # a loaded module has it (not checked further)
            if modules is None:
                notes.append(
                    f"extern {t.name} ({what}) is not in the target's vmlinux BTF: libbpf refuses the object "
                    "unless a module provides it"
                )
                continue
            where = "kernel or module BTFs" if kind == B.KIND_FUNC else "kernel BTF"
            errors.append(f"extern ({what}) '{t.name}': not found in {where}")
            continue
        if kind == B.KIND_FUNC and t.name not in weak:
            local_proto = t.size_or_type
            target_func = target.btf.get(target_id)
            target_proto = target_func.size_or_type if target_func is not None else 0
            if not types_are_compat(btf, local_proto, target.btf, target_proto):
                errors.append(
                    f"extern (func ksym) '{t.name}': func_proto [{local_proto}] incompatible with kernel "
                    f"[{target_proto}]"
                )
    return errors, notes
