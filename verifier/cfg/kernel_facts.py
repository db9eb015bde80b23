"""Version facts of the kernel's pre-analysis passes that `verifier.rules` does not list.

The rules API answers the instruction-set features ("jmp32", "cpu_v4", ...). The rows here
are about *how* the passes before `do_check()` behave (their order, their messages), which
only this package needs. Each row: the first kernel that behaves so, and its source.

`KernelView` wraps a rules object with these facts and the privilege of the loader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Version = tuple[int, int]


@dataclass(frozen=True, slots=True)
class PassFact:
    name: str
    since: Version
    meaning: str
    source: str


_ROWS: tuple[PassFact, ...] = (
    PassFact("opcode_table", (4, 16),
             "the ld_imm64 pass rejects opcodes missing from bpf_opcode_in_insntable(): 'unknown opcode %02x'",
             "commit 5e581dad4fec 'bpf: make unknown opcode handling more robust' (2018-01-26, v4.16 window); "
             "kernel/bpf/core.c BPF_INSN_MAP"),
    PassFact("ldimm64_after_subprogs", (5, 10),
             "resolve_pseudo_ldimm64() runs after check_subprogs() (was replace_map_fd_with_map_ptr() first)",
             "Hao Luo's ksym series, commit 4976b718c355 'bpf: Introduce pseudo_btf_id' (v5.10); the "
             "test_verifier fallout thread ('empty prog' now 'last insn is not an exit or jmp')"),
    PassFact("stx_fields_in_ldimm64_pass_removed", (5, 12),
             "'BPF_STX uses reserved fields' (mode MEM/XADD, imm 0) no longer checked in the ld_imm64 pass",
             "atomics series (v5.12): BPF_ATOMIC operations are encoded in imm"),
    PassFact("subprog_and_kfunc_pass", (5, 13),
             "add_subprog_and_kfunc(): pseudo calls, kfunc calls and BPF_PSEUDO_FUNC ld_imm64 start subprogs",
             "commit e6ac2450d6de 'bpf: Support bpf program calling kernel function' (v5.13)"),
    PassFact("map_idx", (5, 14), "ld_imm64 BPF_PSEUDO_MAP_IDX / BPF_PSEUDO_MAP_IDX_VALUE (fd_array)",
             "commit 387544bfa291 'bpf: Introduce fd_idx' (version not confirmed in source)"),
    PassFact("cond_jmp_dst_first", (6, 6),
             "check_cond_jmp_op() reads dst_reg before checking reserved fields ('R%d is invalid' first)",
             "patch 'bpf: Fix issue in verifying allow_ptr_leaks' (Yafang Shao, lore "
             "20230823020703.3790-2-laoar.shao@gmail.com, Aug 2023: v6.6 cycle, backported to 6.1.y)"),
    PassFact("cfg_ldimm64_stride", (6, 7),
             "check_cfg() steps over ld_imm64 tails: 'jump into the middle of ldimm64 insn %d'",
             "commit 3feb263bb516 'bpf: handle ldimm64 properly in check_cfg()' (Nov 2023, v6.7; version from "
             "memory of the bpf tree, not confirmed)"),
    PassFact("cfg_loops_any_edge", (6, 7),
             "privileged back-edges allowed on every edge kind (before: only jump edges, not fall-through/calls)",
             "commit 10e14e9652bf 'bpf: fix control-flow graph checking in privileged mode' (Nov 2023, v6.7)"),
    PassFact("may_goto_zero", (6, 14),
             "'may_goto 0' (off 0) accepted; the message became 'invalid may_goto imm %d' "
             "(before: 'invalid may_goto off %d imm %d', off 0 refused)",
             "patch 'bpf: Allow 'may_goto 0' instruction in verifier' (Yonghong Song, Jan 2025; v6.14 cycle, "
             "version not confirmed); original check in commit 011832b97b31 (v6.9)"),
    PassFact("atomic_acquire_release", (6, 15),
             "BPF_STX|BPF_ATOMIC B/H opcodes (load-acquire, store-release) in the opcode table",
             "kernel/bpf/core.c BPF_INSN_MAP 'INSN_3(STX, ATOMIC, B)'; version not confirmed (2025)"),
)

PASS_FACTS: dict[str, PassFact] = {row.name: row for row in _ROWS}


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
        """A pass fact of this module (KeyError for an unknown name)."""
        return self.version >= PASS_FACTS[fact].since

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
