"""bpfcheck: a static verifier for compiled eBPF objects."""

__version__ = "0.1.0"
