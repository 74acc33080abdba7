#!/usr/bin/env bash
# Every figure of issue 14's table, at 10,000 and 100,000 pages (or the sizes given).
# Not a test: it prints figures, with the load average beside them (the machine is shared).
#
#   bash bench/scale.sh [SIZES...]      default: 10000 100000 (the 1,000-page corpus is
#                                        built too, as the reference for bytes per page)
#
# Per size, on the shared synthetic corpus (`gen_corpus.py --flavor gatehouse`):
#   - clean build, median of 3, output in memory (/dev/shm) and on disk, with the disk's
#     floor (the same files written by a plain Python loop, as bench/build.sh does); the
#     CPU time (user + system) beside each, which the machine's other load moves less;
#   - peak memory (max RSS) of those builds;
#   - HTML bytes per page (every index.html), against the 1,000-page corpus;
#   - `serve`: start to first answer, and page body edit -> reload event p50 (bench/serve.py);
# then the growth in build time from the first size to the last.
#
# Output on disk goes to $GATEHOUSE_BENCH_DISK (default: target/bench-public in this
# repository), never into the corpus folder, which other runs may share.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
runs=3
edits=${GATEHOUSE_BENCH_EDITS:-30}
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
target=${CARGO_TARGET_DIR:-$here/target}
cargo build --release -q -p gatehouse --manifest-path "$here/Cargo.toml"
bin="$target/release/gatehouse"
shm=/dev/shm
[ -d "$shm" ] || shm=$(mktemp -d)
memory_out="$shm/gatehouse-scale-public-$$"
disk_out=${GATEHOUSE_BENCH_DISK:-$target/bench-public}
trap 'rm -rf "$memory_out" "$disk_out"' EXIT

corpus() { # $1 = pages; prints the site folder, generating the corpus when missing
  local dir=${GATEHOUSE_BENCH_DIR:-/tmp/gatehouse-bench}/corpus-$1
  if [ ! -f "$dir/gatehouse/site.toml" ]; then
    rm -rf "$dir"
    python3 "$here/../shared/bench/gen_corpus.py" --pages "$1" --out "$dir" --flavor gatehouse >/dev/null
  fi
  echo "$dir/gatehouse"
}

html_bytes_per_page() { # $1 = site; builds once in memory
  rm -rf "$memory_out"
  "$bin" build -q --root "$1" --out "$memory_out"
  find "$memory_out" -name index.html -printf '%s\n' | awk '{s += $1; n++} END {printf "%.0f", s / n}'
}

clean_builds() { # $1 = site, $2 = output; prints "median_wall median_cpu peak_kib runs…"
  local site=$1 out=$2 walls=() cpus=() peak=0 result
  for _ in $(seq "$runs"); do
    rm -rf "$out"
    result=$( { /usr/bin/time -f '%e %U %S %M' "$bin" build -q --root "$site" --out "$out"; } 2>&1 | tail -n 1)
    read -r wall user sys rss <<<"$result"
    walls+=("$wall")
    cpus+=("$(python3 -c "print(f'{$user + $sys:.2f}')")")
    [ "$rss" -gt "$peak" ] && peak=$rss
  done
  echo "$(printf '%s\n' "${walls[@]}" | sort -n | sed -n 2p) $(printf '%s\n' "${cpus[@]}" | sort -n | sed -n 2p) $peak ${walls[*]}"
}


echo "gatehouse scale bench: $(nproc) cores, $runs clean builds per figure, $(date -u +%FT%TZ)"
reference=$(html_bytes_per_page "$(corpus 1000)")
echo "1,000-page corpus: $reference HTML bytes per page (the reference)"
first_wall=""
for pages in "${sizes[@]}"; do
  site=$(corpus "$pages")
  echo
  echo "== $pages pages ($site) =="
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  read -r wall cpu peak w1 w2 w3 <<<"$(clean_builds "$site" "$memory_out")"
  printf 'clean build, output in memory: median %s s wall (runs %s %s %s), CPU %s s, peak %d MiB\n' \
    "$wall" "$w1" "$w2" "$w3" "$cpu" $((peak / 1024))
  [ -n "$first_wall" ] || { first_wall=$wall; first_pages=$pages; }
  last_wall=$wall
  read -r dwall dcpu dpeak d1 d2 d3 <<<"$(clean_builds "$site" "$disk_out")"
  printf 'clean build, output on disk (%s): median %s s wall (runs %s %s %s), CPU %s s, peak %d MiB\n' \
    "$disk_out" "$dwall" "$d1" "$d2" "$d3" "$dcpu" $((dpeak / 1024))
  bytes=$(html_bytes_per_page "$site")
  echo "disk floor (the same files written by a Python loop, no rendering): $(python3 "$here/bench/disk_floor.py" "$memory_out" "$disk_out" "$runs")"
  python3 -c "import sys; b, r = int(sys.argv[1]), int(sys.argv[2]); print(f'HTML bytes per page: {b} ({(b / r - 1) * 100:+.1f}% against the 1,000-page corpus; target within 10%)')" "$bytes" "$reference"
  rm -rf "$memory_out"
  TMPDIR=$shm python3 "$here/bench/serve.py" "$bin" "$site" "$here/themes/default" "$edits" --quick |
    sed -n 's/^serve: first build and first answer after/serve: start to first answer:/p; s/^page body edit -> reload event/serve: page body edit -> reload event/p'
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
done
if [ "${#sizes[@]}" -gt 1 ]; then
  python3 -c "import sys; a, b, pa, pb = map(float, sys.argv[1:]); print(f'growth {pa:.0f} -> {pb:.0f} pages: {b / a:.2f}x the clean build time in memory for {pb / pa:.0f}x the pages (target at most 10.5x)')" \
    "$first_wall" "$last_wall" "$first_pages" "$pages"
fi
echo "targets (100,000 pages): clean build <= 12 s, peak <= 500 MiB, serve start <= 4 s, body edit -> reload p50 <= 30 ms"
