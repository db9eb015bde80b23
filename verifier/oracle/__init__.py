"""The running Linux kernel as a test oracle: load one program, report the verifier's verdict.

Uses libbpf.so.1 through ctypes; needs the bpf() syscall (root or CAP_BPF).

    from verifier.oracle import kernel_available, load_with_kernel
    if kernel_available():
        v = load_with_kernel("corpus/build/packet/xdp_bounds.o", "pkt_checked")
        v.verdict, v.msg, v.processed, v.verify_us, v.stack_depth
"""

from verifier.oracle.loader import LoadOptions, load_in_process, load_with_kernel
from verifier.oracle.probe import host_kernel_version, host_release, kernel_available, kernel_disabled
from verifier.oracle.verdict import ACCEPT, ENV_REJECT, LOAD_ERROR, REJECT, VERDICTS, KernelVerdict

__all__ = [
    "ACCEPT",
    "ENV_REJECT",
    "LOAD_ERROR",
    "REJECT",
    "VERDICTS",
    "KernelVerdict",
    "LoadOptions",
    "host_kernel_version",
    "host_release",
    "kernel_available",
    "kernel_disabled",
    "load_in_process",
    "load_with_kernel",
]
