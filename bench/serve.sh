#!/usr/bin/env bash
# `gatehouse serve` on the 10,000-page corpus: edit-to-reload latency (p50/p95) of 50
# page-body edits, and a template edit's full rebuild. Not a test: it prints figures.
#
#   bash bench/serve.sh [PAGES] [EDITS]      defaults: 10000 pages, 50 edits
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
pages=${1:-10000}
edits=${2:-50}
corpus=${GATEHOUSE_BENCH_DIR:-/tmp/gatehouse-bench}/corpus-$pages
if [ ! -f "$corpus/gatehouse/site.toml" ]; then
  rm -rf "$corpus"
  python3 "$here/../shared/bench/gen_corpus.py" --pages "$pages" --out "$corpus" --flavor gatehouse >/dev/null
fi
cargo build --release -q -p gatehouse --manifest-path "$here/Cargo.toml"
python3 "$here/bench/serve.py" "${CARGO_TARGET_DIR:-$here/target}/release/gatehouse" "$corpus/gatehouse" "$here/themes/default" "$edits"
