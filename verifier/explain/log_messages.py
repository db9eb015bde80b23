"""Which rejection category a kernel verifier message belongs to: a table, read top to bottom.

The categories are those of `verifier.report.explanations` (what the message means, the usual
fix). The patterns match the messages of kernel/bpf/verifier.c as of v6.18 (the function that
prints each is named) and their older wordings; bpfcheck's engine words its rejections the same
way (verifier/abstract). The first matching row wins; a message no row matches is "other".
"""

from __future__ import annotations

import re

SOURCE = "kernel/bpf/verifier.c@v6.18"

# (pattern, category, the function of SOURCE that prints it)
MESSAGE_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    (r"^R\d+ invalid mem access '\w*_or_null'", "null-deref", "check_mem_access"),
    (r"^R\d+ invalid mem access", "invalid-mem", "check_mem_access"),
    (r"^R\d+ offset is outside of the packet", "packet-bounds", "check_packet_access"),
    (r"^invalid access to packet", "packet-bounds", "__check_mem_access"),
    (r"^cannot write into packet", "read-only", "check_mem_access"),
    (
        r"^R\d+ (min|max) value is outside of the allowed memory range",
        "map-bounds",
        "check_mem_region_access",
    ),
    (r"^R\d+ unbounded memory access, make sure to bounds check", "map-bounds", "check_mem_region_access"),
    (r"^R\d+ min value is negative", "map-bounds", "check_mem_region_access"),
    (r"^invalid access to map value", "map-bounds", "__check_mem_access"),
    (r"^R\d+ unbounded memory access, use 'var &= const'", "helper-arg", "check_helper_mem_access"),
    (r"^R\d+ invalid zero-sized read", "helper-arg", "check_mem_size_reg"),
    (r"^R\d+ type=\S+ expected=", "helper-arg", "check_reg_type"),
    (r"^R\d+ is not a known constant", "helper-arg", "check_func_arg"),
    (r"^R\d+ does not point to a readonly map", "helper-arg", "check_func_arg"),
    (r"^invalid map_ptr to access map", "helper-arg", "check_func_arg"),
    (r"^R\d+ leaks addr", "pointer-leak", "check_helper_call, check_mem_access"),
    (r"^R\d+ partial copy of pointer", "pointer-leak", "check_stack_write_fixed_off"),
    (r"^R\d+ pointer comparison prohibited", "pointer-leak", "check_cond_jmp_op"),
    (r"^cannot return stack pointer to the caller", "pointer-leak", "prepare_func_exit"),
    (r"^dereference of modified ctx ptr", "ctx-modified", "__check_ptr_off_reg"),
    (r"^variable ctx access var_off=", "ctx-modified", "check_ptr_off_reg"),
    (r"^invalid bpf_context access", "ctx-access", "check_ctx_access"),
    (r"^invalid access to flow keys", "ctx-access", "check_flow_keys_access"),
    (r"^BPF_ST stores into R\d+ ctx is not allowed", "ctx-access", "do_check"),
    (r"^R\d+ invalid \w+ access off=", "sock-access", "check_sock_access"),
    (
        r"pointer arithmetic|pointer \S+ pointer prohibited|bitwise operator .* on pointer",
        "pointer-arith",
        "adjust_ptr_min_max_vals",
    ),
    (
        r"^R\d+ subtraction from stack pointer|^R\d+ tried to subtract pointer",
        "pointer-arith",
        "adjust_ptr_min_max_vals",
    ),
    (r"^math between \w+ pointer and", "pointer-arith", "adjust_ptr_min_max_vals"),
    (r"^value -?\d+ makes \w+ pointer be out of bounds", "pointer-arith", "check_reg_sane_offset"),
    (r"pointer offset -?\d+ is not allowed", "pointer-arith", "check_reg_sane_offset"),
    (r"^R\d+ !read_ok", "uninit-reg", "check_reg_arg"),
    (r"^invalid (variable-offset )?read from stack", "stack-uninit", "check_stack_read_fixed_off"),
    (r"^uninit stack in range of var-offset write", "stack-uninit", "check_stack_write_var_off"),
    (
        r"^invalid (unbounded )?(variable-offset )?(write to |read from )?stack",
        "stack-bounds",
        "check_stack_access_within_bounds",
    ),
    (r"^variable stack access", "stack-bounds", "check_stack_access_within_bounds"),
    (r"^invalid size of register (fill|spill)", "stack-spill", "check_stack_read_fixed_off"),
    (r"^cannot spill pointers to stack into stack frame", "stack-spill", "check_stack_write_fixed_off"),
    (r"^misaligned ", "misaligned", "check_ptr_alignment"),
    (r"^frame pointer is read only", "fp-write", "check_reg_arg"),
    (r"^R\d+ cannot write into", "read-only", "check_mem_access"),
    (r"^write into map forbidden", "read-only", "check_map_access_type"),
    (r"^invalid func unknown#", "helper-unknown", "check_helper_call"),
    (r"^(program of this type cannot use helper|unknown func) ", "helper-not-allowed", "check_helper_call"),
    (r"^cannot call GPL-restricted function", "helper-gpl", "check_helper_call"),
    (
        r"^expected prog array map for tail call|^cannot pass map_type",
        "map-type",
        "check_map_func_compatibility",
    ),
    (r"reference leak|^Unreleased reference", "reference-leak", "check_reference_leak"),
    (
        r"^release reference id=\d+ not found|must be referenced when passed to release",
        "reference",
        "release_reference",
    ),
    (r"spin_lock|bpf_spin_unlock|while holding a lock", "lock", "process_spin_lock, do_check"),
    (r"^back-edge from insn", "back-edge", "push_insn"),
    (r"^infinite loop detected", "infinite-loop", "is_state_visited"),
    (r"^BPF program is too large", "too-complex", "do_check"),
    (r"^The sequence of \d+ jumps is too complex", "too-complex", "push_stack"),
    (r"^the call stack of \d+ frames is too deep", "call-depth", "check_func_call"),
    (r"^combined stack size of \d+ calls", "stack-limit", "check_max_stack_depth"),
    (r"the register R0 (has|is not)", "return-range", "check_return_code"),
    (r"^div by zero", "div-by-zero", "check_alu_op"),
    (r"^invalid shift", "invalid-shift", "check_alu_op"),
    (r"^unreachable insn", "unreachable-insn", "check_cfg"),
    (r"^jump out of range from insn", "jump-out-of-range", "push_insn"),
    (r"^last insn is not an exit or jmp", "last-insn-not-exit", "check_subprogs"),
    (
        r"^unknown opcode|^invalid BPF_|^invalid bpf_ld_imm64|^invalid atomic|^call to invalid destination",
        "invalid-insn",
        "do_check",
    ),
    (r"^tail_calls are not allowed", "tail-call", "check_max_stack_depth"),
    (
        r"^Caller passes invalid args|^Global function|^arg#\d+ expected pointer",
        "global-func",
        "btf_check_subprog_call",
    ),
    (r"^\S+ cannot be accessed directly by load/store", "map-special", "check_map_access"),
    (r"^only read is supported", "btf-access", "btf_struct_access"),
    # libbpf's rewrites of the log (tools/lib/bpf/libbpf.c fixup_log_failed_core_relo,
    # fixup_log_missing_map_load, fixup_log_missing_kfunc_call)
    (r"^failed to resolve CO-RE relocation", "core-relocation", "libbpf fixup_log_failed_core_relo"),
    (r"^BPF map '.*' is referenced but wasn't created", "load-error", "libbpf fixup_log_missing_map_load"),
    (r"^kfunc '.*' is referenced but wasn't resolved", "load-error", "libbpf fixup_log_missing_kfunc_call"),
)

_COMPILED = tuple((re.compile(pattern), category) for pattern, category, _ in MESSAGE_CATEGORIES)


def category_of(message: str) -> str:
    """The category of a kernel message ("R0 invalid mem access 'map_value_or_null'" -> "null-deref")."""
    for pattern, category in _COMPILED:
        if pattern.search(message):
            return category
    return "other"
