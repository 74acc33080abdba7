#!/usr/bin/env bash
# Builds the Cloudflare Workers module from the `edge` crate: build/index.js (the entry
# wrangler.toml's `main` names), build/index_bg.wasm, build/worker/shim.mjs (an alias kept
# by worker-build for older configs). `build/` is git-ignored.
#
#   bash scripts/build-worker.sh        # also wrangler.toml's [build] command
#
# worker-build normally downloads wasm-bindgen, wasm-opt and esbuild from GitHub; here they
# come from scripts/install-tools.sh (wasm-bindgen) and node_modules (esbuild), and wasm-opt
# is skipped (--no-opt). Cargo's usual target/ is used unless CARGO_TARGET_DIR says otherwise.
#
# GATEHOUSE_SKIP_WORKER_BUILD=1 makes it a no-op when build/index.js exists (for callers
# that have just built it and start `wrangler dev`, which runs this script again).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ "${GATEHOUSE_SKIP_WORKER_BUILD:-}" = 1 ] && [ -f build/index.js ] && [ -f build/index_bg.wasm ]; then
  echo "build-worker: using the existing build/ (GATEHOUSE_SKIP_WORKER_BUILD=1)" >&2
  exit 0
fi

bash scripts/install-tools.sh --rust

tools=${GATEHOUSE_TOOLS:-$HOME/.cache/gatehouse/tools}
export WASM_BINDGEN_BIN=${WASM_BINDGEN_BIN:-$tools/bin/wasm-bindgen}
export ESBUILD_BIN=${ESBUILD_BIN:-$root/node_modules/.bin/esbuild}
if [ ! -x "$ESBUILD_BIN" ]; then
  echo "build-worker: $ESBUILD_BIN is missing; run: bash scripts/install-tools.sh" >&2
  exit 1
fi

# worker-build finds the crate from the working directory; --out-dir is relative to it.
cd edge
"$tools/bin/worker-build" --release --no-opt --out-dir ../build
