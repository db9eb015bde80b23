"""The kernel oracle as an unprivileged loader, the way the selftests' test_loader runs `@unpriv` tests:
CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_PERFMON and CAP_BPF dropped from the effective set, maps an
unprivileged user cannot create left uncreated, kernel.unprivileged_bpf_disabled 0 for the duration."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest
from bpf_c import compile_c

from verifier.oracle import ACCEPT, ENV_REJECT, REJECT, KernelVerdict, LoadOptions, load_with_kernel, unpriv

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "scripts"))

import selftests_conformance as sc  # noqa: E402

C_SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
SEC("socket") long returns_ctx(void *ctx) { return (long)ctx; }
SEC("socket") int returns_zero(void *ctx) { return 0; }
SEC("tracepoint") int traces(void *ctx) { return 0; }
char _license[] SEC("license") = "GPL";
"""


def test_maps_an_unprivileged_user_may_create() -> None:
    assert unpriv.unpriv_capable_map(2, 0)  # BPF_MAP_TYPE_ARRAY
    assert unpriv.unpriv_capable_map(1, 0)  # BPF_MAP_TYPE_HASH
    assert not unpriv.unpriv_capable_map(1, 1 << 6)  # BPF_F_ZERO_SEED needs CAP_SYS_ADMIN
    assert not unpriv.unpriv_capable_map(15, 0)  # BPF_MAP_TYPE_SOCKMAP needs CAP_NET_ADMIN
    assert not unpriv.unpriv_capable_map(9, 0)  # BPF_MAP_TYPE_LRU_HASH needs CAP_BPF


def test_eperm_is_a_reject_only_while_unprivileged_bpf_is_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    refused = KernelVerdict(ENV_REJECT, errno.EPERM, "Operation not permitted", "")
    monkeypatch.setattr(unpriv, "read_unpriv_sysctl", lambda: 0)
    assert unpriv.unprivileged_verdict(refused) == REJECT
    monkeypatch.setattr(unpriv, "read_unpriv_sysctl", lambda: 2)
    assert unpriv.unprivileged_verdict(refused) == ENV_REJECT
    assert unpriv.unprivileged_verdict(KernelVerdict(ACCEPT, 0, "", "")) == ACCEPT


def test_runner_reads_unprivileged_capabilities_and_auxiliaries() -> None:
    spec = sc.TestSpec("p")
    for tag in ("comment:test_caps_unpriv=39|12", "comment:test_auxiliary_unpriv"):
        sc.apply_tag(spec, tag)
    assert spec.caps_unpriv == (1 << 39) | (1 << 12)
    assert spec.unpriv.active and spec.aux_unpriv and not spec.aux_priv and spec.auxiliary


def test_sysctl_left_as_found(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    knob = tmp_path / "unprivileged_bpf_disabled"
    knob.write_text("2\n")
    monkeypatch.setattr(unpriv, "SYSCTL_UNPRIV_DISABLED", str(knob))
    with unpriv.unprivileged_bpf_allowed() as allowed:
        assert allowed and knob.read_text().strip() == "0"
    assert knob.read_text().strip() == "2"
    with pytest.raises(RuntimeError), unpriv.unprivileged_bpf_allowed():
        raise RuntimeError("a failing run")
    assert knob.read_text().strip() == "2"
    knob.write_text("1\n")  # final until reboot: nothing to change, no unprivileged loads
    with unpriv.unprivileged_bpf_allowed() as allowed:
        assert not allowed
    assert knob.read_text().strip() == "1"


def test_sysctl_put_back_by_the_last_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # two test runs on one machine share the sysctl: the first to leave must not disable
    # unprivileged bpf() under the other's loads (seen as a flaky unprivileged load test)
    knob = tmp_path / "unprivileged_bpf_disabled"
    knob.write_text("2\n")
    monkeypatch.setattr(unpriv, "SYSCTL_UNPRIV_DISABLED", str(knob))
    first = unpriv.unprivileged_bpf_allowed()
    second = unpriv.unprivileged_bpf_allowed()
    assert first.__enter__() and knob.read_text().strip() == "0"
    assert second.__enter__()
    first.__exit__(None, None, None)
    assert knob.read_text().strip() == "0"
    second.__exit__(None, None, None)
    assert knob.read_text().strip() == "2"


@pytest.mark.kernel
def test_unprivileged_loads_as_test_loader(kernel_oracle: None, tmp_path: Path) -> None:
    if os.geteuid() != 0 and unpriv.read_unpriv_sysctl() != 0:
        pytest.skip("unprivileged bpf() disabled and not root")
    compile_c(C_SOURCE, tmp_path)
    before = unpriv.read_unpriv_sysctl()
    with unpriv.unprivileged_bpf_allowed() as allowed:
        if not allowed:
            pytest.skip("kernel.unprivileged_bpf_disabled cannot be set to 0 here")

        def load(name: str, unprivileged: bool) -> str:
            kv = load_with_kernel(tmp_path / "progs.o", name, load=LoadOptions(unprivileged=unprivileged))
            return unpriv.unprivileged_verdict(kv) if unprivileged else kv.verdict

        assert load("returns_ctx", False) == ACCEPT  # allow_ptr_leaks with CAP_PERFMON
        assert load("returns_ctx", True) == REJECT  # "R0 leaks addr as return value"
        assert load("returns_zero", True) == ACCEPT
        assert load("traces", False) == ACCEPT
        assert load("traces", True) == REJECT  # EPERM: the type needs CAP_BPF
    assert unpriv.read_unpriv_sysctl() == before
