#!/usr/bin/env bash
# Every test of the project, from a fresh machine: installs what it needs first.
#
#   bash scripts/test-all.sh
#
# Ends with one line counting every test run, e.g. `total: 180 passed, 0 failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
step() { printf '\n== %s\n' "$*"; }

step "Tools: npm packages from the lockfile, wasm target, pinned Workers build tools"
bash scripts/install-tools.sh

step "Rust: formatting and lints (native, and the Workers host on wasm32)"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown -p edge --all-targets -- -D warnings

step "Rust: the library builds sites without the dev server, the edge's shared part without the backend"
cargo check -p gatehouse --lib --no-default-features
cargo check -p edge --lib --no-default-features

step "Rust: unit, snapshot and integration tests (generator, serve, edge core), every fuzz target for 3 s"
cargo test --workspace 2>&1 | tee -a "$log"

step "Docs: Gatehouse's own documentation (docs/), a Gatehouse site, checked with warnings as errors"
target/debug/gatehouse check --root docs --deny-warnings

step "Structure: no module imports one that imports it back"
python3 scripts/import-cycles.py

step "Theme: the password rule and the search engine in JavaScript against the shared vectors"
node --test --test-reporter=tap tests/theme/ 2>&1 | tee -a "$log"

step "HTTP journey against gatehouse serve"
bash scripts/journey-serve.sh target/debug/gatehouse 2>&1 | tee -a "$log"

step "The reader's journey in Chromium against gatehouse serve"
bash scripts/browser.sh 2>&1 | tee -a "$log"

step "The same journeys (HTTP and Chromium) against the Workers host (wasm in workerd), cron, production mode"
bash scripts/journey-workers.sh 2>&1 | tee -a "$log"

# cargo prints `test result: ok. N passed; M failed`, node `# pass N` / `# fail M`.
awk '
  /^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
  /^# pass / { p += $3 }
  /^# fail / { f += $3 }
  END { printf "\ntotal: %d passed, %d failed\n", p, f; exit (f > 0) }
' "$log"
