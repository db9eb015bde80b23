"""bpfcheck: a static verifier for compiled eBPF objects."""

__version__ = "0.1.0"

from verifier import native  # noqa: E402

# the compiled engine, or its Python sources (decided before any engine module is imported)
ENGINE = native.select()
