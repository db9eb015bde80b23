"""KernelRules: every table of this package, answered for one kernel version.

`for_kernel("5.2")` (cached) is what the CFG checks and the abstract
interpreter ask; they never compare version numbers themselves.
"""

from __future__ import annotations

from functools import cache

from verifier.rules import helper_allowed, prog_helpers
from verifier.rules import helpers as helper_table
from verifier.rules import maps as map_table
from verifier.rules import prog_types as prog_table
from verifier.rules import protos as proto_table
from verifier.rules.attach_types import attach_type_supported
from verifier.rules.builds import KernelBuild, build_feature, find_build
from verifier.rules.ctx import CtxAccess, check_ctx_access
from verifier.rules.features import FEATURES, PRIVILEGED_ONLY, has_feature
from verifier.rules.helpers import HelperInfo
from verifier.rules.limits import limit_value
from verifier.rules.maps import MapTypeInfo
from verifier.rules.messages import message
from verifier.rules.packet import helper_pkt_allowed, ld_abs_allowed, packet_access
from verifier.rules.prog_types import (
    UNPRIVILEGED_PROG_TYPES,
    ProgTypeInfo,
    normalize_attach_type,
    normalize_prog_type,
)
from verifier.rules.protos import HelperProto
from verifier.rules.return_ranges import find_return_range
from verifier.rules.versions import Version, parse_kernel, resolve_build, version_name


class KernelRules:
    """The verifier's rules at one kernel version (root loader unless a method says otherwise)."""

    def __init__(self, version: Version, build: KernelBuild | None = None) -> None:
        self.version: Version = version
        self.build: KernelBuild | None = build  # a named build (builds.py); None: the newest known of X.Y
        self.name: str = build.release if build else version_name(version)
        self._has: dict[tuple[str, bool], bool] = {}  # has() answers (asked per instruction by the CFG passes)
        # answers to the questions the engine asks per helper call / context or packet access
        self._map_ok: dict[tuple[int, int], bool] = {}
        self._ctx: dict[tuple, CtxAccess] = {}
        self._pkt: dict[tuple[str | int | None, str | None], str | None] = {}

    def __repr__(self) -> str:
        return f"KernelRules({self.name})"

    # -- features and limits ------------------------------------------------

    def has(self, feature: str, unprivileged: bool = False) -> bool:
        """Version feature (see features.FEATURES); an unknown name raises KeyError.

        With `unprivileged`, features reserved to privileged loaders (features.PRIVILEGED_ONLY) are False.
        """
        known = self._has.get((feature, unprivileged))
        if known is None:
            known = self._has[feature, unprivileged] = self._lookup(feature, unprivileged)
        return known

    def _lookup(self, feature: str, unprivileged: bool) -> bool:
        own = build_feature(self.build, feature)
        if own is None:
            patch = self.build.patch if self.build else None  # None: the newest point release known
            return has_feature(feature, self.version, unprivileged, patch)
        FEATURES[feature]  # noqa: B018 - an unknown name raises KeyError here too
        return own and not (unprivileged and feature in PRIVILEGED_ONLY)

    def prog_type_unprivileged(self, prog_type: str | int | None) -> bool:
        """May an unprivileged user load this type (bpf_prog_load: socket_filter, cgroup_skb)?"""
        return normalize_prog_type(prog_type) in UNPRIVILEGED_PROG_TYPES

    def features(self) -> dict[str, bool]:
        return {name: self.has(name) for name in FEATURES}

    def limit(self, name: str, unprivileged: bool = False) -> int:
        """Numeric limit (see limits.LIMIT_NAMES); 0 when the limit does not exist yet."""
        return limit_value(name, self.version, unprivileged)

    def message(self, key: str, **fields: object) -> str:
        """The kernel's wording of a message at this version (see messages.MESSAGE_KEYS)."""
        return message(key, self.version, **fields)

    # -- helpers ------------------------------------------------------------

    def helper(self, helper_id: int) -> HelperInfo | None:
        """The helper, or None when this kernel does not have it ("invalid func unknown#N")."""
        info = helper_table.all_helpers().get(helper_id)
        if info is None or info.version > self.version:
            return None
        return info

    def helper_by_name(self, name: str) -> HelperInfo | None:
        info = helper_table.find_helper(name)
        return None if info is None or info.version > self.version else info

    def helpers(self) -> list[HelperInfo]:
        return [h for h in helper_table.all_helpers().values() if h.version <= self.version]

    def helper_allowed(
        self,
        helper_id: int,
        prog_type: str | int | None,
        attach_type: str | None = None,
        privileged: bool = True,
    ) -> bool:
        """May this program type call the helper ("program of this type cannot use helper X#N")?

        Types whose func_proto list was not read allow every helper the kernel has.
        """
        info = self.helper(helper_id)
        if info is None:
            return False
        ptype = self._prog_type_info(prog_type)
        if ptype is None:
            return True
        if ptype.version > self.version:
            return False
        row = prog_helpers.find_row(
            ptype.helper_groups, info.name, self.version, normalize_attach_type(attach_type), privileged
        )
        return row is not None or not ptype.helper_list_complete

    def helper_proto(
        self, helper_id: int, prog_type: str | int | None = None, attach_type: str | None = None
    ) -> HelperProto | None:
        """The prototype this program type gets (None when the kernel lacks the helper).

        Without a known prototype: a permissive stand-in with `.known == False`.
        """
        info = self.helper(helper_id)
        if info is None:
            return None
        rows = proto_table.rows_by_helper().get(info.name, [])
        maps = map_table.maps_for_helper(info.name, self.version)
        chosen = None
        ptype = self._prog_type_info(prog_type)
        if ptype is not None:
            row = prog_helpers.find_row(
                ptype.helper_groups, info.name, self.version, normalize_attach_type(attach_type), True
            )
            if row is not None:
                chosen = proto_table.proto_rows().get((info.name, row.proto))
        if chosen is None and rows:
            chosen = rows[0]
        if chosen is None:
            return proto_table.permissive_proto(info.id, info.name, info.gpl_only)
        return proto_table.make_proto(info.id, chosen, maps, info.gpl_only)

    # -- program types ------------------------------------------------------

    def _prog_type_info(self, prog_type: str | int | None) -> ProgTypeInfo | None:
        name = normalize_prog_type(prog_type)
        return prog_table.all_prog_types().get(name) if name else None

    def prog_type(self, name: str | int) -> ProgTypeInfo | None:
        """The program type, or None when unknown or newer than this kernel."""
        info = self._prog_type_info(name)
        return None if info is None or info.version > self.version else info

    def prog_types(self) -> list[ProgTypeInfo]:
        return [p for p in prog_table.all_prog_types().values() if p.version <= self.version]

    def attach_type_supported(self, attach_type: str | None) -> bool:
        """False when this kernel predates the expected attach type (e.g. "trace_iter" before 5.8)."""
        return attach_type_supported(normalize_attach_type(attach_type), self.version)

    def helper_allowed_here(
        self, helper: str, prog_type: str | int | None, attach_type: str | None, attach_to: str | None
    ) -> bool:
        """False when the helper's `.allowed` check refuses a program attached so (bpf_d_path outside
        its allowlist, ...: 'helper call is not allowed in probe'); True when it passes or has none."""
        name = normalize_prog_type(prog_type)
        if name is None:
            return True
        verdict = helper_allowed.allowed(helper, name, normalize_attach_type(attach_type), attach_to, self.version)
        return verdict is not False

    def return_range(
        self, prog_type: str | int | None, attach_type: str | None = None
    ) -> tuple[int, int] | None:
        """Allowed R0 at exit of the main program, or None when not checked."""
        name = normalize_prog_type(prog_type)
        if name is None:
            return None
        return find_return_range(name, normalize_attach_type(attach_type), self.version)

    def ctx_access(
        self,
        prog_type: str | int | None,
        off: int,
        size: int,
        write: bool,
        attach_type: str | None = None,
        privileged: bool = True,
    ) -> CtxAccess:
        record_8k = self.has("tracepoint_record_8k")  # (asked every time: a FactRecorder notes it)
        key = (prog_type, off, size, write, attach_type, privileged, record_8k)
        known = self._ctx.get(key)
        if known is None:
            known = self._ctx[key] = check_ctx_access(
                normalize_prog_type(prog_type),
                off,
                size,
                write,
                self.version,
                normalize_attach_type(attach_type),
                privileged,
                record_8k,
            )
        return known

    def packet_access(self, prog_type: str | int | None, attach_type: str | None = None) -> str | None:
        key = (prog_type, attach_type)
        if key not in self._pkt:
            self._pkt[key] = packet_access(
                normalize_prog_type(prog_type), self.version, normalize_attach_type(attach_type)
            )
        return self._pkt[key]

    def helper_pkt_allowed(self, prog_type: str | int | None, proto_pkt_access: bool) -> bool:
        return helper_pkt_allowed(normalize_prog_type(prog_type), self.version, proto_pkt_access)

    def ld_abs_allowed(self, prog_type: str | int | None) -> bool:
        return ld_abs_allowed(normalize_prog_type(prog_type))

    # -- maps ---------------------------------------------------------------

    def map_type(self, map_type: int) -> MapTypeInfo | None:
        info = map_table.all_map_types().get(map_type)
        return None if info is None or info.version > self.version else info

    def map_types(self) -> list[MapTypeInfo]:
        return [m for m in map_table.all_map_types().values() if m.version <= self.version]

    def map_compatible(self, map_type: int, helper_id: int) -> bool:
        """check_map_func_compatibility: may a map of this type be passed to this helper?"""
        known = self._map_ok.get((map_type, helper_id))
        if known is None:
            known = self._map_ok[map_type, helper_id] = self._map_compatible(map_type, helper_id)
        return known

    def _map_compatible(self, map_type: int, helper_id: int) -> bool:
        info = helper_table.all_helpers().get(helper_id)
        if info is None:
            return True
        return map_table.map_compatible(map_type, info.name, self.version)


@cache
def _rules_for(version: Version, release: str | None = None) -> KernelRules:
    return KernelRules(version, find_build(release) if release else None)


def for_kernel(version: object) -> KernelRules:
    """ "5.2", "5.2.7", "6.18.44-fc", "host", (5, 2), a KernelBuild or a KernelRules -> the (cached) rules.

    A release naming a known build (builds.py) gets that build's facts; anything else the X.Y release's.
    """
    if isinstance(version, KernelRules):
        return version
    if isinstance(version, KernelBuild):
        return _rules_for(version.version, version.release)
    if isinstance(version, str):
        build = resolve_build(version)
        if build is not None:
            return _rules_for(build.version, build.release)
    return _rules_for(parse_kernel(version))
