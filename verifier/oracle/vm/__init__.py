"""Real kernels of other versions as oracles: Debian's kernel packages booted under qemu (TCG).

    python scripts/kernel_vm.py collect --kernel 6.1      # fetch, cache, boot, load, record

`kernels` names the packages, `fetch` downloads and unpacks them with a private apt
configuration, `initramfs` builds the guest's busybox init, `boot` runs qemu, `guest` is the
loader inside the VM, `jobs` and `recordings` are the files exchanged and kept.
"""
