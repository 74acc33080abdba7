#!/usr/bin/env bash
# Search-index benchmark on the shared synthetic corpus. Not a test: it prints figures.
#
#   bash bench/search.sh [PAGES...]        defaults: 10000 100000
#
# For each corpus (../shared/bench/gen_corpus.py --flavor gatehouse, generated when
# missing, as bench/build.sh does): one clean build into memory (/dev/shm), then
#   - the index on disk (/search/: meta.json, index chunks, page fragments) against the
#     text it covers (titles, headings and text of every page, from meta.json);
#   - what a reader's first query transfers: bench/search-queries.mjs runs the theme's
#     own engine under Node over the output and sums the files it reads (meta.json, the
#     chunks its words need, the fragments of the first 8 results), raw and gzipped, for
#     a common word, a word of one page, two words, a two-letter prefix, and
#     "compression" (the word the browser test searches: tests/browser/search.test.mjs
#     prints the bytes Chromium's network log saw for it at 10,000 pages).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
[ $# -gt 0 ] || set -- 10000 100000
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
cargo build --release -q -p gatehouse --manifest-path "$here/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$here/target}/release/gatehouse"
shm=/dev/shm
[ -d "$shm" ] || shm=$(mktemp -d)
echo "load: $(uptime | sed 's/.*load average: //')"
for pages in "$@"; do
  corpus=${GATEHOUSE_BENCH_DIR:-/tmp/gatehouse-bench}/corpus-$pages
  if [ ! -f "$corpus/gatehouse/site.toml" ]; then
    rm -rf "$corpus"
    python3 "$here/../shared/bench/gen_corpus.py" --pages "$pages" --out "$corpus" --flavor gatehouse >/dev/null
  fi
  out="$shm/gatehouse-search-bench-$pages"
  rm -rf "$out"
  build=$( { /usr/bin/time -f '%e s wall, %U s user, %S s system, %M KiB peak' "$bin" build -q --root "$corpus/gatehouse" --out "$out"; } 2>&1 | tail -n 1)
  echo
  echo "== $pages pages: clean build $build"
  python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
meta = json.load(open(os.path.join(out, "search/meta.json")))
def size(folder):
    total = count = 0
    for dirpath, _, names in os.walk(os.path.join(out, folder)):
        for name in names:
            total += os.path.getsize(os.path.join(dirpath, name))
            count += 1
    return total, count
index, chunks = size("search/index")
pages, fragments = size("search/pages")
metasize = os.path.getsize(os.path.join(out, "search/meta.json"))
whole = index + pages + metasize
text = meta["text_bytes"]
mib = lambda n: f"{n / 2**20:.1f} MiB"
print(f"index on disk: {mib(whole)} ({chunks} chunks {mib(index)}, {fragments} fragment files {mib(pages)}, meta.json {metasize} B)")
print(f"text covered: {mib(text)}; index / text = {whole / text:.2f}")
PY
  node "$here/bench/search-queries.mjs" "$out"
  rm -rf "$out"
done
