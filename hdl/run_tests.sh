#!/usr/bin/env bash
# Builds the kmeans_core testbench with GHDL and runs every test case against the Java model.
#
# Each case writes its input codes to hdl/build/cases/NAME/codes.txt and gets expected.txt from
# org.kqsweep.hw.ExpectedResults. Cases the Java model rejects, such as K = 0, use a hand-written
# expected.txt. The testbench runs in the case folder, and the script checks its cycle count
# against the formula in hdl/src/kmeans_core.vhd. Every file hdl/vectors/*.codes becomes one
# more case with K = 16.
#
# Environment:
#   KQSWEEP_CLASSPATH  Java classpath holding org.kqsweep.hw.ExpectedResults; when unset, the
#                      script asks Maven for the job module's compile classpath and adds
#                      job/target/classes, compiling the module first if the classes are missing
#   MVN                Maven command (default: mvn), for example "mvn -o" to stay offline
#
# The last line of output is "P passed, F failed"; the exit code is 1 if any case failed.

set -uo pipefail

HDL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$HDL_DIR")
BUILD_DIR=$HDL_DIR/build
CASE_DIR=$BUILD_DIR/cases
MVN=${MVN:-mvn}

passed=0
failed=0
failed_names=()

die() {
    echo "run_tests.sh: $*" >&2
    exit 2
}

# ------------------------------------------------------------------------------------------------
# Tools
# ------------------------------------------------------------------------------------------------
command -v ghdl > /dev/null || die "ghdl not found; install the Debian package ghdl-llvm (or ghdl)"
command -v java > /dev/null || die "java not found; Java 17 is needed for the reference model"

ghdl_version=$(ghdl --version)
case $ghdl_version in
    *"llvm code generator"*) backend=llvm ;;
    *"GCC back-end"*)        backend=gcc ;;
    *"mcode code generator"*) backend=mcode ;;
    *) die "unknown GHDL backend in the output of 'ghdl --version'" ;;
esac

if [[ -n ${KQSWEEP_CLASSPATH:-} ]]; then
    classpath=$KQSWEEP_CLASSPATH
else
    classes=$REPO_DIR/job/target/classes
    if [[ ! -f $classes/org/kqsweep/hw/ExpectedResults.class ]]; then
        echo "Compiling the job module ..."
        (cd "$REPO_DIR" && $MVN -q -B -pl job compile) || die "'$MVN -q -B -pl job compile' failed"
    fi
    mkdir -p "$BUILD_DIR"
    (cd "$REPO_DIR" && $MVN -q -B -pl job dependency:build-classpath \
        -Dmdep.outputFile="$BUILD_DIR/classpath.txt" -Dmdep.includeScope=compile) \
        || die "'$MVN dependency:build-classpath' failed; set KQSWEEP_CLASSPATH instead"
    classpath="$(cat "$BUILD_DIR/classpath.txt"):$classes"
fi

# ------------------------------------------------------------------------------------------------
# Build
# ------------------------------------------------------------------------------------------------
mkdir -p "$BUILD_DIR"
rm -rf "$CASE_DIR"
mkdir -p "$CASE_DIR"
echo "Building kmeans_tb with the GHDL $backend backend ..."
opt=()
if [[ $backend != mcode ]]; then
    opt=(-O2)
fi
rm -f "$BUILD_DIR"/work-obj*.cf
(
    cd "$BUILD_DIR" &&
    ghdl -a --std=08 "${opt[@]}" "$HDL_DIR/src/kmeans_core.vhd" "$HDL_DIR/tb/kmeans_tb.vhd" &&
    if [[ $backend != mcode ]]; then
        ghdl -e --std=08 "${opt[@]}" -o kmeans_tb kmeans_tb
    fi
) || die "GHDL build failed"

# Runs the testbench in the current folder with the given -g generics.
simulate() {
    if [[ $backend == mcode ]]; then
        # NOTE: untested, because only the llvm backend was installed where this script was run.
        ghdl -r --std=08 --workdir="$BUILD_DIR" kmeans_tb "$@"
    else
        "$BUILD_DIR/kmeans_tb" "$@"
    fi
}

# ------------------------------------------------------------------------------------------------
# Generators. They use their own integer generator instead of awk's rand(), so every awk
# implementation prints the same codes.
# ------------------------------------------------------------------------------------------------

# gauss COUNT SEED WIDTH [SIGN]: bell-shaped codes like scaled CNN weights. Each value is a sum
# of four uniforms from a Park-Miller generator; the largest magnitude becomes the largest code,
# as the host's per-tensor scale does. SIGN = -1 keeps only negative values.
gauss() {
    awk -v n="$1" -v seed="$2" -v w="$3" -v sign="${4:-0}" 'BEGIN {
        x = seed
        peak = 0
        for (i = 0; i < n; i++) {
            g = 0
            for (t = 0; t < 4; t++) {
                x = (x * 16807) % 2147483647
                g += x / 2147483647
            }
            g -= 2
            if (sign < 0 && g > 0) g = -g
            value[i] = g
            if (g > peak) peak = g
            if (-g > peak) peak = -g
        }
        top = 2 ^ (w - 1) - 1
        for (i = 0; i < n; i++) {
            s = value[i] / peak * top
            code = s < 0 ? -int(-s + 0.5) : int(s + 0.5)
            print code
        }
    }'
}

# repeat COUNT CODE: COUNT lines of CODE
repeat() {
    awk -v n="$1" -v c="$2" 'BEGIN { for (i = 0; i < n; i++) print c }'
}

# ------------------------------------------------------------------------------------------------
# Case runner
# ------------------------------------------------------------------------------------------------

# Cycle count predicted by the formula in the core's header, from the codes, the expected
# header, K and W.
predicted_cycles() {
    awk -v k="$3" -v w="$4" '
        NR == FNR {
            if ($1 == "") next
            n++
            if (!($1 in seen)) { seen[$1] = 1; d++ }
            if (n == 1 || $1 + 0 < min) min = $1 + 0
            if (n == 1 || $1 + 0 > max) max = $1 + 0
            next
        }
        FNR == 1 { keff = $1; iterations = $2 }
        END {
            r = max - min
            if (keff == 0) print n + 4 + 2 ^ w
            else if (d <= k) print 2 * n + r + 3 * d + 9
            else print 2 * n + r + 2 * d + 2 * k + keff + w + 12 + iterations * (d + (w + 3) * k + 2)
        }' "$1" "$2"
}

pass() {
    passed=$((passed + 1))
    echo "PASS $1 $2"
}

fail() {
    failed=$((failed + 1))
    failed_names+=("$1")
    echo "FAIL $1: $2"
}

# run_case NAME K INIT SEED MAX_ITER WIDTH EXPECTED [GENERIC=VALUE ...]
# The codes must already be in $CASE_DIR/NAME/codes.txt. EXPECTED is "java" to ask the model,
# or "file" when the case wrote expected.txt itself. Extra arguments become -g generics.
run_case() {
    local name=$1 k=$2 init=$3 seed=$4 max_iter=$5 width=$6 expected=$7
    shift 7
    local dir=$CASE_DIR/$name
    local generics=() check_cycles=1 arg

    if [[ $expected == java ]]; then
        if ! java -cp "$classpath" org.kqsweep.hw.ExpectedResults --codes "$dir/codes.txt" \
                --out "$dir/expected.txt" --k "$k" --seed "$seed" --init "$init" \
                --max-iterations "$max_iter" --word-bits "$width" > "$dir/java.log" 2>&1; then
            fail "$name" "the Java model failed, see $dir/java.log"
            return
        fi
    fi

    for arg in "$@"; do
        generics+=("-g$arg")
        [[ $arg == STALL_PERCENT=* && $arg != STALL_PERCENT=0 ]] && check_cycles=0
    done

    (cd "$dir" && simulate -gCODES_FILE=codes.txt -gEXPECTED_FILE=expected.txt \
        -gOUTPUT_FILE=result.txt -gK="$k" -gSEED="$seed" -gINIT="$init" -gMAX_ITER="$max_iter" \
        -gWIDTH="$width" "${generics[@]}") > "$dir/sim.log" 2>&1
    local status=$?

    local summary
    summary=$(grep -m1 '^PASS kmeans_tb' "$dir/sim.log")
    if [[ $status -ne 0 || -z $summary ]]; then
        fail "$name" "simulation exit code $status, see $dir/sim.log:
$(grep -m5 -E 'error|failure' "$dir/sim.log")"
        return
    fi

    local cycles predicted
    cycles=$(awk '$1 == "cycles" { print $2 }' "$dir/result.txt")
    if [[ $check_cycles -eq 1 ]]; then
        predicted=$(predicted_cycles "$dir/codes.txt" "$dir/expected.txt" "$k" "$width")
        if [[ $cycles != "$predicted" ]]; then
            fail "$name" "took $cycles cycles, the formula gives $predicted"
            return
        fi
    fi
    pass "$name" "${summary#PASS kmeans_tb }"
}

# new_case NAME: creates the case folder and prints the codes file path
new_case() {
    mkdir -p "$CASE_DIR/$1"
    echo "$CASE_DIR/$1/codes.txt"
}

# ------------------------------------------------------------------------------------------------
# Cases
# ------------------------------------------------------------------------------------------------

# D <= K: the codebook is the distinct codes and no iteration runs.
repeat 500 1234 > "$(new_case all_equal)"
run_case all_equal 4 linear 0 100 16 java

repeat 3 -7 > "$(new_case all_equal_k1)"
run_case all_equal_k1 1 linear 0 100 16 java

for i in $(seq 60); do printf '%s\n' -300 -5 0 17 4000; done > "$(new_case fewer_distinct)"
run_case fewer_distinct 16 linear 0 100 16 java RUNS=2

gauss 16 11 16 > "$(new_case k_equals_n)"
run_case k_equals_n 16 linear 0 100 16 java

# D = K + 1, the smallest tensor that iterates
gauss 17 12 16 > "$(new_case k_plus_one)"
run_case k_plus_one 16 linear 0 100 16 java

# 100 zeros and one 32767: D = 2 <= K = 3, so the codebook is the two codes and nothing is empty
{ repeat 100 0; echo 32767; } > "$(new_case zeros_and_max)"
run_case zeros_and_max 3 linear 0 100 16 java

# Empty cluster: linear init puts c_1 = 16383 between the zeros and 32767, and nothing joins it.
{ repeat 100 0; echo 1; echo 2; echo 32767; } > "$(new_case empty_middle)"
run_case empty_middle 3 linear 0 100 16 java

# Only negative codes, including a rounded mean that ends in .5 (away from zero).
gauss 2000 21 16 -1 > "$(new_case all_negative)"
run_case all_negative 8 linear 0 100 16 java
printf '%s\n' -3 -2 -2 -3 -40 -41 > "$(new_case negative_halves)"
run_case negative_halves 2 linear 0 100 16 java

# Ties: code 2 is as far from c_0 = 0 as from c_1 = 4, so it stays with c_0. The mean 0.5 then
# rounds to 1.
printf '%s\n' 0 0 0 2 4 4 4 > "$(new_case tie_positive)"
run_case tie_positive 2 linear 0 100 16 java
printf '%s\n' 0 0 0 -2 -4 -4 -4 > "$(new_case tie_negative)"
run_case tie_negative 2 linear 0 100 16 java
seq 0 12 > "$(new_case tie_three)"
run_case tie_three 3 linear 0 100 16 java

# The full code range, with clusters that contain only -2^15 or only 2^15 - 1.
{ repeat 10 -32768; repeat 10 32767; printf '%s\n' -32767 32766 0 1 -1; } > "$(new_case extremes)"
run_case extremes 2 linear 0 100 16 java
cp "$CASE_DIR/extremes/codes.txt" "$(new_case extremes_k4)"
run_case extremes_k4 4 linear 0 100 16 java
cp "$CASE_DIR/extremes/codes.txt" "$(new_case extremes_seeded)"
run_case extremes_seeded 3 seeded 5 100 16 java

# K = 1
gauss 1000 31 16 > "$(new_case k1)"
run_case k1 1 linear 0 100 16 java
cp "$CASE_DIR/k1/codes.txt" "$(new_case k1_seeded)"
run_case k1_seeded 1 seeded 99 100 16 java

# Seeded init. Seed 4294967295 has the same low 32 bits as -1, and seed 0 starts the generator
# from the replacement state 0x9E3779B9.
gauss 3000 41 16 > "$(new_case seeded_42)"
run_case seeded_42 16 seeded 42 100 16 java
cp "$CASE_DIR/seeded_42/codes.txt" "$(new_case seeded_4294967295)"
run_case seeded_4294967295 16 seeded 4294967295 100 16 java
cp "$CASE_DIR/seeded_42/codes.txt" "$(new_case seeded_0)"
run_case seeded_0 16 seeded 0 100 16 java
cp "$CASE_DIR/seeded_42/codes.txt" "$(new_case seeded_k64)"
run_case seeded_k64 64 seeded 7 100 16 java

# A few thousand bell-shaped codes
for k in 4 16 64; do
    gauss 3000 51 16 > "$(new_case random_k$k)"
    run_case "random_k$k" "$k" linear 0 100 16 java
done

# The iteration cap ends the run before convergence.
cp "$CASE_DIR/random_k16/codes.txt" "$(new_case cap_3)"
run_case cap_3 16 linear 0 3 16 java
cp "$CASE_DIR/random_k64/codes.txt" "$(new_case cap_1)"
run_case cap_1 64 linear 0 1 16 java

# Other word widths
gauss 2000 61 8 > "$(new_case width8)"
run_case width8 16 linear 0 100 8 java
{ gauss 200 62 4; echo -8; } > "$(new_case width4)"
run_case width4 4 seeded 3 100 4 java MAX_K=16
gauss 5000 63 12 > "$(new_case width12_seeded)"
run_case width12_seeded 32 seeded 12345 100 12 java

# Handshake stalls on both streams, three runs in a row with identical results.
cp "$CASE_DIR/random_k16/codes.txt" "$(new_case stalls)"
run_case stalls 16 linear 0 100 16 java STALL_PERCENT=30 RUNS=3
cp "$CASE_DIR/fewer_distinct/codes.txt" "$(new_case stalls_copy)"
run_case stalls_copy 16 linear 0 100 16 java STALL_PERCENT=50 RUNS=2

# A tensor of 100,000 weights
gauss 100000 71 16 > "$(new_case large_k16)"
run_case large_k16 16 linear 0 100 16 java

# Cases the Java model rejects, with hand-written expected results.
# MAX_ITER = 0 runs no iteration: the linear centroids 0 and 12 are the codebook.
printf '%s\n' 0 1 2 10 11 12 > "$(new_case max_iter_0)"
printf '%s\n' "2 0 0" 0 12 0 0 0 1 1 1 > "$CASE_DIR/max_iter_0/expected.txt"
run_case max_iter_0 2 linear 0 0 16 file
# A rejected run outputs the header 0 0 0 and nothing else, then clears the code RAM.
gauss 10 81 16 > "$(new_case reject_k0)"
echo "0 0 0" > "$CASE_DIR/reject_k0/expected.txt"
run_case reject_k0 0 linear 0 100 16 file RUNS=2
cp "$CASE_DIR/reject_k0/codes.txt" "$(new_case reject_k_above_max)"
cp "$CASE_DIR/reject_k0/expected.txt" "$CASE_DIR/reject_k_above_max/"
run_case reject_k_above_max 65 linear 0 100 16 file MAX_K=64
cp "$CASE_DIR/reject_k0/codes.txt" "$(new_case reject_too_many)"
cp "$CASE_DIR/reject_k0/expected.txt" "$CASE_DIR/reject_too_many/"
run_case reject_too_many 4 linear 0 100 16 file MAX_N=8 RUNS=2
cp "$CASE_DIR/reject_k0/codes.txt" "$(new_case reject_iter_cap)"
cp "$CASE_DIR/reject_k0/expected.txt" "$CASE_DIR/reject_iter_cap/"
run_case reject_iter_cap 4 linear 0 5 16 file MAX_ITER_CAP=4

# Real layer codes, if any were added
shopt -s nullglob
for vectors in "$HDL_DIR"/vectors/*.codes; do
    name=layer_$(basename "$vectors" .codes)
    cp "$vectors" "$(new_case "$name")"
    run_case "$name" 16 linear 0 100 16 java
done
shopt -u nullglob

# The llvm and gcc backends build a standalone executable: run a copy from an empty folder.
if [[ $backend != mcode ]]; then
    name=standalone_copy
    dir=$(new_case $name)
    dir=$(dirname "$dir")
    scratch=$(mktemp -d)
    cp "$BUILD_DIR/kmeans_tb" "$scratch/"
    cp "$CASE_DIR/random_k16/codes.txt" "$CASE_DIR/random_k16/expected.txt" "$scratch/"
    if (cd "$scratch" && ./kmeans_tb -gCODES_FILE=codes.txt -gEXPECTED_FILE=expected.txt \
            -gOUTPUT_FILE=out.txt -gK=16) > "$dir/sim.log" 2>&1 \
            && cmp -s "$scratch/out.txt" "$CASE_DIR/random_k16/result.txt"; then
        summary=$(grep -m1 '^PASS kmeans_tb' "$dir/sim.log")
        pass $name "${summary#PASS kmeans_tb }"
    else
        fail $name "the copied executable failed or wrote a different result, see $dir/sim.log"
    fi
    rm -rf "$scratch"
fi

if [[ $failed -gt 0 ]]; then
    echo "Failed: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
