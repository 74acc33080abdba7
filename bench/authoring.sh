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
. "$here/bench/lib.sh"
pages=${1:-10000}
runs=${2:-5}
pct=${3:-20}
plain=$(corpus "$pages")
authoring=$(corpus "$pages" "$bench_dir/corpus-$pages-authoring-$pct" --authoring "$pct")
build_release
out="$shm/gatehouse-bench-authoring"

once() { # $1 = site; prints "wall_seconds cpu_seconds" (CPU: user + system)
  rm -rf "$out"
  { /usr/bin/time -f '%e %U %S' "$bin" build -q --root "$1" --out "$out"; } 2>&1 | tail -n 1 |
    awk '{printf "%s %.2f\n", $1, $2 + $3}'
}
of() { printf '%s\n' "$@" | median; }

# Wall time on a shared machine swings with other load; CPU time (user + system) less so:
# both are reported.
pw=() pc=() aw=() ac=()
for _ in $(seq "$runs"); do
  read -r w c < <(once "$plain/gatehouse"); pw+=("$w"); pc+=("$c")
  read -r w c < <(once "$authoring/gatehouse"); aw+=("$w"); ac+=("$c")
done
rm -rf "$out"
echo "corpus: $pages pages, $runs clean builds each into $shm, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "plain:           wall median $(of "${pw[@]}") s (runs ${pw[*]}); CPU median $(of "${pc[@]}") s (runs ${pc[*]})"
echo "authoring ($pct%): wall median $(of "${aw[@]}") s (runs ${aw[*]}); CPU median $(of "${ac[@]}") s (runs ${ac[*]})"
python3 - "$(of "${pw[@]}")" "$(of "${aw[@]}")" "$(of "${pc[@]}")" "$(of "${ac[@]}")" <<'PY'
import sys
pw, aw, pc, ac = map(float, sys.argv[1:])
print(f"authoring / plain: wall {aw / pw:.3f} ({(aw / pw - 1) * 100:+.1f}%), CPU {ac / pc:.3f} ({(ac / pc - 1) * 100:+.1f}%); target within +15%")
PY
