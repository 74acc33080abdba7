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

once() { # $1 = site; prints "wall_seconds cpu_seconds" (CPU: user + system)
  rm -rf "$out"
  { /usr/bin/time -f '%e %U %S' "$bin" build -q --root "$1" --out "$out"; } 2>&1 | tail -n 1 |
    awk '{printf "%s %.2f\n", $1, $2 + $3}'
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Wall time on a shared machine swings with other load; CPU time (user + system) less so:
# both are reported.
pw=() pc=() aw=() ac=()
for _ in $(seq "$runs"); do
  read -r w c < <(once "$plain/gatehouse"); pw+=("$w"); pc+=("$c")
  read -r w c < <(once "$authoring/gatehouse"); aw+=("$w"); ac+=("$c")
done
rm -rf "$out"
echo "corpus: $pages pages, $runs clean builds each into $shm, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "plain:           wall median $(median "${pw[@]}") s (runs ${pw[*]}); CPU median $(median "${pc[@]}") s (runs ${pc[*]})"
echo "authoring ($pct%): wall median $(median "${aw[@]}") s (runs ${aw[*]}); CPU median $(median "${ac[@]}") s (runs ${ac[*]})"
python3 - "$(median "${pw[@]}")" "$(median "${aw[@]}")" "$(median "${pc[@]}")" "$(median "${ac[@]}")" <<'PY'
import sys
pw, aw, pc, ac = map(float, sys.argv[1:])
print(f"authoring / plain: wall {aw / pw:.3f} ({(aw / pw - 1) * 100:+.1f}%), CPU {ac / pc:.3f} ({(ac / pc - 1) * 100:+.1f}%); target within +15%")
PY
