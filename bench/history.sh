#!/usr/bin/env bash
# What reading the git history for "Last updated" costs. Not a test: it prints figures.
#
#   bash bench/history.sh [PAGES] [COMMITS] [RUNS]      defaults: 10000 1000 3
#
# From ../shared/bench/gen_corpus.py's corpus (--flavor gatehouse) it makes a git
# repository of the site committed in COMMITS commits: the first adds the site's own
# files, each of the others adds an equal share of the pages, and every tenth also edits
# a hundred pages added earlier, so each page's last change is in a different commit and
# the walk goes back through the whole history. It then prints the median time
# `gatehouse build -v` reports for the history (`git history: N ms`, history.rs: one pass
# over the history) and the median CPU of clean builds to memory with and without the
# repository (the same site copied without .git). Target: the history within 1 s.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
pages=${1:-10000}
commits=${2:-1000}
runs=${3:-3}
corpus=$(corpus "$pages")
repo=$bench_dir/history-$pages-$commits
if [ ! -f "$repo/done" ]; then
  rm -rf "$repo"
  cp -r "$corpus/gatehouse" "$repo"
  python3 - "$repo" "$commits" <<'PY'
import os, subprocess, sys
repo, commits = sys.argv[1], int(sys.argv[2])
env = dict(os.environ, GIT_AUTHOR_NAME="Writer", GIT_AUTHOR_EMAIL="w@example.com",
           GIT_COMMITTER_NAME="Writer", GIT_COMMITTER_EMAIL="w@example.com")
def git(*args, date=None):
    e = dict(env)
    if date is not None:
        e["GIT_AUTHOR_DATE"] = e["GIT_COMMITTER_DATE"] = f"{date} +0000"
    subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=repo, env=e, check=True,
                   stdout=subprocess.DEVNULL)
content = os.path.join(repo, "content")
pages = sorted(os.path.relpath(os.path.join(d, f), repo)
               for d, _, fs in os.walk(content) for f in fs if f.endswith(".md"))
git("init", "-q", "-b", "main")
# A stream for git fast-import (much faster than a process per commit); each commit
# of the stream follows the one before on the branch.
start = 1_700_000_000
others = [os.path.relpath(os.path.join(d, f), repo) for d, _, fs in os.walk(repo)
          if "/.git" not in d + "/" and not d.startswith(content) for f in fs]
share = -(-len(pages) // (commits - 1))
stream = bytearray()
def commit(n, files, message):
    global stream
    stream += b"commit refs/heads/main\n"
    stream += b"committer Writer <w@example.com> %d +0000\n" % (start + n * 3600)
    stream += b"data %d\n%s\n" % (len(message), message.encode())
    for path, suffix in files:
        data = open(os.path.join(repo, path), "rb").read() + suffix.encode()
        stream += b"M 100644 inline %s\ndata %d\n" % (path.encode(), len(data)) + data + b"\n"
commit(0, [(p, "") for p in others if p != "done"], "the site")
for n in range(1, commits):
    added = pages[(n - 1) * share:n * share]
    edited = []
    if n % 10 == 0:
        edited = [(p, f"\nEdited in commit {n}.\n") for p in pages[:(n - 1) * share][::7][:100]]
    commit(n, [(p, "") for p in added] + edited, f"commit {n}")
subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=bytes(stream), check=True)
subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=repo, check=True)
PY
  touch "$repo/done"
  echo done >> "$repo/.git/info/exclude"
fi
build_release
plain=$bench_dir/history-plain-$pages
rm -rf "$plain" && cp -r "$repo" "$plain" && rm -rf "$plain/.git"
out="$shm/gatehouse-bench-history"
echo "$pages pages in $(git -C "$repo" rev-list --count HEAD) commits, $runs runs, $(nproc) cores"
times=()
for _ in $(seq "$runs"); do
  rm -rf "$out"
  ms=$("$bin" build -v --root "$repo" --out "$out" 2>&1 | sed -n 's/.*git history: \([0-9]*\) ms.*/\1/p')
  times+=("$ms")
done
dated=$(grep -c '<lastmod>' "$out/sitemap.xml")
echo "history read: median $(printf '%s\n' "${times[@]}" | median) ms (target <= 1000 ms); $dated sitemap entries dated"
read -r git_wall git_cpu _ <<<"$(clean_builds "$repo" "$out" "$runs")"
read -r plain_wall plain_cpu _ <<<"$(clean_builds "$plain" "$out" "$runs")"
rm -rf "$out"
echo "clean build in git:      median $git_wall s wall, $git_cpu s CPU"
echo "clean build outside git: median $plain_wall s wall, $plain_cpu s CPU"
