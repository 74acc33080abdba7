#!/usr/bin/env bash
# Clean-build benchmark on the shared synthetic corpus. Not a test: it prints figures.
#
#   bash bench/build.sh [PAGES] [RUNS]      defaults: 10000 pages, 5 runs
#
# Builds the corpus from ../shared/bench/gen_corpus.py (`--flavor gatehouse`: a bare
# content folder, so the built-in default theme applies, highlighting included) and
# reports the median wall time, ms per page and peak memory (max RSS), twice:
#   - output in memory (/dev/shm): what the generator itself costs;
#   - output on the project's disk ($GATEHOUSE_BENCH_DISK, default target/bench-public):
#     adds the filesystem. On this machine's ext4 (mounted
#     with `discard`) creating 10,000 folders and files right after deleting the previous
#     build's costs 3-6 s of kernel time in inode allocation (ext4's recently_deleted
#     scan, seen with `perf record`), so the on-disk figure depends on the disk's history;
#   - the disk's floor: the same files written by a plain loop, for comparison.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
pages=${1:-10000}
runs=${2:-5}
corpus=$(corpus "$pages")
build_release
# Output on disk goes here, never into the corpus folder (other runs may share it).
disk=${GATEHOUSE_BENCH_DISK:-$target/bench-public}
site="$corpus/gatehouse"
expected=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['expected_html_pages'])" "$corpus/manifest.json")

measure() { # $1 = output folder; prints "median_seconds peak_kib pages"
  local out=$1 times=() peak=0 result
  for _ in $(seq "$runs"); do
    rm -rf "$out"
    result=$( { /usr/bin/time -f '%e %M' "$bin" build -q --root "$site" --out "$out"; } 2>&1 | tail -n 1)
    times+=("${result% *}")
    [ "${result#* }" -gt "$peak" ] && peak=${result#* }
  done
  local written
  written=$(find "$out" -name index.html | wc -l)
  rm -rf "$out"
  echo "$(printf '%s\n' "${times[@]}" | median) $peak $written ${times[*]}"
}

report() { # $1 = label, rest = measure output
  python3 - "$@" <<'PY'
import sys
label, median, peak, written, *runs = sys.argv[1:]
median, peak, written = float(median), int(peak), int(written)
print(f"{label}: {written} pages, median {median:.2f} s ({median * 1000 / written:.3f} ms/page), peak {peak / 1024:.0f} MiB; runs: {' '.join(runs)}")
PY
}

echo "corpus: $site ($expected HTML pages expected), $runs clean builds each, $(nproc) cores"
report "output in memory ($shm)" $(measure "$shm/gatehouse-bench-public")
report "output on disk ($disk)" $(measure "$disk")

# Rebuilds over the previous output, as a writer runs `gatehouse build` again: unchanged
# files are hard-linked from the old output instead of written (output.rs).
"$bin" build -q --root "$site" --out "$disk"
rebuilds=()
for _ in $(seq "$runs"); do
  rebuilds+=("$( { /usr/bin/time -f '%e' "$bin" build -q --root "$site" --out "$disk"; } 2>&1 | tail -n 1)")
done
rm -rf "$disk"
echo "rebuild on disk over the previous output: median $(printf '%s\n' "${rebuilds[@]}" | median) s; runs: ${rebuilds[*]}"

# The disk's floor: the same folders and files (taken from one build in memory) written by
# a plain Python loop with no rendering at all, the same number of times, each after
# deleting the previous copy as above. What the on-disk build costs beyond the in-memory
# one is mostly this.
"$bin" build -q --root "$site" --out "$shm/gatehouse-bench-public"
floor=$(python3 "$here/bench/disk_floor.py" "$shm/gatehouse-bench-public" "$disk" "$runs")
rm -rf "$shm/gatehouse-bench-public"
echo "disk floor (the same files written by a Python loop, no rendering): $floor"
echo "targets: under 2.0 s and under 200 MiB for 10,000 pages"
