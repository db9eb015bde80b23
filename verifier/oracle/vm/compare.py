"""bpfcheck at a kernel version against what the real kernel of that version answered (a recording)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from verifier.errors import InputError
from verifier.oracle.differential import Agreement, Comparison, check_object_programs, compare, find_verdict
from verifier.oracle.vm.jobs import Result
from verifier.oracle.vm.sets import object_path, split_id
from verifier.verdict import ProgramVerdict


@dataclass(frozen=True, slots=True)
class Difference:
    id: str
    kernel: str
    kernel_msg: str
    bpfcheck: str
    bpfcheck_msg: str

    def line(self) -> str:
        what = "FALSE ACCEPT" if self.kernel == "reject" and self.bpfcheck == "accept" else "disagree"
        return (f"{what}: {self.id}: kernel {self.kernel} ({self.kernel_msg or '-'}), "
                f"bpfcheck {self.bpfcheck} ({self.bpfcheck_msg or '-'})")  # fmt: skip


@dataclass(frozen=True, slots=True)
class KernelComparison:
    series: str
    release: str
    agreement: Agreement
    differences: tuple[Difference, ...]

    def summary(self) -> str:
        a = self.agreement
        agree = len(a.compared) - len(a.disagreements)
        return (f"{self.series} ({self.release}): {agree}/{len(a.compared)} agree ({a.rate:.1%}), "
                f"{len(a.false_accepts)} false accepts")  # fmt: skip


def _message(verdict: ProgramVerdict) -> str:
    return verdict.findings[0].kernel_message if verdict.findings else ""


def needs_target_btf() -> set[str]:
    """Corpus programs whose verdict rests on the target kernel's BTF (manifest `btf = ...`)."""
    from corpus.manifest import load_manifest

    return {f"corpus/{e.object}:{e.name}" for e in load_manifest() if e.btf}


def with_target_btf(options: Any | None, series: str, btf: str) -> Any:
    """`options` with `btf` (a raw BTF, vmlinux, vmlinuz or .deb) as the BTF of the kernel `series`."""
    import dataclasses

    from verifier.oracle.differential import default_options
    from verifier.pipeline import kernel_label
    from verifier.rules.versions import parse_kernel

    return dataclasses.replace(options or default_options(), kernel_btf=((kernel_label(parse_kernel(series)), btf),))


def compare_recording(series: str, release: str, recorded: dict[str, Result], stages: Any,
                      options: Any | None = None, btf: str | None = None) -> KernelComparison:  # fmt: skip
    """Check every recorded object with bpfcheck at `series`; compare per program (accept/reject rows).

    `btf` is the real kernel's BTF (its cached vmlinuz): CO-RE and BTF-typed programs are checked
    against it as libbpf and that kernel see them; without it those corpus programs are left out."""
    if btf is not None:
        options = with_target_btf(options, series, btf)
    else:
        skip = needs_target_btf()
        recorded = {k: v for k, v in recorded.items() if k not in skip}
    by_object: dict[str, list[Result]] = defaultdict(list)
    for result in recorded.values():
        by_object[str(object_path(result.id))].append(result)
    comparisons: list[Comparison] = []
    differences: list[Difference] = []
    for path, results in sorted(by_object.items()):
        if not any(r.verdict in ("accept", "reject") for r in results):
            continue
        try:
            verdicts = check_object_programs(path, series, stages, options)
        except InputError:
            verdicts = []
        for result in sorted(results, key=lambda r: r.id):
            ours = find_verdict(verdicts, split_id(result.id)[2])
            comparison = compare(result.id, result.verdict, ours)
            comparisons.append(comparison)
            if comparison.comparable and not comparison.agrees:
                differences.append(Difference(result.id, result.verdict, result.msg, comparison.bpfcheck,
                                              _message(ours) if ours is not None else ""))  # fmt: skip
    return KernelComparison(series, release, Agreement(tuple(comparisons)), tuple(differences))
