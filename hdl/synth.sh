#!/usr/bin/env bash
# Synthesizes kmeans_core with GHDL to a Verilog netlist and counts its RTL resources with yosys,
# for MaxK_g = 4, 16 and 64.
#
# The yosys flow (read_verilog; hierarchy; proc; opt_clean; stat) stops at RTL cells, before any
# mapping to gates or a device. A cell is a whole adder, comparator, multiplier, mux, flip-flop
# register or inferred memory. Memory bits count every inferred RAM at its full depth.
#
# Environment (defaults are the core's generic defaults):
#   WIDTH     Width_g, code width in bits (16)
#   MAX_N     MaxN_g, max weights per run (1048576)
#   MAX_ITER  MaxIter_g, largest accepted iteration cap (1000)
#   KS        the MaxK_g values to synthesize ("4 16 64")
#
# Writes hdl/build/synth/kmeans_core_k<K>.v and .stat and hdl/build/resources.csv with the
# columns k, cells, flip_flops, memory_bits. Exits 1 if a step fails or yosys finds a latch.

set -uo pipefail

HDL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_DIR=$HDL_DIR/build
SYNTH_DIR=$BUILD_DIR/synth
WIDTH=${WIDTH:-16}
MAX_N=${MAX_N:-1048576}
MAX_ITER=${MAX_ITER:-1000}
KS=${KS:-4 16 64}

die() {
    echo "synth.sh: $*" >&2
    exit 1
}

command -v ghdl > /dev/null || die "ghdl not found; install the Debian package ghdl-llvm (or ghdl)"
command -v yosys > /dev/null || die "yosys not found; install the Debian package yosys"

mkdir -p "$SYNTH_DIR"
csv=$BUILD_DIR/resources.csv
echo "k,cells,flip_flops,memory_bits" > "$csv"

for k in $KS; do
    netlist=$SYNTH_DIR/kmeans_core_k$k.v
    stat=$SYNTH_DIR/kmeans_core_k$k.stat

    ghdl --synth --std=08 --out=verilog -gMaxK_g="$k" -gWidth_g="$WIDTH" -gMaxN_g="$MAX_N" \
        -gMaxIter_g="$MAX_ITER" "$HDL_DIR/src/kmeans_core.vhd" -e kmeans_core \
        > "$netlist" 2> "$SYNTH_DIR/ghdl_k$k.log" \
        || die "GHDL synthesis failed for MaxK_g=$k, see $SYNTH_DIR/ghdl_k$k.log"

    yosys -q -p "read_verilog $netlist; hierarchy -top kmeans_core; proc; opt_clean; tee -q -o $stat stat -width" \
        > "$SYNTH_DIR/yosys_k$k.log" 2>&1 \
        || die "yosys failed for MaxK_g=$k, see $SYNTH_DIR/yosys_k$k.log"

    if grep -q 'dlatch' "$stat"; then
        die "yosys inferred latches for MaxK_g=$k, see $stat"
    fi

    # "stat -width" lists cell types with their width, such as "$dff_21  3". The flip-flop
    # count is the sum of width times count over the flip-flop types.
    awk -v k="$k" '
        /Number of cells:/       { cells = $NF }
        /Number of memory bits:/ { memory = $NF }
        $1 ~ /^\$[a-z]*dff[a-z]*_[0-9]+$/ {
            n = split($1, part, "_")
            flops += part[n] * $2
        }
        END { printf "%s,%d,%d,%d\n", k, cells, flops, memory }' "$stat" >> "$csv"
done

echo "kmeans_core RTL resources (Width_g=$WIDTH, MaxN_g=$MAX_N, MaxIter_g=$MAX_ITER; yosys $(yosys -V | awk '{print $2}'))"
column -s, -t "$csv"
