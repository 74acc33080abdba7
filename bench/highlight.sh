#!/usr/bin/env bash
# Highlighting benchmark on the shared 10,000-page corpus (15,037 code blocks in bash,
# json, yaml and rust). Not a test: it prints figures.
#
#   bash bench/highlight.sh [PAGES] [RUNS] [BASE]    defaults: 10000 pages, 5 runs, BASE=feb5411
#
# - before/after: a clean build (output in /dev/shm) by BASE's gatehouse (the commit
#   before grammar highlighting) and by this tree's, runs alternated; median CPU time
#   (user + system: robust on a shared machine), median wall time, peak memory;
#   GATEHOUSE_BEFORE=path uses an already built BASE binary;
# - the binaries' sizes;
# - cost per block per language family, with the fast path and without it
#   (GATEHOUSE_HIGHLIGHT_FAST=0): the corpus is copied once with no code blocks and once
#   per language with only that language's blocks; (CPU time − no-code CPU time) / blocks.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
pages=${1:-10000}
runs=${2:-5}
base=${3:-feb5411}
work=${GATEHOUSE_BENCH_DIR:-/tmp/gatehouse-bench}
corpus=$work/corpus-$pages
target=${CARGO_TARGET_DIR:-$here/target}
scratch=$(mktemp -d /dev/shm/gatehouse-hl-bench.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
if [ ! -f "$corpus/gatehouse/site.toml" ]; then
  rm -rf "$corpus"
  python3 "$here/../shared/bench/gen_corpus.py" --pages "$pages" --out "$corpus" --flavor gatehouse >/dev/null
fi

cargo build --release -q -p gatehouse --manifest-path "$here/Cargo.toml"
after="$target/release/gatehouse"
before=${GATEHOUSE_BEFORE:-}
if [ -z "$before" ]; then
  tree=$scratch/before-tree
  mkdir -p "$tree"
  git -C "$here" archive "$base" | tar -x -C "$tree"
  CARGO_TARGET_DIR=$scratch/before-target cargo build --release -q -p gatehouse --manifest-path "$tree/Cargo.toml"
  before=$scratch/before-target/release/gatehouse
fi

run() { # $1 = binary, $2 = site; prints "cpu_seconds wall_seconds peak_kib"
  rm -rf "$scratch/out"
  { /usr/bin/time -f '%U %S %e %M' "$1" build -q --root "$2" --out "$scratch/out"; } 2>&1 | tail -n 1 |
    awk '{print $1 + $2, $3, $4}'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "corpus: $corpus/gatehouse, $runs clean builds each (alternated), output in /dev/shm, $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$scratch/before" && : >"$scratch/after"
for _ in $(seq "$runs"); do
  run "$before" "$corpus/gatehouse" >>"$scratch/before"
  run "$after" "$corpus/gatehouse" >>"$scratch/after"
done
for which in before after; do
  cpu=$(cut -d' ' -f1 "$scratch/$which" | median)
  wall=$(cut -d' ' -f2 "$scratch/$which" | median)
  peak=$(cut -d' ' -f3 "$scratch/$which" | sort -n | tail -n 1)
  echo "$which: CPU $cpu s, wall $wall s (median), peak $((peak / 1024)) MiB; runs (cpu wall KiB): $(tr '\n' ';' <"$scratch/$which")"
  eval "${which}_cpu=$cpu"
  eval "${which}_wall=$wall"
done
python3 -c "import sys; b,a,bw,aw=map(float,sys.argv[1:5]); print(f'after/before: CPU {a/b:.2f}x, wall {aw/bw:.2f}x')" \
  "$before_cpu" "$after_cpu" "$before_wall" "$after_wall"
echo "binary size: before $(stat -c %s "$before") bytes, after $(stat -c %s "$after") bytes"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

# One corpus copy per language family, and one with no code at all.
python3 - "$corpus/gatehouse" "$scratch/families" <<'PY'
import os, re, shutil, sys, json
src, dst = sys.argv[1:]
fence = re.compile(r'^```(\S*)[^\n]*\n.*?^```[^\n]*\n', re.M | re.S)
langs = set()
for root, _, files in os.walk(os.path.join(src, 'content')):
    for f in files:
        if f.endswith('.md'):
            langs.update(m.group(1) for m in fence.finditer(open(os.path.join(root, f)).read()))
counts = {}
for keep in sorted(langs) + ['none']:
    out = os.path.join(dst, keep)
    shutil.copytree(src, out, ignore=shutil.ignore_patterns('public'))
    n = 0
    for root, _, files in os.walk(os.path.join(out, 'content')):
        for f in files:
            if not f.endswith('.md'):
                continue
            p = os.path.join(root, f)
            def drop(m):
                global n
                if m.group(1) == keep:
                    n += 1
                    return m.group(0)
                return ''
            text = fence.sub(drop, open(p).read())
            open(p, 'w').write(text)
    counts[keep] = n
json.dump(counts, open(os.path.join(dst, 'counts.json'), 'w'))
PY
cpu_median() { # $1 = site, rest = env; median CPU seconds of this tree's clean builds
  local site=$1 times=()
  shift
  for _ in $(seq "$runs"); do
    times+=("$( (if [ $# -gt 0 ]; then export "$@"; fi; run "$after" "$site") | cut -d' ' -f1)")
  done
  printf '%s\n' "${times[@]}" | median
}
none=$(cpu_median "$scratch/families/none")
for dir in "$scratch"/families/*/; do
  lang=$(basename "$dir")
  [ "$lang" = none ] && continue
  fast=$(cpu_median "$dir")
  slow=$(cpu_median "$dir" GATEHOUSE_HIGHLIGHT_FAST=0)
  python3 -c "
import json, sys
lang, fast, slow, none, counts = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), json.load(open(sys.argv[5]))
n = counts[lang]
print(f'{lang}: {n} blocks; CPU/block {(fast - none) * 1e6 / n:.0f} us with the fast path, {(slow - none) * 1e6 / n:.0f} us grammar only ({fast:.2f} s / {slow:.2f} s vs {none:.2f} s without code)')
" "$lang" "$fast" "$slow" "$none" "$scratch/families/counts.json"
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
