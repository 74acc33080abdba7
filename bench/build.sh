#!/usr/bin/env bash
# Clean-build benchmark on the shared synthetic corpus (not a test: it prints figures).
#
#   bash bench/build.sh [PAGES] [RUNS]      defaults: 10000 pages, 5 runs
#
# Reports wall time (median of RUNS clean builds), ms per page and peak memory (max RSS).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
pages=${1:-10000}
runs=${2:-5}
corpus=${GATEHOUSE_BENCH_DIR:-/tmp/gatehouse-bench}/corpus-$pages
if [ ! -f "$corpus/gatehouse/site.toml" ]; then
  rm -rf "$corpus"
  python3 "$here/../shared/bench/gen_corpus.py" --pages "$pages" --out "$corpus" --flavor gatehouse >/dev/null
fi
cargo build --release -q -p gatehouse --manifest-path "$here/Cargo.toml"
bin="$here/target/release/gatehouse"
site="$corpus/gatehouse"
html=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['expected_html_pages'])" "$corpus/manifest.json")
times=()
peak=0
for _ in $(seq "$runs"); do
  rm -rf "$site/public"
  out=$( { /usr/bin/time -f '%e %M' "$bin" build -q --root "$site" ; } 2>&1 | tail -n 1)
  times+=("${out% *}")
  rss=${out#* }
  [ "$rss" -gt "$peak" ] && peak=$rss
done
written=$(find "$site/public" -name index.html | wc -l)
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
python3 - "$median" "$peak" "$written" "$html" "$runs" "${times[*]}" <<'PY'
import sys
median, peak, written, expected, runs, all_times = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
print(f"pages written: {written} (corpus manifest expects {expected} HTML pages)")
print(f"clean build, median of {runs}: {median:.2f} s  ({median * 1000 / written:.3f} ms/page)  runs: {all_times}")
print(f"peak memory (max RSS): {peak / 1024:.0f} MiB")
print("targets: < 2.0 s and < 200 MiB on 2 cores")
PY
