"""bpfcheck over the real-world corpus (/work/shared/corpus), against a 6.18 kernel's recorded
verdicts: zero false accepts and at least 97% agreement on the accept/reject rows.

About 300 programs; skips when the corpus or the engine is missing.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

from verifier.errors import InputError
from verifier.oracle.differential import Agreement, check_object_programs, compare, find_verdict

# runs in CI (about 100 s on 2 cores): it is the acceptance test of the engine

SHARED_CORPUS = Path(os.environ.get("BPFCHECK_SHARED_CORPUS", "/work/shared/corpus"))
VERDICTS = SHARED_CORPUS / "ebpf-samples.verdicts.jsonl"
RECORDED_KERNEL = "6.18"
MIN_AGREEMENT = 0.97


def comparable_rows() -> dict[str, list[dict]]:
    """accept/reject rows, grouped by object path."""
    by_object: dict[str, list[dict]] = defaultdict(list)
    with VERDICTS.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["verdict"] in ("accept", "reject"):
                by_object[row["object"]].append(row)
    return by_object


def test_shared_corpus_agreement(bpfcheck_engine) -> None:
    if not VERDICTS.is_file():
        pytest.skip(f"no shared corpus at {SHARED_CORPUS}")
    comparisons = []
    for obj, rows in sorted(comparable_rows().items()):
        try:
            verdicts = check_object_programs(SHARED_CORPUS / obj, RECORDED_KERNEL, bpfcheck_engine)
        except InputError:
            verdicts = []
        for row in rows:
            comparisons.append(compare(f"{obj}:{row['program']}", row["verdict"], find_verdict(verdicts, row["program"])))
    agreement = Agreement(tuple(comparisons))
    assert len(agreement.compared) >= 300
    false_accepts = [c.program for c in agreement.false_accepts]
    assert not false_accepts, f"false accepts: {false_accepts}"
    wrong = [f"{c.program} (kernel {c.kernel}, bpfcheck {c.bpfcheck})" for c in agreement.disagreements]
    assert agreement.rate >= MIN_AGREEMENT, f"agreement {agreement.rate:.1%}; disagreements: {wrong[:20]}"
