"""Stack memory a helper or a global function is given, after the call.

Before 6.14 check_stack_range_initialized() clobbered every byte a helper accessed on the stack,
reads included: zero and readable uninitialised bytes became misc and a spilled scalar became
unknown, so a constant key read back after bpf_map_lookup_elem() is unknown. From 6.14 only
writes clobber. A global function's memory argument is checked as a read and then as a write
(check_mem_reg()), so what it points to is clobbered at every version, and a read-only map value
cannot be passed. From 6.14 a helper argument the helper writes although it must be
initialised (MEM_WRITE, e.g. bpf_fib_lookup's params) is still clobbered. Verdicts: the running 6.18.44 and the real 6.1.0-57 and 6.12.117 (qemu, scripts/kernel_vm.py;
fib_params_written only on 6.18.44).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bpf_c import compile_c, verdict_of

# the program source is the near-miss set's (tests/data/near_miss), answers recorded there too
C_SOURCE = (Path(__file__).parent / "data" / "near_miss" / "clob2.c").read_text()

VERDICTS = {
    "6.18": {
        "fib_params_written": "reject",
        "zero_key_read_back": "accept",
        "buffer_read_back": "accept",
        "struct_after_global": "reject",
        "struct_after_global_masked": "accept",
        "readonly_value_to_global": "reject",
    },
    "6.1": {
        "fib_params_written": "reject",
        "zero_key_read_back": "reject",
        "buffer_read_back": "reject",
        "struct_after_global": "reject",
        "struct_after_global_masked": "accept",
        "readonly_value_to_global": "reject",
    },
}
VERDICTS["6.12"] = VERDICTS["6.1"]  # measured on 6.12.117+deb13 too
# the feature's boundaries (sources, not run): 6.13 still clobbers, 6.14 does not
VERDICTS["6.13"] = VERDICTS["6.1"]
VERDICTS["6.14"] = VERDICTS["6.18"]


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(C_SOURCE, tmp_path_factory.mktemp("helper_stack_clobber"))


@pytest.mark.parametrize("kernel", sorted(VERDICTS))
def test_helper_and_global_function_stack_clobber(obj, kernel: str) -> None:
    assert {name: verdict_of(obj, name, kernel) for name in VERDICTS[kernel]} == VERDICTS[kernel]
