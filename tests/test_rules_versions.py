"""Kernel version parsing, features and limits by version."""

import pytest

from verifier.errors import InputError, UnknownKernelError
from verifier.rules import NEWEST, OLDEST, all_versions, for_kernel, parse_kernel, parse_kernel_list
from verifier.rules import versions as versions_mod


def test_parse_plain_and_patch_level():
    assert parse_kernel("5.2") == (5, 2)
    assert parse_kernel("5.2.7") == (5, 2)
    assert parse_kernel("6.1.0-18-amd64") == (6, 1)
    assert parse_kernel((4, 19)) == (4, 19)


@pytest.mark.parametrize("text", ["3.18", "4.13", "7.0", "4.21", "5.20", "abc", "", "5"])
def test_parse_rejects_unsupported(text):
    with pytest.raises(UnknownKernelError):
        parse_kernel(text)


def test_unknown_kernel_is_input_error():
    assert issubclass(UnknownKernelError, InputError)


def test_host(monkeypatch):
    monkeypatch.setattr(versions_mod, "_host_release", lambda: "5.15.0-91-generic")
    assert parse_kernel("host") == (5, 15)
    monkeypatch.setattr(versions_mod, "_host_release", lambda: "9.3.1")
    assert parse_kernel("host") == NEWEST


def test_kernel_list():
    assert parse_kernel_list("4.19,5.4, 5.10,6.1") == [(4, 19), (5, 4), (5, 10), (6, 1)]
    assert parse_kernel_list("5.4,5.4") == [(5, 4)]
    assert parse_kernel_list("all") == all_versions()
    with pytest.raises(UnknownKernelError):
        parse_kernel_list("5.4,3.10")
    with pytest.raises(UnknownKernelError):
        parse_kernel_list(" , ")


def test_version_list_shape():
    versions = all_versions()
    assert versions[0] == OLDEST and versions[-1] == NEWEST
    assert (4, 20) in versions and (5, 0) in versions and (5, 19) in versions and (6, 0) in versions
    assert (4, 21) not in versions and (5, 20) not in versions
    assert versions == sorted(versions)


def test_for_kernel_cached_and_named():
    assert for_kernel("5.2") is for_kernel("5.2.3")
    assert for_kernel("5.2").name == "5.2"
    assert for_kernel("5.2").version == (5, 2)


# (feature, first version that has it)
FEATURE_VERSIONS = [
    ("jmp_ext", (4, 14)),
    ("bpf_to_bpf_calls", (4, 16)),
    ("reference_tracking", (4, 20)),
    ("jmp32", (5, 1)),
    ("spin_lock", (5, 1)),
    ("global_data", (5, 2)),
    ("bounded_loops", (5, 3)),
    ("global_func_verification", (5, 6)),
    ("alu32_bounds", (5, 7)),
    ("cap_bpf", (5, 8)),
    ("btf_id_ld_imm64", (5, 10)),
    ("tail_call_in_subprogs", (5, 10)),
    ("atomics", (5, 12)),
    ("pseudo_func", (5, 13)),
    ("kfuncs", (5, 14)),
    ("callbacks", (5, 13)),
    ("timers", (5, 15)),
    ("bpf_loop", (5, 17)),
    ("uninit_stack_read_priv", (6, 3)),
    ("open_coded_iterators", (6, 4)),
    ("cpu_v4", (6, 6)),
    ("may_goto", (6, 9)),
    ("const_array_lookup_nonnull", (6, 14)),
    ("spill_const_tracking", (5, 3)),
    ("global_func_ptr_args", (5, 12)),
    ("spill_narrow_scalar", (5, 16)),
    # dated from the kernel trees listed in verifier/rules/data/NOTES.md (issue 14)
    ("map_value_helper_args", (4, 19)),
    ("btf", (4, 19)),
    ("rdonly_map_const", (5, 5)),
    ("sockmap_lookup", (5, 8)),
    ("map_ptr_btf_access", (5, 9)),
    ("btf_ctx_int_ptr_scalar", (5, 17)),
    ("reduced_prune_points", (6, 2)),
    ("st_into_ctx", (6, 4)),
    ("reg_not_null_mem", (6, 4)),
    ("uninit_stack_read_any_depth", (6, 7)),
    ("callbacks_unknown_count", (6, 7)),
    ("iter_widening", (6, 7)),
    ("iter_bits", (6, 11)),
    ("iter_range_within", (6, 9)),
    ("exit_retval_precise", (6, 8)),
    ("jne_const_edge", (6, 8)),
    ("linked_scalar_ids_mov32", (6, 9)),
    ("stack_round_16_jit", (6, 9)),
    ("history_forced_checkpoint", (6, 11)),
    ("linked_regs_add_const", (6, 11)),
    ("btf_ctx_ptr_size_8", (6, 13)),
    ("raw_tp_null_args", (6, 13)),
    ("helper_stack_access_type", (6, 14)),
    ("resource_leak_prefix", (6, 14)),
    ("btf_ctx_non_struct_ptr_scalar", (6, 18)),
    ("reg_not_null_map_ptr_mem", (6, 18)),
]


# (feature, first point release of a stable series that has it, by the Debian changelogs)
BACKPORTS = [
    ("reduced_prune_points", "6.1.72"),
    ("raw_tp_null_args", "6.12.6"),
    ("btf_ctx_ptr_size_8", "6.12.6"),
    ("reg_not_null_map_ptr_mem", "6.12.43"),
    ("fork_scalars_and_or", "6.12.80"),
    ("ld_abs_callback_refused", "6.12.114"),
    ("ld_abs_subprog_exit", "6.18.3"),
]


@pytest.mark.parametrize(("feature", "first"), BACKPORTS)
def test_backport_points(feature, first):
    series, patch = first.rsplit(".", 1)
    assert for_kernel(first).has(feature) and for_kernel(series).has(feature)
    assert not for_kernel(f"{series}.{int(patch) - 1}").has(feature)


def test_mainline_has_not_what_only_the_6_18_44_build_has():
    # mainline 6.18.2 lacks them (source); the 6.18 row is the newest known build, 6.18.44
    for feature in (
        "linked_regs_add_const_any",
        "fork_scalars_and_or",
        "bswap_tracking",
        "movsx_range_from_subreg",
        "sane_offset_ptr_split",
    ):
        assert for_kernel("6.18").has(feature) and not for_kernel("6.18.2").has(feature), feature
    # not in any mainline tree read before 6.19 (6.12 took it at 6.12.114; 6.18.44 accepts without it)
    assert not for_kernel("6.18").has("ld_abs_callback_refused") and not for_kernel("6.11").has("ld_abs_callback_refused")
    assert not for_kernel("6.18.2").has("ld_abs_subprog_exit") and for_kernel("6.18").has("ld_abs_subprog_exit")


@pytest.mark.parametrize(("feature", "since"), FEATURE_VERSIONS)
def test_feature_boundaries(feature, since):
    versions = all_versions()
    index = versions.index(since)
    assert for_kernel(since).has(feature)
    assert for_kernel(NEWEST).has(feature)
    if index > 0:  # the release before, without the backports of its point releases
        before = versions[index - 1]
        assert not for_kernel(f"{before[0]}.{before[1]}.0").has(feature)


def test_scalar_named_inv_until_5_17():
    assert for_kernel("4.14").has("scalar_named_inv")
    assert for_kernel("5.17").has("scalar_named_inv")
    assert not for_kernel("5.18").has("scalar_named_inv")


def test_unknown_feature_raises():
    with pytest.raises(KeyError):
        for_kernel("5.10").has("no_such_feature")


def test_limits():
    old, new = for_kernel("5.1"), for_kernel("5.2")
    assert old.limit("max_insns") == 4096
    assert new.limit("max_insns") == 1_000_000
    assert new.limit("max_insns", unprivileged=True) == 4096
    assert old.limit("complexity") == 131_072
    assert new.limit("complexity") == 1_000_000
    assert new.limit("stack") == 512
    assert new.limit("call_depth") == 8
    # include/linux/bpf.h: MAX_TAIL_CALL_CNT 32 in 5.15.16, 33 in 5.16.10
    assert for_kernel("5.15").limit("tail_calls") == 32
    assert for_kernel("5.16").limit("tail_calls") == 33
    # verifier.c: BPF_COMPLEXITY_LIMIT_STACK 1024 in 5.2.1, BPF_COMPLEXITY_LIMIT_JMP_SEQ 8192 in 5.3.0
    assert new.limit("jmp_seq") == 1024 and for_kernel("5.3").limit("jmp_seq") == 8192
    assert new.limit("max_subprogs") == 256
    assert new.limit("states_per_insn") == 64
    with pytest.raises(KeyError):
        new.limit("nonsense")


def test_unprivileged_features_and_types():
    rules = for_kernel("6.1")
    assert rules.has("bounded_loops") and not rules.has("bounded_loops", unprivileged=True)
    assert not rules.has("bpf_to_bpf_calls", unprivileged=True)
    assert rules.has("jmp32", unprivileged=True)
    assert rules.prog_type_unprivileged("socket_filter") and rules.prog_type_unprivileged("cgroup_skb")
    assert not rules.prog_type_unprivileged("xdp")


# -- builds of one X.Y release (verifier/rules/builds.py) ------------------------------------------

def test_x_y_means_the_newest_known_build():
    from verifier.rules.builds import newest_build

    assert for_kernel("6.18").build is None and for_kernel("6.18").name == "6.18"
    newest = newest_build((6, 18))
    assert newest is not None
    for feature, value in newest.features.items():  # the X.Y row is the newest build's behaviour
        assert for_kernel("6.18").has(feature) == value


def test_a_named_build_has_its_own_facts():
    old = for_kernel("6.18.44-fc")
    assert old.name == "6.18.44-fc" and old.version == (6, 18)
    assert not old.has("movsx_range_from_subreg") and not old.has("sane_offset_skips_linked_delta")
    assert for_kernel("6.18").has("movsx_range_from_subreg")
    assert for_kernel("6.18").has("sane_offset_skips_linked_delta")
    # mainline 6.18.2 (source) still checks the distance, as 6.11-6.17 do
    assert not for_kernel("6.18.2").has("sane_offset_skips_linked_delta")
    assert for_kernel("6.18.2").has("sane_offset_checks_linked_delta")
    assert old.has("bounded_loops")  # everything else follows the X.Y row
    with pytest.raises(KeyError):
        old.has("no_such_feature")


def test_a_point_release_selects_its_newest_build_and_others_are_ignored():
    assert for_kernel("6.18.44").name == "6.18.44-fc-v1045"
    assert for_kernel("6.17.3").name == "6.17"  # no build or backport of 6.17.y is listed: the X.Y facts
    # 6.18.y has a backport (fork_scalars_and_or from 6.18.44): an older point release lacks it
    assert for_kernel("6.18.3").name == "6.18.3" and not for_kernel("6.18.3").has("fork_scalars_and_or")
    assert for_kernel("6.18").has("fork_scalars_and_or")
    assert for_kernel("6.1.0-18-amd64").name == "6.1"


def test_kernel_lists_keep_builds(monkeypatch):
    from verifier.rules.builds import KernelBuild

    kernels = parse_kernel_list("6.18.44-fc,6.18,5.10")
    assert isinstance(kernels[0], KernelBuild) and str(kernels[0]) == "6.18.44-fc"
    assert kernels[1:] == [(6, 18), (5, 10)]
    monkeypatch.setattr(versions_mod, "_host_release", lambda: "6.18.44-fc")
    assert str(parse_kernel_list("host")[0]) == "6.18.44-fc"
    monkeypatch.setattr(versions_mod, "_host_release", lambda: "6.18.99-other")
    assert parse_kernel_list("host") == [(6, 18)]


def test_every_build_override_names_a_known_feature():
    from verifier.rules.builds import BUILDS
    from verifier.rules.features import FEATURES

    for build in BUILDS:
        assert build.source and build.release.startswith(f"{build.version[0]}.{build.version[1]}")
        assert set(build.features) <= set(FEATURES), build.release
