#!/usr/bin/env bash
# The highlighter's worst case per block and per KB: blocks built to be hard for a
# grammar (unclosed brackets before long word runs, base64, random punctuation), in
# every language, at line lengths 64–4096, each highlighted as a page's block is (fast
# path, grammar, line bounds, the 1 s watchdog), plus the saved fuzz case that
# backtracks (fuzz/cases/highlight/makefile-backtracking). Not a test: it prints figures.
#
#   bash bench/highlight-worst.sh [LANGS|all] [BLOCK_BYTES]     defaults: all 4096
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
langs=${1:-all}
bytes=${2:-4096}
echo "# $(date -u +%F) $(git rev-parse --short HEAD 2>/dev/null || echo '?'): cargo run --release -p gatehouse --example highlight_worst -- $langs $bytes"
cargo run -q --release -p gatehouse --example highlight_worst -- "$langs" "$bytes"
echo "# the backtracking case (fuzz/cases/highlight/makefile-backtracking), given up at 1 s:"
/usr/bin/time -f '  %e s wall' cargo run -q --release -p gatehouse-fuzz --example replay -- highlight fuzz/cases/highlight/makefile-backtracking
