#!/usr/bin/env bash
# Builds and runs the plain-C matmul reference (scripts/bench_matmul_c.c) against the same libraries Volt links.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
gcc -O2 -o "$out/bench_matmul_c" "$here/bench_matmul_c.c" $(pkg-config --cflags --libs openblas) -ldnnl \
    -Wl,-rpath,/usr/lib/x86_64-linux-gnu/openblas-openmp
"$out/bench_matmul_c" "$@"
