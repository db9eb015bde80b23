"""The kernel's own exploration: processed instructions and total_states, exactly.

Small programs of our own (BPF assembly in naked C functions, so the instructions do not depend on
the compiler's choices) exercise the parts of is_state_visited() that decide the counts: prune
points at conditional jumps and their targets, after calls and at calls; a new checkpoint only
after 2 jumps and 8 instructions; explored states kept per call site; static register liveness
(6.18: a register read only on a path the verifier never takes still counts); precision (only
precise scalars must match); loops. The kernel's counts are recordings
(tests/data/kernel_recordings/exploration_counts.json, `uname -r` included), so the comparison runs
where bpf() is denied; where the kernel is usable it is asked again (drift is a skip).
"""

from __future__ import annotations

import hashlib
import os

import pytest
from bpf_c import compile_c
from kernel_recordings import Recording, compare_live, live_kernel_usable, recording_mode

from verifier.abstract.analyze import analyze_program
from verifier.abstract.scalar import Scalar
from verifier.rules import for_kernel

REC = Recording.load("exploration_counts")

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define PROG(name) SEC("socket") __attribute__((naked)) int name(void)
#define SUB(name) __attribute__((naked, noinline, used)) static int name(void)

/* diamonds whose result is dead at the merge: pruned at every merge */
#define DEAD_DIAMOND "call 7; if r0 > 5 goto 1f; r1 = 1; goto 2f; 1: r1 = 2; 2: r1 = 0;"
PROG(dead_diamonds)
{ asm volatile (DEAD_DIAMOND DEAD_DIAMOND DEAD_DIAMOND DEAD_DIAMOND DEAD_DIAMOND "r0 = 0; exit;" ::: "memory"); }

/* the diamond's result becomes a stack offset: precise, so the two sides never match */
#define PRECISE_DIAMOND "call 7; r1 = -8; if r0 > 5 goto 1f; r1 = -16; 1: r2 = r10; r2 += r1;" \
                        "r3 = 0; *(u64 *)(r2 + 0) = r3;"
PROG(precise_diamonds)
{ asm volatile (PRECISE_DIAMOND PRECISE_DIAMOND PRECISE_DIAMOND PRECISE_DIAMOND "r0 = 0; exit;" ::: "memory"); }

/* imprecise scalars: the two sides differ only in a value nothing depends on exactly */
#define IMPRECISE_DIAMOND "call 7; r6 = 1; if r0 > 5 goto 1f; r6 = 2; 1: r6 += 1; r7 = r6; r7 += r6;"
PROG(imprecise_diamonds)
{ asm volatile ("r7 = 0;" IMPRECISE_DIAMOND IMPRECISE_DIAMOND IMPRECISE_DIAMOND IMPRECISE_DIAMOND
                "r0 = r7; r0 &= 1; exit;" ::: "memory"); }

/* r6 (a scalar on one side, the frame pointer on the other) is read only behind a branch the
   verifier knows is never taken (r9 == 0): dead on every path walked, live for a static analysis
   of the instructions */
#define HIDDEN_READ "call 7; r6 = 1; if r0 > 5 goto 1f; r6 = r10; 1: r1 = 0; r2 = 0; r3 = 0; r4 = 0;" \
                    "if r9 != 0 goto 3f; r0 = 0; r0 += 1; r0 += 1; r0 += 1;"
PROG(read_behind_dead_branch)
{ asm volatile ("r9 = 0;" HIDDEN_READ HIDDEN_READ HIDDEN_READ "r0 = 0; exit; 3: r0 = r6; r0 = 0; exit;"
                ::: "memory"); }

/* one function called from two call sites, on both sides of a branch */
SUB(twice_callee)
{ asm volatile ("r0 = r1; if r0 > 3 goto 1f; r0 = 3; 1: r0 &= 7; r0 += 1; r0 += 1; exit;" ::: "memory"); }
PROG(two_call_sites)
{ asm volatile ("call 7; r6 = r0; r1 = r0; call twice_callee; if r6 > 9 goto 1f; r1 = 1;"
                "call twice_callee; goto 2f; 1: r1 = 2; call twice_callee; 2: r0 = 0; exit;" ::: "memory"); }

/* a counted loop: checkpoints inside a loop only every 20 jumps or 100 instructions */
PROG(counted_loop)
{ asm volatile ("r6 = 0; r7 = 0; 1: call 7; if r0 > 7 goto 2f; r7 += 1; 2: r6 += 1; if r6 < 25 goto 1b;"
                "r0 = 0; exit;" ::: "memory"); }

/* long straight stretches between the jumps: every prune point may add a checkpoint */
#define STRETCH "r1 = 1; r1 += 1; r1 += 1; r1 += 1; r1 += 1; r1 += 1; r1 += 1; r1 += 1; r1 += 1;"
PROG(long_stretches)
{ asm volatile ("call 7; r6 = r0;" STRETCH "if r6 > 1 goto 1f;" STRETCH "1:" STRETCH "if r6 > 2 goto 2f;"
                STRETCH "2:" STRETCH "if r6 > 3 goto 3f;" STRETCH "3: r0 = 0; exit;" ::: "memory"); }

/* be16 of a byte: with BPF_END tracking (the 6.18.44 build) at most 0xff00, so the bad branch is dead */
PROG(bswap_bounds)
{ asm volatile ("call 7; r0 &= 0xff; r0 = be16 r0; if r0 > 0xff00 goto 1f; r0 = 0; exit;"
                "1: r0 = *(u8 *)(r10 + 0); exit;" ::: "memory"); }

/* a zero register stored as zero bytes is precise (check_stack_write_fixed_off(): "backtracking
   doesn't work for STACK_ZERO"): the path storing an unknown value must not be pruned there */
PROG(zero_store_precise)
{ asm volatile ("call 7; r6 = r0; r2 = 0; r7 = 1; r7 += 1; r7 += 1; r7 += 1; r7 += 1;"
                "if r6 > 5 goto 1f; goto 2f; 1: r2 = r6; 2: *(u32 *)(r10 - 4) = r2; r1 = *(u32 *)(r10 - 4);"
                "r3 = r10; r3 += -8; r3 += r1; r0 = 0; *(u8 *)(r3 + 0) = r0; exit;" ::: "memory"); }

/* 6.18 stack liveness: -8 is read by the callee through a pointer (a read of the call in the
   caller), -16 on one side of a branch, -24 after the call */
SUB(reads_caller)
{ asm volatile ("r0 = *(u64 *)(r1 + 0); r0 &= 1; exit;" ::: "memory"); }
PROG(stack_live_calls)
{ asm volatile ("r1 = 1; *(u64 *)(r10 - 8) = r1; *(u64 *)(r10 - 16) = r1; *(u64 *)(r10 - 24) = r1;"
                "call 7; if r0 > 5 goto 1f; r1 = *(u64 *)(r10 - 16); 1: r1 = r10; r1 += -8;"
                "call reads_caller; r1 = *(u64 *)(r10 - 24); r0 = 0; exit;" ::: "memory"); }

/* precision walks back straight past a call of bpf_loop() (no bodies here: nr_loops is 0), as
   past any helper call, where it gave up before and counted every scalar as precise */
SUB(loop_body)
{ asm volatile ("r0 = 0; exit;" ::: "memory"); }
PROG(precise_across_loop)
{ asm volatile ("call 7; r6 = -8; r7 = 1; r8 = 1; r8 += 1; r8 += 1; r8 += 1; if r0 > 5 goto 1f; r7 = 2;"
                "1: r1 = 0; r2 = %[body] ll; r3 = 0; r4 = 0; call 181; r2 = r10; r2 += r6; r3 = 0;"
                "*(u64 *)(r2 + 0) = r3; r0 = r7; r0 &= 1; exit;" :: [body]"i"(loop_body) : "memory"); }

/* 6.8+: a read of zero bytes beside a narrow spill reads 0 but is no fill (check_stack_read_fixed_off():
   insn_flags = 0), so the precise 0 does not make the spilled r7 precise and the r6 > 5 side is
   pruned at the merge */
PROG(zero_byte_read_not_fill)
{ asm volatile ("call 7; r6 = r0; r1 = 0; *(u8 *)(r10 - 3) = r1; r7 = r6; r7 &= 0xff; r8 = 1; r8 += 1;"
                "if r6 > 5 goto 1f; r7 = r6; 1: *(u16 *)(r10 - 8) = r7; r8 += 1; r8 += 1;"
                "r1 = *(u8 *)(r10 - 3); r2 = r10; r2 += -16; r2 += r1; r3 = 0; *(u8 *)(r2 + 0) = r3;"
                "r0 = 0; exit;" ::: "memory"); }

/* a callback's call ends the iterations only against a state with the same stack byte kinds
   (states_equal(RANGE_WITHIN), 6.9+): fp-8 is misc before the first call and a spilled 5 after it,
   so the body runs twice */
SUB(spill_five)
{ asm volatile ("r1 = 5; *(u64 *)(r2 + 0) = r1; r0 = 0; exit;" ::: "memory"); }
PROG(callback_stack_kinds)
{ asm volatile ("call 7; *(u32 *)(r10 - 8) = r0; *(u32 *)(r10 - 4) = r0; r1 = 4; r2 = %[cb] ll; r3 = r10;"
                "r3 += -8; r4 = 0; call 181; r0 = *(u64 *)(r10 - 8); r0 = 0; exit;" :: [cb]"i"(spill_five) : "memory"); }

/* a callback's convergence is a hit like any other: the old state's precise marks come over, not
   every scalar (r7 stays imprecise, so the r0 > 5 side is pruned at the merge) */
SUB(empty_body)
{ asm volatile ("r0 = 0; exit;" ::: "memory"); }
PROG(callback_hit_precision)
{ asm volatile ("call 7; r7 = r0; r7 &= 0xff; r8 = 1; r8 += 1; r8 += 1; call 7; if r0 > 5 goto 1f; r7 = 3;"
                "1: r8 += 1; r8 += 1; r8 += 1; r1 = 2; r2 = %[cb] ll; r3 = 0; r4 = 0; call 181;"
                "r0 = r7; r0 &= 1; exit;" :: [cb]"i"(empty_body) : "memory"); }

/* a slot the old state wrote, beyond the stack the current path has allocated, is not covered
   (stacksafe(): "explored stack has more populated slots than current stack") */
PROG(unallocated_stack_not_covered)
{ asm volatile ("call 7; r8 = 1; r8 += 1; r8 += 1; r8 += 1; r8 += 1; if r0 > 5 goto 1f; r1 = 0; *(u64 *)(r10 - 16) = r1;"
                "1: r8 += 1; r8 += 1; r8 += 1; call 7; if r0 > 7 goto 2f; r8 += 1; 2: r2 = *(u64 *)(r10 - 16); r0 = 0; exit;"
                ::: "memory"); }

/* a store through a register the precision walk is following (a pointer difference used as an
   offset): backtrack_insn() gives up, every scalar above counts as precise (r7 too), so the r0 > 5
   side is not pruned at the merge */
PROG(store_through_marked_register)
{ asm volatile ("r7 = *(u32 *)(r1 + 0); r7 &= 0xff; r8 = 1; r8 += 1; r8 += 1; r8 += 1; call 7; if r0 > 5 goto 1f;"
                "r7 = 3; 1: r8 += 1; r8 += 1; r8 += 1; r9 = r10; r9 += -8; r1 = 0; *(u64 *)(r9 + 0) = r1;"
                "r9 -= r10; r9 &= 7; r2 = r10; r2 += -16; r2 += r9; r3 = 0; *(u8 *)(r2 + 0) = r3; r0 = r7;"
                "r0 &= 0; exit;" ::: "memory"); }

/* push_jmp_history() keeps one entry per instruction (env->cur_hist_ent): a fill at a jump target,
   or an atomic's read and write, is one entry of the history whose 42nd entry forces a checkpoint
   (6.11+). Here the kernel's history at `if r9 > 7` is 40 entries (no checkpoint: 1 jump since the
   start), so the r6 > 5 side is not pruned there; counted twice it would be 41 */
#define SPILLS8 "*(u64 *)(r10 - 16) = r1; *(u64 *)(r10 - 16) = r1; *(u64 *)(r10 - 16) = r1;" \
                "*(u64 *)(r10 - 16) = r1; *(u64 *)(r10 - 16) = r1; *(u64 *)(r10 - 16) = r1;" \
                "*(u64 *)(r10 - 16) = r1; *(u64 *)(r10 - 16) = r1;"
PROG(history_fill_at_jump_target)
{ asm volatile ("r6 = *(u32 *)(r1 + 0); r9 = *(u32 *)(r1 + 4); r1 = 0; *(u64 *)(r10 - 8) = r1;"
                "if r6 > 5 goto 1f; r7 = 1; 1: r1 = *(u64 *)(r10 - 8);"
                SPILLS8 SPILLS8 SPILLS8 SPILLS8 "*(u64 *)(r10 - 16) = r1; *(u64 *)(r10 - 16) = r1;"
                "*(u64 *)(r10 - 16) = r1; *(u64 *)(r10 - 16) = r1; *(u64 *)(r10 - 16) = r1;"
                "*(u64 *)(r10 - 16) = r1; r8 = 0; if r9 > 7 goto 2f; r8 = 1; 2: r0 = 0; exit;" ::: "memory"); }

#define ATOMICS7 "lock *(u64 *)(r10 - 16) += r2; lock *(u64 *)(r10 - 16) += r2; lock *(u64 *)(r10 - 16) += r2;" \
                 "lock *(u64 *)(r10 - 16) += r2; lock *(u64 *)(r10 - 16) += r2; lock *(u64 *)(r10 - 16) += r2;" \
                 "lock *(u64 *)(r10 - 16) += r2;"
PROG(history_atomics)
{ asm volatile ("r6 = *(u32 *)(r1 + 0); r9 = *(u32 *)(r1 + 4); r2 = 1; r1 = 0; *(u64 *)(r10 - 16) = r1;"
                "if r6 > 5 goto 1f; r7 = 1; 1: r1 = 0;" ATOMICS7 ATOMICS7 ATOMICS7
                "r8 = 0; if r9 > 7 goto 2f; r8 = 1; 2: r0 = 0; exit;" ::: "memory"); }

/* an old r7 = r6 + 4 (ids X+4, X) and a spilled copy of another value (id Y) against a current
   r7 = r6 + 4 whose r6 was spilled (ids X'+4, X'): check_scalar_ids() maps the base of X+4 too
   (scalar_ids_by_base, the 6.18.44 build), X -> X' and Y -> X' conflict and the r0 > 5 side is walked */
#define ADD_CONST_JOIN "2: r0 = 0; r0 += 1; r0 += 1; r3 = *(u64 *)(r10 - 8); r1 = r10; r1 += -32; r1 += r3;" \
                       "r1 += r7; r2 = 0; *(u8 *)(r1 + 0) = r2; r0 = 0; exit;"
PROG(add_const_base_id)
{ asm volatile ("r6 = *(u32 *)(r1 + 0); r6 &= 7; r8 = *(u32 *)(r1 + 4); r8 &= 7; call 7; if r0 > 5 goto 1f;"
                "r9 = r8; *(u64 *)(r10 - 8) = r9; r7 = r6; r7 += 4; r6 = 0; r8 = 0; r9 = 0; goto 2f;"
                "1: r9 = r6; *(u64 *)(r10 - 8) = r9; r7 = r6; r7 += 4; r6 = 0; r8 = 0; r9 = 0;"
                ADD_CONST_JOIN ::: "memory"); }

char _license[] SEC("license") = "GPL";
"""

PROGRAMS = (
    "dead_diamonds",
    "precise_diamonds",
    "imprecise_diamonds",
    "read_behind_dead_branch",
    "two_call_sites",
    "counted_loop",
    "long_stretches",
    "bswap_bounds",
    "zero_store_precise",
    "stack_live_calls",
    "precise_across_loop",
    "zero_byte_read_not_fill",
    "callback_stack_kinds",
    "callback_hit_precision",
    "unallocated_stack_not_covered",
    "store_through_marked_register",
    "history_fill_at_jump_target",
    "history_atomics",
    "add_const_base_id",
)


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("exploration"))


def _key(obj, name: str) -> str:
    """The program's name and a hash of its instructions (a different build is a different case)."""
    prog = next(p for p in obj.programs if p.name == name)
    code = b"".join(
        bytes([i.opcode, i.dst | i.src << 4])
        + i.off.to_bytes(2, "little", signed=True)
        + (i.imm & 0xFFFFFFFF).to_bytes(4, "little")
        for i in prog.insns
    )
    return f"{name}:{hashlib.sha256(code).hexdigest()[:12]}"


def _ours(obj, name: str, release: str) -> dict[str, object]:
    prog = next(p for p in obj.programs if p.name == name)
    v = analyze_program(obj, prog, for_kernel(release))
    return {"verdict": v.verdict, "processed": v.stats.processed, "states": v.stats.states}


def _live(obj, name: str) -> dict[str, object]:
    from verifier.oracle import load_with_kernel

    got = load_with_kernel(obj.path, name)
    return {"verdict": got.verdict, "processed": got.processed, "states": got.states}


@pytest.mark.parametrize("name", PROGRAMS)
def test_counts_match_the_kernel(obj, name: str) -> None:
    key = _key(obj, name)
    if recording_mode():
        if not live_kernel_usable():
            pytest.skip("recording needs bpf()")
        compare_live(REC, key, _live(obj, name))
        return
    recorded = REC.answer(key)
    assert _ours(obj, name, REC.release or "6.18") == recorded
    if live_kernel_usable() and os.uname().release.startswith("6.18"):
        compare_live(REC, key, _live(obj, name), f"exploration {name}")


def test_static_liveness_is_6_18_only(obj) -> None:
    """Before 6.18 registers count as live only when a walked path read them: fewer states."""
    new = _ours(obj, "read_behind_dead_branch", "6.18")
    old = _ours(obj, "read_behind_dead_branch", "6.12")
    assert new["verdict"] == old["verdict"] == "accept"
    assert old["processed"] < new["processed"]


def test_bswap_tracking_by_version(obj) -> None:
    """BPF_END keeps the tnum in the 6.18.44 build (a backport; upstream 7.0): before, an unknown value."""
    assert _ours(obj, "bswap_bounds", "6.18")["verdict"] == "accept"
    assert _ours(obj, "bswap_bounds", "6.12")["verdict"] == "reject"
    # the running 6.18.44 kernel's log for katran's checksum code: be16 of [20, 0x10013]
    got = Scalar.from_urange(20, 0x10013).bswap(16, True, False, tracked=True)
    assert str(got) == "scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))"


def _live_stack_kernel(obj, name: str) -> dict[str, list[int]]:
    """The running kernel's stack liveness of the main function (log level 2 prints each change:
    `(0) frame 0 insn N +live -8,-16`), as insn -> live offsets."""
    import re

    from verifier.oracle import libbpf, loader

    got = loader._attempt(libbpf.libbpf(), obj.path, name, None, 2 | loader.LOG_LEVEL_STATS, 1 << 22)
    live: dict[str, set[int]] = {}
    for line in got.log.splitlines():
        m = re.match(r"^\(0\) frame 0 insn (\d+) \+live (.*)$", line)
        if m:
            live.setdefault(m.group(1), set()).update(int(x) for x in m.group(2).split(",") if x.strip())
    return {k: sorted(v) for k, v in sorted(live.items(), key=lambda kv: int(kv[0]))}


def _live_stack_ours(obj, name: str) -> dict[str, list[int]]:
    from verifier.abstract.verifier import Verifier

    prog = next(p for p in obj.programs if p.name == name)
    seen: list[Verifier] = []
    run = Verifier.run

    def keep(self: Verifier) -> None:
        seen.append(self)
        run(self)

    Verifier.run = keep  # type: ignore[method-assign]
    try:
        analyze_program(obj, prog, for_kernel(REC.release or "6.18"))
    finally:
        Verifier.run = run  # type: ignore[method-assign]
    inst = seen[0].stack_liveness.instances[(0,)]
    return {
        str(i): [(b - 64) * 8 for b in range(64) if m >> b & 1]
        for i, m in sorted(inst.live[0].items())
        if m
    }


def test_stack_liveness_matches_the_kernel(obj) -> None:
    """6.18's path-insensitive stack liveness (kernel/bpf/liveness.c), per instruction."""
    key = _key(obj, "stack_live_calls") + ":live"
    if recording_mode():
        if not live_kernel_usable():
            pytest.skip("recording needs bpf()")
        compare_live(REC, key, _live_stack_kernel(obj, "stack_live_calls"))
        return
    recorded = REC.answer(key)
    ours = _live_stack_ours(obj, "stack_live_calls")
    # the kernel logs an instruction's set only where it reads or writes, at the function's entry
    # and at prune points (update_insn()); those must agree
    assert {i: ours.get(i, []) for i in recorded} == recorded
    if live_kernel_usable() and os.uname().release.startswith("6.18"):
        compare_live(REC, key, _live_stack_kernel(obj, "stack_live_calls"), "stack liveness")


def test_scalar_ids_by_base_is_6_18_44(obj) -> None:
    """6.18.2 (mainline source) maps the full ids only: the r0 > 5 side is pruned at the join."""
    new = _ours(obj, "add_const_base_id", "6.18")
    old = _ours(obj, "add_const_base_id", "6.18.2")
    assert new["verdict"] == old["verdict"] == "accept"
    assert old["processed"] < new["processed"]
