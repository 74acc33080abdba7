#!/usr/bin/env bash
# Installs what building and testing the Cloudflare Workers host needs. Idempotent and
# offline once done: every step is skipped when the right version is already there.
#
#   bash scripts/install-tools.sh          # Rust tools and node_modules
#   bash scripts/install-tools.sh --rust   # only the Rust side (used by build-worker.sh)
#
# - the wasm32-unknown-unknown target (rustup);
# - wasm-bindgen-cli at the version of the wasm-bindgen crate in Cargo.lock (they must
#   match) and worker-build 0.8.7, with `cargo install --root` into
#   ${GATEHOUSE_TOOLS:-$HOME/.cache/gatehouse/tools} (binaries in its bin/). worker-build
#   would otherwise download wasm-bindgen from GitHub at every version change;
# - node_modules (`npm ci`: wrangler, esbuild, …) when missing or older than
#   package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

WORKER_BUILD_VERSION=0.8.7
tools=${GATEHOUSE_TOOLS:-$HOME/.cache/gatehouse/tools}
only_rust=false
case "${1:-}" in
  --rust) only_rust=true ;;
  "") ;;
  *) echo "usage: $0 [--rust]" >&2; exit 2 ;;
esac

say() { echo "install-tools: $*" >&2; }

# The wasm-bindgen version Cargo.lock pins (the `edge` crate pulls it in for wasm32).
lock_version() {
  awk -v name="$1" '
    $0 == "name = \"" name "\"" { found = 1; next }
    found && /^version = / { gsub(/"/, "", $3); print $3; exit }
  ' Cargo.lock
}

# `tool --version` prints e.g. `wasm-bindgen 0.2.130` or `0.8.7`; the last word is the version.
installed_version() {
  [ -x "$1" ] || return 0
  "$1" --version 2>/dev/null | awk '{ print $NF; exit }'
}

# The standard library for the target is all the target needs; look for it first (no
# network, and works with a Rust not managed by rustup).
if [ ! -d "$(rustc --print sysroot)/lib/rustlib/wasm32-unknown-unknown/lib" ]; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

bindgen_version=$(lock_version wasm-bindgen)
if [ -z "$bindgen_version" ]; then
  echo "install-tools: no wasm-bindgen in Cargo.lock (run: cargo generate-lockfile)" >&2
  exit 1
fi
if [ "$(installed_version "$tools/bin/wasm-bindgen")" != "$bindgen_version" ]; then
  say "installing wasm-bindgen-cli $bindgen_version into $tools"
  # Not --locked: the CLI's own lockfile pins crates that no longer build on current Rust.
  cargo install wasm-bindgen-cli --version "$bindgen_version" --root "$tools" --force
fi

if [ "$(installed_version "$tools/bin/worker-build")" != "$WORKER_BUILD_VERSION" ]; then
  say "installing worker-build $WORKER_BUILD_VERSION into $tools"
  cargo install worker-build --version "$WORKER_BUILD_VERSION" --root "$tools" --locked --force
fi

if ! $only_rust; then
  stamp=node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
    say "npm ci"
    npm ci --no-audit --no-fund
  fi
fi
