# Shared by the bench scripts (sourced, not run): the release binary, the shared corpus,
# and clean builds measured by /usr/bin/time. Each function says what it prints.
#
#   here=$(cd "$(dirname "$0")/.." && pwd); . "$here/bench/lib.sh"

command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
bench_dir=${GATEHOUSE_BENCH_DIR:-/tmp/gatehouse-bench}
target=${CARGO_TARGET_DIR:-$here/target}
bin="$target/release/gatehouse"
# Builds to memory measure the generator, not the disk (see build.sh for the disk).
shm=/dev/shm
[ -d "$shm" ] || shm=$(mktemp -d)

build_release() {
  cargo build --release -q -p gatehouse --manifest-path "$here/Cargo.toml"
}

# corpus PAGES [OUT [OPTION...]]: makes ../shared/bench/gen_corpus.py's corpus (--flavor
# gatehouse, and the OPTIONs) of PAGES pages once, in OUT (default $bench_dir/corpus-PAGES);
# prints the folder.
corpus() {
  local pages=$1 out=${2:-$bench_dir/corpus-$1}
  shift $(($# < 2 ? $# : 2))
  if [ ! -f "$out/gatehouse/site.toml" ]; then
    rm -rf "$out"
    python3 "$here/../shared/bench/gen_corpus.py" --pages "$pages" --out "$out" --flavor gatehouse "$@" >/dev/null
  fi
  echo "$out"
}

# median: the median of the numbers on stdin, one a line.
median() {
  sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# clean_builds SITE OUT RUNS [cold]: RUNS clean builds of SITE into OUT; prints
# "median_wall median_cpu html_pages" (CPU = user + system). OUT is left from the last run.
# With `cold`, SITE's own cache (.gatehouse/: drawn diagrams) is removed before each build
# too; without, it is kept from the runs before.
clean_builds() {
  local site=$1 out=$2 runs=$3 cold=${4:-} walls=() cpus=() result wall user sys
  for _ in $(seq "$runs"); do
    rm -rf "$out"
    if [ "$cold" = cold ]; then rm -rf "$site/.gatehouse"; fi
    result=$( { /usr/bin/time -f '%e %U %S' "$bin" build -q --root "$site" --out "$out"; } 2>&1 | tail -n 1)
    read -r wall user sys <<<"$result"
    walls+=("$wall")
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')")
  done
  echo "$(printf '%s\n' "${walls[@]}" | median) $(printf '%s\n' "${cpus[@]}" | median) $(find "$out" -name index.html | wc -l)"
}
