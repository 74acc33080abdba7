#!/usr/bin/env bash
# Coverage-guided fuzzing of every target (cargo-fuzz, libFuzzer), two at a time.
#
#   bash fuzz/run.sh [SECONDS] [TARGET...]     defaults: 600 s each, every target
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked
# --version 0.13.1`). Seeds each target from its corpus (`fuzz/src/lib.rs`), with its
# dictionary; an input over 2 s is a timeout. Prints one line per target (inputs run,
# coverage, crashes); what it finds is in fuzz/artifacts/<target>/: save it in
# fuzz/cases/<target>/ and it is a test (`cargo test -p gatehouse-fuzz`).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -vx -e gatehouse-fuzz -e seed)
corpus=${GATEHOUSE_FUZZ_CORPUS:-target/fuzz-corpus}
logs=target/fuzz-logs
mkdir -p "$logs"
cargo run -q -p gatehouse-fuzz --bin seed -- "$corpus"
(cd fuzz && cargo +nightly fuzz build -O --features libfuzzer)
run() {
  local t=$1 rc=0
  (cd fuzz && cargo +nightly fuzz run -O --features libfuzzer "$t" "../$corpus/$t" -- \
    -max_total_time="$secs" -timeout=2 -rss_limit_mb=4096 -max_len=65536 \
    -dict="../$corpus/$t.dict" -print_final_stats=1) >"$logs/$t.log" 2>&1 || rc=$?
  local runs cov
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$t.log")
  cov=$(grep -o 'cov: [0-9]*' "$logs/$t.log" | tail -1)
  printf '%-14s %s s  %10s inputs  %-10s  %s\n' "$t" "$secs" "${runs:-?}" "${cov:-}" \
    "$([ $rc -eq 0 ] && echo 'no crash, no timeout' || echo "FAILED (rc $rc): see $logs/$t.log")"
}
i=0
for t in "${targets[@]}"; do
  run "$t" &
  i=$((i + 1))
  [ $((i % 2)) -eq 0 ] && wait
done
wait
