"""A target kernel's BTF, indexed for the questions the loader and the verifier ask of it.

`KernelBtf.load(path)` reads any format `verifier.btf.source` knows; `host_btf()` is the
running kernel's (`/sys/kernel/btf/vmlinux`), or None when it cannot be read. Loaded BTF is
cached per process (a vmlinux BTF is about 5 MB and takes half a second to parse).

Names and rules from the kernel (kernel/bpf/btf.c, kernel/bpf/verifier.c, v6.18):
- a `tp_btf/NAME` program attaches to the typedef `btf_trace_NAME`, a pointer to a FUNC_PROTO
  whose first parameter (`void *__data`) the program does not see (bpf_check_attach_target,
  btf_ctx_access "skip first 'void *__data' argument");
- `fentry/NAME`, `fexit/NAME`, `fmod_ret/NAME` attach to the FUNC `NAME`, `lsm/NAME` to
  `bpf_lsm_NAME`, `iter/NAME` to `bpf_iter_NAME` (BTF_PREFIX / BPF_ITER_FUNC_PREFIX);
- kfuncs are FUNCs tagged with the decl tag `bpf_kfunc` (pahole's decl_tag_kfuncs, 6.10+ BTF).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field

from verifier.btf.source import BtfSourceError, read_btf_bytes
from verifier.elf import btf as B
from verifier.gcpause import no_cyclic_gc

HOST_BTF = "/sys/kernel/btf/vmlinux"
KFUNC_TAG = "bpf_kfunc"

# attach type (verifier/elf/sections.py names) -> the prefix of the kernel's BTF name of the target
TRACE_PREFIX = {
    "trace_raw_tp": "btf_trace_",
    "trace_fentry": "",
    "trace_fexit": "",
    "modify_return": "",
    "trace_iter": "bpf_iter_",
    "lsm_mac": "bpf_lsm_",
    "lsm_cgroup": "bpf_lsm_",
}


@dataclass(slots=True)
class KernelBtf:
    btf: B.Btf
    source: str  # where it was read from (for reports)
    _by_name: dict[str, list[int]] = field(default_factory=dict)
    _kfuncs: set[int] | None = None
    _by_essential: dict[str, list[int]] = field(default_factory=dict)

    @staticmethod
    def from_bytes(data: bytes, source: str) -> KernelBtf:
        try:
            return KernelBtf(B.parse_btf(data), source)
        except B.BtfError as exc:
            raise BtfSourceError(f"{source}: malformed BTF ({exc})") from exc

    def _index(self) -> dict[str, list[int]]:
        if not self._by_name:
            index: dict[str, list[int]] = {}
            for type_id, t in enumerate(self.btf.types):
                if t is not None and t.name:
                    index.setdefault(t.name, []).append(type_id)
            self._by_name = index
        return self._by_name

    def ids_named(self, name: str) -> list[int]:
        return self._index().get(name, [])

    def ids_with_essential_name(self, name: str) -> list[int]:
        """Types whose name, without a `___flavor` suffix, is `name` (CO-RE candidates)."""
        if not self._by_essential:
            from verifier.btf.core import essential_name

            index: dict[str, list[int]] = {}
            for full, ids in self._index().items():
                index.setdefault(essential_name(full), []).extend(ids)
            for ids in index.values():
                ids.sort()
            self._by_essential = index
        return self._by_essential.get(name, [])

    def find(self, name: str, kind: int) -> int | None:
        """btf_find_by_name_kind(): the first type of that kind and name."""
        for type_id in self.ids_named(name):
            t = self.btf.types[type_id]
            if t is not None and t.kind == kind:
                return type_id
        return None

    def get(self, type_id: int) -> B.BtfType | None:
        return self.btf.get(type_id)

    def func_proto(self, func_name: str) -> B.BtfType | None:
        func_id = self.find(func_name, B.KIND_FUNC)
        if func_id is None:
            return None
        proto = self.btf.get(self.btf.types[func_id].size_or_type)  # type: ignore[union-attr]
        return proto if proto is not None and proto.kind == B.KIND_FUNC_PROTO else None

    def attach_proto(self, attach_type: str | None, target: str | None) -> tuple[B.BtfType, bool] | None:
        """The FUNC_PROTO a tracing program attaches to, and whether its first parameter is hidden
        (tp_btf); None when the target does not exist in this kernel."""
        if attach_type not in TRACE_PREFIX or not target:
            return None
        name = TRACE_PREFIX[attach_type] + target
        if attach_type == "trace_raw_tp":
            typedef = self.find(name, B.KIND_TYPEDEF)
            if typedef is None:
                return None
            ptr = self.btf.get(self.btf.types[typedef].size_or_type)  # type: ignore[union-attr]
            proto = self.btf.get(ptr.size_or_type) if ptr is not None and ptr.kind == B.KIND_PTR else None
            if proto is None or proto.kind != B.KIND_FUNC_PROTO:
                return None
            return proto, True
        proto = self.func_proto(name)
        return (proto, False) if proto is not None else None

    @property
    def kfunc_ids(self) -> set[int]:
        """FUNC type ids tagged `bpf_kfunc` (empty when this BTF predates the tags)."""
        if self._kfuncs is None:
            self._kfuncs = {
                t.size_or_type
                for t in self.btf.types
                if t is not None
                and t.kind == B.KIND_DECL_TAG
                and t.name == KFUNC_TAG
                and t.component_idx == -1
            }
        return self._kfuncs

    def is_kfunc(self, name: str) -> bool | None:
        """True/False when the BTF tags kfuncs; None when it cannot tell (no tags at all)."""
        if not self.kfunc_ids:
            return None
        func_id = self.find(name, B.KIND_FUNC)
        return func_id is not None and func_id in self.kfunc_ids


@functools.lru_cache(maxsize=4)
def load_kernel_btf(path: str) -> KernelBtf:
    """The BTF in `path` (cached per process); `BtfSourceError` when there is none."""
    with no_cyclic_gc():  # a kernel's BTF is a million objects that all stay (gcpause.py)
        return KernelBtf.from_bytes(read_btf_bytes(path), path)


def host_btf_path() -> str | None:
    """The running kernel's BTF file, when readable."""
    return HOST_BTF if os.access(HOST_BTF, os.R_OK) else None
