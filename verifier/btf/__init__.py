"""The target kernel's BTF: reading it (`source`, `kernel`), CO-RE relocations against it
(`core`), `.kconfig` externs (`kconfig`), and what a run knows of its target (`target`)."""
