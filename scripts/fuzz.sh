#!/usr/bin/env bash
# Runs the cargo-fuzz targets (status decoder, Retry-After parser) for a
# bounded time each, with the nightly toolchain. Not part of CI.
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 60)
# Anything it finds lands in fuzz/artifacts/<target>/; turn each into a
# regression test in the module it broke.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
for target in status_decoder retry_after; do
  cargo +nightly fuzz run "$target" -- -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 2>&1 \
    | grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)|ERROR|panicked" || true
  if [ -n "$(ls -A "fuzz/artifacts/$target" 2>/dev/null)" ]; then
    echo "error: $target found crashes in fuzz/artifacts/$target" >&2
    exit 1
  fi
  echo "[figure] fuzz/$target: ${SECONDS_PER_TARGET}s, no crash"
done
