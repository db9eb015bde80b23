"""Facts about the kernel verifier, by kernel version and program type.

from verifier.rules import for_kernel
rules = for_kernel("5.2")
rules.has("bounded_loops"), rules.limit("max_insns"), rules.helper(12)
"""

from verifier.rules.ctx import CtxAccess
from verifier.rules.helpers import HelperInfo
from verifier.rules.kernel_rules import KernelRules, for_kernel
from verifier.rules.maps import MapTypeInfo
from verifier.rules.prog_types import ProgTypeInfo
from verifier.rules.protos import HelperArg, HelperProto
from verifier.rules.versions import NEWEST, OLDEST, all_versions, parse_kernel, parse_kernel_list

__all__ = [
    "NEWEST",
    "OLDEST",
    "CtxAccess",
    "HelperArg",
    "HelperInfo",
    "HelperProto",
    "KernelRules",
    "MapTypeInfo",
    "ProgTypeInfo",
    "all_versions",
    "for_kernel",
    "parse_kernel",
    "parse_kernel_list",
]
