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
# Then each feature alone, in a copy of its own, against the plain corpus built again
# beside it: the CPU it adds, and that divided by its items (bench/README's per-item rows).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
pages=${1:-10000}
runs=${2:-3}
corpus=$(corpus "$pages")
# feature_site KINDS: a copy of the corpus with the features in KINDS (comma-separated:
# images, math, diagrams, aliases; `all` for every one and the [redirects] rule), made
# once; prints its folder.
feature_site() {
  local kinds=$1 site=$bench_dir/features-$1-$pages
  if [ ! -f "$site/done" ]; then
    rm -rf "$site"
    cp -r "$corpus/gatehouse" "$site"
    python3 - "$site" "$kinds" <<'PY'
import os, struct, sys, zlib
site, kinds = sys.argv[1], sys.argv[2]
every = kinds == "all"
want = lambda kind: every or kind in kinds.split(",")
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
counts = {"images": 0, "formulas": 0, "diagrams": 0, "aliases": 0}
for n, rel in enumerate(pages):
    path = os.path.join(content, rel)
    text = open(path).read()
    if n % 10 == 3 and want("images"):
        text += "\n![The request path](/img/diagram.png)\n\nAnd again below: ![Detail](/img/diagram.png)\n"
        counts["images"] += 2
    if n % 10 == 5 and want("math"):
        text += "\nInline $x^2 + y^2 = r^2$, and displayed:\n\n$$\n\\sum_{i=1}^n i = \\frac{n(n+1)}{2}\n$$\n"
        counts["formulas"] += 2
    if n % 100 == 1 and want("diagrams"):
        text += ("\n```mermaid\nflowchart LR\n  R[Register] --> V[Verify the email address]\n"
                 "  V --> S[Sign in]\n  S --> T[30-day Plus trial]\n  T --> C{Day 30}\n"
                 f"  C --> P[Plus]\n  C --> F[Free on page {n}]\n```\n")
        counts["diagrams"] += 1
    if n % 10 == 7 and text.startswith("---\n") and want("aliases"):
        url = "/" + rel[:-3] + "/"
        text = "---\naliases: [/old" + url + "]\n" + text[4:]
        counts["aliases"] += 1
    open(path, "w").write(text)
with open(os.path.join(site, "site.toml"), "a") as f:
    if every:
        f.write('\n[redirects]\n"/archive/*" = "/:splat"\n')
    if want("math"):
        f.write('\n[markdown]\nmath = true\n')
open(os.path.join(site, "counts"), "w").write(" ".join(str(counts[k]) for k in ("images", "formulas", "diagrams", "aliases")) + "\n")
PY
    touch "$site/done"
  fi
  echo "$site"
}

featured=$(feature_site all)
build_release
out="$shm/gatehouse-bench-features"

echo "$pages pages, $runs clean builds each to $shm, $(nproc) cores"
read -r plain_wall plain_cpu _ <<<"$(clean_builds "$corpus/gatehouse" "$out" "$runs")"
echo "plain:         median $plain_wall s wall, $plain_cpu s CPU"
read -r cold_wall cold_cpu _ <<<"$(clean_builds "$featured" "$out" "$runs" cold)"
"$bin" build -q --root "$featured" --out "$out"
read -r feat_wall feat_cpu _ <<<"$(clean_builds "$featured" "$out" "$runs")"
echo "with features (10% of pages with two images, 10% with two formulas, 1% with a diagram, 10% with an alias, a [redirects] rule, llms.txt):"
echo "  cold:        median $cold_wall s wall, $cold_cpu s CPU (no diagram cache)"
echo "  cached:      median $feat_wall s wall, $feat_cpu s CPU (diagrams from .gatehouse/cache)"
awk -v a="$cold_cpu" -v b="$plain_cpu" 'BEGIN { printf "CPU ratio, cold: %.2fx\n", a / b }'
awk -v a="$feat_cpu" -v b="$plain_cpu" 'BEGIN { printf "CPU ratio, cached: %.2fx (target <= 1.15x)\n", a / b }'

# Each feature alone, against the plain corpus measured again beside it: its cost per item.
echo "each feature alone (CPU over the plain corpus, per item):"
read -r _ plain_cpu _ <<<"$(clean_builds "$corpus/gatehouse" "$out" "$runs")"
per_item() { # LABEL SITE ITEMS [cold]
  local cpu
  read -r _ cpu _ <<<"$(clean_builds "$2" "$out" "$runs" "${4:-}")"
  awk -v l="$1" -v a="$cpu" -v b="$plain_cpu" -v n="$3" \
    'BEGIN { printf "  %-22s %5d items: %+.2f s CPU, %.3f ms each\n", l, n, a - b, (a - b) * 1000 / n }'
}
for kind in images math diagrams aliases; do
  site=$(feature_site "$kind")
  read -r images formulas diagrams aliases <"$site/counts" || true
  case $kind in
    images) per_item "images (sized, lazy)" "$site" "$images" ;;
    math) per_item "formulas (MathML)" "$site" "$formulas" ;;
    diagrams)
      per_item "diagrams, cold" "$site" "$diagrams" cold
      "$bin" build -q --root "$site" --out "$out"
      per_item "diagrams, cached" "$site" "$diagrams"
      ;;
    aliases) per_item "aliases (301 + page)" "$site" "$aliases" ;;
  esac
done
rm -rf "$out"
