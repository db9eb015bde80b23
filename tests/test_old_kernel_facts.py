"""Rules that changed between 5.10 and 6.18, each with this file's own programs and the answers of
real kernels: 5.10.0-46-amd64 and 6.1.0-57-amd64 booted under qemu (scripts/kernel_vm.py), and the
6.18.44-fc-v1045 host. bpfcheck used the newest rule at every version for these (false accepts at
5.10 / 6.1 where the rule is younger, and words the older kernels do not print):

- two scalar registers neither of which is a constant: before 6.8 a comparison narrows neither
  (only == / != intersect them on the equal side) and decides no branch (features cmp_two_scalars);
- BPF_NEG makes an unknown scalar before 6.17 (neg_tracking); before 6.10 a 32-bit DIV/MOD by a
  constant is an unknown zero-extended to [0, 2^32), from 6.10 a fully unknown 64-bit scalar, and
  XOR/OR/MUL with a non-constant source are untracked (alu_safe_dst_range);
- the exit value check before 6.8: tnum_in() and 'has value (v; m) ... should have been in (v; m)'
  (retval_range_bounds);
- constant tnums print as '(0x0; 0x0)' before 6.8 (tnum_strn_const), variable stack offsets without
  'off=' (messages stack_var_off_bounds);
- before 6.7 a privileged read may not go below the stack written so far (uninit_stack_read_any_depth);
- a socket filter with a bpf_spin_lock map gets the tracing words before 5.11;
- the bounds logic before 6.8 (bounds_deduce_v2): the sign learnt from one range at a time, no
  64-bit bounds from 32-bit ones, a jmp32 keeps 64-bit bounds only when the upper half is known zero;
- bpf_d_path only from its allowlist (rules/helper_allowed.py): 'helper call is not allowed in probe'.
"""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message
from verifier.rules import helper_allowed

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define NK __attribute__((naked))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) __typeof__(val) *name
#define CLOBBERS "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "memory"
struct { __uint(type, 2); __uint(max_entries, 1); __type(key, int); __type(value, char[64]); } m SEC(".maps");
struct lock_val { int cnt; struct bpf_spin_lock { unsigned int v; } l; };
struct { __uint(type, 2); __uint(max_entries, 1); __type(key, int); __type(value, struct lock_val); } lm SEC(".maps");
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static unsigned int (*bpf_get_prandom_u32)(void) = (void *)7;
static long (*bpf_d_path)(void *path, char *buf, unsigned int sz) = (void *)147;
static long (*bpf_spin_lock)(struct bpf_spin_lock *l) = (void *)93;
static long (*bpf_spin_unlock)(struct bpf_spin_lock *l) = (void *)94;
char LICENSE[] SEC("license") = "GPL";
#define LOOKUP "r1 = 0; *(u32*)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[m] ll; call %[lk]; if r0 == 0 goto l_exit_%=;"
#define ARGS [m] "i"(&m), [lk] "i"(bpf_map_lookup_elem), [rnd] "i"(bpf_get_prandom_u32)

SEC("socket") NK int neg_bounds(void) { asm volatile(LOOKUP "r1 = *(u64*)(r0 + 0); r1 &= 7; r1 = -r1; r1 += 8; r0 += r1; r1 = *(u64*)(r0 + 0); l_exit_%=: r0 = 0; exit;" :: ARGS : CLOBBERS); }
SEC("socket") NK int le_unknown(void) { asm volatile(LOOKUP "r1 = *(u64*)(r0 + 0); r2 = *(u64*)(r0 + 8); r2 &= 31; if r1 > r2 goto l_exit_%=; r0 += r1; r1 = *(u64*)(r0 + 0); l_exit_%=: r0 = 0; exit;" :: ARGS : CLOBBERS); }
SEC("socket") NK int lt_unknown_far(void) { asm volatile(LOOKUP "r1 = *(u64*)(r0 + 0); r2 = *(u64*)(r0 + 8); r2 &= 31; if r1 >= r2 goto l_exit_%=; r0 += r1; r1 = *(u64*)(r0 + 32); l_exit_%=: r0 = 0; exit;" :: ARGS : CLOBBERS); }
SEC("socket") NK int le_const_reg(void) { asm volatile(LOOKUP "r1 = *(u64*)(r0 + 0); r2 = 56; if r1 > r2 goto l_exit_%=; r0 += r1; r1 = *(u64*)(r0 + 0); l_exit_%=: r0 = 0; exit;" :: ARGS : CLOBBERS); }
SEC("socket") NK int eq_unknown(void) { asm volatile(LOOKUP "r6 = r0; call %[rnd]; r7 = r0; call %[rnd]; r2 = r0; r1 = r7; r2 &= 31; if r1 != r2 goto l_exit_%=; r6 += r1; r0 = *(u64*)(r6 + 0); l_exit_%=: r0 = 0; exit;" :: ARGS : CLOBBERS); }
SEC("socket") NK int eq_unknown32(void) { asm volatile(LOOKUP "r6 = r0; call %[rnd]; r7 = r0; call %[rnd]; r2 = r0; r1 = r7; r2 &= 31; if w1 != w2 goto l_exit_%=; r1 &= 0xff; r6 += r1; r0 = *(u64*)(r6 + 0); l_exit_%=: r0 = 0; exit;" :: ARGS : CLOBBERS); }
SEC("socket") NK int decided_by_ranges(void) { asm volatile("call %[rnd]; r7 = r0; r7 &= 5; call %[rnd]; r2 = r0; r1 = r7; r2 &= 7; r2 += 10; if r1 < r2 goto l1_%=; r0 = *(u64*)(r10 - 8); l1_%=: r0 = 0; exit;" :: ARGS : CLOBBERS); }
SEC("xdp") NK int div32_zext(void) { asm volatile("call %[rnd]; r6 = r0; w6 /= 2147483647; if r6 s> 63 goto l1_%=; r1 = 0; *(u64*)(r10 - 64) = r1; r1 = r10; r1 += -64; r1 += r6; r0 = *(u8*)(r1 + 0); l1_%=: r0 = 0; exit;" :: ARGS : CLOBBERS); }
#define ZERO64 "r1 = 0; *(u64*)(r10 - 8) = r1; *(u64*)(r10 - 16) = r1; *(u64*)(r10 - 24) = r1; *(u64*)(r10 - 32) = r1; *(u64*)(r10 - 40) = r1; *(u64*)(r10 - 48) = r1; *(u64*)(r10 - 56) = r1; *(u64*)(r10 - 64) = r1;"
SEC("xdp") NK int jmp32_keeps_64(void) { asm volatile("call %[rnd]; r6 = r0; w6 s>>= 25; if w6 s< 0x3497b4ea goto l1_%=; r0 = 0; exit; l1_%=: if r6 > 64 goto l2_%=; if w6 s< 1 goto l2_%=;" ZERO64 "r1 = r10; r1 += -64; r1 += r6; r0 = *(u8*)(r1 + 0); exit; l2_%=: r0 = 0; exit;" :: ARGS : CLOBBERS); }
SEC("xdp") NK int mixed_deduction(void) { asm volatile("call %[rnd]; r6 = r0; if w6 > 64 goto l1_%=; if w6 s< 1 goto l1_%=;" ZERO64 "r1 = r10; r1 += -64; r1 += r6; r0 = *(u8*)(r1 + 0); exit; l1_%=: r0 = 0; exit;" :: ARGS : CLOBBERS); }
SEC("xdp") NK int mul_signed(void) { asm volatile("r9 = r1; call %[rnd]; r6 = r0; call %[rnd]; r7 = r0; r6 &= 3; r6 ^= -8; r7 &= 32767; r6 *= r7; if r6 > 64 goto l1_%=; r2 = *(u32*)(r9 + 0); r3 = *(u32*)(r9 + 4); r4 = r2; r4 += 64; if r4 > r3 goto l1_%=; r2 += r6; r0 = *(u8*)(r2 + 0); r0 &= 1; exit; l1_%=: r0 = 0; exit;" :: ARGS : CLOBBERS); }
SEC("xdp") NK int single_value(void) { asm volatile("r9 = r1; call %[rnd]; r6 = r0; w6 |= 31; if w6 > 62 goto l1_%=; r2 = *(u32*)(r9 + 0); r3 = *(u32*)(r9 + 4); r4 = r2; r4 += 64; if r4 > r3 goto l1_%=; r2 += r6; r0 = *(u16*)(r2 + 0); r0 &= 1; exit; l1_%=: r0 = 0; exit;" :: ARGS : CLOBBERS); }
SEC("socket") NK int uninit_read(void) { asm volatile("r0 = *(u64*)(r10 - 8); exit;" ::: CLOBBERS); }
SEC("socket") NK int uninit_below_write(void) { asm volatile("r1 = 0; *(u64*)(r10 - 8) = r1; r0 = *(u64*)(r10 - 16); r0 = 0; exit;" ::: CLOBBERS); }
SEC("socket") NK int stack_misaligned(void) { asm volatile("r0 = 0; *(u64*)(r10 - 12) = r0; r0 = 0; exit;" ::: CLOBBERS); }
SEC("socket") NK int var_stack_read(void) { asm volatile("r2 = 0; *(u64*)(r10 - 16) = r2; call %[rnd]; r0 &= 8; r1 = r10; r1 += -24; r1 += r0; r0 = *(u64*)(r1 + 0); r0 = 0; exit;" :: ARGS : CLOBBERS); }
SEC("cgroup_skb/ingress") NK int ret_two(void) { asm volatile("r0 = 2; exit;" ::: CLOBBERS); }
SEC("cgroup_skb/egress") NK int ret_two_egress(void) { asm volatile("r0 = 2; exit;" ::: CLOBBERS); }
SEC("cgroup_skb/egress") NK int ret_unknown(void) { asm volatile("call %[rnd]; exit;" :: ARGS : CLOBBERS); }
SEC("cgroup_skb/ingress") NK int ret_mask1(void) { asm volatile("call %[rnd]; r0 &= 1; exit;" :: ARGS : CLOBBERS); }
SEC("socket") int lock_socket(void *ctx) { int k = 0; struct lock_val *v = bpf_map_lookup_elem(&lm, &k); if (!v) return 0; bpf_spin_lock(&v->l); v->cnt++; bpf_spin_unlock(&v->l); return 0; }
SEC("fentry/vfs_read") int d_path_not_listed(unsigned long long *ctx) { char b[16] = {}; bpf_d_path((void *)ctx[0], b, 16); return 0; }
"""

R = "reject"
A = ("accept", "")
UNBOUNDED_MIN = "math between map_value pointer and register with unbounded min value is not allowed"
NOT_IN_PROBE = "helper call is not allowed in probe"

# 5.10.0-46-amd64 (Debian 5.10.262) under qemu
KERNEL_5_10 = {
    "neg_bounds": (R, UNBOUNDED_MIN),
    "le_unknown": (R, UNBOUNDED_MIN),
    "lt_unknown_far": (R, UNBOUNDED_MIN),
    "le_const_reg": A,
    "eq_unknown": A,
    "eq_unknown32": (R, "R6 max value is outside of the allowed memory range"),
    "decided_by_ranges": (R, "invalid read from stack R10 off=-8 size=8"),
    "uninit_read": (R, "invalid read from stack R10 off=-8 size=8"),
    "div32_zext": A,
    "mul_signed": (R, "R2 offset is outside of the packet"),
    "jmp32_keeps_64": (R, "invalid variable-offset read from stack R1 var_off=(0x0; 0x7f) size=1"),
    "mixed_deduction": (R, "math between fp pointer and register with unbounded min value is not allowed"),
    "uninit_below_write": (R, "invalid read from stack R10 off=-16 size=8"),
    "stack_misaligned": (R, "misaligned stack access off (0x0; 0x0)+0+-12 size 8"),
    "var_stack_read": (R, "invalid variable-offset read from stack R1 var_off=(0x0; 0x8) size=8"),
    "ret_two": (R, "At program exit the register R0 has value (0x2; 0x0) should have been in (0x0; 0x1)"),
    "ret_two_egress": A,
    "ret_unknown": (R, "At program exit the register R0 has unknown scalar value should have been in (0x0; 0x3)"),
    "ret_mask1": A,
    "lock_socket": (R, "tracing progs cannot use bpf_spin_lock yet"),
    "d_path_not_listed": (R, NOT_IN_PROBE),
}

# 6.1.0-57-amd64 (Debian 6.1.192) under qemu: the backported uninit-stack rules, the rest as 5.10
KERNEL_6_1 = {
    **KERNEL_5_10,
    "uninit_read": A,
    "uninit_below_write": A,
    "decided_by_ranges": A,
    "var_stack_read": A,
    "lock_socket": (R, "socket filter progs cannot use bpf_spin_lock yet"),
}

# 6.18.44-fc-v1045 (the host)
KERNEL_6_18 = {
    **KERNEL_6_1,
    "neg_bounds": A,
    "le_unknown": A,
    "lt_unknown_far": (R, "R0 max value is outside of the allowed memory range"),
    "eq_unknown32": A,
    "div32_zext": (R, "math between fp pointer and register with unbounded min value is not allowed"),
    "jmp32_keeps_64": A,
    "mul_signed": A,
    "single_value": A,
    "mixed_deduction": (R, "value -9223372036854775807 makes fp pointer be out of bounds"),
    "stack_misaligned": (R, "misaligned stack access off 0+0+-12 size 8"),
    "ret_two": (R, "At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]"),
    "ret_unknown": (R, "At program exit the register R0 has unknown scalar value should have been in [0, 3]"),
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory: pytest.TempPathFactory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("old_kernel_facts"))


@pytest.mark.parametrize("kernel, answers", [("5.10", KERNEL_5_10), ("6.1", KERNEL_6_1), ("6.18", KERNEL_6_18)])
def test_as_the_real_kernels(obj, kernel: str, answers: dict[str, tuple[str, str]]) -> None:
    wrong = {}
    for name, expected in answers.items():
        if name == "d_path_not_listed" and kernel == "6.18":
            continue  # the host refuses fentry programs (EPERM) before verifying them
        got = verdict_and_message(obj, name, kernel)
        if got != expected:
            wrong[name] = (got, expected)
    assert wrong == {}


def test_multiplication_before_6_14(obj) -> None:
    # scalar_min_max_mul() gave up on negative operands before 6.14 (mul_signed_ranges): measured,
    # 6.12.117 under qemu refuses what the 6.18 host accepts
    assert verdict_and_message(obj, "mul_signed", "6.12") == (R, "R2 offset is outside of the packet")


def test_single_value_constant_from_7_2(obj) -> None:
    # tnum_step() (7.2, and the 6.18.44 host): a tnum (0x1f; 0x20) and the range [31, 62] share only 31,
    # a constant; 6.12.117 under qemu keeps a variable offset and the packet pointer loses its range
    assert verdict_and_message(obj, "single_value", "6.12") == (R, "R2 offset is outside of the packet")


def test_d_path_allowlist_per_version() -> None:
    # kernel/trace/bpf_trace.c bpf_d_path_allowed(): its list, LSM programs on sleepable hooks from
    # 5.11 (not in 5.10: they count as attached to bpf_lsm_<hook>), iterators from 5.12
    allowed = helper_allowed.allowed
    assert allowed("bpf_d_path", "tracing", "trace_fentry", "vfs_truncate", (5, 10)) is True
    assert allowed("bpf_d_path", "tracing", "trace_fentry", "vfs_read", (6, 18)) is False
    assert allowed("bpf_d_path", "lsm", "lsm_mac", "file_open", (5, 10)) is False
    assert allowed("bpf_d_path", "lsm", "lsm_mac", "file_open", (6, 1)) is True
    assert allowed("bpf_d_path", "lsm", "lsm_mac", "file_mprotect", (6, 12)) is False
    assert allowed("bpf_d_path", "tracing", "trace_iter", None, (5, 11)) is False
    assert allowed("bpf_d_path", "tracing", "trace_iter", None, (5, 12)) is True
    # sk_storage's tracing protos: never from fmod_ret, nor from a bpf_sk_storage* function
    assert allowed("bpf_sk_storage_get", "tracing", "modify_return", "x", (6, 1)) is False
    assert allowed("bpf_sk_storage_get", "tracing", "trace_fentry", "bpf_sk_storage_free", (6, 1)) is False
    assert allowed("bpf_sk_storage_get", "tracing", "trace_raw_tp", "inet_sock_set_state", (6, 1)) is True
    assert allowed("bpf_map_lookup_elem", "tracing", "trace_fentry", "vfs_read", (6, 18)) is None


def test_sleepable_lsm_hooks_per_version() -> None:
    # measured under qemu: 5.10 refuses lsm.s/file_open ('bpf_lsm_file_open is not sleepable'), 6.1
    # and 6.12 accept it; all three refuse lsm.s/task_free
    assert helper_allowed.lsm_hook_sleepable("bprm_committed_creds", (5, 10)) is True
    assert helper_allowed.lsm_hook_sleepable("file_open", (5, 10)) is False
    assert helper_allowed.lsm_hook_sleepable("file_open", (6, 1)) is True
    assert helper_allowed.lsm_hook_sleepable("task_free", (6, 12)) is False


def test_deduction_eras_of_the_bounds_logic() -> None:
    # a u64 range that meets only the non-negative part of the s64 range: 6.17+ learns smin and umax
    # from it (__reg64_deduce_bounds(), feature sign_crossing_64), 6.8-6.14 learn nothing
    from verifier.abstract.branch import set_bounds_era
    from verifier.abstract.scalar import S32_MAX, S32_MIN, U32, Scalar
    from verifier.abstract.tnum import Tnum

    reg = Scalar.make(Tnum.unknown(), -5, 50, 10, (1 << 63) + 10, S32_MIN, S32_MAX, 0, U32)
    try:
        set_bounds_era(False, False, False, False)
        new = reg.sync()
        assert (new.smin, new.umax) == (10, 50)
        set_bounds_era(False, False, False, True)
        old = reg.sync()
        assert old.smin == -5 and old.umax == (1 << 63) + 10
    finally:
        set_bounds_era(False, False, False, False)
