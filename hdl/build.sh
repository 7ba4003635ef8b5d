#!/usr/bin/env bash
# Builds the K-means testbench as a standalone executable: BUILD_DIR/kmeans_tb.
# Usage: hdl/build.sh [BUILD_DIR] [GHDL]   (defaults: hdl/build and ghdl)
# Needs GHDL with the llvm or gcc backend (Debian: ghdl-llvm); the mcode backend makes no executable.
# The executable needs only the C library and zlib, so it can be copied to machines without GHDL.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:-$here/build}
ghdl=${2:-ghdl}

# Debian's ghdl wrapper picks a backend by GHDL_BACKEND and prefers mcode otherwise.
export GHDL_BACKEND=${GHDL_BACKEND:-llvm}
command -v "$ghdl" >/dev/null || { echo "build.sh: GHDL command '$ghdl' not found; install it (Debian: apt-get install ghdl-llvm)" >&2; exit 3; }
if "$ghdl" --version | grep -q mcode; then
  echo "build.sh: '$ghdl' uses the mcode backend, which makes no executable; install ghdl-llvm or ghdl-gcc" >&2
  exit 3
fi

mkdir -p "$build"
cd "$build"
flags=(--std=08 --workdir="$build")
# Packages first, then the core, then the testbench: each unit is analyzed after what it uses.
sources=()
for folder in src tb; do
  for f in "$here/$folder"/*_pkg.vhd; do [ -e "$f" ] && sources+=("$f"); done
  for f in "$here/$folder"/*.vhd; do case "$f" in *_pkg.vhd) ;; *) sources+=("$f") ;; esac; done
done
"$ghdl" -a "${flags[@]}" -O2 "${sources[@]}"
"$ghdl" -e "${flags[@]}" -O2 -o "$build/kmeans_tb" kmeans_tb
echo "$build/kmeans_tb"
