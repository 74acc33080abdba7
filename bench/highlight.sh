#!/usr/bin/env bash
# Highlighting benchmark on the shared 10,000-page corpus (about 15,000 code blocks in
# bash, json, yaml and rust). Not a test: it prints figures.
#
#   bash bench/highlight.sh [PAGES] [RUNS] [BASE]    defaults: 10000 pages, 5 runs, BASE=HEAD~
#
# - before/after: median CPU time of a clean build (output in /dev/shm) of BASE's
#   gatehouse and this tree's, on the same corpus (`bench/build.sh` gives wall times);
# - cost per block per language family: the corpus is copied once with no code blocks and
#   once per language with only that language's blocks; (CPU time − no-code CPU time) /
#   blocks, with this tree's binary. With both cores busy, wall time is about half.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
pages=${1:-10000}
runs=${2:-5}
base=${3:-HEAD~}
work=${GATEHOUSE_BENCH_DIR:-/tmp/gatehouse-bench}
corpus=$work/corpus-$pages
target=${CARGO_TARGET_DIR:-$here/target}
if [ ! -f "$corpus/gatehouse/site.toml" ]; then
  rm -rf "$corpus"
  python3 "$here/../shared/bench/gen_corpus.py" --pages "$pages" --out "$corpus" --flavor gatehouse >/dev/null
fi

cargo build --release -q -p gatehouse --manifest-path "$here/Cargo.toml"
after=$work/gatehouse-after
cp "$target/release/gatehouse" "$after"
before=$work/gatehouse-before
if [ ! -x "$before" ] || [ "${REBUILD_BEFORE:-}" = 1 ]; then
  tree=$work/before-tree
  git -C "$here" worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"
  git -C "$here" worktree add -q --detach "$tree" "$base"
  cargo build --release -q -p gatehouse --manifest-path "$tree/Cargo.toml"
  cp "$target/release/gatehouse" "$before"
  git -C "$here" worktree remove --force "$tree"
fi

# CPU time (user + system) is what the figures use: on a machine shared with other work
# the wall time of a 2-thread build varies several-fold, its CPU time much less.
median() { # $1 = binary, $2 = site; prints the median CPU seconds of clean builds
  local out=/dev/shm/gatehouse-hl-bench times=()
  for _ in $(seq "$runs"); do
    rm -rf "$out"
    times+=("$( { /usr/bin/time -f '%U %S' "$1" build -q --root "$2" --out "$out"; } 2>&1 | tail -n 1 | awk '{print $1 + $2}')")
  done
  rm -rf "$out"
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

echo "corpus: $corpus/gatehouse, $runs clean builds each, output in /dev/shm, $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
b=$(median "$before" "$corpus/gatehouse")
a=$(median "$after" "$corpus/gatehouse")
python3 -c "import sys; b,a=map(float,sys.argv[1:3]); print(f'CPU time, before ({sys.argv[3]}): {b:.2f} s; after: {a:.2f} s; {a/b:.2f}x')" "$b" "$a" "$base"

# One corpus copy per language family, and one with no code at all.
python3 - "$corpus/gatehouse" "$work/families" <<'PY'
import os, re, shutil, sys, json
src, dst = sys.argv[1:]
shutil.rmtree(dst, ignore_errors=True)
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
none=$(median "$after" "$work/families/none")
for dir in "$work"/families/*/; do
  lang=$(basename "$dir")
  [ "$lang" = none ] && continue
  t=$(median "$after" "$dir")
  python3 -c "
import json, sys
lang, t, none, counts = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), json.load(open(sys.argv[4]))
n = counts[lang]
print(f'{lang}: {n} blocks, {t:.2f} s vs {none:.2f} s CPU without code: {(t - none) * 1e6 / n:.0f} us CPU/block')
" "$lang" "$t" "$none" "$work/families/counts.json"
done
rm -rf "$work/families"
