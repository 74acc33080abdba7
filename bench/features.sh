#!/usr/bin/env bash
# What the build-time features of a modern docs site cost. Not a test: it prints figures.
#
#   bash bench/features.sh [PAGES] [RUNS]      defaults: 10000 3
#
# From ../shared/bench/gen_corpus.py's corpus (--flavor gatehouse) it makes a copy in
# which one page in ten gains an image (a PNG the site publishes: its <img> gets width,
# height, decoding and loading), one in ten an alias (a 301 in _redirects and a
# meta-refresh page), and the site a [redirects] rule, beside llms.txt (on by default),
# one in ten two formulas (`[markdown] math = true`: MathML at build time), one in a
# hundred a mermaid diagram (the onboarding flow, with the page's number in a node so
# no two are alike), and reports the median CPU (user + system) and wall time of clean
# builds to memory (/dev/shm) of both: the target is within 15% of CPU. The featured site
# is built twice over: cold (its diagram cache, .gatehouse/cache/diagrams/, removed
# before each build: a first build, or CI) and cached (the cache kept: every rebuild).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
pages=${1:-10000}
runs=${2:-3}
corpus=$(corpus "$pages")
featured=$bench_dir/features-diagrams-$pages
if [ ! -f "$featured/done" ]; then
  rm -rf "$featured"
  cp -r "$corpus/gatehouse" "$featured"
  python3 - "$featured" <<'PY'
import os, struct, sys, zlib
site = sys.argv[1]
os.makedirs(os.path.join(site, "static", "img"), exist_ok=True)
def png(width, height):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\0" + b"\xff" * (width * 3) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
open(os.path.join(site, "static", "img", "diagram.png"), "wb").write(png(64, 40))
content = os.path.join(site, "content")
pages = sorted(os.path.relpath(os.path.join(d, f), content)
               for d, _, fs in os.walk(content) for f in fs if f.endswith(".md") and f != "index.md")
for n, rel in enumerate(pages):
    path = os.path.join(content, rel)
    text = open(path).read()
    if n % 10 == 3:
        text += "\n![The request path](/img/diagram.png)\n\nAnd again below: ![Detail](/img/diagram.png)\n"
    if n % 10 == 5:
        text += "\nInline $x^2 + y^2 = r^2$, and displayed:\n\n$$\n\\sum_{i=1}^n i = \\frac{n(n+1)}{2}\n$$\n"
    if n % 100 == 1:
        text += ("\n```mermaid\nflowchart LR\n  R[Register] --> V[Verify the email address]\n"
                 "  V --> S[Sign in]\n  S --> T[30-day Plus trial]\n  T --> C{Day 30}\n"
                 f"  C --> P[Plus]\n  C --> F[Free on page {n}]\n```\n")
    if n % 10 == 7 and text.startswith("---\n"):
        url = "/" + rel[:-3] + "/"
        text = "---\naliases: [/old" + url + "]\n" + text[4:]
    open(path, "w").write(text)
with open(os.path.join(site, "site.toml"), "a") as f:
    f.write('\n[redirects]\n"/archive/*" = "/:splat"\n\n[markdown]\nmath = true\n')
PY
  touch "$featured/done"
fi
build_release
out="$shm/gatehouse-bench-features"

echo "$pages pages, $runs clean builds each to $shm, $(nproc) cores"
read -r plain_wall plain_cpu _ <<<"$(clean_builds "$corpus/gatehouse" "$out" "$runs")"
echo "plain:         median $plain_wall s wall, $plain_cpu s CPU"
read -r cold_wall cold_cpu _ <<<"$(clean_builds "$featured" "$out" "$runs" cold)"
"$bin" build -q --root "$featured" --out "$out"
read -r feat_wall feat_cpu _ <<<"$(clean_builds "$featured" "$out" "$runs")"
rm -rf "$out"
echo "with features (10% of pages with two images, 10% with two formulas, 1% with a diagram, 10% with an alias, a [redirects] rule, llms.txt):"
echo "  cold:        median $cold_wall s wall, $cold_cpu s CPU (no diagram cache)"
echo "  cached:      median $feat_wall s wall, $feat_cpu s CPU (diagrams from .gatehouse/cache)"
awk -v a="$cold_cpu" -v b="$plain_cpu" 'BEGIN { printf "CPU ratio, cold: %.2fx\n", a / b }'
awk -v a="$feat_cpu" -v b="$plain_cpu" 'BEGIN { printf "CPU ratio, cached: %.2fx (target <= 1.15x)\n", a / b }'
