#!/usr/bin/env bash
# What writing with tabs, includes and callouts costs: clean builds of the 10,000-page
# corpus, plain and with `--authoring PCT` (PCT% of the pages also get a tab group, an
# include with a parameter, a `{:.note}` callout and a GitHub alert), in the same run,
# alternating so both see the same machine. Not a test: it prints figures.
#
#   bash bench/authoring.sh [PAGES] [RUNS] [PCT]      defaults: 10000 pages, 5 runs, 20%
#
# The target (issue 11): the authoring corpus within 15% of the plain one.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
pages=${1:-10000}
runs=${2:-5}
pct=${3:-20}
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
base=${GATEHOUSE_BENCH_DIR:-/tmp/gatehouse-bench}
plain=$base/corpus-$pages
authoring=$base/corpus-$pages-authoring-$pct
gen() { # $1 = folder, rest = extra options
  local out=$1
  shift
  if [ ! -f "$out/gatehouse/site.toml" ]; then
    rm -rf "$out"
    python3 "$here/../shared/bench/gen_corpus.py" --pages "$pages" --out "$out" --flavor gatehouse "$@" >/dev/null
  fi
}
gen "$plain"
gen "$authoring" --authoring "$pct"
cargo build --release -q -p gatehouse --manifest-path "$here/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$here/target}/release/gatehouse"
shm=/dev/shm
[ -d "$shm" ] || shm=$(mktemp -d)
out="$shm/gatehouse-bench-authoring"

once() { # $1 = site; prints seconds
  rm -rf "$out"
  { /usr/bin/time -f '%e' "$bin" build -q --root "$1" --out "$out"; } 2>&1 | tail -n 1
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

plain_times=()
authoring_times=()
for _ in $(seq "$runs"); do
  plain_times+=("$(once "$plain/gatehouse")")
  authoring_times+=("$(once "$authoring/gatehouse")")
done
rm -rf "$out"
p=$(median "${plain_times[@]}")
a=$(median "${authoring_times[@]}")
echo "corpus: $pages pages, $runs clean builds each into $shm, $(nproc) cores"
echo "plain:              median $p s; runs: ${plain_times[*]}"
echo "authoring ($pct%):    median $a s; runs: ${authoring_times[*]}"
python3 -c "import sys; p, a = float(sys.argv[1]), float(sys.argv[2]); print(f'authoring / plain: {a / p:.3f} ({(a / p - 1) * 100:+.1f}%; target within +15%)')" "$p" "$a"
