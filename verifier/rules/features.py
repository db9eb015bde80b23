"""Verifier features by kernel version: the facts that change verdicts.

Each row: name, first version that has it (inclusive), optional last version
that has it (inclusive, for behaviours that were later removed), what it
means for a program, and where the fact comes from. Refs "KV" are sections of
shared/reference/kernel_versions.md; commit ids are upstream Linux commits.

Stable point releases carry backports: a row's `backports` names the older series that got the
change and the first point release that has it (5.10.33, 6.1.100). An X.Y target without a patch
level means the newest point release of that series the tables know (so `--kernel 6.1` has 6.1's
backports); a patch level below the backport's does not. Backport points come from the stable
ChangeLogs (https://www.kernel.org/pub/linux/kernel/v6.x/ChangeLog-6.1.100 and so on) as Debian's
kernel packages list them (usr/share/doc/linux-image-*/changelog.gz); "measured" marks a fact
seen on a real kernel booted under qemu (tests/data/kernels/<uname -r>/, scripts/kernel_vm.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from verifier.rules.versions import Version


@dataclass(frozen=True, slots=True)
class Backport:
    """A stable series that got the feature at a point release: (5, 10) from 5.10.33."""

    series: Version
    patch: int  # the first point release of `series` that has it
    source: str


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    since: Version
    meaning: str
    source: str
    until: Version | None = None  # last version that still has it (None: still present)
    backports: tuple[Backport, ...] = ()

    def present_in(self, version: Version, patch: int | None = None) -> bool:
        """At X.Y (`version`), point release `patch` (None: the newest point release known)."""
        if self.since <= version and (self.until is None or version <= self.until):
            return True
        return any(b.series == version and (patch is None or patch >= b.patch) for b in self.backports)


# a change seen on the 6.18.44-fc-v1045 host but absent from mainline 6.18.2: some 6.18.y backported it
SEEN_ON_6_18_44 = Backport(
    (6, 18),
    44,
    "measured on 6.18.44-fc-v1045; the first 6.18.y with it is not known, so earlier ones are not claimed",
)


_ROWS: tuple[Feature, ...] = (
    Feature(
        "jmp_ext",
        (4, 14),
        "BPF_JLT/JLE/JSLT/JSLE jump opcodes (ISA v2)",
        "KV §3 4.14, commit 92b31a9af73b; cilium/ebpf features/misc.go (ISA v2); source: present in 4.14.177, the oldest tree read and the oldest version bpfcheck supports",
    ),
    Feature(
        "check_return_code",
        (4, 15),
        "R0 range checked at exit for cgroup program types",
        "KV §3 4.15 / §4, commit 390ee7e29fc8; source: check_return_code() absent from 4.14.177, present in 4.15.0",
    ),
    Feature(
        "bpf_to_bpf_calls",
        (4, 16),
        "BPF_PSEUDO_CALL to subprograms (root only), call depth 8",
        "KV §3 4.16, commit cc8b0b92a169; source: BPF_PSEUDO_CALL absent from 4.15.0, present in 4.16.13",
    ),
    Feature(
        "map_value_helper_args",
        (4, 19),
        "map value pointers accepted as map key/value helper args",
        "commit d71962f3e627 (bcc kernel-versions.md: 4.18); source: check_func_arg() of 4.16.13 takes only "
        "PTR_TO_STACK (or packet) for ARG_PTR_TO_MAP_KEY/VALUE, 4.19.304 and 4.20.0 also PTR_TO_MAP_VALUE; no "
        "4.17/4.18 tree was reachable: bounded (4.16.13, 4.19.304], taken at 4.19, the stricter side (was: 4.18)",
    ),
    Feature(
        "btf",
        (4, 19),
        "BTF loaded with programs and maps",
        "commit 69b693f0aefa (bcc kernel-versions.md: 4.18); source: BPF_BTF_LOAD absent from the uapi bpf.h of "
        "4.16.13, present in 4.19.304: bounded (4.16.13, 4.19.304], taken at 4.19 (was: 4.18; no verdict uses it)",
    ),
    Feature(
        "reference_tracking",
        (4, 20),
        "acquired socket references must be released",
        "KV §3 4.20, commit 6acc9b432e67; source: acquire_reference_state() absent from 4.19.304, present in 4.20.0",
    ),
    Feature(
        "jmp32",
        (5, 1),
        "BPF_JMP32 instruction class (ISA v3)",
        "commit 092ed0968bb6; source: absent from 5.0.0, present in 5.2.1 (no 5.1 tree reachable); dated 5.1 by cilium/ebpf features/misc.go haveV3ISA",
    ),
    Feature(
        "spin_lock",
        (5, 1),
        "bpf_spin_lock/unlock in map values",
        "commit d83525ca62cf; process_spin_lock() source: absent from 5.0.0, present in 5.2.1 (no 5.1 tree reachable); dated 5.1 by bcc docs/kernel-versions.md "
        "(BPF_FUNC_spin_lock 5.1)",
    ),
    Feature(
        "dead_code_elimination",
        (5, 2),
        "unreachable code removed (privileged) instead of rejected later",
        "opt_remove_dead_code() absent from 5.0.0, present in 5.2.1 (no 5.1 tree reachable): taken at 5.2, the "
        "stricter side (was: 5.1 from ebpf-docs verifier.md; no verdict uses it)",
    ),
    Feature(
        "global_data",
        (5, 2),
        "ld_imm64 BPF_PSEUDO_MAP_VALUE: .data/.rodata/.bss global variables",
        "commit d8eca5bbb2be; BPF_PSEUDO_MAP_VALUE absent from 5.0.0, present in 5.2.1 (bcc: 5.2)",
    ),
    Feature(
        "large_programs",
        (5, 2),
        "1,000,000 instructions for privileged programs",
        "commit c04c0d2b968a; BPF_COMPLEXITY_LIMIT_INSNS 1000000 in include/linux/bpf.h of 5.2.1, not 5.0.0 "
        "(bcc 'BPF 1M insn limit': 5.2)",
    ),
    Feature(
        "bounded_loops",
        (5, 3),
        "back-edges allowed for privileged programs when the loop terminates",
        "KV §3 5.3, commit 2589726d12a1; source: 'infinite loop detected' absent from 5.2.1, present in 5.3.0",
    ),
    Feature(
        "spill_const_tracking",
        (5, 3),
        "8-byte spills of scalars keep the register's bounds (before: the slot became STACK_MISC)",
        "commit f7cf25b2026d 'bpf: track spill/fill of constants' (June 2019 series with precision "
        "tracking, v5.3); source: save_register_state()/register_is_const() spill absent from 5.2.1, present in 5.3.0",
    ),
    Feature(
        "precision_tracking",
        (5, 3),
        "precise scalar tracking (state pruning ignores imprecise scalars)",
        "commit b5dc0163d8fd 'bpf: precise scalar_value tracking' (v5.3); source: mark_chain_precision() absent from 5.2.1, present in 5.3.0",
    ),
    Feature(
        "rdonly_map_const",
        (5, 5),
        "loads from frozen read-only maps (.rodata) are known constants",
        "commit a23740ec43ba 'bpf: Track contents of read-only maps as scalars' (Oct 2019, v5.5); source: bpf_map_is_rdonly() absent from 5.4.0, present in 5.5-rc5",
    ),
    Feature(
        "global_func_verification",
        (5, 6),
        "global (non-static) functions verified once, on their own",
        "KV §3 5.6, commit 51c39bb1d5d1; source: BTF_FUNC_GLOBAL absent from 5.5-rc5, present in 5.6.4",
    ),
    Feature(
        "alu32_bounds",
        (5, 7),
        "explicit 32-bit subregister bounds tracking",
        "commit 3f50f132d840 'bpf: Verifier, do explicit ALU32 bounds tracking' (v5.7); source: s32_min_value (bpf_verifier.h) absent from 5.6.4, present in 5.7.14",
    ),
    Feature(
        "cap_bpf",
        (5, 8),
        "CAP_BPF/CAP_PERFMON split of root privileges",
        "KV §2/§3 5.8; source: bpf_capable() absent from 5.7.14, present in 5.8.1",
    ),
    Feature(
        "ringbuf",
        (5, 8),
        "BPF_MAP_TYPE_RINGBUF and bpf_ringbuf_* helpers",
        "KV §3 5.8, commit 457f44363a88; source: BPF_MAP_TYPE_RINGBUF absent from 5.7.14, present in 5.8.1",
    ),
    Feature(
        "btf_id_ld_imm64",
        (5, 10),
        "ld_imm64 BPF_PSEUDO_BTF_ID (typed/untyped ksyms)",
        "commit 4976b718c355 'bpf: Introduce pseudo_btf_id' (v5.10); source: BPF_PSEUDO_BTF_ID absent from 5.9.1, present in 5.10.262",
    ),
    Feature(
        "ksym_mem_rdonly",
        (5, 17),
        "a typed ksym that is neither per-CPU nor a struct, and what bpf_this_cpu_ptr()/bpf_per_cpu_ptr() "
        "return for such a variable, are read-only memory (PTR_TO_MEM | MEM_RDONLY)",
        "kernel/bpf/verifier.c check_pseudo_btf_id() and kernel/bpf/helpers.c bpf_this_cpu_ptr_proto; source: "
        "PTR_TO_MEM and RET_PTR_TO_MEM_OR_BTF_ID without MEM_RDONLY in 5.16.10, with it in 5.17",
    ),
    Feature(
        "percpu_mem_flag",
        (5, 18),
        "a per-CPU ksym is PTR_TO_BTF_ID | MEM_PERCPU: a load through it is 'R1 is ptr_T access percpu "
        "memory: off=N' (before: the type PTR_TO_PERCPU_BTF_ID, 'R1 invalid mem access 'percpu_ptr_'')",
        "kernel/bpf/verifier.c check_ptr_to_btf_access(); source: PTR_TO_PERCPU_BTF_ID in 5.17, MEM_PERCPU and "
        "'access percpu memory' in 6.0; no 5.18/5.19 tree reachable: bounded, message only",
    ),
    Feature(
        "percpu_arg_trusted",
        (6, 2),
        "ARG_PTR_TO_PERCPU_BTF_ID also takes a trusted per-CPU pointer ('expected=percpu_ptr_, "
        "percpu_trusted_ptr_')",
        "kernel/bpf/verifier.c percpu_btf_ptr_types; source: one type in 6.1, PTR_TRUSTED added in 6.2.1",
    ),
    Feature(
        "percpu_arg_rcu",
        (6, 9),
        "ARG_PTR_TO_PERCPU_BTF_ID also takes an RCU per-CPU pointer ('expected=percpu_ptr_, percpu_rcu_ptr_, "
        "percpu_trusted_ptr_')",
        "kernel/bpf/verifier.c percpu_btf_ptr_types; source: absent from 6.5, present in 6.9.0; 6.6-6.8 not "
        "checked: bounded, message only",
    ),
    Feature(
        "helper_might_sleep",
        (6, 1),
        "a helper that might sleep (bpf_copy_from_user, ...) called by a non-sleepable program: 'helper call "
        "might sleep in a non-sleepable prog' (before, the func_proto gave no such helper to it: 'unknown func')",
        "kernel/bpf/verifier.c check_helper_call() fn->might_sleep; source: 'prog->aux->sleepable ? "
        "&bpf_copy_from_user_proto : NULL' in 6.0, the might_sleep check in Debian 6.1.192 and 6.2.1",
    ),
    Feature(
        "trusted_btf_ptrs",
        (6, 4),
        "PTR_TO_BTF_ID trust: tp_btf/iterator/LSM arguments and bpf_get_current_task_btf() are PTR_TRUSTED, "
        "members walked from them trusted or MEM_RCU where the kernel's BTF lists them (`<struct>__safe_trusted`, "
        "`__safe_rcu`, ...), untrusted otherwise; KF_TRUSTED_ARGS / KF_RCU kfuncs refuse an untrusted or NULL "
        "argument ('R%d must be referenced or trusted', 'R%d must be a rcu pointer', 'Possibly NULL pointer "
        "passed to trusted arg%d')",
        "kernel/bpf/verifier.c check_ptr_to_btf_access(), check_kfunc_args(); kernel/bpf/btf.c "
        "prog_args_trusted(); source: KF_RCU, in_rcu_cs() and the BTF_TYPE_SAFE_RCU lists in 6.4.6 through "
        "6.18.2 (6.2/6.3 had PTR_TRUSTED and KF_TRUSTED_ARGS without KF_RCU: not modelled)",
    ),
    Feature(
        "walked_member_untrusted",
        (6, 19),
        "a pointer member walked from a trusted or RCU pointer that the kernel lists nowhere (`__safe_trusted`, "
        "`__safe_rcu`, ...) is PTR_UNTRUSTED (refused by helpers: 'R1 type=untrusted_ptr_ expected=ptr_, "
        "trusted_ptr_, rcu_ptr_'), not the plain PTR_TO_BTF_ID of mainline check_ptr_to_btf_access() "
        "(clear_trusted_flags(): 6.18.2 and 7.2.13 source)",
        "measured on the 6.18.44-fc-v1045 build (the host, 2026-12-03: tests/test_kfunc_trusted_args.py, "
        "'R1=untrusted_ptr_task_struct()' after reading task->last_wakee in tp_btf and iter programs); which "
        "6.18.y brought it is not known (taken at 6.18.44); in no mainline release read (7.2.13 Debian source: "
        "plain)",
        backports=(Backport((6, 18), 44, "measured on 6.18.44-fc-v1045 (the host)"),),
    ),
    Feature(
        "kfunc_sleepable_first",
        (6, 2),
        "a KF_SLEEPABLE kfunc in a non-sleepable program is refused before its arguments are checked "
        "(check_kfunc_call(); 6.1 refused it after them, in btf_check_kfunc_arg_match())",
        "kernel/bpf/verifier.c check_kfunc_call(); source: 'is sleepable but the program is not' at the end of "
        "btf_check_kfunc_arg_match() in Debian 6.1.192, is_kfunc_sleepable() before check_kfunc_args() in 6.2.1 "
        "to 6.18.2",
    ),
    Feature(
        "ld_imm64_kfunc",
        (6, 4),
        "ld_imm64 BPF_PSEUDO_BTF_ID of a kernel function (bpf_ksym_exists() on a kfunc): a read-only "
        "pointer of size 0 (PTR_TO_MEM | MEM_RDONLY, never NULL); before, 'pseudo btf_id N in ldimm64 "
        "isn't KIND_VAR.'",
        "kernel/bpf/verifier.c check_pseudo_btf_id(); source: 'isn't KIND_VAR.' with no KIND_FUNC case in "
        "6.3.8, 'btf_type_is_func(t)' -> PTR_TO_MEM | MEM_RDONLY, mem_size 0 in 6.4.6",
    ),
    Feature(
        "tail_call_in_subprogs",
        (5, 10),
        "tail calls mixed with bpf-to-bpf calls (x86; 256 B per frame)",
        "KV §1, ebpf-docs tail-calls.md; before: 'tail_calls are not allowed in programs with bpf-to-bpf calls'; source: the message is in 5.9.1, not in 5.10.262",
    ),
    Feature(
        "sleepable",
        (5, 10),
        "sleepable (BPF_F_SLEEPABLE) programs",
        "bcc kernel-versions.md 5.10; source: BPF_F_SLEEPABLE absent from 5.9.1, present in 5.10.262",
    ),
    Feature(
        "var_off_stack_read",
        (5, 12),
        "variable-offset stack reads (and writes) for privileged programs",
        "commit 01f810ace9ed 'bpf: Allow variable-offset stack access' (v5.12); measured: 5.10.0-46 (5.10.262) "
        "accepts corpus calls/combined_stack.o:stack_combined_fits (a variable-offset store and load)",
        backports=(
            Backport(
                (5, 10),
                33,
                "stable ChangeLog-5.10.33 'bpf: Allow variable-offset stack access' "
                "(Debian linux-image-5.10.0-46-amd64 changelog); measured on 5.10.0-46",
            ),
        ),
    ),
    Feature(
        "atomics",
        (5, 12),
        "BPF_ATOMIC fetch-add/and/or/xor, xchg, cmpxchg (beyond plain add)",
        "KV §3 5.12; cilium/ebpf; commit 981f94c3e921 'bpf: Add BPF_FETCH field / create atomic_fetch_add'; source: BPF_FETCH absent from 5.11.0, present in 5.12.9",
    ),
    Feature(
        "global_func_ptr_args",
        (5, 12),
        "global functions may take pointer (PTR_TO_MEM via BTF) arguments",
        "commit e5069b9c23b3 'bpf: Support pointers in global func args' (v5.12); corpus/manifest.toml; source: PTR_TO_MEM in btf.c absent from 5.11.0, present in 5.12.9",
    ),
    Feature(
        "pseudo_func",
        (5, 13),
        "ld_imm64 BPF_PSEUDO_FUNC (callback function pointers)",
        "commit 69c087ba6225 'bpf: Add bpf_for_each_map_elem() helper'; BPF_PSEUDO_FUNC absent from 5.12.9, "
        "present in 5.14-rc5 (no 5.13 tree reachable); dated 5.13 by bcc docs/kernel-versions.md "
        "(BPF_FUNC_for_each_map_elem 5.13)",
    ),
    Feature(
        "callbacks",
        (5, 13),
        "helpers taking callbacks (bpf_for_each_map_elem)",
        "commit 69c087ba6225; set_callee_state_fn absent from 5.12.9, present in 5.14-rc5; dated 5.13 by bcc "
        "docs/kernel-versions.md (BPF_FUNC_for_each_map_elem 5.13)",
    ),
    Feature(
        "kfuncs",
        (5, 14),
        "calls to kernel functions (BPF_PSEUDO_KFUNC_CALL)",
        "commit e6ac2450d6de 'bpf: Support bpf program calling kernel function'; source: BPF_PSEUDO_KFUNC_CALL "
        "absent from 5.12.9, present in 5.14-rc5, no 5.13 tree reachable and no documented version: taken at "
        "5.14, the stricter side (was: 5.13)",
    ),
    Feature(
        "timers",
        (5, 15),
        "bpf_timer in map values",
        "commit b00628b1c7d5 'bpf: Introduce bpf timers' (v5.15); source: process_timer_func() absent from 5.14-rc5, present in 5.15.16",
    ),
    Feature(
        "bpf_loop",
        (5, 17),
        "bpf_loop() helper",
        "commit e6f2dd0f8067 'bpf: Add bpf_loop helper' (v5.17); source: BPF_FUNC_loop absent from 5.16.10, present in 5.17-rc5",
    ),
    Feature(
        "scalar_named_inv",
        (4, 14),
        "the verifier log calls scalars 'inv' (later 'scalar')",
        "shared/reference/README.md ('inv' became 'scalar' in 5.18); source: reg_type_str [SCALAR_VALUE] is \"inv\" in 5.17-rc5, \"scalar\" in 5.18.12",
        until=(5, 17),
    ),
    Feature(
        "spill_narrow_scalar",
        (5, 16),
        "<8-byte spills of scalars (8-byte aligned) keep the register's bounds; a fill of the spilled size "
        "at the slot's start restores them",
        "commit 354e8f1970f8 'bpf: Support <8-byte scalar spill and refill' (v5.16); "
        "5.10.262 source has it (save_register_state(size), fill when size == spill_size); source: `size == spill_size` fill absent from 5.15.16, present in 5.16.10",
        backports=(Backport((5, 10), 168, "ChangeLog-5.10.168 (Debian linux-image-5.10.0-46 changelog)"),),
    ),
    Feature(
        "ptr_eq_nullness",
        (6, 2),
        "JEQ/JNE between two pointers, one maybe NULL: on the equal side it is not NULL",
        "commit befae75856ab 'bpf: propagate nullness information for reg to reg comparisons' (Eduard "
        "Zingerman; bpf-next pull 2022-11-25, v6.2); 6.1.192 source has no such branch in "
        "check_cond_jmp_op(), 6.12.117 has it; measured: 5.10.0-46 and 6.1.0-57 refuse corpus "
        "ptr/null_by_equal_pointer.o:deref_on_equal_side; source: absent from 6.1.192, present in 6.2.1",
    ),
    Feature(
        "st_imm_spill",
        (6, 3),
        "BPF_ST of a non-zero immediate at an 8-byte aligned slot (privileged) is a spilled constant "
        "(before: STACK_MISC; an immediate 0 stays STACK_ZERO until spill_zero_scalar)",
        "commit ecdf985d7615 'bpf: track immediate values written to stack by BPF_ST instruction' "
        "(bpf-next 2023-02-15, v6.3); 5.10.262 and 6.1.192 sources: `insn->imm != 0`; source: absent from 6.2.1, present in 6.3.8",
        backports=(
            Backport((5, 10), 186, "ChangeLog-5.10.186 (Debian linux-image-5.10.0-46 changelog)"),
            Backport((6, 1), 36, "ChangeLog-6.1.36 (Debian linux-image-6.1.0-57 changelog)"),
        ),
    ),
    Feature(
        "spill_zero_scalar",
        (6, 8),
        "a zero register or BPF_ST 0 is spilled as a constant (before: STACK_ZERO bytes); STACK_ZERO bytes "
        "survive a partial spill (before: STACK_MISC); a partial fill of a spilled 0 reads 0 (before: unknown)",
        "commits eaf18febd6eb 'bpf: preserve STACK_ZERO slots on partial reg spills', e322f0bcb8d3 'bpf: "
        "preserve constant zero when doing partial register restore', 18a433b62061 'bpf: track aligned "
        "STACK_ZERO cases as imprecise spilled registers' (Andrii Nakryiko, Dec 2023, v6.8); 6.1.192 source: "
        "register_is_null() -> STACK_ZERO, scrub_spilled_slot(); 6.12.117 source: any scalar spilled",
    ),
    Feature(
        "partial_read_not_fill",
        (6, 8),
        "a read of a spilled scalar's slot that does not restore the register (zero bytes read as 0, "
        "or an unknown scalar) is no fill: precision backtracking stops at the load instead of marking "
        "the slot precise (before: every load from r10 passed the mark to the slot)",
        "check_stack_read_fixed_off(): `insn_flags = 0; /* not restoring original register state */` "
        "and backtrack_insn() follows BPF_LDX only with INSN_F_STACK_ACCESS (series 'bpf: support "
        "non-r10 register spill/fill to/from stack in precision tracking', Andrii Nakryiko, v6.8); "
        "source: absent from 6.7.3 (backtrack_insn(): `insn->src_reg != BPF_REG_FP`), present in 6.8.0 "
        "and 6.18.2; not in 5.10.262 or 6.1.192",
    ),
    Feature(
        "callback_range_within",
        (6, 9),
        "a callback's call ends the iterations against a state of the current path whose registers "
        "cover the current ones by range (every scalar precise; RANGE_WITHIN), with the same stack "
        "byte kinds; before (6.7, 6.8) the registers had to be the same (states_equal(exact = true))",
        "enum exact_level (NOT_EXACT, EXACT, RANGE_WITHIN) and is_state_visited()'s "
        "`states_equal(env, &sl->state, cur, RANGE_WITHIN)` for calls_callback(); source: absent "
        "from 6.8.0 (`states_equal(env, &sl->state, cur, true)`), present in 6.9.0 and 6.18.2",
    ),
    Feature(
        "precise_scalar_ids",
        (6, 4),
        "precision backtracking marks every register and spilled scalar sharing an id with a marked one, "
        "in each state it walks (the bounds one learns from a branch reach its copies)",
        "mark_precise_scalar_ids() called from __mark_chain_precision() at the start of each state; "
        "source: absent from 6.3.8, present in 6.4.6 and 6.11.11, replaced by bt_sync_linked_regs() "
        "in 6.12.117",
        until=(6, 11),
    ),
    Feature(
        "linked_regs_history",
        (6, 12),
        "a conditional jump that refines copies of a register (the same id) records at most 6 of them "
        "in the jump history (the rest lose their id); precision backtracking through that jump marks "
        "all of them when one is marked",
        "collect_linked_regs() (LINKED_REGS_MAX 6) and push_jmp_history() in check_cond_jmp_op(), "
        "bt_sync_linked_regs() in backtrack_insn(); source: absent from 6.11.11, present in 6.12.117 "
        "and 6.18.2",
    ),
    Feature(
        "tail_call_key_precise",
        (5, 5),
        "a bpf_tail_call() index that is a constant below the prog array's max_entries is marked precise "
        "(a path with another index is not pruned against it)",
        "record_func_key(): mark_chain_precision(env, BPF_REG_3), commit d2e4c1e6c294 'bpf: Constant map "
        "key tracking for prog array pokes' (v5.5); source: absent from 5.4 (no record_func_key()), "
        "present in 5.6.4, 5.10.262, 6.1.192 and 6.18.2",
    ),
    Feature(
        "exit_retval_precise",
        (6, 8),
        "R0 is marked precise where its range is checked (program exit, callback return): before, a path "
        "returning an unchecked value can be pruned against one that returned a checked one",
        "commits c871d0e00f0e 'bpf: enforce precise retval range on program exit' and eabe518de533 'bpf: "
        "enforce precision of R0 on program/async callback return' (Andrii Nakryiko, bpf-next Dec 2023, "
        "v6.8); 5.10.262 / 6.1.192 check_return_code(): no mark_chain_precision(), 6.12.117: present; "
        "measured: 5.10.0-46 and 6.1.0-57 accept tests/data/engine_disagreements/004, 6.12.117 rejects it; source: check_return_code() calls mark_chain_precision() in 6.8.0, not 6.7.3",
    ),
    Feature(
        "narrowing_fill",
        (6, 9),
        "a fill smaller than the spill, at the slot's start, keeps the spilled scalar's bounds (before: "
        "only a fill of exactly the spilled size; anything else reads an unknown scalar)",
        "commit c1e6148cb4f8 'bpf: Preserve boundaries and track scalars on narrowing fill' (Maxim "
        "Mikityanskiy; bpf-next pull 2024-02-29, v6.9); 6.1.192 source: `size == spill_size`, 6.12.117: "
        "bpf_stack_narrow_access_ok()",
    ),
    Feature(
        "dynptrs",
        (5, 19),
        "bpf_dynptr helpers",
        "KV §3 5.19, commit 263ae152e962; source: ARG_PTR_TO_DYNPTR absent from 5.18.12, present in 5.19.0",
    ),
    Feature(
        "kptrs",
        (5, 19),
        "kptr fields and bpf_kptr_xchg",
        "KV §3 5.19, commit c0a5a21c25f3; source: bpf_kptr_xchg absent from 5.18.12, present in 5.19.0",
    ),
    Feature(
        "kptr_untrusted_tag",
        (6, 4),
        "a map value's `kptr` type tag is a referenced kptr and `kptr_untrusted` an unreferenced one (before: "
        "`kptr` unreferenced, `kptr_ref` referenced)",
        "btf_parse_kptr(): 'kptr'/'kptr_ref' in 6.3.8 and 6.1.192, 'kptr_untrusted'/'kptr' in 6.4",
    ),
    Feature(
        "percpu_kptr",
        (6, 6),
        "the `percpu_kptr` type tag of a map value field",
        "source: absent from btf.c of 6.5, present in 6.7.3: bounded, taken at 6.6",
    ),
    Feature(
        "uptr",
        (6, 13),
        "the `uptr` type tag of a task storage value field",
        "source: absent from btf.c of 6.12.117, present in 6.13.2",
    ),
    Feature(
        "uninit_stack_read_priv",
        (6, 3),
        "privileged programs may read uninitialised slots inside the stack allocated so far",
        "commit 6715df8d5d24 'bpf: Allow reads from uninit stack' (Feb 2023, v6.3; env->allow_uninit_stack = "
        "bpf_allow_uninit_stack() = perfmon_capable()); source: Debian 5.10.262 check_stack_read_fixed_off() "
        "and check_stack_range_initialized() skip STACK_INVALID when allow_uninit_stack",
        backports=(
            Backport(
                (5, 10),
                222,
                "stable ChangeLog-5.10.222 'bpf: Allow reads from uninit stack' (Debian "
                "linux-image-5.10.0-46-amd64 changelog); source 5.10.262 as above",
            ),
            Backport(
                (6, 1),
                100,
                "stable ChangeLog-6.1.100 'bpf: Allow reads from uninit stack' (Debian "
                "linux-image-6.1.0-57-amd64 changelog)",
            ),
        ),
    ),
    Feature(
        "uninit_stack_read_any_depth",
        (6, 7),
        "with uninit_stack_read_priv, a read below the deepest slot written so far grows the stack instead of "
        "failing ('invalid read from stack R10 off=-8 size=8': reads were bounded by -allocated_stack)",
        "'bpf: Fix accesses to uninit stack slots' (Andrei Matei, CVE-2023-52452); source: "
        "check_stack_slot_within_bounds() bounds reads by -allocated_stack in 6.6.0, takes -MAX_BPF_STACK when "
        "allow_uninit_stack in 6.7.3, and no 6.7.y stable ChangeLog in Debian's changelog lists it: 6.7 (was: 6.8); "
        "Debian 5.10.262 "
        "check_stack_slot_within_bounds() still uses -state->allocated_stack for reads; measured: 5.10.0-46 "
        "refuses corpus stack/uninit.o:stack_uninit_read, 6.1.0-57 (6.1.192) accepts it",
        backports=(
            Backport(
                (6, 6), 14, "stable ChangeLog-6.6.14 (Debian linux-image-6.12.117+deb13-amd64 changelog)"
            ),
            Backport(
                (6, 1),
                191,
                "stable ChangeLog-6.1.191 'bpf: Fix accesses to uninit stack slots "
                "(CVE-2023-52452)' (Debian linux-image-6.1.0-57-amd64 changelog); measured on 6.1.0-57",
            ),
        ),
    ),
    Feature(
        "st_into_ctx",
        (6, 4),
        "BPF_ST (store immediate) into the context allowed (before: 'BPF_ST stores into R1 ctx is not allowed')",
        "commit 'bpf: allow ctx writes using BPF_ST_MEM instruction' (Eduard Zingerman, 2023); source: the message "
        "'BPF_ST stores into R%d %s is not allowed' is in verifier.c of 6.3.8, gone in 6.4.4 (was: 6.3)",
    ),
    Feature(
        "open_coded_iterators",
        (6, 4),
        "bpf_iter_* kfuncs and loops driven by them",
        "KV §3 6.4, commit 06accc8779c1; source: process_iter_arg()/is_iter_next_kfunc() absent from 6.3.8, present in 6.4.4",
    ),
    Feature(
        "iter_bits",
        (6, 11),
        "the bits iterator: bpf_iter_bits_new/_next/_destroy kfuncs (struct bpf_iter_bits, 16 bytes)",
        "commit 4665415975b0 'bpf: Add bits iterator' (Hou Tao, v6.11); source: BTF_ID_FLAGS(func, "
        "bpf_iter_bits_new, KF_ITER_NEW) in common_btf_ids of kernel/bpf/helpers.c in 6.11.11, 6.12.117 "
        "and 6.18.2, absent from 6.10",
    ),
    Feature(
        "iter_widening",
        (6, 7),
        "the ACTIVE state queued at an iterator's _next call has the scalars that changed since the "
        "previous visit of the call on the path, and were not found precise there, widened to unknown; "
        "the loop converges against that visit only when the states are the same (states_equal(exact)); "
        "before, no widening and the usual comparison (read and precision marks: unsound, modelled here "
        "as exact)",
        "commit 2793a8b015f7 'bpf: exact states comparison for iterator convergence checks' (Eduard "
        "Zingerman, v6.7); source: process_iter_next_call() calls widen_imprecise_scalars() and "
        "is_state_visited() uses states_equal(env, &sl->state, cur, true) at is_iter_next_insn() in 6.7.3; "
        "neither in 6.5.0 or 6.6 (states_equal(env, &sl->state, cur))",
    ),
    Feature(
        "iter_range_within",
        (6, 9),
        "an iterator's _next call ends the iterations against a state of the current path that covers "
        "the current one by range (every scalar precise, the same stack byte kinds: RANGE_WITHIN); "
        "6.7 and 6.8 asked for the same registers",
        "enum exact_level, is_state_visited(): states_equal(env, &sl->state, cur, RANGE_WITHIN) at "
        "is_iter_next_insn(); source: absent from 6.8.0 (`true`), present in 6.9.0, 6.12.117 and 6.18.2",
    ),
    Feature(
        "kfunc_rcu_protected_call",
        (6, 18),
        "a KF_RCU_PROTECTED kfunc (the task/css iterators' _new) called outside an RCU critical "
        "section (a sleepable program without bpf_rcu_read_lock()) is refused at the call; before, the "
        "iterator it made was PTR_UNTRUSTED and its next _next/_destroy call refused ('expected an "
        "RCU CS when using %s')",
        "check_kfunc_call(): 'kernel func %s requires RCU critical section protection' present in "
        "6.18.2, absent from 6.17.0 and 6.14; measured on the running 6.18.44 (tests/test_generic_iterators.py)",
    ),
    Feature(
        "cpu_v4",
        (6, 6),
        "sign-extending loads/movs, bswap, gotol, sdiv/smod (ISA v4)",
        "KV §3 6.6, commit 1f9a1ea821ff; shared README: 6.1 rejects ldsx ('BPF_LDX uses reserved fields'); source: BPF_MEMSX absent from 6.5.0, present in 6.6.0",
    ),
    Feature(
        "map_ptr_btf_access",
        (5, 9),
        "privileged programs read the fields of a map pointer (CONST_PTR_TO_MAP) through the BTF of the "
        "map implementation's struct (struct bpf_array, bpf_htab, ...: check_ptr_to_map_access()); "
        "before, any load through a map pointer was 'invalid mem access'",
        "commit 41c48f3a9823 'bpf: Support access to bpf map fields' (Andrey Ignatov); source: "
        "check_ptr_to_map_access() absent from verifier.c of 5.8.1, present in 5.9.1 (was: 5.10); 6.18 behaviour "
        "confirmed on the running kernel (study selftests verifier_map_ptr.c)",
    ),
    Feature(
        "global_func_arg_tags",
        (6, 8),
        "__arg_ctx/__arg_nonnull/... global function argument tags",
        "KV §3 6.8, commit 94e1c70a3452; source: 'arg:' decl tags in btf.c absent from 6.7.3, present in 6.8.0",
    ),
    Feature(
        "spill_unbounded_scalar_id",
        (6, 9),
        "an unbounded scalar is spilled as a register (keeping its id: later bound checks on the source "
        "refine the slot); before, register_is_bounded() sent it to STACK_MISC",
        "commit e67ddd9b1cff 'bpf: Track spilled unbounded scalars' (bpf-next pull 2024-02-29, v6.9); "
        "5.10.262 / 6.1.192 sources: register_is_bounded(reg) in check_stack_write_fixed_off(); source: register_is_bounded() spill test in 6.8.0, gone in 6.9.0",
    ),
    Feature(
        "jne_const_edge",
        (6, 8),
        "on the 'not equal' side of a comparison with a constant at the edge of a range, the range "
        "shrinks by one (x in [0,63], x != 0 gives [1,63]); before, that side learns nothing",
        "regs_refine_cond_op() BPF_JNE case, series 'BPF register bounds logic and testing improvements' "
        "(Andrii Nakryiko, v6.8); source: absent from Debian's 6.1.192 "
        "(reg_set_min_max only marks the equal side known), present in 6.12.117; measured: "
        "corpus helpers/arg_types.o:helper_bounded_size ('invalid zero-sized read') on 5.10.0-46 and 6.1.0-57, "
        "accepted by 6.12.117+deb13",
    ),
    Feature(
        "may_goto",
        (6, 9),
        "may_goto instruction (BPF_JMP|BPF_JCOND)",
        "KV §3 6.9, commit 011832b97b31; source: BPF_JCOND absent from 6.8.0, present in 6.9.0",
    ),
    Feature(
        "may_goto_depth_differs",
        (6, 10),
        "is_state_visited() at a may_goto ends the path on a state of the path that covers it (RANGE_WITHIN) "
        "only when its may_goto_depth differs, and looks for an infinite loop there as elsewhere; 6.9 took any "
        "depth and skipped the infinite-loop check at a may_goto",
        "source: is_state_visited() of 6.9.0 ('if (is_may_goto_insn_at(env, insn_idx)) { if (states_equal(..., "
        "RANGE_WITHIN)) ... goto skip_inf_loop_check; }'), of 6.10 and 6.11.11 with the depth test",
    ),
    Feature(
        "arena",
        (6, 9),
        "BPF_MAP_TYPE_ARENA",
        "KV §3 6.9; source: BPF_MAP_TYPE_ARENA (uapi bpf.h) absent from 6.8.0, present in 6.9.0",
    ),
    Feature(
        "linked_scalar_ids_mov32",
        (6, 9),
        "w1 = w2 of a value that fits in 32 bits, and scalar spills, keep the copies linked",
        "assign_scalar_id_before_mov(), series 'Improvements for tracking scalars in the BPF verifier' "
        "(Maxim Mikityanskiy); source: absent from verifier.c of 6.8.0, present in 6.9.0 (mov and "
        "check_stack_write_fixed_off()) (was: 6.8)",
    ),
    Feature(
        "stack_round_16_jit",
        (6, 9),
        "JIT-ed programs round each frame's stack to 16 bytes in the combined stack check (not 32)",
        "round_up_stack_depth(); source: 6.8.0 check_max_stack_depth_subprog() rounds every frame to 32, "
        "6.9.0 has round_up_stack_depth() (16 when JIT-ed) (was: 6.8); adversarial tests "
        "call_chain_8_x65_stack / call_chain_6_x80_stack against 6.18",
    ),
    Feature(
        "linked_regs_add_const",
        (6, 11),
        "rX += const keeps rX linked to its copies at a known distance (BPF_ADD_CONST)",
        "commit 98d7ca374ba4 'bpf: Track delta between \"linked\" registers.' (v6.11); source: BPF_ADD_CONST absent from 6.10.0, present in 6.11.11",
    ),
    Feature(
        "resource_leak_prefix",
        (6, 14),
        "a leaked reference at exit ends with 'BPF_EXIT instruction in main prog would lead to reference leak'",
        "check_resource_leak() refactor (v6.14); 6.18 log in corpus/manifest.toml; source: 6.13.2 prints 'BPF_EXIT instruction would lead to reference leak', 6.14.0 'BPF_EXIT instruction in main prog would lead to reference leak'",
    ),
    Feature(
        "linked_regs_add_const_any",
        (7, 2),
        "linked distances also through rX -= const, negative constants and 32-bit adds (BPF_ADD_CONST32)",
        "source: adjust_reg_min_max_vals() of mainline 6.18.2 links only a 64-bit rX += const in [0, S32_MAX] "
        "(as 6.11.11-6.14), Debian 7.2.13 also BPF_SUB, alu32 and negative constants (BPF_ADD_CONST32): "
        "mainline bounded (6.18.2, 7.2.13], taken at 7.2, the stricter side (was: 6.17); the 6.18 series has it "
        "by 6.18.44 (measured: tests/data/engine_disagreements/010 on the running 6.18.44)",
        backports=(
            Backport(
                (6, 18),
                44,
                "measured on 6.18.44; 6.18.2 source lacks it, the point release that took it is not known, "
                "so earlier ones are not claimed",
            ),
        ),
    ),
    Feature(
        "scalar_ids_by_base",
        (6, 19),
        "pruning: an old scalar linked at a distance (id with BPF_ADD_CONST, `r3 = r2 + 4`) maps its base "
        "id as well as its own onto the current state's ids, so a current r3 linked to another register "
        "than the one r2's id maps to does not match (fewer states pruned)",
        "check_scalar_ids() in Debian 7.2.13 kernel/bpf/states.c (`if (old_id & BPF_ADD_CONST)` a second "
        "check_ids() on the ids without the flag); mainline 6.18.2 regsafe() checks the full ids only: "
        "bounded (6.18.2, 7.2.13], taken at 6.19, the stricter side; the 6.18 series has it by 6.18.44 "
        "(measured: tests/test_exploration_counts.py add_const_base_id on 6.18.44-fc-v1045; tetragon "
        "generic_kprobe_process_filter not pruned at insn 2493)",
        backports=(
            Backport(
                (6, 18),
                44,
                "measured on 6.18.44-fc-v1045; 6.18.2 source lacks it, the point release that took it is not "
                "known, so earlier ones are not claimed",
            ),
        ),
    ),
    Feature(
        "tail_call_map_msg",
        (6, 17),
        "a tail call with a non-prog-array map reports 'expected prog array map for tail call'",
        "record_func_key() message (commit 192e3aa14529's fix, 6.17, per verifier/abstract); "
        "shared corpus verdicts: 6.18 prints it for tail_call_bad.o; source: the message absent from 6.14.0, present in 6.18.2: bounded, kept at 6.17 (a message only)",
    ),
    Feature(
        "const_array_lookup_nonnull",
        (6, 14),
        "map_lookup_elem on an (percpu) array map with a constant in-range key returns a non-NULL map_value; "
        "the key must be a known constant in its stack slot (a spilled constant register at an 8-byte aligned "
        "slot or zeroed bytes; a spilled key is then marked precise), else the result stays map_value_or_null",
        "series 'bpf: verifier: Support eliding map lookup nullness' (Daniel Xu, Jan 2025, v6.14; "
        "version not confirmed in source); shared README: observed or_null on 6.1, non-NULL on 6.18; corpus/manifest.toml: a u32 key stored "
        "at r10-4 (not 8-aligned) is still map_value_or_null on 6.18; source: get_constant_map_key() absent from 6.13.2, present in 6.14.0",
    ),
    Feature(
        "sane_offset_checks_linked_delta",
        (6, 11),
        "pointer += linked scalar: check_reg_sane_offset() also refuses the scalar's kept distance to its "
        "link (reg->off) beyond 1<<29 ('fp pointer offset N is not allowed'); without it, an unbounded "
        "linked scalar gets 'math between ... unbounded min value'",
        "the distance lives in reg->off since 98d7ca374ba4; source: check_reg_sane_offset() reads reg->off in "
        "6.11.11, 6.14 and mainline 6.18.2 (was: until 6.17); where it stops: sane_offset_skips_linked_delta",
    ),
    Feature(
        "sane_offset_skips_linked_delta",
        (7, 2),
        "check_reg_sane_offset() no longer checks a linked scalar's kept distance (reg->off): see "
        "sane_offset_checks_linked_delta",
        "source: Debian 7.2.13 check_reg_sane_offset() has no reg->off, mainline 6.18.2 has: bounded (6.18.2, "
        "7.2.13], taken at 7.2, the stricter side; measured: an earlier 6.18.44 build still checks it "
        "(tests/data/engine_disagreements/008/kernel.log), 6.18.44-fc-v1045 does not "
        "(tests/data/engine_disagreements/008/case.json, recordings); per build in verifier/rules/builds.py",
        backports=(Backport((6, 18), 44, "measured on 6.18.44-fc-v1045 (the X.Y row's newest build)"),),
    ),
    Feature(
        "sanitize_err_names_by_copy",
        (6, 18),
        "sanitize_err() picks the register it names by `off_reg == dst_reg`, which is never true any more "
        "(the scalar operand reaches it as a copy): a mixed-sign scalar is named by the source register and "
        "an unsupported pointer by the destination, also for `scalar += pointer` (before: the other one)",
        "measured on 6.18.44-fc-v1045 (tests/test_unpriv_kernel.py: r0 += r6 / r0 -= r6 with r6 the context "
        "or a map value; study selftests verifier_bounds_deduction.c and verifier_map_ptr.c, whose "
        "annotations still name the other register); the commit and the earlier 6.18.44 build not known",
    ),
    Feature(
        "sane_offset_ptr_split",
        (7, 2),
        "check_reg_sane_offset() split in two: the scalar operand keeps the old checks (without reg->off), the "
        "pointer (before the move, and the result after it) is refused as '<type> pointer offset N is not "
        "allowed' for a constant offset or a minimum beyond 1<<29 (no 'unbounded min value' / 'makes ... out "
        "of bounds' words for it any more)",
        "source: check_reg_sane_offset_scalar() / check_reg_sane_offset_ptr() absent from mainline 6.18.2 and 6.14, "
        "present in Debian 7.2.13: bounded (6.18.2, 7.2.13], taken at 7.2 (was: 6.18); measured: 6.18.44-fc-v1045 prints 'map_value pointer "
        "offset -4294967295 is not allowed' for a pointer minus an unknown u32 (scripts/diff_fuzz_unpriv.py "
        "seeds 1-3); the earlier 6.18.44 build kept the old function (its reg->off check: "
        "sane_offset_checks_linked_delta); per build in verifier/rules/builds.py",
        backports=(Backport((6, 18), 44, "measured on 6.18.44-fc-v1045 (the X.Y row's newest build)"),),
    ),
    Feature(
        "arena_alu_either_operand",
        (7, 2),
        "an ALU operation whose source operand is an arena pointer gives an arena pointer whatever the "
        "destination held (adjust_reg_min_max_vals(): 'at least one operand is an arena'); before, only an "
        "arena destination did, and `scalar += arena` was 'pointer arithmetic on arena prohibited'",
        "source: adjust_reg_min_max_vals() of mainline 6.18.2 tests dst_reg only, Debian 7.2.13 either operand: "
        "bounded (6.18.2, 7.2.13], taken at 7.2; measured: 6.18.44-fc-v1045 accepts r2 = 8; r2 += r1 (arena) "
        "(tests/test_arena.py)",
        backports=(Backport((6, 18), 44, "measured on 6.18.44-fc-v1045 (the X.Y row's newest build)"),),
    ),
    Feature(
        "atomic_load_type_first",
        (7, 2),
        "a load-acquire checks the pointer kind first (atomic_ptr_type_ok(): 'BPF_ATOMIC loads from R%d %s is "
        "not allowed' for ctx, packet, flow keys and sockets) and only then the load; before, the load was "
        "checked first (a misaligned packet load-acquire got 'misaligned packet access')",
        "source: check_atomic_load() of mainline 6.18.2 calls check_load_mem() first, Debian 7.2.13 calls "
        "atomic_ptr_type_ok() first: bounded (6.18.2, 7.2.13], taken at 7.2; measured: 6.18.44-fc-v1045 refuses "
        "an 8-byte load-acquire at pkt+0 as 'BPF_ATOMIC loads from R2 pkt' (tests/test_load_acquire.py)",
        backports=(Backport((6, 18), 44, "measured on 6.18.44-fc-v1045 (the X.Y row's newest build)"),),
    ),
    Feature(
        "movsx_range_from_subreg",
        (7, 3),
        "r = (s8/s16/s32) r' (and sign-extending loads of spilled scalars) keep the source's 32-bit signed range "
        "when it fits the narrower type: smin/smax = s32 range, umin/umax = the sign-extended u32 range, "
        "var_off recomputed from the ranges; before, any range crossing the narrow sign bit became the whole type",
        "measured on 6.18.44-fc-v1045 (tests/data/kernel_recordings/scalar_alu.json, 1,100 sign extensions, "
        "0 mismatches); an earlier 6.18.44 build did not; per build in verifier/rules/builds.py. Source: "
        "coerce_reg_to_size_sx() of mainline 6.18.2 and Debian 7.2.13 derive the range from the 64-bit bounds "
        "only: no source read has it, so no release is claimed (7.3: later than every source; was: 6.18)",
        backports=(Backport((6, 18), 44, "measured on 6.18.44-fc-v1045 (the X.Y row's newest build)"),),
    ),
    Feature(
        "pkt_data_changes_tracked",
        (6, 13),
        "a call to a global function that may change packet data (a pkt-changing helper, kfunc or tail "
        "call in it or in a function it calls: subprog_info.changes_pkt_data) invalidates the caller's "
        "packet pointers; a tail call made directly does not (6.18: accepted)",
        "commits 1a4607ffba35 'bpf: consider that tail calls invalidate packet pointers' and 51081a3f25c7 "
        "'bpf: track changes_pkt_data property for global functions' (v6.13); source: subprog_info.changes_pkt_data absent from 6.11.11, present in 6.13.2; "
        "6.18 behaviour confirmed against the running kernel (corpus/src/packet/invalidated_by_calls.c); "
        "6.12.117 source has subprog_info.changes_pkt_data; measured: 6.12.117 refuses write_after_global_pull; source: subprog_info.changes_pkt_data absent from 6.11.11, present in 6.13.2 (6.12 by ChangeLog-6.12.25)",
        backports=(
            Backport(
                (6, 12),
                25,
                "ChangeLog-6.12.25 'bpf: track changes_pkt_data property for global "
                "functions' (Debian linux-image-6.12.117 changelog)",
            ),
        ),
    ),
    Feature(
        "tail_call_changes_pkt_data",
        (6, 13),
        "a direct bpf_tail_call() invalidates the caller's packet pointers (bpf_helper_changes_pkt_data() "
        "lists it)",
        "commit 1a4607ffba35 'bpf: consider that tail calls invalidate packet pointers' (v6.13); "
        "backport ChangeLog-6.12.9 (Debian linux-image-6.12.117 changelog); measured: 6.12.117 refuses "
        "corpus packet/invalidated_by_calls.o:write_after_tail_call, 6.18.44 accepts it (when that changed "
        "back is not dated: taken as late as possible, the stricter side); source: bpf_helper_changes_pkt_data() lists tail_call from 6.13.2 on; 6.14.0 invalidates after every tail call, mainline 6.18.2 sets changes_data = false for one in the main program: the end is bounded (6.14, 6.18.2], kept at 6.17, the stricter side",
        until=(6, 17),
        backports=(Backport((6, 12), 9, "ChangeLog-6.12.9 (Debian linux-image-6.12.117 changelog)"),),
    ),
    Feature(
        "xskmap_lookup",
        (5, 3),
        "map_lookup_elem() on an xskmap returns an xdp_sock (PTR_TO_XDP_SOCK once checked for NULL)",
        "commit fada7fdc83c0 'bpf: Allow bpf_map_lookup_elem() on an xskmap' (v5.3); source: check_map_func_compatibility() refuses map_lookup_elem on an xskmap in 5.2.1, allows it in 5.3.0",
    ),
    Feature(
        "sockmap_lookup",
        (5, 8),
        "map_lookup_elem() on a sockmap or sockhash returns a referenced socket (sock once checked for "
        "NULL), to be released with bpf_sk_release()",
        "commit 64d85290d79c 'bpf: Allow bpf_map_lookup_elem for SOCKMAP and SOCKHASH'; source: "
        "check_map_func_compatibility() and is_acquire_function() of 5.7.14 lack it, 5.8.1 has both (was: 5.10); "
        "6.18 behaviour confirmed (corpus/src/refs/sockmap_lookup.c)",
    ),
    Feature(
        "ld_abs_subprog_exit",
        (6, 19),
        "LD_ABS/LD_IND in a subprogram: the load's failure returns 0 from that function (bpf_gen_ld_abs()'s "
        "hidden exit), and the verifier walks that return into the caller",
        "commit ee861486e377 'bpf: Fix ld_{abs,ind} failure path analysis in subprogs' (Daniel Borkmann, "
        "Apr 2026, CVE-2026-53090); source: check_ld_abs() of mainline 6.18.2 has no frame exit, Debian 7.2.13 "
        "has it: mainline bounded (6.18.2, 7.2.13], taken from 6.19, the stricter side (the walk refuses more); "
        "backports from the Debian changelogs: 6.1.183, 6.12.101 (5.10.262 lacks it); measured: 6.1.0-57 and "
        "6.12.117 refuse corpus calls/ld_abs_subprog.o:caller_trusts_one ('R9 !read_ok'), 5.10.0-46 accepts it; "
        "6.18.44 has it",
        backports=(
            Backport((6, 1), 183, "ChangeLog-6.1.183 (Debian linux-image-6.1.0-57 changelog)"),
            Backport((6, 12), 101, "ChangeLog-6.12.101 (Debian linux-image-6.12.117 changelog)"),
            Backport(
                (6, 18),
                3,
                "absent from the 6.18.2 source, present in 6.18.44 (measured): the point release between is not "
                "known, taken as 6.18.3, the stricter side",
            ),
        ),
    ),
    Feature(
        "ld_abs_callback_exit_walk_fails",
        (6, 18),
        "with ld_abs_subprog_exit, the hidden exit of an LD_ABS directly in a sync callback fails the "
        "precision walk ('verifier bug: callback unexpected regs 1'); before, the callback returns 0",
        "measured: 6.18.44 refuses tests/test_ld_abs_callback.py's body_loads so, 6.1.0-57 (which has "
        "ld_abs_subprog_exit) accepts it; source: measured only",
    ),
    Feature(
        "ld_abs_callback_refused",
        (6, 19),
        "LD_ABS/LD_IND in a callback or a function a callback calls: 'cannot use BPF_LD_[ABS|IND] within "
        "callback' (check_ld_abs() walks the frames for in_callback_fn; check_max_stack_depth_subprog() too)",
        "commit 'bpf: Reject legacy packet loads from callbacks' (CVE-2026-98044); source: the message is in "
        "no verifier.c from 4.14.177 to mainline 6.18.2 (6.2.1, 6.11.11, 6.13.2, 6.14 read), in Debian 6.12.117 "
        "and 7.2.13: mainline bounded (6.18.2, 7.2.13], taken from 6.19, the stricter side (was: 6.2 to 6.17); "
        "backport ChangeLog-6.12.114 (Debian linux-image-6.12.117 changelog); measured: 6.12.117 refuses "
        "tests/test_ld_abs_callback.py's body_loads and deeper_loads with it, 6.1.0-57 and 6.18.44 accept "
        "deeper_loads",
        backports=(Backport((6, 12), 114, "ChangeLog-6.12.114 (Debian linux-image-6.12.117 changelog)"),),
    ),
    Feature(
        "tail_call_refs_main_frame",
        (6, 1),
        "bpf_tail_call() checks held references only in the main program, and in a callback those "
        "the callback took (callback_ref): in a subprogram (frameno > 0, not a callback) "
        "check_reference_leak() returns 0, the caller's references stay held; before, the callee's "
        "copy of the caller's references was checked",
        "kernel/bpf/verifier.c check_reference_leak(): 'if (state->frameno && !state->in_callback_fn) "
        "return 0;' in 6.2.1 and 6.11.11, absent from 6.0; 'bpf: Fix reference state management for "
        "synchronous callbacks' in Debian's 6.1~rc3 changelog; measured on 5.10.0-46, 6.1.0-57, "
        "6.12.117 (qemu) and the running 6.18.44 (tests/test_tail_call_refs.py)",
    ),
    Feature(
        "tail_call_refs_main_only",
        (6, 13),
        "bpf_tail_call() checks held references only in the main program: in any subprogram, a "
        "callback too, check_reference_leak() returns 0 ('if (!exception_exit && state->frameno)')",
        "kernel/bpf/verifier.c check_reference_leak(): '&& !state->in_callback_fn' in 6.11.11, gone "
        "in 6.13.2 (callback_ref removed), 6.14 and 6.18.2",
    ),
    Feature(
        "tail_call_subprog_exit",
        (6, 18),
        "bpf_tail_call() in a subprogram may return from that function with any R0 (the called program "
        "returns to the function's caller): the verifier walks that return into the caller; made "
        "directly in a synchronous callback it fails the kernel's precision walk",
        "measured on the running 6.18 kernel (tests/test_tail_call_exit.py; the study selftest "
        "verifier_live_stack.c expects it); source: the curframe branch of check_helper_call() for BPF_FUNC_tail_call absent from 6.14.0, present in mainline 6.18.2: bounded (6.14, 6.18.2], taken at 6.18",
    ),
    Feature(
        "global_func_arg_tags",
        (6, 8),
        "`arg:` BTF decl tags on global function parameters (__arg_ctx, __arg_nonnull, __arg_nullable, "
        "__arg_trusted, __arg_arena) decide the argument's type before its BTF type does",
        "commit 94e1c70a3452 'bpf: support 'arg:xxx' btf_decl_tag-based hints for global subprog args' "
        "and the series around it (Andrii Nakryiko, v6.8); btf_prepare_func_args() and "
        "btf_validate_prog_ctx_type() in kernel/bpf/btf.c",
    ),
    Feature(
        "callbacks_unknown_count",
        (6, 7),
        "a synchronous callback (bpf_loop, bpf_for_each_map_elem, bpf_find_vma, bpf_user_ringbuf_drain) is "
        "verified as called any number of times: the path after the helper call is walked with the body "
        "called zero times, the body is queued and returns to the call, which runs again until the states "
        "at the call repeat (imprecise scalars widened); bpf_loop stops after umax(R1) bodies. Before, the "
        "body was walked once and returned after the call",
        "commit ab5cfac139ab 'bpf: verify callbacks as if they are called unknown number of times' "
        "(Eduard Zingerman, v6.7; push_callback_call(), prepare_func_exit() returning to the callsite, "
        "widen_imprecise_scalars(), calls_callback() checkpoints in is_state_visited()); the study "
        "selftest verifier_live_stack.c caller_stack_pruning_callback is refused by the running 6.18; source: push_callback_call()/widen_imprecise_scalars() absent from 6.6.0, present in 6.7.3",
    ),
    Feature(
        "lock_static_calls",
        (6, 9),
        "static subprograms may be called while holding a bpf_spin_lock and may return with it held (a "
        "global one: 'global function calls are not allowed while holding a lock,'); before, any call but "
        "bpf_spin_unlock was 'function calls are not allowed while holding a lock' and any exit with the "
        "lock held 'bpf_spin_unlock is missing'",
        "source read: do_check() of the linux-6.8 tree (github vivo50kff/linux-6.8) refuses BPF_PSEUDO_CALL "
        "under the lock, check_func_call() of linux-6.9.0 (github ec-jt/linux-6.9.0), Debian linux-source "
        "6.12.117 and 7.2.13 refuse only global subprograms; measured: the running 6.18.44 accepts a static "
        "call inside the locked region (tests/test_lock_calls.py)",
    ),
    Feature(
        "check_resource_leak",
        (6, 13),
        "a lock or reference still held at the main program's exit is reported with the instruction as "
        "prefix ('BPF_EXIT instruction cannot be used inside bpf_spin_lock-ed region', 'BPF_EXIT "
        "instruction would lead to reference leak'; 6.14 adds 'in main prog')",
        "source read: check_resource_leak() in the linux-6.13.2 tree (github vivo50kff/linux-6.13.2) with "
        "prefix 'BPF_EXIT instruction', 'BPF_EXIT instruction in main prog' in linux-6.14 (github "
        "perishh/linux-6.14); Debian linux-source 6.12.117 prints 'bpf_spin_unlock is missing'",
    ),
    Feature(
        "tracepoint_record_8k",
        (5, 16),
        "tracepoint records are readable up to PERF_MAX_TRACE_SIZE 8192 bytes (2048 before)",
        "include/linux/trace_events.h of the kernel trees (rules/ctx_tables.py, dated 5.16); stable backport "
        "'tracing: Increase PERF_MAX_TRACE_SIZE to handle Sentinel1 and docker together' in ChangeLog-5.10.216 "
        "(Debian linux-image-5.10.0-46 changelog); measured: the real 5.10.0-46 reads offset 4096",
        backports=(Backport((5, 10), 216, "ChangeLog-5.10.216 (Debian linux-image-5.10.0-46 changelog)"),),
    ),
    Feature(
        "release_mem_zero_off",
        (5, 17),
        "a ring buffer record passed to bpf_ringbuf_submit/discard must be the pointer reserve returned "
        "(no offset): 'dereference of modified alloc_mem ptr R1 off=8 disallowed', later 'R1 must have zero "
        "offset when passed to release func or trusted arg to kfunc'",
        "check_func_arg_reg_off() for ARG_PTR_TO_ALLOC_MEM: absent from the linux-5.15.55 and 5.16.10 trees "
        "(github wowk/linux-5.15, DFAUS-git/ps4-linux-kernel-5.16.10-belize), present in linux-5.17 (github "
        "dunli/linux-5.17); measured: the real 5.10.0-46 accepts bpf_ringbuf_submit(p + 8), 6.1.0-57 and "
        "6.12.117 refuse it",
    ),
    Feature(
        "release_zero_off_wording",
        (6, 4),
        "a released pointer with an offset is 'R1 must have zero offset when passed to release func or "
        "trusted arg to kfunc' (before: 'dereference of modified alloc_mem ptr R1 off=8 disallowed')",
        "check_func_arg_reg_off(): Debian linux-source 6.1.192 falls through to __check_ptr_off_reg(), the "
        "linux-6.4.6 tree (github lewisevans2007/linux-6.4) has the release wording; 6.2/6.3 not read; "
        "measured: 6.1.0-57 and 6.12.117 print the two wordings",
    ),
    Feature(
        "helper_read_keeps_stack",
        (6, 14),
        "a helper that only reads its stack memory leaves it as it was; before, every helper stack access "
        "clobbered the bytes (check_stack_range_initialized() with ACCESS_HELPER: zero and uninitialised "
        "bytes became misc, a spilled scalar became unknown), so a constant key read back after "
        "bpf_map_lookup_elem() is unknown",
        "source read: check_stack_range_initialized() sets clobber for ACCESS_HELPER in Debian linux-source "
        "5.10.262, 6.1.192, 6.12.117 and in the linux-6.13.2 tree (github vivo50kff/linux-6.13.2); "
        "`clobber = type == BPF_WRITE` in linux-6.14.0 (github perishh/linux-6.14) and 7.2.13; measured: "
        "6.1.0-57 refuses a map value indexed by a zero key read back after the lookup, 6.18.44 accepts it "
        "(tests/test_helper_stack_clobber.py)",
    ),
    Feature(
        "helper_stack_access_type",
        (6, 14),
        "check_stack_range_initialized() is told whether a helper reads or writes its stack memory: an "
        "uninitialised byte a helper would read is `invalid read from stack R2 off -64+0 size 64` (before: "
        "`invalid indirect read from stack ...`), a helper writing past the stack is `invalid write to "
        "stack R1 off=-8 size=9` (before: `invalid indirect access to stack ...`)",
        "commit 'bpf: verifier: Refactor helper access type tracking' (Daniel Xu, series 'bpf: verifier: "
        "Support eliding map lookup nullness', v6.14); source read: Debian "
        "linux-source 6.12.117 still has both; recorded: the real 5.10, 6.1 and 6.12 kernels print `invalid "
        "indirect access to stack` (tests/data/kernels/*/fuzz.jsonl); measured: the running 6.18.44 prints "
        "`invalid write to stack R1 off=-8 size=9` and `invalid read from stack R2 off -64+0 size 64` "
        "(study selftests verifier_helper_access_var_len.c, CAP_BPF-only loader)",
    ),
    Feature(
        "async_callback_exit",
        (6, 8),
        "a timer callback's return value is checked as an asynchronous callback's ('At async callback "
        "return the register R0 ...')",
        "check_return_code(): `exit_ctx = \"At async callback return\"` present in 6.8 through 6.18.2, "
        "absent from 6.7.3; measured on 6.18.44",
    ),
    Feature(
        "reg_not_null_trusted_btf",
        (6, 8),
        "reg_not_null() counts a trusted PTR_TO_BTF_ID (referenced, or PTR_TRUSTED: an acquired kfunc "
        "result after its NULL check, a task_vma iterator's element, ...) as never NULL: `if r1 == 0` "
        "with it is decided. Before, both sides were walked",
        "source: reg_not_null() `(type == PTR_TO_BTF_ID && is_trusted_reg(reg))` present in 6.8, 6.9.0, "
        "6.12.117 and 6.18.2, absent from 6.7.3; measured on 6.18.44 (tests/test_generic_iterators.py)",
    ),
    Feature(
        "reg_not_null_mem",
        (6, 4),
        "reg_not_null() counts PTR_TO_MEM as never NULL: `if r1 == 0` with such a pointer is decided. "
        "Before, both sides were walked",
        "source: reg_type_not_null()/reg_not_null() of 6.1.192, 6.2.1 and 6.3.8 lack PTR_TO_MEM, 6.4.4 "
        "(lewisevans2007/linux-6.4, the 6.4 line of rules/data/NOTES.md) and every later tree have it",
    ),
    Feature(
        "reg_not_null_map_ptr_mem",
        (6, 18),
        "reg_not_null() also counts a map pointer (CONST_PTR_TO_MAP) as never NULL: `if r1 == 0` with a map "
        "pointer in r1 is decided (an unprivileged loader may then compare it). Before, both sides were walked "
        "and an unprivileged comparison was refused",
        "commit 'bpf: Make reg_not_null() true for CONST_PTR_TO_MAP'; source: reg_not_null() of mainline 6.14 "
        "lacks it, 6.18.2 has it: bounded (6.14, 6.18.2], taken at 6.18, the stricter side (was: 6.17); "
        "backport ChangeLog-6.12.43 (Debian linux-image-6.12.117 changelog; the 6.12.117 source has it); "
        "measured: the running 6.18.44 accepts the map pointer comparison for a loader with CAP_BPF only",
        backports=(Backport((6, 12), 43, "ChangeLog-6.12.43 (Debian linux-image-6.12.117 changelog)"),),
    ),
    Feature(
        "fork_scalars_and_or",
        (7, 2),
        "AND/OR of a scalar whose signed range is exactly [-1, 0] (64-bit, else 32-bit) with a constant "
        "splits the path: one side walks on with the register -1, the other re-executes the instruction "
        "with it 0 (maybe_fork_scalars(): the `w s>>= 31; w &= K` idiom of LLVM)",
        "commit 'bpf: Recognize special arithmetic shift in the verifier' (bffacdb80b93, Alexei Starovoitov, "
        "Jan 2026) with its fix 'bpf: Fix unsound scalar forking in maybe_fork_scalars() for BPF_OR' "
        "(push_stack at insn_idx, not insn_idx + 1, Mar 2026); source: maybe_fork_scalars() absent from mainline "
        "6.18.2, present in Debian 7.2.13: mainline bounded (6.18.2, 7.2.13], taken at 7.2, the stricter side "
        "(was: 7.0); Debian 6.12.117 has it: ChangeLog-6.12.75 (the feature) and 6.12.80 (the BPF_OR fix; "
        "6.12.75-79 fork OR wrongly and are taken as without it); measured: the running 6.18.44-fc-v1045 accepts "
        "programs that need it (study selftests verifier_subreg.c arsh_31_and)",
        backports=(
            Backport(
                (6, 12),
                80,
                "ChangeLog-6.12.75 'bpf: Recognize special arithmetic shift in the verifier' and ChangeLog-6.12.80 "
                "'bpf: Fix unsound scalar forking in maybe_fork_scalars() for BPF_OR' (Debian "
                "linux-image-6.12.117 changelog)",
            ),
            Backport(
                (6, 18),
                44,
                "first point release measured with it (6.18.44-fc-v1045); the exact point release that "
                "took it is not known, so earlier ones are not claimed",
            ),
        ),
    ),
    Feature(
        "xdp_pull_data_kfunc",
        (6, 18),
        "the kfunc bpf_xdp_pull_data() exists and changes packet data (is_kfunc_pkt_changing())",
        "kernel/bpf/verifier.c special_kfunc_list KF_bpf_xdp_pull_data; source: absent from 6.14, present in "
        "6.18.2: bounded (6.14, 6.18.2], taken at 6.18; confirmed on the running 6.18 kernel",
    ),
    Feature(
        "tnum_strn_const",
        (6, 8),
        "the log prints a constant var_off as a number (tnum_strn(): decimal up to 0xffff, else hex), not "
        "'(0x8; 0x0)' (messages only: misaligned access, variable stack/ctx/buffer offsets)",
        "kernel/bpf/log.c tnum_strn() 'print as a constant, if tnum is fully known'; source: absent from "
        "6.7.3 (kernel/bpf/tnum.c), present in 6.8.0; measured: 5.10.0-46 prints 'misaligned stack access off "
        "(0x0; 0x0)+0+-12 size 8'",
    ),
    Feature(
        "retval_range_bounds",
        (6, 8),
        "check_return_code() compares R0's signed bounds with the range (retval_range_within()) and prints "
        "'has smin=.. smax=.. should have been in [lo, hi]'; before, tnum_in(tnum_range(lo, hi), var_off) "
        "and 'has value (v; m)' / 'has unknown scalar value' 'should have been in (v; m)'",
        "kernel/bpf/verifier.c check_return_code(), verbose_invalid_scalar(); source: tnum_in() form in "
        "4.15-6.7.3, retval_range_within() in 6.8.0; measured: 5.10.0-46 'At program exit the register R0 has "
        "value (0x0; 0xffffffff) should have been in (0x0; 0x0)' (fentry)",
    ),
    Feature(
        "cmp_two_scalars",
        (6, 8),
        "a comparison of two registers neither of which is a constant is decided (is_branch_taken()) and "
        "narrows both (reg_set_min_max() on two registers); before, only a comparison with a constant did "
        "(the other register's bounds against it) and two unknowns learnt only from == / != (64-bit, "
        "reg_combine_min_max() on the equal side)",
        "Andrii Nakryiko's 'generalize reg_set_min_max() / is_branch_taken()' series; source: "
        "reg_combine_min_max() and the constant-only branches of check_cond_jmp_op() present in 4.14-6.7.3, "
        "gone in 6.8.0 (true_reg1/true_reg2); measured: 5.10.0-46 rejects a map value offset bounded "
        "by `if r1 > r2` with r2 in [0, 31] (bpfcheck accepted it)",
    ),
    Feature(
        "bounds_deduce_v2",
        (6, 8),
        "reg_bounds_sync() of Andrii Nakryiko's rework: 32-bit bounds learnt from 64-bit ones and back "
        "(__reg_deduce_mixed_bounds()), signed/unsigned intersections, two passes; a comparison with a "
        "constant refines through the general reg_set_min_max(); before, __reg{32,64}_deduce_bounds() learnt "
        "the sign from one range at a time, once, and a jmp32 reset the 64-bit bounds unless the upper half "
        "was known zero (__reg_combine_32_into_64()), a jmp64 the 32-bit ones (__reg_combine_64_into_32())",
        "kernel/bpf/verifier.c; source: __reg_deduce_mixed_bounds() absent from 6.7.3, present in 6.8.0; the "
        "old deduction read in Debian 5.10.262 and 6.1.192; measured: 5.10.0-46 refuses a stack read at "
        "-64 + r6 bounded by `if r6 > 64; if w6 s< 1` (bpfcheck accepted it) and reports 'math between fp "
        "pointer and register with unbounded min value' where the new deduction gives smin = S64_MIN + 1",
    ),
    Feature(
        "sign_crossing_64",
        (6, 17),
        "__reg64_deduce_bounds() learns from s64 and u64 ranges that overlap only on one side of the sign "
        "boundary (the u64 range meets only the non-negative or only the negative part of the s64 range); "
        "before, nothing was learnt from them (the 32-bit twin is taken with tnum_step_const: absent from "
        "6.18.2, seen on the 6.18.44 host)",
        "kernel/bpf/verifier.c __reg64_deduce_bounds() 'if (reg->umax_value < (u64)reg->smin_value)'; source: "
        "absent from 6.14, present in 6.17.0 and 6.18.2: bounded (6.14, 6.17], taken at 6.17, the stricter "
        "side",
    ),
    Feature(
        "mul_signed_ranges",
        (6, 14),
        "scalar_min_max_mul() multiplies the signed and unsigned ranges with overflow checks (negative "
        "operands too); before, any negative operand or an operand above 2^32 (2^16 for ALU32) made the "
        "result unbounded",
        "'bpf: Improve precision of BPF_MUL' (Matan Shachnai); source: 'Ain't nobody got time to multiply that "
        "sign' in 4.14-6.13.2, check_mul_overflow() in 6.14; measured: 6.12.117 refuses a packet offset "
        "bounded by `(x & 3 ^ -8) * (y & 32767)` and `if r6 > 64` that the 6.18 host accepts",
    ),
    Feature(
        "alu_safe_dst_range",
        (6, 10),
        "adjust_scalar_min_max_vals() asks is_safe_to_compute_dst_reg_range(): XOR, OR and MUL are tracked "
        "with a non-constant source too, and DIV/MOD or an out-of-range shift by a constant give a fully "
        "unknown scalar even for ALU32; before, a non-constant source left only ADD/SUB/AND tracked, and "
        "those constant-source ops went through the switch's default (mark_reg_unknown) and the ALU32 "
        "zero-extension ([0, 2^32))",
        "kernel/bpf/verifier.c is_safe_to_compute_dst_reg_range(); source: 'opcode != BPF_ADD && opcode != "
        "BPF_SUB && opcode != BPF_AND' in 4.14-6.9.0, is_safe_to_compute_dst_reg_range() in 6.10; "
        "measured: 5.10.0-46 accepts a stack offset bounded by `w6 /= K; if r6 s> 63` that the 6.18 host "
        "refuses",
    ),
    Feature(
        "neg_tracking",
        (6, 17),
        "BPF_NEG keeps what is known of the value (adjust_scalar_min_max_vals(): 0 - dst, tnum_neg); "
        "before, check_alu_op() marked the result an unknown scalar (check_reg_arg(DST_OP))",
        "kernel/bpf/verifier.c adjust_scalar_min_max_vals() case BPF_NEG; source: absent from 6.14, present "
        "in 6.17.0 and 6.18.2: bounded (6.14, 6.17], taken at 6.17, the stricter side; measured: 5.10.0-46 "
        "rejects a map value offset bounded only through a negation (bpfcheck accepted it)",
    ),
    Feature(
        "tnum_step_const",
        (7, 2),
        "__update_reg64_bounds() makes a register whose tnum and u64 range share a single value that constant "
        "(tnum_step()); before, `w6 |= 31; if w6 > 62` left r6 in [31, 62] with var_off (0x1f; 0x20), a "
        "variable offset (a packet pointer plus it loses its range)",
        "kernel/bpf/verifier.c tnum_step(); source: absent from Debian 6.12.117 and mainline 6.18.2, present in "
        "Debian 7.2.13; measured: 6.12.117 under qemu refuses that packet access, the 6.18.44 host accepts it",
        backports=(SEEN_ON_6_18_44,),
    ),
    Feature(
        "bswap_tracking",
        (7, 2),
        "BPF_END keeps what is known of the value: the tnum's bytes are swapped (bswap, or to_be on "
        "little-endian), bounds re-derived from it, 16/32-bit results truncated (scalar_byte_swap()); "
        "before, the result was an unknown scalar",
        "patch 'bpf: ... BPF_END ... tnum_bswap16/32/64' (lore 20260204111503.77871-2-ziye@zju.edu.cn, "
        "and its fix resetting the scalar id, backported to 6.18.y; source: tnum_bswap*/scalar_byte_swap() "
        "absent from mainline 6.18.2 and Debian 6.12.117, present in Debian 7.2.13: mainline bounded (6.18.2, "
        "7.2.13], taken at 7.2, the stricter side (was: 6.18); measured on 6.18.44-fc-v1045 (katran's checksum "
        "code)",
        backports=(SEEN_ON_6_18_44,),
    ),
    Feature(
        "lsm_hook_retval_range",
        (6, 11),
        "an LSM (lsm_mac) program returns within its hook's range, checked on R0's 32-bit signed bounds: [0, 1] "
        "for the hooks in bool_lsm_hooks, [-MAX_ERRNO, 0] for every other hook returning a value, none for void "
        "hooks (needs the target's BTF to know the hook)",
        "check_return_code() -> get_func_retval_range() -> bpf_lsm_get_retval_range() (kernel/bpf/bpf_lsm.c); "
        "source: absent from 6.10.0, present in 6.11.11, Debian 6.12.117 and 6.18.2; absent from 6.1.192 and "
        "5.10.262",
    ),
    # the exploration (prune points, checkpoints): verifier/abstract/prune_points.py, explorer.py
    Feature(
        "reduced_prune_points",
        (6, 2),
        "the instruction after an unconditional jump is no longer a prune point; calls of helpers "
        "that take a callback and iterator _next kfuncs are (verifier/abstract/prune_points.py)",
        "commit 618945fbed52 'bpf: remove unnecessary prune and jump points'; source: visit_insn() of 6.0-rc1 "
        "marks t + 1 after BPF_JA (init_explored_state()), 6.2.1 and later only the target (mark_prune_point()) "
        "(was: 6.3); backport ChangeLog-6.1.72 'bpf: remove unnecessary prune and jump points' (Debian "
        "linux-image-6.1.0-57 changelog; the 6.1.192 source has the 6.2 layout)",
        backports=(Backport((6, 1), 72, "ChangeLog-6.1.72 (Debian linux-image-6.1.0-57 changelog)"),),
    ),
    Feature(
        "history_forced_checkpoint",
        (6, 11),
        "a prune point adds a checkpoint whatever the 2-jump/8-instruction heuristic says once the "
        "state's instruction history (jump points, register spills and fills) has more than 40 "
        "entries since the last one",
        "is_state_visited() ('Avoid accumulating infinitely long jmp history': `cur->jmp_history_cnt > 40`); "
        "source: absent from 6.10.0, present in 6.11.11 and no 6.11.y stable ChangeLog in Debian's changelog "
        "lists it: 6.11 (was: 6.7)",
    ),
    Feature(
        "static_reg_liveness",
        (6, 18),
        "registers compared for pruning are those live by a static data-flow analysis "
        "(compute_live_registers(): clean_func_state() makes the others NOT_INIT), no longer those "
        "read on the explored paths (REG_LIVE_READ, removed from regsafe())",
        "kernel/bpf/verifier.c v6.18 clean_func_state()/regsafe() (the 6.18 liveness rework, "
        "'bpf: ... bpf_stack_liveness'); source: compute_live_registers() absent from 6.14, present in 6.18.2 "
        "(no REG_LIVE_READ left): bounded (6.14, 6.18.2], taken at 6.18 (6.15-6.17 not modelled)",
    ),
    Feature(
        "static_stack_liveness",
        (6, 18),
        "stack slots compared for pruning are those live by a path-insensitive analysis per call chain "
        "(kernel/bpf/liveness.c: reads and surely-written slots of every visited instruction, a "
        "backward data-flow brought up to date when a path ends), no longer those read on the paths "
        "below the checkpoint (REG_LIVE_READ)",
        "kernel/bpf/liveness.c and clean_func_state()/bpf_stack_slot_alive() in v6.18 (Eduard "
        "Zingerman's 'bpf: callchain sensitive stack liveness tracking using CFG' series); source: "
        "kernel/bpf/liveness.c absent from 6.14, present in 6.18.2: bounded (6.14, 6.18.2], taken at 6.18; the "
        "running 6.18.44 kernel prints the sets ('(0) frame 0 insn N +live -8') at log level 2",
    ),
    # btf_ctx_access() (kernel/bpf/btf.c), read in the Debian linux-source packages 5.10.262,
    # 6.1.192, 6.12.117 and at torvalds/linux (2025); the exact first release is given where known
    Feature(
        "btf_ctx_struct_arg",
        (6, 1),
        "tracing programs read struct arguments passed by value (as scalars)",
        "commit 720e6a435194; source: btf_ctx_access() of 6.0-rc1 reads only small ints and enums as scalars, "
        "6.1.192 also __btf_type_is_struct(t)",
    ),
    Feature(
        "btf_ctx_int_ptr_scalar",
        (5, 17),
        "a tracing argument pointing to any integer reads as a scalar (before: only char *)",
        "source: btf.c has is_string_ptr() (char only) up to 5.16.10, is_int_ptr() from 5.17-rc5 (was: 5.13)",
    ),
    Feature(
        "btf_ctx_ptr_size_8",
        (6, 13),
        "a pointer argument of a tracing program must be read with an 8-byte load",
        "commit 'bpf: Check size for BTF-based ctx access of pointer members'; source: btf_ctx_access() 'func "
        "'%s' size %d must be 8' absent from every tree up to 6.11.11, present in 6.13.2 (was: 6.8); backport "
        "ChangeLog-6.12.6 (Debian linux-image-6.12.117 changelog; the 6.12.117 source has it)",
        backports=(Backport((6, 12), 6, "ChangeLog-6.12.6 (Debian linux-image-6.12.117 changelog)"),),
    ),
    Feature(
        "btf_ctx_non_struct_ptr_scalar",
        (6, 18),
        "a tracing argument pointing to anything but a struct (or to a pointer) reads as a scalar",
        "btf_type_is_struct_ptr() in btf_ctx_access(); source: 6.12.117, 6.13.2 and 6.14 still use is_int_ptr() "
        "and refuse ('arg%d type %s is not a struct'), 6.18.2 has no is_int_ptr(): bounded (6.14, 6.18.2], "
        "taken at 6.18, the stricter side (was: 6.13)",
    ),
    Feature(
        "raw_tp_null_args",
        (6, 13),
        "tp_btf arguments listed in the kernel's raw_tp_null_args table may be NULL (or an ERR_PTR, "
        "then a scalar); verifier/btf/data/raw_tp_null_args.csv",
        "commit 838a10bd2ebf 'bpf: Augment raw_tp arguments with PTR_MAYBE_NULL'; source: raw_tp_null_args[] "
        "absent from btf.c up to 6.11.11, present in 6.13.2 and later; backport ChangeLog-6.12.6 (Debian "
        "linux-image-6.12.117 changelog, with the revert of cb4158ce8ec8; the 6.12.117 source has the table; "
        "was: no 6.12 backport)",
        backports=(Backport((6, 12), 6, "ChangeLog-6.12.6 (Debian linux-image-6.12.117 changelog)"),),
    ),
    Feature(
        "tail_call_region_checks",
        (6, 11),
        "bpf_tail_call() refused inside an RCU read section or with preemption disabled (and, from 6.14, "
        "with IRQ flags saved): 'tail_call cannot be used inside ...-ed region'; before, only held "
        "references were checked",
        "kernel/bpf/verifier.c check_helper_call(): absent 6.9.0 and 6.10, present 6.11.11, 6.12.117, then "
        "check_resource_leak(env, false, true, \"tail_call\") in 6.13.2 to 6.18.2",
    ),
    Feature(
        "sock_narrow_per_field",
        (5, 2),
        "bpf_sock_is_valid_access() takes narrow loads of state, family, type, protocol, dst_port, src_port "
        "at their first byte and of src/dst ip4/ip6 anywhere; before, of src_ip4/src_ip6 only",
        "net/core/filter.c: __sock_filter_check_size() in 4.20.0 and 5.0.0, the per-field switch in 5.2.1 "
        "(5.1 not read: the later side)",
    ),
    Feature(
        "sock_dst_port_u16",
        (5, 18),
        "struct bpf_sock dst_port is 16 bits wide: narrow loads anywhere in its two bytes, none in the "
        "padding after it (a 4-byte load at its start still allowed)",
        "net/core/filter.c: absent 5.17-rc5, present 5.18.12 (and backported to 5.10.111)",
    ),
    Feature(
        "btf_arg_trusted_rcu",
        (6, 2),
        "btf_ptr_types (a helper's ARG_PTR_TO_BTF_ID) lists PTR_TO_BTF_ID | PTR_TRUSTED and | MEM_RCU beside "
        "PTR_TO_BTF_ID: the refusal reads 'expected=ptr_, trusted_ptr_, rcu_ptr_' (before: 'expected=ptr_')",
        "kernel/bpf/verifier.c btf_ptr_types: one type in Debian 6.1.192, three in 6.2.1, 6.3.8, 6.4.4, 6.18.2",
    ),
    Feature(
        "ld_abs_check_resource_leak",
        (6, 13),
        "check_ld_abs() asks check_resource_leak(env, false, true, \"BPF_LD_[ABS|IND]\"): a held lock "
        "first, then a reference ('BPF_LD_[ABS|IND] would lead to reference leak'), IRQ flags, RCU, "
        "preemption; before, a reference first ('... cannot be mixed with socket references')",
        "kernel/bpf/verifier.c: absent 6.12.117 (Debian linux-source), present 6.13.2, 6.14, 6.17.0, 6.18.2",
    ),
    Feature(
        "ctx_ldsx_pkt_refused",
        (6, 13),
        "a sign-extending load (BPF_MEMSX) of a context field holding a packet pointer (__sk_buff "
        "data/data_meta/data_end, xdp_md data/data_meta/data_end) is an invalid context access",
        "net/core/filter.c info->is_ldsx checks: absent 6.12.117, present 6.13.2, 6.14, 6.17.0, 6.18.2",
    ),
    Feature(
        "tcp_sock_icsk_retransmits",
        (5, 3),
        "struct bpf_tcp_sock reaches icsk_retransmits (dsack_dups, delivered, delivered_ce, "
        "icsk_retransmits after bytes_acked): bpf_tcp_sock_is_valid_access() allows offsets below 112",
        "net/core/filter.c: offsetofend(struct bpf_tcp_sock, bytes_acked) in 5.2.1, icsk_retransmits in "
        "5.3.0, 5.4.0 and 6.18.2",
    ),
    Feature(
        "struct_ops_zero_attach_silent",
        (6, 9),
        "check_struct_ops_btf_id() refuses a struct_ops program with attach_btf_id 0 (no struct_ops "
        "variable of the object points at it) with -ENOTSUPP and no log line; before, "
        "bpf_struct_ops_find(0) failed and the log said 'attach_btf_id 0 is not a supported struct'",
        "source read: Debian linux-source 6.1.192 (the message) and 6.12.117 (`if "
        "(!prog->aux->attach_btf_id) return -ENOTSUPP;`); measured: cilium/ebpf testdata struct_ops.o on "
        "the real 6.1.0-57 (message, errno 524) and 6.12.117 (empty log, errno 524); mainline version "
        "recalled (6.9, the series letting modules register struct_ops types, Kui-Feng Lee)",
    ),
)

FEATURES: dict[str, Feature] = {row.name: row for row in _ROWS}


# Features the kernel grants only to privileged loaders (kernel_versions.md §2: bounded loops and
# bpf-to-bpf calls need bpf_capable(); uninitialised stack reads need perfmon_capable(); dead code
# removal, variable-offset stack reads and <8-byte spill tracking are bpf_capable-only paths).
PRIVILEGED_ONLY: frozenset[str] = frozenset(
    {
        "bpf_to_bpf_calls",
        "bounded_loops",
        "large_programs",
        "dead_code_elimination",
        "uninit_stack_read_priv",
        "uninit_stack_read_any_depth",
        "var_off_stack_read",
        "spill_narrow_scalar",
        "pseudo_func",
        "callbacks",
        "kfuncs",
        "bpf_loop",
        "tail_call_in_subprogs",
        "global_func_verification",
        "global_func_ptr_args",
    }
)


def has_feature(name: str, version: Version, unprivileged: bool = False, patch: int | None = None) -> bool:
    """True when `version` (point release `patch`, None: the newest known) has the feature (for this
    loader); unknown names raise KeyError."""
    if not FEATURES[name].present_in(version, patch):
        return False
    return not (unprivileged and name in PRIVILEGED_ONLY)
