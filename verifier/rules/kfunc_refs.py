"""Which kfuncs acquire a reference (KF_ACQUIRE) and which release one (KF_RELEASE).

The kernel registers kfunc flags in its BTF_ID sets (`BTF_ID_FLAGS(func, name, flags)`), not in
BTF, so a target's BTF cannot tell them. Source: the BTF_ID_FLAGS lines of Linux 6.18.2
(kernel/bpf/helpers.c, kernel/bpf/cpumask.c, kernel/bpf/crypto.c, kernel/cgroup/, fs/bpf_fs_kfuncs.c,
net/netfilter/nf_conntrack_bpf.c, net/xfrm/xfrm_state_bpf.c, net/core/filter.c,
net/sched/bpf_qdisc.c, drivers/hid/bpf/, kernel/sched/ext*.c); the acquire and release flags of
these kfuncs are the same in every tree that has them (6.2.1, 6.3.8, 6.12.117 checked for the task
kfuncs). Whether a kfunc exists at all is the target's BTF's answer.
"""

from __future__ import annotations

ACQUIRE = frozenset(
    {
        "bpf_cgroup_acquire",
        "bpf_cgroup_ancestor",
        "bpf_cgroup_from_id",
        "bpf_cpumask_acquire",
        "bpf_cpumask_create",
        "bpf_crypto_ctx_acquire",
        "bpf_crypto_ctx_create",
        "bpf_ct_insert_entry",
        "bpf_get_task_exe_file",
        "bpf_list_pop_back",
        "bpf_list_pop_front",
        "bpf_lookup_system_key",
        "bpf_lookup_user_key",
        "bpf_obj_new_impl",
        "bpf_percpu_obj_new_impl",
        "bpf_rbtree_remove",
        "bpf_refcount_acquire_impl",
        "bpf_skb_ct_alloc",
        "bpf_skb_ct_lookup",
        "bpf_task_acquire",
        "bpf_task_from_pid",
        "bpf_task_from_vpid",
        "bpf_task_get_cgroup1",
        "bpf_xdp_ct_alloc",
        "bpf_xdp_ct_lookup",
        "bpf_xdp_get_xfrm_state",
        "hid_bpf_allocate_context",
        "scx_bpf_get_idle_cpumask",
        "scx_bpf_get_idle_cpumask_node",
        "scx_bpf_get_idle_smtmask",
        "scx_bpf_get_idle_smtmask_node",
        "scx_bpf_get_online_cpumask",
        "scx_bpf_get_possible_cpumask",
        "scx_bpf_task_cgroup",
    }
)

RELEASE = frozenset(
    {
        "bpf_cgroup_release",
        "bpf_cpumask_release",
        "bpf_crypto_ctx_release",
        "bpf_ct_insert_entry",
        "bpf_ct_release",
        "bpf_key_put",
        "bpf_kfree_skb",
        "bpf_obj_drop_impl",
        "bpf_percpu_obj_drop_impl",
        "bpf_put_file",
        "bpf_qdisc_skb_drop",
        "bpf_task_release",
        "bpf_xdp_xfrm_state_release",
        "hid_bpf_release_context",
        "scx_bpf_put_cpumask",
        "scx_bpf_put_idle_cpumask",
    }
)
