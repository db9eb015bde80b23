"""Version facts of the kernel's pre-analysis passes that `verifier.rules` does not list.

The rules API answers the instruction-set features ("jmp32", "cpu_v4", ...). The rows here
are about *how* the passes before `do_check()` behave (their order, their messages), which
only this package needs. Each row: the first kernel that behaves so, the stable point releases that
got it earlier (`backports`: (series, first patch level)), and its source. Checked 2026-12-03 against
the kernel trees listed in verifier/rules/data/NOTES.md (issue 14).

`KernelView` wraps a rules object with these facts and the privilege of the loader.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

Version = tuple[int, int]


@dataclass(frozen=True, slots=True)
class PassFact:
    name: str
    since: Version
    meaning: str
    source: str
    backports: tuple[tuple[Version, int], ...] = ()


_ROWS: tuple[PassFact, ...] = (
    PassFact("opcode_table", (4, 16),
             "the ld_imm64 pass rejects opcodes missing from bpf_opcode_in_insntable(): 'unknown opcode %02x'",
             "commit 5e581dad4fec 'bpf: make unknown opcode handling more robust'; source: "
             "bpf_opcode_in_insntable() absent from kernel/bpf/core.c of 4.15.0, present in 4.16.13"),
    PassFact("ldimm64_after_subprogs", (5, 10),
             "resolve_pseudo_ldimm64() runs after check_subprogs() (was replace_map_fd_with_map_ptr() first)",
             "Hao Luo's ksym series, commit 4976b718c355 'bpf: Introduce pseudo_btf_id' (v5.10); the "
             "test_verifier fallout thread ('empty prog' now 'last insn is not an exit or jmp'); source: bpf_check() "
             "of 5.9.1 calls replace_map_fd_with_map_ptr() before check_subprogs(), 5.10.262 resolve_pseudo_ldimm64() "
             "after it"),
    PassFact("stx_fields_in_ldimm64_pass_removed", (5, 12),
             "'BPF_STX uses reserved fields' (mode MEM/XADD, imm 0) no longer checked in the ld_imm64 pass",
             "atomics series: BPF_ATOMIC operations are encoded in imm; source: the check is in "
             "replace_map_fd_with_map_ptr() of 5.11.0, not in resolve_pseudo_ldimm64() of 5.12.9"),
    PassFact("subprog_and_kfunc_pass", (5, 14),
             "add_subprog_and_kfunc(): pseudo calls, kfunc calls and BPF_PSEUDO_FUNC ld_imm64 start subprogs",
             "commit e6ac2450d6de 'bpf: Support bpf program calling kernel function'; source: add_subprog_and_kfunc() "
             "absent from 5.12.9, present in 5.14-rc5 (no 5.13 tree: 5.14 as the kfuncs row, was 5.13)"),
    PassFact("map_idx", (5, 14), "ld_imm64 BPF_PSEUDO_MAP_IDX / BPF_PSEUDO_MAP_IDX_VALUE (fd_array)",
             "commit 387544bfa291 'bpf: Introduce fd_idx'; source: BPF_PSEUDO_MAP_IDX absent from 5.12.9, present in "
             "5.14-rc5: bounded, taken at 5.14, the stricter side"),
    PassFact("cond_jmp_dst_first", (6, 6),
             "check_cond_jmp_op() reads dst_reg before checking reserved fields ('R%d is invalid' first)",
             "patch 'bpf: Fix issue in verifying allow_ptr_leaks' (Yafang Shao, lore "
             "20230823020703.3790-2-laoar.shao@gmail.com); source: check_cond_jmp_op() of 6.5.0 checks the fields "
             "first, 6.6.0 reads dst_reg first; backport ChangeLog-6.1.53 (Debian linux-image-6.1.0-57 changelog; "
             "6.1.192 reads dst_reg first, 5.10.262 does not)",
             (((6, 1), 53),)),
    PassFact("cfg_ldimm64_stride", (6, 7),
             "check_cfg() steps over ld_imm64 tails: 'jump into the middle of ldimm64 insn %d'",
             "commit 3feb263bb516 'bpf: handle ldimm64 properly in check_cfg()'; source: the message absent from "
             "6.6.0, present in 6.7.3; backport ChangeLog-6.1.72 (Debian linux-image-6.1.0-57 changelog; in 6.1.192)",
             (((6, 1), 72),)),
    PassFact("cfg_loops_any_edge", (6, 7),
             "privileged back-edges allowed on every edge kind (before: only jump edges, not fall-through/calls)",
             "commit 10e14e9652bf 'bpf: fix control-flow graph checking in privileged mode'; source: push_insn() "
             "of 6.6.0 still takes loop_ok, 6.7.3 not (6.1.192 still does)"),
    PassFact("may_goto_zero", (6, 14),
             "'may_goto 0' (off 0) accepted; the message became 'invalid may_goto imm %d' "
             "(before: 'invalid may_goto off %d imm %d', off 0 refused)",
             "patch 'bpf: Allow 'may_goto 0' instruction in verifier' (Yonghong Song); source: 6.13.2 prints "
             "'invalid may_goto off %d imm %d', 6.14.0 'invalid may_goto imm %d'; original check in commit "
             "011832b97b31 (v6.9)"),
    PassFact("atomic_acquire_release", (6, 18),
             "BPF_STX|BPF_ATOMIC B/H opcodes (load-acquire, store-release) in the opcode table",
             "kernel/bpf/core.c BPF_INSN_MAP 'INSN_3(STX, ATOMIC, B)'; source: absent from 6.14.0, present in "
             "6.18.2: bounded, taken at 6.18, the stricter side (was: 6.15)"),
)

PASS_FACTS: dict[str, PassFact] = {row.name: row for row in _ROWS}


@functools.cache
def _behaves(fact: str, version: Version, patch: int | None) -> bool:
    """KernelView.behaves(), asked per instruction: answered once per fact and kernel."""
    row = PASS_FACTS[fact]
    if version >= row.since:
        return True
    return any(series == version and (patch is None or patch >= first) for series, first in row.backports)


@dataclass(frozen=True, slots=True)
class KernelView:
    """What the structural checks ask about the target kernel and the loader."""

    rules: Any
    unprivileged: bool = False

    @property
    def version(self) -> Version:
        major, minor = tuple(self.rules.version)[:2]
        return (int(major), int(minor))

    def has(self, feature: str) -> bool:
        """An instruction-set feature from the rules ("jmp32", "cpu_v4", "bounded_loops", ...)."""
        return bool(self.rules.has(feature))

    def behaves(self, fact: str) -> bool:
        """A pass fact of this module (KeyError for an unknown name); a point release of a series with a
        backport has it from that patch level (X.Y alone: the newest known point release)."""
        patch = getattr(getattr(self.rules, "build", None), "patch", None)
        return _behaves(fact, self.version, patch)

    def limit(self, name: str, default: int) -> int:
        """A numeric limit from the rules; `default` when the rules do not know it."""
        try:
            value = self.rules.limit(name, unprivileged=self.unprivileged)
        except (KeyError, ValueError):
            return default
        return int(value) if value else default

    @property
    def bpf_capable(self) -> bool:
        return not self.unprivileged
