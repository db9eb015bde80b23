#!/usr/bin/env bash
# Rebuild the example objects: ./build.sh (needs clang-19 and libbpf-dev).
# The debug prefix map keeps the build machine's folders out of the objects,
# so reports name the sources as `xdp_pass.c`, `xdp_bad.c`.
set -euo pipefail
cd "$(dirname "$0")"
for name in xdp_pass xdp_bad; do
	clang-19 -O2 -g -target bpf \
		-I"/usr/include/$(uname -m)-linux-gnu" \
		-fdebug-prefix-map="$PWD"=. \
		-c "$name.c" -o "$name.o"
done
