"""The tables checked against each other; every row cites a source."""

import json

import pytest

from verifier.errors import InputError
from verifier.rules import all_versions, for_kernel
from verifier.rules import ctx_tables as ct
from verifier.rules.features import FEATURES
from verifier.rules.helpers import all_helpers, helpers_by_name
from verifier.rules.limits import all_limit_rows
from verifier.rules.maps import FUNC_SIDE, MAP_SIDE, all_map_types
from verifier.rules.prog_helpers import rows_by_group
from verifier.rules.prog_types import all_prog_types
from verifier.rules.protos import proto_rows
from verifier.rules.render import render_rules
from verifier.rules.return_ranges import return_range_rows


def test_helper_ids_unique_and_named():
    helpers = all_helpers()
    assert len(helpers) >= 211
    assert len(helpers_by_name()) == len(helpers)
    assert all(h.source for h in helpers.values())


def test_every_helper_in_a_proto_row_exists():
    names = helpers_by_name()
    missing = {row.name for row in proto_rows().values()} - set(names)
    assert not missing
    assert all(row.source for row in proto_rows().values())


def test_every_helper_in_prog_helpers_exists_with_source():
    names = helpers_by_name()
    for group in rows_by_group().values():
        for row in group.values():
            assert row.helper in names, row
            assert row.source, row
            if row.since is not None:
                assert row.since >= names[row.helper].version, row


def test_every_group_is_used_and_exists():
    groups = set(rows_by_group())
    used = {g for p in all_prog_types().values() for g in p.helper_groups}
    assert used <= groups
    assert groups <= used


def test_prog_types_have_sources_and_unique_ids():
    types = all_prog_types()
    assert len({p.id for p in types.values()}) == len(types)
    assert all(p.source and p.sections for p in types.values())


def test_helper_allowed_never_before_helper_or_type():
    """An allowed (type, helper) pair never predates the helper or the program type."""
    types = all_prog_types()
    for version in all_versions()[::3]:
        rules = for_kernel(version)
        for ptype in types.values():
            for helper in all_helpers().values():
                if rules.helper_allowed(helper.id, ptype.name):
                    assert helper.version <= version and ptype.version <= version, (version, ptype, helper)


def test_compat_tables_name_real_maps_and_helpers():
    maps, names = all_map_types(), helpers_by_name()
    for row in MAP_SIDE:
        assert row.key in maps and row.source
        assert all(h in names for h in row.allowed), row
        assert row.since >= maps[row.key].version or row.since == (4, 14)
    for row in FUNC_SIDE:
        assert row.key in names and row.source
        assert all(m in maps for m in row.allowed), row


def test_features_limits_and_return_ranges_have_sources():
    assert all(f.source and f.meaning for f in FEATURES.values())
    assert all(r.source for r in all_limit_rows())
    types = all_prog_types()
    for row in return_range_rows():
        assert row.prog_type in types and row.source
        assert row.range is None or row.range[0] <= row.range[1]


@pytest.mark.parametrize(
    ("fields", "size"),
    [
        (ct.XDP_FIELDS, ct.XDP_SIZE),
        (ct.SOCK_FIELDS, ct.SOCK_SIZE),
        (ct.SOCK_ADDR_FIELDS, ct.SOCK_ADDR_SIZE),
        (ct.SOCK_OPS_FIELDS, ct.SOCK_OPS_SIZE),
        (ct.SK_MSG_FIELDS, ct.SK_MSG_SIZE),
        (ct.SYSCTL_FIELDS, ct.SYSCTL_SIZE),
        (ct.SOCKOPT_FIELDS, ct.SOCKOPT_SIZE),
        (ct.CGROUP_DEV_FIELDS, ct.CGROUP_DEV_SIZE),
        (ct.SK_REUSEPORT_FIELDS, ct.SK_REUSEPORT_SIZE),
        (ct.SK_LOOKUP_FIELDS, ct.SK_LOOKUP_SIZE),
        (ct.PERF_EVENT_FIELDS, ct.PERF_EVENT_SIZE),
    ],
)
def test_ctx_layouts_sorted_disjoint_inside(fields, size):
    end = 0
    for field in fields:
        assert field.off >= end, field
        assert field.source, field
        end = field.end
    assert end <= size


def test_skb_layout():
    end = 0
    for name, off, fsize, *_ in ct.SKB_ROWS:
        assert off >= end, name
        end = off + fsize
    assert end <= ct.SKB_SIZE


def test_render_json_and_table():
    data = json.loads(render_rules(for_kernel("5.2"), fmt="json"))
    assert data["kernel"] == "5.2"
    assert data["limits"]["max_insns"] == {"root": 1_000_000, "unprivileged": 4096}
    assert data["instruction_set"]["jmp32"] and not data["instruction_set"]["atomics"]
    assert not any(h["name"] == "ringbuf_output" for h in data["helpers"])
    xdp = json.loads(render_rules("6.1", "xdp", "json"))
    names = {h["name"] for h in xdp["helpers"]}
    assert "redirect_map" in names and "skb_store_bytes" not in names
    assert [p["name"] for p in xdp["prog_types"]] == ["xdp"]
    text = render_rules("4.14", "socket_filter")
    assert "Linux 4.14" in text and "skb_load_bytes" in text
    with pytest.raises(InputError):
        render_rules("6.1", "no_such_type")
    with pytest.raises(InputError):
        render_rules("6.1", fmt="yaml")


def test_messages_by_version():
    from verifier.rules.messages import message_rows

    old, new = for_kernel("5.4"), for_kernel("6.18")
    assert old.message("helper_not_allowed", name="bpf_x", id=9) == "unknown func bpf_x#9"
    assert new.message("helper_not_allowed", name="bpf_x", id=9) == "program of this type cannot use helper bpf_x#9"
    # verifier.c: 'unknown func %s#%d' up to 6.9.0, 'program of this type cannot use helper' from 6.10.0
    assert for_kernel("6.9").message("helper_not_allowed", name="bpf_x", id=9) == "unknown func bpf_x#9"
    assert for_kernel("6.10").message("helper_not_allowed", name="x", id=9).startswith("program of this type")
    assert for_kernel("5.2").message("jmp_seq", count=9) != for_kernel("5.3").message("jmp_seq", count=9)
    assert for_kernel("5.17").message("ctx_negative_off", regno=1, off=-8).startswith("dereference of modified")
    assert for_kernel("5.18").message("ctx_negative_off", regno=1, off=-8).startswith("negative offset ctx ptr")
    assert new.message("helper_unknown", id=300) == "invalid func unknown#300"
    assert new.message("ctx_access", off=80, size=4) == "invalid bpf_context access off=80 size=4"
    assert "root only" in for_kernel("5.7").message("bpf_calls_root_only")
    assert all(row.source for row in message_rows())
    with pytest.raises(KeyError):
        new.message("nope")
