"""may_goto (6.9+, the `can_loop` / `cond_break` of bpf_experimental.h): the kernel goes on at the jump
target and queues the fall-through one may_goto deeper (may_goto_depth), its imprecise scalars
widened against the previous visit of the instruction on the path; back at the may_goto, a state of
the path at another depth that covers this one (RANGE_WITHIN) ends it (check_cond_jmp_op(),
is_state_visited()). bpfcheck forked it as a plain branch, fall-through first: loops that converge
in the kernel ran into 'The sequence of 8193 jumps is too complex', and a loop whose only exit is
the may_goto was 'infinite loop detected' (false rejects).

Recorded on 6.18.44-fc-v1045 (the host), this file's own programs (verdict, last log line, and the
instructions processed where they show the order in which the two sides are walked).
"""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message
from verifier.abstract import AnalysisOptions
from verifier.pipeline import Stages, check_program
from verifier.rules import for_kernel

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define NAKED __attribute__((naked))
#define can_loop ({ __label__ l_break, l_continue; int ret = 1; \
    asm volatile goto("may_goto %l[l_break]" :::: l_break); goto l_continue; l_break: ret = 0; l_continue:; ret; })
#define cond_break ({ __label__ l_break, l_continue; \
    asm volatile goto("may_goto %l[l_break]" :::: l_break); goto l_continue; l_break: break; l_continue:; })
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
struct { __uint(type, 2); __uint(max_entries, 1); __type(key, int); __type(value, int[64]); } arr SEC(".maps");
static void *(*lookup)(void *map, const void *key) = (void *)1;
static unsigned int (*prandom)(void) = (void *)7;
char LICENSE[] SEC("license") = "GPL";
int zero = 0;

SEC("socket") int sum_array(void *ctx)
{ int *v = lookup(&arr, &zero), i, s = 0; if (!v) return 0; for (i = 0; i < 64 && can_loop; i++) s += v[i]; return s & 1; }
SEC("socket") int sum_array_one_too_far(void *ctx)
{ int *v = lookup(&arr, &zero), i, s = 0; if (!v) return 0; for (i = 0; i < 65 && can_loop; i++) s += v[i]; return s & 1; }
SEC("socket") int random_walk(void *ctx)
{ int i = 0, s = 0; while (1) { s += prandom() & 1; if (s > 100) break; i++; cond_break; } return i & 1; }
SEC("socket") int nested(void *ctx)
{ int i, j, s = 0; for (i = 0; i < 100 && can_loop; i++) for (j = 0; j < 100 && can_loop; j++) s += i ^ j; return s & 1; }
/* the may_goto is the loop's only exit */
SEC("socket") NAKED int only_exit(void)
{ asm volatile ("r0 = 0; 1: may_goto 2f; goto 1b; 2: exit;" ::: "r0"); }
SEC("socket") NAKED int target_reads_r0(void)
{ asm volatile ("may_goto 1f; r0 = 0; 1: exit;" ::: "r0"); }
"""

KERNEL_6_18 = {
    "sum_array": ("accept", ""),
    "sum_array_one_too_far": ("reject", "R3 min value is outside of the allowed memory range"),
    "random_walk": ("accept", ""),
    "nested": ("accept", ""),
    "only_exit": ("accept", ""),
    "target_reads_r0": ("reject", "R0 !read_ok"),
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("may_goto"))


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_may_goto_as_the_6_18_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18", timeout=30) == KERNEL_6_18[name]


@pytest.mark.parametrize(("name", "processed"), [("target_reads_r0", 2), ("only_exit", 5)])
def test_jump_target_walked_first(obj, name: str, processed: int) -> None:
    """The kernel's instruction counts: the jump target's side is walked before the fall-through."""
    prog = next(p for p in obj.programs if p.name == name)
    verdict = check_program(obj, prog, "6.18", for_kernel("6.18"), AnalysisOptions(timeout=10), Stages.real())
    assert verdict.stats.processed == processed


def test_6_9_takes_any_depth(obj) -> None:
    """6.9's is_state_visited() ends the path at a may_goto on any covering state of the path."""
    assert verdict_and_message(obj, "only_exit", "6.9") == ("accept", "")
