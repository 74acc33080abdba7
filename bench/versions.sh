#!/usr/bin/env bash
# Versioned-docs benchmark. Not a test: it prints figures.
#
#   bash bench/versions.sh [RELEASES] [PAGES_PER_RELEASE] [RUNS]    defaults: 10 1000 3
#
# From ../shared/bench/gen_corpus.py's output (--flavor gatehouse) it makes:
#   - the unversioned baseline: one corpus of RELEASES x PAGES pages;
#   - a versioned site: a docs set `docs` of RELEASES releases (r01 latest), each a copy of
#     one PAGES-page corpus in content/docs/<release>/ (its site-absolute links moved into
#     the release), except 10% of the pages, which are single-sourced in content/docs/_src/
#     with an `{% if_version gte:r05 %}` block (rendered into every release).
# and reports, for clean builds to memory (/dev/shm), the median wall time and the CPU
# time (user + system) of each, their ratio (target: versioned <= 1.1x the baseline's
# CPU), then the time of a rebuild over the previous output after one page of one release
# changed (unchanged files are hard-linked, not rewritten) against a clean build.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
releases=${1:-10}
pages=${2:-1000}
runs=${3:-3}
work=$bench_dir/versions-$releases-$pages
total=$((releases * pages))
if [ ! -f "$work/done" ]; then
  rm -rf "$work"
  mkdir -p "$work"
  corpus "$total" "$work/flat" >/dev/null
  corpus "$pages" "$work/one" >/dev/null
  python3 - "$work" "$releases" <<'PY'
import os, re, shutil, sys
work, releases = sys.argv[1], int(sys.argv[2])
one = os.path.join(work, "one", "gatehouse")
site = os.path.join(work, "versioned")
names = [f"r{i:02d}" for i in range(1, releases + 1)]
os.makedirs(os.path.join(site, "content"), exist_ok=True)
toml = open(os.path.join(one, "site.toml")).read()
toml += "\n[docsets.docs]\n"
for i, name in enumerate(names):
    status = "latest" if i == 0 else "maintained"
    toml += f'[[docsets.docs.releases]]\nname = "{name}"\nstatus = "{status}"\n'
open(os.path.join(site, "site.toml"), "w").write(toml)
open(os.path.join(site, "content", "index.md"), "w").write(
    "---\ntitle: Home\nno_version: true\n---\n[Docs](/docs/latest/)\n")
sources = []
for dirpath, _, files in os.walk(os.path.join(one, "content")):
    for f in sorted(files):
        sources.append(os.path.relpath(os.path.join(dirpath, f), os.path.join(one, "content")))
sources.sort()
shared = {p for i, p in enumerate(sources) if i % 10 == 5 and not p.endswith("index.md")}
link = re.compile(r"\]\(/")
bound = names[min(4, len(names) - 1)]
for rel in sources:
    text = open(os.path.join(one, "content", rel)).read()
    if rel in shared:
        dest = os.path.join(site, "content", "docs", "_src", rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        # Relative to the release: the page is rendered into each.
        depth = rel.count("/") + 1
        text = link.sub("](" + "../" * depth, text)
        text += f"\n{{% if_version gte:{bound} %}}\nNew since {bound}.\n{{% else_version %}}\nBefore {bound}.\n{{% endif_version %}}\n"
        open(dest, "w").write(text)
        continue
    for name in names:
        dest = os.path.join(site, "content", "docs", name, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        open(dest, "w").write(link.sub(f"](/docs/{name}/", text))
PY
  touch "$work/done"
fi
build_release

echo "$releases releases x $pages pages against one corpus of $total pages; $runs clean builds each to $shm, $(nproc) cores"
read -r flat_wall flat_cpu flat_pages <<<"$(clean_builds "$work/flat/gatehouse" "$shm/gatehouse-bench-flat" "$runs")"
echo "unversioned: $flat_pages pages, median $flat_wall s wall, $flat_cpu s CPU"
read -r ver_wall ver_cpu ver_pages <<<"$(clean_builds "$work/versioned" "$shm/gatehouse-bench-versioned" "$runs")"
echo "versioned:   $ver_pages pages, median $ver_wall s wall, $ver_cpu s CPU"
awk -v a="$ver_cpu" -v b="$flat_cpu" 'BEGIN { printf "CPU ratio versioned / unversioned: %.2fx (target <= 1.10x)\n", a / b }'

# A rebuild over the previous output after one page of one release (r03) changed.
out="$shm/gatehouse-bench-versioned"
rm -rf "$out"
"$bin" build -q --root "$work/versioned" --out "$out"
edited=r$(printf %02d $((releases < 3 ? releases : 3)))
page=$(find "$work/versioned/content/docs/$edited" -name '*.md' ! -name index.md | sort | sed -n 1p)
cp "$page" "$work/page.bak"
printf '\nEdited for the benchmark.\n' >>"$page"
(cd "$out" && find . -type f -printf '%i %P\n' | sort -k2) >"$work/inodes.before"
result=$( { /usr/bin/time -f '%e %U %S' "$bin" build -q --root "$work/versioned" --out "$out"; } 2>&1 | tail -n 1)
mv "$work/page.bak" "$page"
(cd "$out" && find . -type f -printf '%i %P\n' | sort -k2) >"$work/inodes.after"
# A file whose inode changed was written again; the rest were hard-linked from before.
rewritten=$(join -1 2 -2 2 "$work/inodes.before" "$work/inodes.after" | awk '$2 != $3' | wc -l)
files=$(wc -l <"$work/inodes.after")
read -r wall user sys <<<"$result"
echo "rebuild after one page of $edited changed: $wall s wall, $(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') s CPU (clean: $ver_wall s); $rewritten of $files files written again, the rest linked unchanged"
rm -rf "$out" "$shm/gatehouse-bench-flat"
