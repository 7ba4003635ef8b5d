#!/usr/bin/env bash
# Times the default sweep grid of conf/sweep.properties, without the hardware stage, on a loopback
# standalone cluster (./submit.sh --local-cluster N) with one worker and with two workers, and
# prints the wall-time ratio. Each worker offers one core.
#
# Usage: scripts/bench-cluster.sh [job options]   e.g. --set grid.seeds=1 for a shorter run
#
# Before the timed runs, an embedded-mode run of one cell trains the base model, or finds it in
# work-data/models, so neither timed run includes training. Each timed run writes to a new folder
# under work-data/bench-cluster/, so no cell is skipped, and its wall time includes starting and
# stopping the cluster. Logs: work-data/bench-cluster/*.log.
#
# Exit status: 0 on success, 1 when a run fails.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
bench=$repo/work-data/bench-cluster
mkdir -p "$bench"

log() { echo "bench-cluster: $*" >&2; }

log "training or loading the base model (embedded mode, one cell); log: $bench/warmup.log"
rm -rf "$bench/warmup"
if ! ./submit.sh --no-hdl --out "$bench/warmup" --set grid.methods=uniform --set grid.k=2 \
    --set grid.layers=all --set grid.seeds=1 "$@" > "$bench/warmup.log" 2>&1; then
  tail -n 20 "$bench/warmup.log" >&2
  log "the warm-up run failed; its log is above and in $bench/warmup.log"
  exit 1
fi

declare -A seconds
for workers in 1 2; do
  out=$bench/workers-$workers
  rm -rf "$out"
  log "timing the default grid with $workers worker(s); log: $bench/workers-$workers.log"
  start=$(date +%s.%N)
  if ! ./submit.sh --local-cluster "$workers" --no-hdl --out "$out" "$@" > "$bench/workers-$workers.log" 2>&1; then
    tail -n 20 "$bench/workers-$workers.log" >&2
    log "the run with $workers worker(s) failed; its log is above and in $bench/workers-$workers.log"
    exit 1
  fi
  end=$(date +%s.%N)
  seconds[$workers]=$(awk -v start="$start" -v end="$end" 'BEGIN { printf "%.1f", end - start }')
  grep -E '^kqsweep finished' "$bench/workers-$workers.log" >&2
done

echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB; commit $(git describe --always --dirty 2>/dev/null || echo unknown)"
printf 'workers  wall time (s)\n'
printf '%7d  %13.1f\n' 1 "${seconds[1]}" 2 "${seconds[2]}"
awk -v one="${seconds[1]}" -v two="${seconds[2]}" 'BEGIN { printf "ratio (1 worker / 2 workers): %.2f\n", one / two }'
