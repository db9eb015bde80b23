"""Facts about helpers that the prototype tables do not carry, used by the call checks.

Sources: include/uapi/linux/bpf.h (helper ids), kernel/bpf/verifier.c
(check_helper_call, set_*_callback_state, is_release_function) and the
protos in net/core/filter.c, kernel/bpf/ringbuf.c, kernel/bpf/helpers.c.
"""

from __future__ import annotations

from typing import Final

# helper id -> name of the helper (the ones the engine treats specially)
MAP_LOOKUP_ELEM: Final = 1
MAP_UPDATE_ELEM: Final = 2
MAP_DELETE_ELEM: Final = 3
TAIL_CALL: Final = 12
# helpers whose proto has `.might_sleep = true` (6.1+) or that the tracing/LSM func_proto gives only
# to sleepable programs (before): bpf_copy_from_user, bpf_ima_inode_hash, bpf_copy_from_user_task,
# bpf_ima_file_hash (kernel/trace/bpf_trace.c, kernel/bpf/helpers.c, kernel/bpf/bpf_lsm.c of 6.12;
# bpf_get_stack/bpf_get_task_stack only swap in a sleepable variant, bpf_sys_bpf & co. exist only for
# the always-sleepable syscall programs)
MIGHT_SLEEP: Final = frozenset({148, 161, 191, 193})
GET_LOCAL_STORAGE: Final = 81
SPIN_LOCK: Final = 93
SPIN_UNLOCK: Final = 94
FOR_EACH_MAP_ELEM: Final = 164
TIMER_SET_CALLBACK: Final = 170
FIND_VMA: Final = 180
LOOP: Final = 181
USER_RINGBUF_DRAIN: Final = 209
DYNPTR_FROM_MEM: Final = 197
DYNPTR_DATA: Final = 203

# record_func_map(): helpers that change a map's contents, refused on a BPF_F_RDONLY_PROG map
# ('write into map forbidden'): map_update_elem, map_delete_elem, map_push_elem (87), map_pop_elem (88)
MAP_WRITING_HELPERS: Final = frozenset({MAP_UPDATE_ELEM, MAP_DELETE_ELEM, 87, 88})

# is_ptr_cast_function(): the socket returned is the argument seen as another type; it carries the
# argument's reference (ref_obj_id), so releasing the socket kills it too (5.1: 'bpf: Fix
# bpf_tcp_sock and bpf_sk_fullsock issue related to bpf_sk_release'; the skc_to_* casts join it as
# they arrive): sk_fullsock, tcp_sock, skc_to_tcp6_sock, skc_to_tcp_sock, skc_to_tcp_timewait_sock,
# skc_to_tcp_request_sock, skc_to_udp6_sock, skc_to_unix_sock, skc_to_mptcp_sock
PTR_CAST_HELPERS: Final = frozenset({95, 96, 136, 137, 138, 139, 140, 178, 196})

# (helper id, argument) memory a helper writes although it must be initialised (MEM_WRITE without
# MEM_UNINIT): from 6.14 only such a write clobbers the stack (check_stack_range_initialized() with
# BPF_WRITE). Source: the protos of the linux 7.2.13 tree: bpf_d_path (147) arg2, bpf_snprintf_btf
# (149) arg1, bpf_read_branch_records (119) arg2, bpf_snprintf (165) arg1, bpf_sysctl_get_name (101)
# arg2, bpf_xdp/skb_fib_lookup (69) arg2, bpf_skb/xdp_check_mtu (163) arg3, bpf_load_hdr_opt (142) arg2
MEM_WRITE_ARGS: Final = frozenset({(147, 2), (149, 1), (119, 2), (165, 1), (101, 2), (69, 2), (163, 3), (142, 2)})

# helpers whose pointer argument releases a reference (OBJ_RELEASE in the proto):
# bpf_sk_release, bpf_ringbuf_submit, bpf_ringbuf_discard, bpf_ringbuf_submit_dynptr,
# bpf_ringbuf_discard_dynptr
RELEASE_HELPERS: Final = frozenset({86, 132, 133, 199, 200})
KPTR_XCHG: Final = 194  # bpf_kptr_xchg

# helpers that may move or reallocate packet data (bpf_helper_changes_pkt_data() in
# net/core/filter.c): after the call every packet pointer is invalid (clear_all_pkt_pointers)
CHANGES_PKT_DATA: Final = frozenset({
    9,  # skb_store_bytes
    10,  # l3_csum_replace
    11,  # l4_csum_replace
    13,  # clone_redirect
    18,  # skb_vlan_push
    19,  # skb_vlan_pop
    31,  # skb_change_proto
    38,  # skb_change_tail
    39,  # skb_pull_data
    43,  # skb_change_head
    44,  # xdp_adjust_head
    50,  # skb_adjust_room
    54,  # xdp_adjust_meta
    63,  # msg_pull_data
    65,  # xdp_adjust_tail
    73,  # lwt_push_encap
    74,  # lwt_seg6_store_bytes
    75,  # lwt_seg6_adjust_srh
    76,  # lwt_seg6_action
    90,  # msg_push_data
    91,  # msg_pop_data
    143,  # store_hdr_opt
})

# kfuncs that move packet data (is_kfunc_pkt_changing() in kernel/bpf/verifier.c, v6.18)
PKT_CHANGING_KFUNCS: Final = frozenset({"bpf_xdp_pull_data"})

# kfuncs returning a slice of a dynptr's memory (check_kfunc_call(): KF_bpf_dynptr_slice(_rdwr)): R0 is
# PTR_TO_MEM (MEM_RDONLY for bpf_dynptr_slice) | PTR_MAYBE_NULL of the constant size in R4 (buffer__szk)
DYNPTR_SLICE_KFUNCS: Final = frozenset({"bpf_dynptr_slice", "bpf_dynptr_slice_rdwr"})

# helpers whose result do_refine_retval_range() bounds by the size argument: [-MAX_ERRNO, size]
# (bpf_probe_read_str, bpf_get_stack, bpf_probe_read_user_str, bpf_probe_read_kernel_str,
# bpf_get_task_stack)
SIZE_BOUNDED_RESULT: Final = frozenset({45, 67, 114, 115, 141})
MAX_ERRNO: Final = 4095

# helpers that take a callback: helper id -> (callback argument index (1-based),
# callback register setup name)
CALLBACK_HELPERS: Final = {
    FOR_EACH_MAP_ELEM: 2,
    TIMER_SET_CALLBACK: 2,
    FIND_VMA: 3,
    LOOP: 2,
    USER_RINGBUF_DRAIN: 2,
}

# the return range the kernel demands from each kind of callback (set_*_callback_state)
CALLBACK_RETURN_RANGE: Final = {
    FOR_EACH_MAP_ELEM: (0, 1),
    TIMER_SET_CALLBACK: (0, 0),
    FIND_VMA: (0, 1),
    LOOP: (0, 1),
    USER_RINGBUF_DRAIN: (0, 1),
}

# BPF_MAP_TYPE_* values used by the engine (include/uapi/linux/bpf.h)
MAP_TYPE_HASH: Final = 1
MAP_TYPE_ARRAY: Final = 2
MAP_TYPE_PROG_ARRAY: Final = 3
MAP_TYPE_PERCPU_ARRAY: Final = 6
MAP_TYPE_ARRAY_OF_MAPS: Final = 12
MAP_TYPE_HASH_OF_MAPS: Final = 13
MAP_TYPE_SOCKMAP: Final = 15
MAP_TYPE_XSKMAP: Final = 17
MAP_TYPE_SOCKHASH: Final = 18
MAP_TYPE_RINGBUF: Final = 27
# map_lookup_elem() on these returns a socket reference (is_acquire_function(), mark_ptr_not_null_reg())
SOCK_MAPS: Final = frozenset({MAP_TYPE_SOCKMAP, MAP_TYPE_SOCKHASH})
ARRAY_LIKE_MAPS: Final = frozenset({MAP_TYPE_ARRAY, MAP_TYPE_PERCPU_ARRAY})
MAP_IN_MAP_TYPES: Final = frozenset({MAP_TYPE_ARRAY_OF_MAPS, MAP_TYPE_HASH_OF_MAPS})

# argument types that are plain values: any initialised register
VALUE_ARGS: Final = frozenset({"ARG_ANYTHING", "ARG_DONTCARE"})
SIZE_ARGS: Final = frozenset({"ARG_CONST_SIZE", "ARG_CONST_SIZE_OR_ZERO"})
MEM_ARGS: Final = frozenset({"ARG_PTR_TO_MEM", "ARG_PTR_TO_UNINIT_MEM"})
# argument types naming a socket
SOCK_ARGS: Final = frozenset(
    {"ARG_PTR_TO_SOCK_COMMON", "ARG_PTR_TO_SOCKET", "ARG_PTR_TO_BTF_ID_SOCK_COMMON", "ARG_PTR_TO_TCP_SOCK"}
)
# fixed-size memory arguments of older protos: type -> size in bytes
FIXED_MEM_ARGS: Final = {"ARG_PTR_TO_LONG": 8, "ARG_PTR_TO_INT": 4}

# the kernel's list of acceptable types for a memory argument (compatible_reg_types, mem_types)
MEM_TYPES_TEXT: Final = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_"
