"""The running Linux kernel as a test oracle: load one program, report the verifier's verdict.

Uses libbpf.so.1 through ctypes; needs the bpf() syscall (root or CAP_BPF).
"""

from verifier.oracle.loader import load_with_kernel
from verifier.oracle.probe import kernel_available
from verifier.oracle.verdict import ACCEPT, LOAD_ERROR, REJECT, KernelVerdict

__all__ = ["ACCEPT", "LOAD_ERROR", "REJECT", "KernelVerdict", "kernel_available", "load_with_kernel"]
