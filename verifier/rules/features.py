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


_ROWS: tuple[Feature, ...] = (
    Feature(
        "jmp_ext",
        (4, 14),
        "BPF_JLT/JLE/JSLT/JSLE jump opcodes (ISA v2)",
        "KV §3 4.14, commit 92b31a9af73b; cilium/ebpf features/misc.go (ISA v2)",
    ),
    Feature(
        "check_return_code",
        (4, 15),
        "R0 range checked at exit for cgroup program types",
        "KV §3 4.15 / §4, commit 390ee7e29fc8",
    ),
    Feature(
        "bpf_to_bpf_calls",
        (4, 16),
        "BPF_PSEUDO_CALL to subprograms (root only), call depth 8",
        "KV §3 4.16, commit cc8b0b92a169",
    ),
    Feature(
        "map_value_helper_args",
        (4, 18),
        "map value pointers accepted as map key/value helper args",
        "KV §3 4.18, commit d71962f3e627",
    ),
    Feature("btf", (4, 18), "BTF loaded with programs and maps", "KV §3 4.18, commit 69b693f0aefa"),
    Feature(
        "reference_tracking",
        (4, 20),
        "acquired socket references must be released",
        "KV §3 4.20, commit 6acc9b432e67",
    ),
    Feature(
        "jmp32",
        (5, 1),
        "BPF_JMP32 instruction class (ISA v3)",
        "KV §3 5.1, commit 092ed0968bb6; cilium/ebpf features/misc.go (ISA v3)",
    ),
    Feature("spin_lock", (5, 1), "bpf_spin_lock/unlock in map values", "KV §3 5.1, commit d83525ca62cf"),
    Feature(
        "dead_code_elimination",
        (5, 1),
        "unreachable code removed (privileged) instead of rejected later",
        "KV §3 5.1; ebpf-docs verifier.md",
    ),
    Feature(
        "global_data",
        (5, 2),
        "ld_imm64 BPF_PSEUDO_MAP_VALUE: .data/.rodata/.bss global variables",
        "KV §3 5.2, commit d8eca5bbb2be",
    ),
    Feature(
        "large_programs",
        (5, 2),
        "1,000,000 instructions for privileged programs",
        "KV §1, commit c04c0d2b968a",
    ),
    Feature(
        "bounded_loops",
        (5, 3),
        "back-edges allowed for privileged programs when the loop terminates",
        "KV §3 5.3, commit 2589726d12a1",
    ),
    Feature(
        "spill_const_tracking",
        (5, 3),
        "8-byte spills of scalars keep the register's bounds (before: the slot became STACK_MISC)",
        "commit f7cf25b2026d 'bpf: track spill/fill of constants' (June 2019 series with precision "
        "tracking, v5.3; version recalled)",
    ),
    Feature(
        "precision_tracking",
        (5, 3),
        "precise scalar tracking (state pruning ignores imprecise scalars)",
        "commit b5dc0163d8fd 'bpf: precise scalar_value tracking' (v5.3; version recalled)",
    ),
    Feature(
        "rdonly_map_const",
        (5, 5),
        "loads from frozen read-only maps (.rodata) are known constants",
        "commit a23740ec43ba 'bpf: Track contents of read-only maps as scalars' (Oct 2019, v5.5)",
    ),
    Feature(
        "global_func_verification",
        (5, 6),
        "global (non-static) functions verified once, on their own",
        "KV §3 5.6, commit 51c39bb1d5d1",
    ),
    Feature(
        "alu32_bounds",
        (5, 7),
        "explicit 32-bit subregister bounds tracking",
        "commit 3f50f132d840 'bpf: Verifier, do explicit ALU32 bounds tracking' (v5.7)",
    ),
    Feature("cap_bpf", (5, 8), "CAP_BPF/CAP_PERFMON split of root privileges", "KV §2/§3 5.8"),
    Feature(
        "ringbuf", (5, 8), "BPF_MAP_TYPE_RINGBUF and bpf_ringbuf_* helpers", "KV §3 5.8, commit 457f44363a88"
    ),
    Feature(
        "btf_id_ld_imm64",
        (5, 10),
        "ld_imm64 BPF_PSEUDO_BTF_ID (typed/untyped ksyms)",
        "commit 4976b718c355 'bpf: Introduce pseudo_btf_id' (v5.10)",
    ),
    Feature(
        "tail_call_in_subprogs",
        (5, 10),
        "tail calls mixed with bpf-to-bpf calls (x86; 256 B per frame)",
        "KV §1, ebpf-docs tail-calls.md; before: 'tail_calls are not allowed in programs with bpf-to-bpf calls'",
    ),
    Feature("sleepable", (5, 10), "sleepable (BPF_F_SLEEPABLE) programs", "bcc kernel-versions.md 5.10"),
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
        "KV §3 5.12; cilium/ebpf; commit 981f94c3e921 'bpf: Add BPF_FETCH field / create atomic_fetch_add'",
    ),
    Feature(
        "global_func_ptr_args",
        (5, 12),
        "global functions may take pointer (PTR_TO_MEM via BTF) arguments",
        "commit e5069b9c23b3 'bpf: Support pointers in global func args' (v5.12); corpus/manifest.toml",
    ),
    Feature(
        "pseudo_func",
        (5, 13),
        "ld_imm64 BPF_PSEUDO_FUNC (callback function pointers)",
        "commit 69c087ba6225 'bpf: Add bpf_for_each_map_elem() helper' (v5.13)",
    ),
    Feature(
        "callbacks",
        (5, 13),
        "helpers taking callbacks (bpf_for_each_map_elem)",
        "commit 69c087ba6225 (v5.13)",
    ),
    Feature(
        "kfuncs",
        (5, 13),
        "calls to kernel functions (BPF_PSEUDO_KFUNC_CALL)",
        "commit e6ac2450d6de 'bpf: Support bpf program calling kernel function' (v5.13)",
    ),
    Feature(
        "timers",
        (5, 15),
        "bpf_timer in map values",
        "commit b00628b1c7d5 'bpf: Introduce bpf timers' (v5.15)",
    ),
    Feature(
        "bpf_loop", (5, 17), "bpf_loop() helper", "commit e6f2dd0f8067 'bpf: Add bpf_loop helper' (v5.17)"
    ),
    Feature(
        "scalar_named_inv",
        (4, 14),
        "the verifier log calls scalars 'inv' (later 'scalar')",
        "shared/reference/README.md ('inv' became 'scalar' in 5.18)",
        until=(5, 17),
    ),
    Feature(
        "spill_narrow_scalar",
        (5, 16),
        "<8-byte spills of scalars (8-byte aligned) keep the register's bounds; a fill of the spilled size "
        "at the slot's start restores them",
        "commit 354e8f1970f8 'bpf: Support <8-byte scalar spill and refill' (v5.16; version recalled); "
        "5.10.262 source has it (save_register_state(size), fill when size == spill_size)",
        backports=(Backport((5, 10), 168, "ChangeLog-5.10.168 (Debian linux-image-5.10.0-46 changelog)"),),
    ),
    Feature(
        "ptr_eq_nullness",
        (6, 2),
        "JEQ/JNE between two pointers, one maybe NULL: on the equal side it is not NULL",
        "commit befae75856ab 'bpf: propagate nullness information for reg to reg comparisons' (Eduard "
        "Zingerman; bpf-next pull 2022-11-25, v6.2); 6.1.192 source has no such branch in "
        "check_cond_jmp_op(), 6.12.117 has it; measured: 5.10.0-46 and 6.1.0-57 refuse corpus "
        "ptr/null_by_equal_pointer.o:deref_on_equal_side",
    ),
    Feature(
        "st_imm_spill",
        (6, 3),
        "BPF_ST of a non-zero immediate at an 8-byte aligned slot (privileged) is a spilled constant "
        "(before: STACK_MISC; an immediate 0 stays STACK_ZERO until spill_zero_scalar)",
        "commit ecdf985d7615 'bpf: track immediate values written to stack by BPF_ST instruction' "
        "(bpf-next 2023-02-15, v6.3); 5.10.262 and 6.1.192 sources: `insn->imm != 0`",
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
        "exit_retval_precise",
        (6, 8),
        "R0 is marked precise where its range is checked (program exit, callback return): before, a path "
        "returning an unchecked value can be pruned against one that returned a checked one",
        "commits c871d0e00f0e 'bpf: enforce precise retval range on program exit' and eabe518de533 'bpf: "
        "enforce precision of R0 on program/async callback return' (Andrii Nakryiko, bpf-next Dec 2023, "
        "v6.8); 5.10.262 / 6.1.192 check_return_code(): no mark_chain_precision(), 6.12.117: present; "
        "measured: 5.10.0-46 and 6.1.0-57 accept tests/data/engine_disagreements/004, 6.12.117 rejects it",
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
    Feature("dynptrs", (5, 19), "bpf_dynptr helpers", "KV §3 5.19, commit 263ae152e962"),
    Feature("kptrs", (5, 19), "kptr fields and bpf_kptr_xchg", "KV §3 5.19, commit c0a5a21c25f3"),
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
        (6, 8),
        "with uninit_stack_read_priv, a read below the deepest slot written so far grows the stack instead of "
        "failing ('invalid read from stack R10 off=-8 size=8': reads were bounded by -allocated_stack)",
        "'bpf: Fix accesses to uninit stack slots' (Andrei Matei, CVE-2023-52452; mainline v6.8, version recalled, "
        "6.7 not excluded: taken late, which only makes bpfcheck stricter); source: Debian 5.10.262 "
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
        (6, 3),
        "BPF_ST (store immediate) into the context allowed (before: 'BPF_ST stores into R1 ctx is not allowed')",
        "commit 'bpf: allow ctx writes using BPF_ST_MEM instruction' (Eduard Zingerman, 2023, v6.3)",
    ),
    Feature(
        "open_coded_iterators",
        (6, 4),
        "bpf_iter_* kfuncs and loops driven by them",
        "KV §3 6.4, commit 06accc8779c1",
    ),
    Feature(
        "cpu_v4",
        (6, 6),
        "sign-extending loads/movs, bswap, gotol, sdiv/smod (ISA v4)",
        "KV §3 6.6, commit 1f9a1ea821ff; shared README: 6.1 rejects ldsx ('BPF_LDX uses reserved fields')",
    ),
    Feature(
        "map_ptr_btf_access",
        (5, 10),
        "privileged programs read the fields of a map pointer (CONST_PTR_TO_MAP) through the BTF of the "
        "map implementation's struct (struct bpf_array, bpf_htab, ...: check_ptr_to_map_access()); "
        "before, any load through a map pointer was 'invalid mem access'",
        "commit 41c48f3a9823 'bpf: Support access to bpf map fields' (Andrey Ignatov, v5.10, version "
        "recalled); 6.18 behaviour confirmed on the running kernel (study selftests verifier_map_ptr.c)",
    ),
    Feature(
        "global_func_arg_tags",
        (6, 8),
        "__arg_ctx/__arg_nonnull/... global function argument tags",
        "KV §3 6.8, commit 94e1c70a3452",
    ),
    Feature(
        "spill_unbounded_scalar_id",
        (6, 9),
        "an unbounded scalar is spilled as a register (keeping its id: later bound checks on the source "
        "refine the slot); before, register_is_bounded() sent it to STACK_MISC",
        "commit e67ddd9b1cff 'bpf: Track spilled unbounded scalars' (bpf-next pull 2024-02-29, v6.9); "
        "5.10.262 / 6.1.192 sources: register_is_bounded(reg) in check_stack_write_fixed_off()",
    ),
    Feature(
        "jne_const_edge",
        (6, 8),
        "on the 'not equal' side of a comparison with a constant at the edge of a range, the range "
        "shrinks by one (x in [0,63], x != 0 gives [1,63]); before, that side learns nothing",
        "regs_refine_cond_op() BPF_JNE case, series 'BPF register bounds logic and testing improvements' "
        "(Andrii Nakryiko, v6.8; version recalled); source: absent from Debian's 6.1.192 "
        "(reg_set_min_max only marks the equal side known), present in 6.12.117; measured: "
        "corpus helpers/arg_types.o:helper_bounded_size ('invalid zero-sized read') on 5.10.0-46 and 6.1.0-57, "
        "accepted by 6.12.117+deb13",
    ),
    Feature("may_goto", (6, 9), "may_goto instruction (BPF_JMP|BPF_JCOND)", "KV §3 6.9, commit 011832b97b31"),
    Feature("arena", (6, 9), "BPF_MAP_TYPE_ARENA", "KV §3 6.9"),
    Feature(
        "linked_scalar_ids_mov32",
        (6, 8),
        "w1 = w2 of a value that fits in 32 bits, and scalar spills, keep the copies linked",
        "assign_scalar_id_before_mov(), series 'Improvements for tracking scalars in the BPF verifier' "
        "(Maxim Mikityanskiy, v6.8)",
    ),
    Feature(
        "stack_round_16_jit",
        (6, 8),
        "JIT-ed programs round each frame's stack to 16 bytes in the combined stack check (not 32)",
        "round_up_stack_depth(), Yonghong Song's llvm18 selftest fixes (v6.8); adversarial tests "
        "call_chain_8_x65_stack / call_chain_6_x80_stack against 6.18",
    ),
    Feature(
        "linked_regs_add_const",
        (6, 11),
        "rX += const keeps rX linked to its copies at a known distance (BPF_ADD_CONST)",
        "commit 98d7ca374ba4 'bpf: Track delta between \"linked\" registers.' (v6.11)",
    ),
    Feature(
        "resource_leak_prefix",
        (6, 14),
        "a leaked reference at exit ends with 'BPF_EXIT instruction in main prog would lead to reference leak'",
        "check_resource_leak() refactor (v6.14, version recalled); 6.18 log in corpus/manifest.toml",
    ),
    Feature(
        "linked_regs_add_const_any",
        (6, 17),
        "linked distances also through rX -= const, negative constants and 32-bit adds (BPF_ADD_CONST32)",
        "version recalled; 6.18 behaviour confirmed by tests/data/engine_disagreements/010",
    ),
    Feature(
        "tail_call_map_msg",
        (6, 17),
        "a tail call with a non-prog-array map reports 'expected prog array map for tail call'",
        "record_func_key() message (commit 192e3aa14529's fix, 6.17, per verifier/abstract); "
        "shared corpus verdicts: 6.18 prints it for tail_call_bad.o",
    ),
    Feature(
        "const_array_lookup_nonnull",
        (6, 14),
        "map_lookup_elem on an (percpu) array map with a constant in-range key returns a non-NULL map_value; "
        "the key must be a known constant in its stack slot (a spilled constant register at an 8-byte aligned "
        "slot or zeroed bytes), else the result stays map_value_or_null",
        "series 'bpf: verifier: Support eliding map lookup nullness' (Daniel Xu, Jan 2025, v6.14; "
        "version not confirmed in source); shared README: observed or_null on 6.1, non-NULL on 6.18; corpus/manifest.toml: a u32 key stored "
        "at r10-4 (not 8-aligned) is still map_value_or_null on 6.18",
    ),
    Feature(
        "sane_offset_checks_linked_delta",
        (6, 11),
        "pointer += linked scalar: check_reg_sane_offset() also refuses the scalar's kept distance to its "
        "link (reg->off) beyond 1<<29 ('fp pointer offset N is not allowed'); without it, an unbounded "
        "linked scalar gets 'math between ... unbounded min value'",
        "the distance lives in reg->off since 98d7ca374ba4 (v6.11); measured: an earlier 6.18.44 build still "
        "checks it (tests/data/engine_disagreements/008/kernel.log), 6.18.44-fc-v1045 does not "
        "(tests/data/engine_disagreements/008/case.json, recordings); per build in verifier/rules/builds.py",
        until=(6, 17),
    ),
    Feature(
        "sane_offset_ptr_split",
        (6, 18),
        "check_reg_sane_offset() split in two: the scalar operand keeps the old checks (without reg->off), the "
        "pointer (before the move, and the result after it) is refused as '<type> pointer offset N is not "
        "allowed' for a constant offset or a minimum beyond 1<<29 (no 'unbounded min value' / 'makes ... out "
        "of bounds' words for it any more)",
        "source: mainline check_reg_sane_offset_scalar() / check_reg_sane_offset_ptr() (search index copy of "
        "kernel/bpf/verifier.c, version not confirmed); measured: 6.18.44-fc-v1045 prints 'map_value pointer "
        "offset -4294967295 is not allowed' for a pointer minus an unknown u32 (scripts/diff_fuzz_unpriv.py "
        "seeds 1-3); the earlier 6.18.44 build kept the old function (its reg->off check: "
        "sane_offset_checks_linked_delta); per build in verifier/rules/builds.py",
    ),
    Feature(
        "movsx_range_from_subreg",
        (6, 18),
        "r = (s8/s16/s32) r' (and sign-extending loads of spilled scalars) keep the source's 32-bit signed range "
        "when it fits the narrower type: smin/smax = s32 range, umin/umax = the sign-extended u32 range, "
        "var_off recomputed from the ranges; before, any range crossing the narrow sign bit became the whole type",
        "measured on 6.18.44-fc-v1045 (tests/data/kernel_recordings/scalar_alu.json, 1,100 sign extensions, "
        "0 mismatches); an earlier 6.18.44 build did not (mainline coerce_reg_to_size_sx at v6.18); "
        "per build in verifier/rules/builds.py",
    ),
    Feature(
        "pkt_data_changes_tracked",
        (6, 13),
        "a call to a global function that may change packet data (a pkt-changing helper, kfunc or tail "
        "call in it or in a function it calls: subprog_info.changes_pkt_data) invalidates the caller's "
        "packet pointers; a tail call made directly does not (6.18: accepted)",
        "commits 1a4607ffba35 'bpf: consider that tail calls invalidate packet pointers' and 51081a3f25c7 "
        "'bpf: track changes_pkt_data property for global functions' (v6.13, versions recalled); "
        "6.18 behaviour confirmed against the running kernel (corpus/src/packet/invalidated_by_calls.c); "
        "6.12.117 source has subprog_info.changes_pkt_data; measured: 6.12.117 refuses write_after_global_pull",
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
        "commit 1a4607ffba35 'bpf: consider that tail calls invalidate packet pointers' (v6.13, recalled); "
        "backport ChangeLog-6.12.9 (Debian linux-image-6.12.117 changelog); measured: 6.12.117 refuses "
        "corpus packet/invalidated_by_calls.o:write_after_tail_call, 6.18.44 accepts it (when that changed "
        "back is not dated: taken as late as possible, the stricter side)",
        until=(6, 17),
        backports=(Backport((6, 12), 9, "ChangeLog-6.12.9 (Debian linux-image-6.12.117 changelog)"),),
    ),
    Feature(
        "xskmap_lookup",
        (5, 3),
        "map_lookup_elem() on an xskmap returns an xdp_sock (PTR_TO_XDP_SOCK once checked for NULL)",
        "commit fada7fdc83c0 'bpf: Allow bpf_map_lookup_elem() on an xskmap' (v5.3, version recalled)",
    ),
    Feature(
        "sockmap_lookup",
        (5, 10),
        "map_lookup_elem() on a sockmap or sockhash returns a referenced socket (sock once checked for "
        "NULL), to be released with bpf_sk_release()",
        "commit 64d85290d79c 'bpf: Allow bpf_map_lookup_elem for SOCKMAP and SOCKHASH' (v5.10, version "
        "recalled); 6.18 behaviour confirmed (corpus/src/refs/sockmap_lookup.c)",
    ),
    Feature(
        "ld_abs_subprog_exit",
        (6, 18),
        "LD_ABS/LD_IND in a subprogram: the load's failure returns 0 from that function (bpf_gen_ld_abs()'s "
        "hidden exit), and the verifier walks that return into the caller",
        "commit ee861486e377 'bpf: Fix ld_{abs,ind} failure path analysis in subprogs' (Daniel Borkmann, "
        "Apr 2026, CVE-2026-53090; mainline after 7.0, a stable fix: 6.18.44 has it); backports from the "
        "Debian changelogs: 6.1.183, 6.12.101 (5.10.262 lacks it); measured: 6.1.0-57 and 6.12.117 refuse "
        "corpus calls/ld_abs_subprog.o:caller_trusts_one ('R9 !read_ok'), 5.10.0-46 accepts it",
        backports=(
            Backport((6, 1), 183, "ChangeLog-6.1.183 (Debian linux-image-6.1.0-57 changelog)"),
            Backport((6, 12), 101, "ChangeLog-6.12.101 (Debian linux-image-6.12.117 changelog)"),
        ),
    ),
    Feature(
        "ld_abs_callback_exit_walk_fails",
        (6, 18),
        "with ld_abs_subprog_exit, the hidden exit of an LD_ABS directly in a sync callback fails the "
        "precision walk ('verifier bug: callback unexpected regs 1'); before, the callback returns 0",
        "measured: 6.18.44 refuses tests/test_ld_abs_callback.py's body_loads so, 6.1.0-57 (which has "
        "ld_abs_subprog_exit) accepts it",
    ),
    Feature(
        "ld_abs_callback_refused",
        (6, 2),
        "LD_ABS/LD_IND in a callback or a function a callback calls: 'cannot use BPF_LD_[ABS|IND] within "
        "callback' (check_ld_abs() walks the frames for in_callback_fn; check_max_stack_depth_subprog() too)",
        "source: 6.12.117 check_ld_abs() has the check, 6.1.192 does not; measured: 6.12.117 refuses "
        "tests/test_ld_abs_callback.py's body_loads and deeper_loads with it, 6.1.0-57 and 6.18.44 accept "
        "deeper_loads. Mainline commit and the versions it spans not found: taken from 6.2 to 6.17, "
        "the stricter side",
        until=(6, 17),
    ),
    Feature(
        "tail_call_subprog_exit",
        (6, 18),
        "bpf_tail_call() in a subprogram may return from that function with any R0 (the called program "
        "returns to the function's caller): the verifier walks that return into the caller; made "
        "directly in a synchronous callback it fails the kernel's precision walk",
        "measured on the running 6.18 kernel (tests/test_tail_call_exit.py; the study selftest "
        "verifier_live_stack.c expects it); earlier kernels not confirmed, so not claimed",
    ),
    Feature(
        "global_func_arg_tags",
        (6, 8),
        "`arg:` BTF decl tags on global function parameters (__arg_ctx, __arg_nonnull, __arg_nullable, "
        "__arg_trusted, __arg_arena) decide the argument's type before its BTF type does",
        "commit 94e1c70a3452 'bpf: support 'arg:xxx' btf_decl_tag-based hints for global subprog args' "
        "and the series around it (Andrii Nakryiko, v6.8, version recalled); btf_prepare_func_args() and "
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
        "selftest verifier_live_stack.c caller_stack_pruning_callback is refused by the running 6.18",
    ),
    Feature(
        "helper_stack_access_type",
        (6, 14),
        "check_stack_range_initialized() is told whether a helper reads or writes its stack memory: an "
        "uninitialised byte a helper would read is `invalid read from stack R2 off -64+0 size 64` (before: "
        "`invalid indirect read from stack ...`), a helper writing past the stack is `invalid write to "
        "stack R1 off=-8 size=9` (before: `invalid indirect access to stack ...`)",
        "commit 'bpf: verifier: Refactor helper access type tracking' (Daniel Xu, series 'bpf: verifier: "
        "Support eliding map lookup nullness', v6.14, version recalled); source read: Debian "
        "linux-source 6.12.117 still has both; recorded: the real 5.10, 6.1 and 6.12 kernels print `invalid "
        "indirect access to stack` (tests/data/kernels/*/fuzz.jsonl); measured: the running 6.18.44 prints "
        "`invalid write to stack R1 off=-8 size=9` and `invalid read from stack R2 off -64+0 size 64` "
        "(study selftests verifier_helper_access_var_len.c, CAP_BPF-only loader)",
    ),
    Feature(
        "reg_not_null_map_ptr_mem",
        (6, 17),
        "reg_not_null() also counts a map pointer (CONST_PTR_TO_MAP) and PTR_TO_MEM as never NULL: "
        "`if r1 == 0` with a map pointer in r1 is decided (an unprivileged loader may then compare it). "
        "Before, both sides were walked and an unprivileged comparison was refused",
        "source read: Debian linux-source 6.1.192 reg_type_not_null() lacks both, 6.12.117 reg_not_null() "
        "has both (with PTR_TO_XDP_SOCK, PTR_TO_BUF, trusted PTR_TO_BTF_ID); measured: the running "
        "6.18.44 accepts the map pointer comparison for a loader with CAP_BPF only; mainline version "
        "unconfirmed (kernel-patches/bpf 'Map ptr null' series, mid 2025, taken by the 6.12 stable series)",
        backports=(
            Backport(
                (6, 12),
                117,
                "first point release read with it (Debian linux-source 6.12.117); the exact point release "
                "that took it is not known",
            ),
        ),
    ),
    Feature(
        "fork_scalars_and_or",
        (7, 0),
        "AND/OR of a scalar whose signed range is exactly [-1, 0] (64-bit, else 32-bit) with a constant "
        "splits the path: one side walks on with the register -1, the other re-executes the instruction "
        "with it 0 (maybe_fork_scalars(): the `w s>>= 31; w &= K` idiom of LLVM)",
        "commit 'bpf: Recognize special arithmetic shift in the verifier' (bffacdb80b93, Alexei Starovoitov, "
        "Jan 2026, bpf-next after v6.19, version recalled) with its fix 'bpf: Fix unsound scalar forking in "
        "maybe_fork_scalars() for BPF_OR' (push_stack at insn_idx, not insn_idx + 1, Mar 2026); taken by "
        "the 6.18 stable series (the stable review of the fix for 6.12 and 6.18); measured: the running "
        "6.18.44-fc-v1045 accepts programs that need it (study selftests verifier_subreg.c arsh_31_and)",
        backports=(
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
        "kernel/bpf/verifier.c v6.18 special_kfunc_list KF_bpf_xdp_pull_data (version recalled; "
        "confirmed on the running 6.18 kernel)",
    ),
    Feature(
        "bswap_tracking",
        (6, 18),
        "BPF_END keeps what is known of the value: the tnum's bytes are swapped (bswap, or to_be on "
        "little-endian), bounds re-derived from it, 16/32-bit results truncated (scalar_byte_swap()); "
        "before, the result was an unknown scalar",
        "patch 'bpf: ... BPF_END ... tnum_bswap16/32/64' (lore 20260204111503.77871-2-ziye@zju.edu.cn, "
        "upstream in 7.0, version recalled) and its fix resetting the scalar id, backported to 6.18.y "
        "(Sasha Levin): mainline v6.18.0 lacks it, the newest known 6.18 build (6.18.44, the X.Y row's "
        "meaning) has it, measured on 6.18.44-fc-v1045 (katran's checksum code); the first 6.18.y with "
        "it is not known, so no point-release row",
    ),
    # the exploration (prune points, checkpoints): verifier/abstract/prune_points.py, explorer.py
    Feature(
        "reduced_prune_points",
        (6, 3),
        "the instruction after an unconditional jump is no longer a prune point; calls of helpers "
        "that take a callback and iterator _next kfuncs are (verifier/abstract/prune_points.py)",
        "commit 618945fbed52 'bpf: remove unnecessary prune and jump points' (v6.3; id and version "
        "recalled); visit_insn()/mark_prune_point() in kernel/bpf/verifier.c v6.17-v6.18, "
        "init_explored_state() in push_insn() in 5.10/6.1",
    ),
    Feature(
        "history_forced_checkpoint",
        (6, 7),
        "a prune point adds a checkpoint whatever the 2-jump/8-instruction heuristic says once the "
        "state's instruction history (jump points, register spills and fills) has more than 40 "
        "entries since the last one",
        "is_state_visited() in kernel/bpf/verifier.c v6.18 ('Avoid accumulating infinitely long jmp "
        "history'); first release recalled as the 6.7 callback-loop series, not confirmed",
    ),
    Feature(
        "static_reg_liveness",
        (6, 18),
        "registers compared for pruning are those live by a static data-flow analysis "
        "(compute_live_registers(): clean_func_state() makes the others NOT_INIT), no longer those "
        "read on the explored paths (REG_LIVE_READ, removed from regsafe())",
        "kernel/bpf/verifier.c v6.18 clean_func_state()/regsafe() (the 6.18 liveness rework, "
        "'bpf: ... bpf_stack_liveness'); compute_live_registers() itself since 6.15, where it was "
        "combined with REG_LIVE_READ; 6.15-6.17 not modelled",
    ),
    Feature(
        "static_stack_liveness",
        (6, 18),
        "stack slots compared for pruning are those live by a path-insensitive analysis per call chain "
        "(kernel/bpf/liveness.c: reads and surely-written slots of every visited instruction, a "
        "backward data-flow brought up to date when a path ends), no longer those read on the paths "
        "below the checkpoint (REG_LIVE_READ)",
        "kernel/bpf/liveness.c and clean_func_state()/bpf_stack_slot_alive() in v6.18 (Eduard "
        "Zingerman's 'bpf: callchain sensitive stack liveness tracking using CFG' series); the "
        "running 6.18.44 kernel prints the sets ('(0) frame 0 insn N +live -8') at log level 2",
    ),
    # btf_ctx_access() (kernel/bpf/btf.c), read in the Debian linux-source packages 5.10.262,
    # 6.1.192, 6.12.117 and at torvalds/linux (2025); the exact first release is given where known
    Feature(
        "btf_ctx_struct_arg",
        (6, 1),
        "tracing programs read struct arguments passed by value (as scalars)",
        "commit 720e6a435194 (v6.1); absent in 5.10.262 btf.c, present in 6.1.192",
    ),
    Feature(
        "btf_ctx_int_ptr_scalar",
        (5, 13),
        "a tracing argument pointing to any integer reads as a scalar (before: only char *)",
        "is_int_ptr() in 6.1.192 btf.c, is_string_ptr() (char only) in 5.10.262; first release assumed 5.13",
    ),
    Feature(
        "btf_ctx_ptr_size_8",
        (6, 8),
        "a pointer argument of a tracing program must be read with an 8-byte load",
        "commit 'bpf: Check size for BTF-based ctx access of pointer members' (v6.8); in 6.12.117 btf.c",
    ),
    Feature(
        "btf_ctx_non_struct_ptr_scalar",
        (6, 13),
        "a tracing argument pointing to anything but a struct (or to a pointer) reads as a scalar",
        "btf_type_is_struct_ptr() in torvalds/linux btf.c (2025); 6.12.117 still refuses "
        "('arg%d type %s is not a struct'); first release assumed 6.13",
    ),
    Feature(
        "raw_tp_null_args",
        (6, 13),
        "tp_btf arguments listed in the kernel's raw_tp_null_args table may be NULL (or an ERR_PTR, "
        "then a scalar); verifier/btf/data/raw_tp_null_args.csv",
        "commit 838a10bd2ebf (a fix in the 6.13 cycle after cb4158ce8ec8 made every raw_tp argument "
        "possibly NULL in 6.13-rc1; version recalled); absent from 6.12.117 btf.c",
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
