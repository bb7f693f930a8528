#!/usr/bin/env bash
# Run every fuzz target (or those named) for RUNS executions (default 10 million) in turn, in
# one process each (libFuzzer's -jobs=N would fork children logging to fuzz-N.log), with an
# allocation bound (any single allocation above MALLOC_MB, or RSS above RSS_MB, is a crash) and
# a per-input timeout of 5 s. New inputs go to a scratch corpus (WORK); the committed seeds in
# corpus/<target> are only read. EXTRA adds libFuzzer flags (e.g. -max_total_time=480).
# Prints one line per target: executions, wall seconds, exec/s, peak RSS, result.
# Needs: rustup toolchain nightly, cargo install cargo-fuzz.
set -u
cd "$(dirname "$0")"
RUNS=${RUNS:-10000000}
RSS_MB=${RSS_MB:-1024}
MALLOC_MB=${MALLOC_MB:-256}
WORK=${WORK:-/tmp/attractor-fuzz-corpus}
TARGETS=${*:-rudy edge_list ising_file qubo_file partition idx_plain npy idx_gzip idx_prefix rbm_safetensors}
# build only the targets run (a rebuild of all would relink a binary another run is using)
for t in $TARGETS; do
    cargo +nightly fuzz build "$t" >/dev/null 2>&1 || { echo "cargo fuzz build $t failed"; exit 1; }
done
status=0
for t in $TARGETS; do
    mkdir -p "$WORK/$t"
    log="$WORK/$t.log"
    start=$(date +%s.%N)
    cargo +nightly fuzz run "$t" "$WORK/$t" "corpus/$t" -- \
        -runs="$RUNS" -rss_limit_mb="$RSS_MB" -malloc_limit_mb="$MALLOC_MB" -timeout=5 \
        -print_final_stats=1 ${EXTRA:-} >"$log" 2>&1
    rc=$?
    end=$(date +%s.%N)
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
    peak=$(grep -oE 'stat::peak_rss_mb: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
    wall=$(echo "$end - $start" | bc)
    rate=$( [ "$runs" != "?" ] && echo "$runs / $wall" | bc || echo "?")
    res=$( [ $rc -eq 0 ] && echo "ok" || echo "FAILED rc=$rc (see $log, artifacts/$t)")
    echo "$t runs=$runs wall_s=$wall exec_per_s=$rate peak_rss_mb=$peak rss_limit_mb=$RSS_MB malloc_limit_mb=$MALLOC_MB $res"
    [ $rc -eq 0 ] || status=1
done
exit $status
