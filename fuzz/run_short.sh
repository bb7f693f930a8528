#!/usr/bin/env bash
# A short fuzz run for CI: every target for FUZZ_SECONDS seconds (default 7, about a minute in all)
# from the committed seeds, with the same allocation and time bounds as run_long.sh. Exits
# non-zero if any target finds a crash, a hang or an allocation above the bound.
# Needs: rustup toolchain nightly, cargo install cargo-fuzz (CI would have to install both).
set -u
cd "$(dirname "$0")"
SECONDS_EACH=${FUZZ_SECONDS:-7}
RSS_MB=${RSS_MB:-1024}
MALLOC_MB=${MALLOC_MB:-256}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cargo +nightly fuzz build >/dev/null 2>&1 || { echo "cargo fuzz build failed"; exit 1; }
status=0
for t in rudy edge_list ising_file qubo_file partition idx_plain npy idx_gzip idx_prefix rbm_safetensors; do
    mkdir -p "$WORK/$t"
    if cargo +nightly fuzz run "$t" "$WORK/$t" "corpus/$t" -- \
        -max_total_time="$SECONDS_EACH" -rss_limit_mb="$RSS_MB" -malloc_limit_mb="$MALLOC_MB" \
        -timeout=5 >"$WORK/$t.log" 2>&1; then
        echo "$t: $(grep -oE '^Done [0-9]+ runs in [0-9]+ second' "$WORK/$t.log") ok"
    else
        echo "$t: FAILED"; tail -30 "$WORK/$t.log"; status=1
    fi
done
exit $status
