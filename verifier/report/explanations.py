"""What each rejection category means, in plain words, and the usual fix: a table, not logic.

Keyed by `Finding.category`. The engine may fill `Finding.message` and
`Finding.hint` with words specific to one finding (the register, the exact
comparison to add); the report uses this table only where the finding leaves
them empty. The wording follows what the kernel checks, as described in the
kernel's `Documentation/bpf/verifier.rst` and the messages of
`kernel/bpf/verifier.c` (see /work/shared/reference/kernel_versions.md §7).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Explanation:
    title: str  # a few words, used as the SARIF rule name and in the GitHub line title
    meaning: str  # what the kernel's message means
    hint: str  # the usual fix


EXPLANATIONS: dict[str, Explanation] = {
    "null-deref": Explanation(
        "possible NULL dereference",
        "A pointer that may be NULL (a map lookup result, a ringbuf reservation, a socket lookup) is "
        "dereferenced before the program checked it against NULL on this path.",
        "Check the pointer before using it: `if (!value) return 0;` right after the lookup, and use the "
        "checked pointer (not a copy taken before the check).",
    ),
    "packet-bounds": Explanation(
        "packet access out of checked range",
        "The program reads or writes packet data beyond the range it has proven lies before data_end. "
        "The verifier only trusts bytes covered by an earlier `ptr + N > data_end` comparison.",
        "Compare the end of the access with data_end before it: `if ((void *)(hdr + 1) > data_end) "
        "return XDP_DROP;` (or TC_ACT_SHOT), then access the header through that same pointer.",
    ),
    "map-bounds": Explanation(
        "map value access out of bounds",
        "An access through a map value pointer may fall outside the value: the offset is negative, too "
        "large, or not bounded (an index whose range the verifier cannot see).",
        "Bound the index before using it: `if (idx >= ARRAY_LEN) return 0;` or mask it "
        "(`idx &= ARRAY_LEN - 1` for a power of two), on the same register that is used for the access.",
    ),
    "stack-bounds": Explanation(
        "stack access out of bounds",
        "A stack access falls outside the 512-byte frame, or uses an offset the verifier cannot bound.",
        "Keep stack buffers small and index them with a bounded, constant-range offset; move large "
        "buffers to a per-CPU array map.",
    ),
    "stack-uninit": Explanation(
        "read of uninitialised stack",
        "The program reads stack bytes (directly or by passing them to a helper) that were never written "
        "on this path.",
        "Initialise the variable or buffer before use: `struct key k = {};` or `__builtin_memset(&k, 0, "
        "sizeof(k));` (padding bytes count too).",
    ),
    "uninit-reg": Explanation(
        "read of uninitialised register",
        "A register is read before anything was written to it on this path (for example R0 at exit, or a "
        "helper argument the compiler did not set).",
        "Make sure every path sets the value: give variables an initial value and return a value on "
        "every path.",
    ),
    "ctx-access": Explanation(
        "invalid context access",
        "The program reads or writes a context field at an offset, size or mode this program type does "
        "not allow (for example a field of another program type, or a narrow load the kernel refuses).",
        "Access only the fields this program type documents, with their natural size; read ctx fields "
        "directly from the ctx pointer (not through a copy) and use helpers for the rest.",
    ),
    "ctx-modified": Explanation(
        "modified context pointer",
        "The context pointer was moved (ctx + offset) and then dereferenced or passed on; the kernel only "
        "accepts accesses through the unmodified ctx pointer with a constant offset.",
        "Access fields as `ctx->field` on the original pointer; do not keep a pointer to the middle of ctx.",
    ),
    "pointer-arith": Explanation(
        "pointer arithmetic not allowed",
        "The program does arithmetic the verifier forbids on this pointer type (on a possibly-NULL "
        "pointer, with an unbounded scalar, a 32-bit operation, or on a pointer type that allows none).",
        "Check for NULL first, bound the offset you add (`if (off > MAX) return 0;`), and do the "
        "arithmetic in 64 bits on the pointer itself.",
    ),
    "pointer-leak": Explanation(
        "kernel pointer leak",
        "A kernel pointer would be stored in a map, compared with a scalar or returned, which would leak "
        "an address to user space (refused for unprivileged programs, and in some places for all).",
        "Do not store or return pointers; store the value they point to or an id instead.",
    ),
    "helper-not-allowed": Explanation(
        "helper not allowed here",
        "This helper does not exist in the target kernel or is not available to this program type.",
        "Use a helper this program type offers at this kernel (see `bpfcheck rules --kernel K --prog-type "
        "T`), raise the minimum kernel, or move the work to a program type that has it.",
    ),
    "helper-unknown": Explanation(
        "unknown helper",
        "The call names a helper id the target kernel does not know.",
        "Check the kernel version you target: the helper appeared in a later kernel. Guard it with a "
        "feature probe and load a fallback program on older kernels.",
    ),
    "helper-gpl": Explanation(
        "GPL-only helper",
        "The helper is only available to programs whose license is GPL-compatible.",
        'Declare a GPL-compatible license: `char LICENSE[] SEC("license") = "GPL";` (or "Dual BSD/GPL").',
    ),
    "kfunc-gpl": Explanation(
        "kfunc from a non-GPL program",
        "Kernel functions (kfuncs) may only be called by programs whose license is GPL-compatible; "
        "the kernel checks every kfunc call before it simulates anything, reachable or not.",
        'Declare a GPL-compatible license: `char LICENSE[] SEC("license") = "GPL";` (or "Dual BSD/GPL").',
    ),
    "lsm-sleepable": Explanation(
        "sleepable LSM program on a non-sleepable hook",
        "A sleepable LSM program (section `lsm.s/`) may only attach to the hooks the kernel lists as "
        "sleepable (`sleepable_lsm_hooks` in kernel/bpf/bpf_lsm.c): the others run in contexts that must not "
        "sleep. The kernel refuses the program before simulating anything.",
        "Use `lsm/<hook>` (not sleepable; no sleepable helpers or kfuncs), or pick a sleepable hook.",
    ),
    "struct-ops-attach": Explanation(
        "struct_ops program without its struct",
        "The loader tells the kernel which struct (and member) a struct_ops program implements only when a "
        "`.struct_ops` variable of the object points at it; without one the kernel gets attach_btf_id 0, "
        "which names no struct_ops type, and refuses the program before simulating anything. struct_ops "
        "programs also need a GPL-compatible license.",
        'Point a member of a `SEC(".struct_ops")` variable at the program (libbpf 1.2 and newer also read '
        '`SEC(".struct_ops.link")`), and declare a GPL-compatible license.',
    ),
    "callback-btf": Explanation(
        "callback without BTF",
        "The program takes a function's address (a callback for bpf_loop, bpf_for_each_map_elem, timers), "
        "and the kernel needs the BTF function records (.BTF.ext func_info) to check it; this load passes "
        "none (the object was built without -g, or its loader passes no BTF).",
        "Build with `-g` so the object carries BTF and .BTF.ext, and load it with a loader that passes them "
        "(libbpf does).",
    ),
    "helper-arg": Explanation(
        "bad helper argument",
        "An argument passed to a helper has the wrong type (a scalar where a pointer is needed, a map "
        "value instead of a map), an unbounded or zero size, or points to memory that is too small or "
        "not initialised.",
        "Pass what the helper's prototype asks for: a pointer to initialised stack or map memory of the "
        "right size, a size that is a bounded constant range (`size & 0xff`, or a check `if (size > "
        "sizeof(buf)) return 0;`).",
    ),
    "map-type": Explanation(
        "map type not usable here",
        "The map's type does not fit this helper or program type (for example a perf event array passed "
        "to bpf_map_lookup_elem, or a map type the target kernel lacks).",
        "Use the helper that belongs to this map type (bpf_perf_event_output, bpf_tail_call, "
        "bpf_redirect_map...) or change the map's type.",
    ),
    "pointer-type": Explanation(
        "one instruction, two pointer types",
        "The same load or store instruction is reached with a context (or socket, or kernel object) "
        "pointer on one path and another kind of pointer on another path. The kernel rewrites such "
        "accesses for one pointer type per instruction, so it refuses the program.",
        "Keep the pointers apart: use separate loads/stores on each path, or do not spill different "
        "kinds of pointers into the same stack slot and read them back through one instruction.",
    ),
    "reference-leak": Explanation(
        "unreleased reference",
        "A reference taken on this path (a socket from bpf_sk_lookup_*, a ringbuf reservation, a "
        "kptr...) is not released before the program exits.",
        "Release it on every path, including early returns: bpf_sk_release(sk), "
        "bpf_ringbuf_submit()/bpf_ringbuf_discard().",
    ),
    "back-edge": Explanation(
        "loop in the program",
        "The target kernel rejects any jump backwards: bounded loops are only verified from 5.3 on.",
        "Unroll the loop (`#pragma unroll` with a constant trip count), use bpf_loop() (5.17+), or "
        "target kernel 5.3 or later.",
    ),
    "infinite-loop": Explanation(
        "loop the verifier cannot bound",
        "The verifier came back to the same instruction in the same state: it cannot see the loop end.",
        "Give the loop a constant upper bound the verifier can follow (`for (i = 0; i < MAX && i < n; "
        "i++)`), or use bpf_loop() (5.17+) or a bpf_for() open-coded iterator (6.4+).",
    ),
    "too-complex": Explanation(
        "too complex to verify",
        "The verifier gave up: it walked more instructions (1M from 5.2 on) or kept more states than its "
        "limits allow. The program may well be correct.",
        "Reduce the paths to explore: move work into bpf-to-bpf global functions, replace unrolled loops "
        "with bpf_loop(), or split the program with tail calls.",
    ),
    "too-large": Explanation(
        "program too large",
        "The program has more instructions than the kernel loads (4096 before 5.2, and for unprivileged "
        "loaders; 1M from 5.2).",
        "Split the program with tail calls, or move code into functions that are not inlined (`__noinline`).",
    ),
    "return-range": Explanation(
        "return value out of range",
        "This program type must return a value in a fixed range (for example 0 or 1 for cgroup programs, "
        "an XDP action for XDP), and R0 may hold something else at exit.",
        "Return only the values this program type allows, on every path (e.g. `return ret ? 1 : 0;`).",
    ),
    "invalid-insn": Explanation(
        "invalid instruction",
        "The instruction is not valid for the target kernel: an unknown opcode, a reserved field that is "
        "not zero, or an instruction of a newer ISA (cpu v3/v4) than the kernel supports.",
        "Compile for the kernel's ISA: `-mcpu=v2` (or v1) for old kernels, and rebuild with the same clang "
        "you test with.",
    ),
    "call-depth": Explanation(
        "call chain too deep",
        "bpf-to-bpf calls nest more than 8 frames, or the combined stack of the call chain exceeds 512 bytes.",
        "Flatten the call chain, inline small functions, or mark large ones `__noinline` on a shorter path.",
    ),
    "stack-limit": Explanation(
        "stack too large",
        "The program (with the functions it calls) uses more than the 512 bytes of stack the kernel allows.",
        "Move large local buffers to a per-CPU array map used as scratch space.",
    ),
    "div-by-zero": Explanation(
        "division by zero",
        "The divisor may be zero. (The kernel defines division by zero at run time, so only some kernels "
        "and some forms refuse it.)",
        "Check the divisor first: `if (d == 0) return 0;`.",
    ),
    "unreachable": Explanation(
        "unreachable instruction",
        "Some instructions can never run; the kernel refuses programs with dead code.",
        "Remove the dead code; it usually comes from hand-written assembly or a mis-linked object.",
    ),
    "read-only": Explanation(
        "write to read-only memory",
        "The program writes to memory it may only read: a .rodata/const global, a read-only map "
        "(BPF_F_RDONLY_PROG), a read-only context field, or R10 (the frame pointer).",
        "Write to a writable copy instead; drop `const` from a global you mean to change.",
    ),
    "write-only": Explanation(
        "read from a write-only map",
        "The program reads a map created with BPF_F_WRONLY_PROG: the program may only write its values "
        "(user space reads them), directly or through a helper argument.",
        "Keep values the program needs to read in a map without BPF_F_WRONLY_PROG.",
    ),
    "misaligned": Explanation(
        "misaligned access",
        "The access is not aligned to its size where the kernel requires alignment (strict alignment, "
        "stack accesses, atomics).",
        "Access fields at their natural alignment; copy unaligned packet data with __builtin_memcpy into "
        "a local variable first.",
    ),
    "lock": Explanation(
        "spin lock misuse",
        "bpf_spin_lock is taken twice, not released before exit, or a forbidden call happens while it is "
        "held.",
        "Hold the lock only around plain loads and stores of the map value, and unlock on every path.",
    ),
    "invalid-mem": Explanation(
        "memory access through a non-pointer",
        "The register used for a load or store is not a pointer the verifier can check here: a scalar "
        "(a number), a possibly-NULL pointer, or a pointer type that cannot be dereferenced.",
        "Access memory only through pointers the verifier knows: ctx, stack, checked packet pointers, map "
        "values after a NULL check; read other memory with bpf_probe_read_kernel().",
    ),
    "mem-bounds": Explanation(
        "memory access out of bounds",
        "An access through a pointer to a sized memory region (a ringbuf reservation, a helper's buffer, "
        "dynptr data) may fall outside the region.",
        "Check the offset and size against the region's size before the access, on the same register.",
    ),
    "sock-access": Explanation(
        "invalid socket field access",
        "The program reads a socket field at an offset or size this socket pointer type does not allow.",
        "Read only the fields of struct bpf_sock (or the bpf_tcp_sock/bpf_xdp_sock the helper returned) "
        "with their natural size; use bpf_skc_to_*() helpers for the full socket.",
    ),
    "btf-access": Explanation(
        "invalid access to a kernel object",
        "The program writes to (or reads wrongly from) a kernel structure reached through BTF: such "
        "pointers are read-only and may only be read with the field's type.",
        "Read the field only; change kernel state through the helpers or kfuncs made for it.",
    ),
    "map-special": Explanation(
        "direct access to a special map field",
        "The access touches a bpf_spin_lock, bpf_timer, kptr or other special field inside a map value, "
        "which may only be used through its helpers.",
        "Use bpf_spin_lock()/bpf_timer_*()/bpf_kptr_xchg() for the special field, and plain loads and "
        "stores only for the other fields.",
    ),
    "stack-spill": Explanation(
        "invalid register spill or fill",
        "A register is saved to or reloaded from the stack in a way the verifier refuses: a partial "
        "spill or fill of a pointer, or a pointer spilled into the caller's frame.",
        "Keep pointers in full 64-bit stack slots and reload them with the same size; do not store "
        "pointers through a pointer into another function's stack.",
    ),
    "fp-write": Explanation(
        "write to the frame pointer",
        "The program writes to R10, the read-only frame pointer.",
        "Do not modify R10 (hand-written assembly): copy it to another register and change the copy.",
    ),
    "frame-pointer-write": Explanation(
        "write to the frame pointer",
        "The program writes to R10, the read-only frame pointer.",
        "Do not modify R10 (hand-written assembly): copy it to another register and change the copy.",
    ),
    "invalid-shift": Explanation(
        "shift by an invalid amount",
        "A shift by a constant is as large as (or larger than) the operand's width, or negative.",
        "Shift by less than the width (0..63 for 64-bit, 0..31 for 32-bit operations); mask variable "
        "shift amounts (`n & 63`).",
    ),
    "invalid-register": Explanation(
        "invalid register number",
        "The instruction names a register above R10 (or writes R10): the object is malformed.",
        "Rebuild the object; hand-written assembly must use r0..r10 only.",
    ),
    "reserved-fields": Explanation(
        "reserved instruction fields are set",
        "An instruction has non-zero fields that must be zero for its opcode: the object was made for a "
        "newer instruction set or is malformed.",
        "Compile for the kernel's ISA (`-mcpu=v1`/`v2`/`v3`) and rebuild with a matching clang.",
    ),
    "unknown-opcode": Explanation(
        "unknown opcode",
        "The target kernel does not know this instruction: it comes from a newer instruction set (cpu "
        "v3/v4, atomics) or the object is malformed.",
        "Compile for the kernel's ISA: `-mcpu=v2` (or v1) for old kernels.",
    ),
    "unsupported-insn": Explanation(
        "instruction not supported by this kernel",
        "The instruction exists, but only in later kernels (for example cpu v4 sign extension, 32-bit "
        "jumps before 5.1, atomics before 5.12).",
        "Compile for the kernel's ISA (`-mcpu=v1`/`v2`/`v3`) or raise the minimum kernel.",
    ),
    "jump-out-of-range": Explanation(
        "jump out of the program",
        "A jump goes before the first or past the last instruction of its function.",
        "The object is malformed or mis-linked: rebuild it; check hand-written jumps.",
    ),
    "ldimm64-middle": Explanation(
        "jump into the middle of ld_imm64",
        "A jump lands on the second half of a 16-byte ld_imm64 instruction.",
        "The object is malformed: rebuild it; check hand-written jumps.",
    ),
    "last-insn-not-exit": Explanation(
        "function does not end in exit or jump",
        "The last instruction of a function can fall through past its end.",
        "End every function with a return; in assembly, end it with `exit` or an unconditional jump.",
    ),
    "unreachable-insn": Explanation(
        "unreachable instruction",
        "Some instructions can never run; the kernel refuses programs with dead code.",
        "Remove the dead code; it usually comes from hand-written assembly or a mis-linked object.",
    ),
    "call-invalid-destination": Explanation(
        "call to an invalid destination",
        "A bpf-to-bpf call targets an instruction outside the program.",
        "The object is mis-linked: rebuild it and make sure every called function is in the object.",
    ),
    "too-many-subprogs": Explanation(
        "too many functions",
        "The program calls more bpf-to-bpf functions than the kernel allows (256 subprograms).",
        "Inline small functions (`static __always_inline`) or split the program with tail calls.",
    ),
    "program-too-large": Explanation(
        "program too large",
        "The program has more instructions than the kernel loads (4096 before 5.2, and for unprivileged "
        "loaders; 1M from 5.2).",
        "Split the program with tail calls, or move code into functions that are not inlined (`__noinline`).",
    ),
    "privileged-prog-type": Explanation(
        "program type needs privileges",
        "Without CAP_BPF (CAP_SYS_ADMIN before 5.8) the kernel loads only socket filter and cgroup skb "
        "programs; bpf(BPF_PROG_LOAD) refuses every other type with EPERM.",
        "Load the program with CAP_BPF (and CAP_NET_ADMIN or CAP_PERFMON as its type needs), or write it "
        "as a socket filter.",
    ),
    "timeout": Explanation(
        "analysis timed out",
        "bpfcheck's own time budget ran out before it reached a verdict; this says nothing about the kernel.",
        "Raise --timeout, or check the program on one kernel at a time.",
    ),
    "reference": Explanation(
        "reference misuse",
        "A release helper (bpf_sk_release, bpf_ringbuf_submit/discard, ...) got a pointer that is not an "
        "acquired reference, or one that was already released.",
        "Pass the pointer exactly as the acquiring helper returned it (after its NULL check), and release it "
        "once on every path.",
    ),
    "memory": Explanation(
        "analysis ran out of memory",
        "bpfcheck's own memory bound (BPFCHECK_MEMORY_MB, 4096 MB by default) was reached before a verdict; "
        "this says nothing about the kernel.",
        "Raise BPFCHECK_MEMORY_MB, or check fewer objects per run.",
    ),
    "unsupported-prog-type": Explanation(
        "program type not in this kernel",
        "The target kernel does not know this program type or attach type, so bpf(BPF_PROG_LOAD) refuses it "
        "with EINVAL before the verifier runs.",
        "Target a newer kernel, or use a program type that kernel has.",
    ),
    "global-func": Explanation(
        "global function arguments",
        "Global (non-static) functions are verified on their own from 5.6: their arguments are typed by BTF "
        "(ctx, scalars, or pointers that may be NULL), not by what the caller passes.",
        "Check pointer arguments for NULL inside the function, or make the function static.",
    ),
    "tail-call": Explanation(
        "tail call not allowed here",
        "Before 5.10, programs with bpf-to-bpf calls cannot use bpf_tail_call.",
        "Inline the called functions (__always_inline) or target 5.10 or newer.",
    ),
    "core-relocation": Explanation(
        "CO-RE relocation failed",
        "libbpf could not find the type or field a CO-RE access names (BPF_CORE_READ, "
        "preserve_access_index) in the target kernel's BTF, so it replaced the instruction with an "
        "invalid call (0xbad2310) and the verifier refused the program when it reached it.",
        "Check the field's name and type for this kernel; guard accesses that differ between kernels "
        "with `if (bpf_core_field_exists(p->field))` (or bpf_core_type_exists), using a `struct x___v2` "
        "flavour for the other layout.",
    ),
    "load-error": Explanation(
        "cannot be loaded",
        "The program never reaches the kernel's verifier: a relocation cannot be resolved, the program "
        "type cannot be told from the section name, or the object is incomplete.",
        "Fix the object (define the missing symbol or map), or name the type with --prog-type.",
    ),
    "internal-error": Explanation(
        "bpfcheck internal error",
        "bpfcheck failed on this program; the kernel's verdict is unknown.",
        "Please report it with the object file; BPFCHECK_DEBUG=1 shows the traceback.",
    ),
    "other": Explanation(
        "rejected by the verifier",
        "The kernel's verifier refuses the program at this instruction.",
        "Read the kernel message and the state above; the registers shown are the ones involved.",
    ),
}

IMPRECISION_NOTE = (
    "z3 finds no input that takes this path to a fault: the program is safe here, but the verifier "
    "cannot prove it (its analysis is less precise than z3's). Restructure the code so the verifier "
    "sees it too; the hint shows the usual way."
)


def explanation_for(category: str) -> Explanation:
    """The table's row for `category`; unknown categories get the generic "other" row."""
    return EXPLANATIONS.get(category, EXPLANATIONS["other"])


def meaning_of(category: str, given: str = "") -> str:
    """The finding's own explanation when it has one, else the table's."""
    return given or explanation_for(category).meaning


def hint_for(category: str, given: str = "") -> str:
    """The finding's own hint when it has one, else the table's."""
    return given or explanation_for(category).hint
