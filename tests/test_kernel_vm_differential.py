"""bpfcheck --kernel V against what the real V answered (Debian's 5.10, 6.1, 6.12 under qemu).

Two kinds of test, both slow (`python -m pytest -m slow tests/test_kernel_vm_differential.py`):
- against the recordings in tests/data/kernels/<uname -r>/ (no VM needed): no false accept, and on the
  project and shared corpora at least 99.5% of the accept/reject answers agree;
- when qemu and the cached kernel packages are here: the live VM's answers against the same
  recordings. A live answer that differs is kernel drift (the package changed, or the recording is
  stale): reported as a skip with both answers, never a failure. Set BPFCHECK_VM_FETCH=1 to let the
  test download missing packages (scripts/kernel_vm.py fetch does it too).
"""

from __future__ import annotations

import os

import pytest

from verifier.oracle.vm import recordings
from verifier.oracle.vm.kernels import KERNELS, KernelPackage, cache_dir, cached_vmlinuz
from verifier.oracle.vm.sets import SETS, jobs_for

pytestmark = pytest.mark.slow

MIN_AGREEMENT = 0.995
MIN_PROGRAMS_FOR_RATE = (
    100  # below this a rate says little: the fuzz set (12 cases) is held to no false accept
)
SLOW_LOAD_SECONDS = 5.0  # recorded loads slower than this are left out of the live check (TCG)


def _recorded() -> list[tuple[KernelPackage, str]]:
    return [(k, s) for k in KERNELS for s in SETS if recordings.read(k.release, s)]


@pytest.mark.parametrize("package,set_name", _recorded(), ids=lambda x: getattr(x, "series", x))
def test_bpfcheck_agrees_with_the_real_kernel(package: KernelPackage, set_name: str, bpfcheck_engine) -> None:
    from verifier.oracle.vm.compare import compare_recording

    recorded = recordings.read(package.release, set_name)
    assert all(r.release == package.release for r in recorded.values())
    # the real kernel's BTF from the cached package; without it the BTF-dependent corpus rows are left out
    result = compare_recording(package.series, package.release, recorded, bpfcheck_engine, btf=cached_vmlinuz(package))
    assert result.agreement.compared, "nothing comparable recorded"
    false_accepts = [d.line() for d in result.differences if d.bpfcheck == "accept"]
    assert not false_accepts, "\n".join(false_accepts)
    if len(result.agreement.compared) < MIN_PROGRAMS_FOR_RATE:
        return  # a handful of fuzz cases: only false accepts count (NOTES.md lists what is open)
    assert result.agreement.rate >= MIN_AGREEMENT, (
        result.summary() + "\n" + "\n".join(d.line() for d in result.differences)
    )


def _image(package: KernelPackage):
    from verifier.oracle.vm.boot import qemu_path
    from verifier.oracle.vm.fetch import VmUnavailable, fetch, image_at

    try:
        qemu_path()
        root = cache_dir() / "unpacked" / package.package
        if os.environ.get("BPFCHECK_VM_FETCH") == "1":
            return fetch(package, cache_dir())
        return image_at(package, root)
    except VmUnavailable as exc:
        pytest.skip(f"no VM for {package.series}: {exc}")


@pytest.mark.parametrize("package", KERNELS, ids=lambda k: k.series)
def test_live_vm_answers_as_recorded(package: KernelPackage) -> None:
    from verifier.oracle.vm.boot import run_jobs

    recorded = recordings.read(package.release, "corpus")
    if not recorded:
        pytest.skip(f"no corpus recording for {package.release}")
    image = _image(package)
    jobs = [j for j in jobs_for("corpus") if j.id in recorded and recorded[j.id].seconds < SLOW_LOAD_SECONDS]
    run = run_jobs(image, jobs, cache_dir(), timeout=600 + 60 * len(jobs))
    assert run.release, f"{package.package} did not come up:\n{run.console[-1500:]}"
    live = {r.id: r for r in run.results}
    assert len(live) == len(jobs), f"{len(jobs) - len(live)} answers missing"
    drift = [
        f"{i}: recorded {recorded[i].verdict} ({recorded[i].msg or '-'}) on {recorded[i].release}, "
        f"live {r.verdict} ({r.msg or '-'}) on {r.release}"
        for i, r in sorted(live.items())
        if r.verdict != recorded[i].verdict or r.release != recorded[i].release
    ]
    if drift:
        pytest.skip(f"kernel drift on {run.release} ({len(drift)} programs): " + "; ".join(drift[:10]))
