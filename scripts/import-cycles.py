#!/usr/bin/env python3
"""Fails when a module of the project imports one that imports it back, directly or
through others (run by scripts/test-all.sh).

    python3 scripts/import-cycles.py [CRATE_SRC_DIR...]     default: every crate's src/

For each crate, every file is a module (`a/b.rs` and `a/b/mod.rs` are `crate::a::b`),
and each path a file names (`use` trees, and `crate::`/`super::`/`self::` paths in the
code) is an arrow to the file that defines what it names: a name a module re-exports
(`pub use`) is followed to the module that defines it, so `use crate::Edge` points at
where `Edge` lives, not at `lib.rs`. `mod` declarations are not arrows, and a file's
`#[cfg(test)] mod tests` is left out (tests belong to their file). Prints each cycle
as the files around it, with the names that tie them, and exits 1 if there is one.

Why not cargo-modules: it needs a nightly-era rust-analyzer build and minutes of
compilation on a fresh machine; this reads the sources in well under a second.
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRATES = ["generator/src", "edge/src", "fuzz/src"]
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def modules(src):
    """{module path tuple: file} for the library crate rooted at src/lib.rs."""
    found = {}
    for dirpath, _, files in os.walk(src):
        for name in files:
            if not name.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, name), src)
            parts = rel[:-3].split(os.sep)
            if parts == ["lib"]:
                found[()] = os.path.join(dirpath, name)
            elif parts[0] in ("main", "bin"):
                continue  # binaries are crates of their own
            else:
                if parts[-1] == "mod":
                    parts = parts[:-1]
                found[tuple(parts)] = os.path.join(dirpath, name)
    return found


def code_of(path):
    text = open(path, encoding="utf-8").read()
    cut = re.search(r"#\[cfg\(test\)\]\s*mod\s+tests\s*\{", text)
    if cut:
        text = text[: cut.start()]
    text = re.sub(r"//[^\n]*", "", text)  # comments, doc comments included
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)  # string literals
    return text


def use_trees(code):
    """Every path of every `use` statement, as (is_pub, [segments])."""
    out = []
    for m in re.finditer(r"(\bpub(?:\([^)]*\))?\s+)?\buse\s+([^;]+);", code):
        is_pub = bool(m.group(1))
        for path in expand(m.group(2).replace("\n", " ")):
            out.append((is_pub, path))
    return out


def expand(tree):
    """`a::{b, c::{d, e}}` -> [[a, b], [a, c, d], [a, c, e]]."""
    tree = tree.strip()
    depth, split = 0, None
    for i, ch in enumerate(tree):
        if ch == "{":
            if depth == 0 and split is None:
                split = i
            depth += 1
        elif ch == "}":
            depth -= 1
    if split is None:
        path = re.sub(r"\s+as\s+" + IDENT + "$", "", tree)
        return [[p.strip() for p in path.split("::") if p.strip()]]
    prefix = [p.strip() for p in tree[:split].split("::") if p.strip()]
    inner = tree[split + 1 : tree.rindex("}")]
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    parts.append(inner[start:])
    out = []
    for part in parts:
        if not part.strip():
            continue
        for sub in expand(part):
            out.append(prefix + [s for s in sub if s != "self"] if sub != ["self"] else prefix)
    return out


def absolute(path, module, mods):
    """A path as seen from `module`, made absolute from the crate root; None if it
    names another crate."""
    if not path:
        return None
    head, rest = path[0], path[1:]
    if tuple(module) + (head,) in mods:  # a child module, named without `self::`
        return list(module) + list(path)
    if head == "crate":
        return list(rest)
    if head == "self":
        return list(module) + list(rest)
    if head == "super":
        base = list(module)
        while path and path[0] == "super":
            base = base[:-1]
            path = path[1:]
        return base + list(path)
    return None


def analyse(src):
    mods = modules(src)
    uses = {}
    reexports = {}  # module -> {name: absolute path}
    for module, file in mods.items():
        code = code_of(file)
        found = []
        for is_pub, path in use_trees(code):
            target = absolute(path, module, mods)
            if target is None:
                continue
            found.append(target)
            if is_pub and target and target[-1] != "*":
                reexports.setdefault(module, {})[target[-1]] = target
        stripped = re.sub(r"\buse\s+[^;]+;", "", code)
        for m in re.finditer(r"(?<![:\w])" + IDENT + r"(?:::" + IDENT + ")+", stripped):
            target = absolute(m.group(0).split("::"), module, mods)
            if target is not None:
                found.append(target)
        uses[module] = found

    def resolve(target, hops=0):
        """The module defining what `target` names, and the name."""
        target = [t for t in target if t != "*"]
        for n in range(len(target), -1, -1):
            prefix = tuple(target[:n])
            if prefix in mods:
                name = target[n] if n < len(target) else None
                again = reexports.get(prefix, {}).get(name) if name else None
                if again and hops < 8 and again != target:
                    return resolve(again, hops + 1)
                return prefix, name or "*"
        return None, None

    arrows = {}
    for module, targets in uses.items():
        for target in targets:
            to, name = resolve(target)
            if to is None or to == module:
                continue
            # A re-export is what its module passes on, not something it uses.
            if module in reexports and target in reexports[module].values():
                continue
            arrows.setdefault(module, {}).setdefault(to, set()).add(name)
    return mods, arrows


def cycles(arrows):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in arrows.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(arrows):
        if v not in index:
            visit(v)
    return out


def self_test():
    """The check finds a cycle through a re-export and a child module, and passes the
    same crate once it is broken: so a check that passes cannot be one that sees
    nothing."""
    import tempfile

    with tempfile.TemporaryDirectory() as src:
        files = {
            "lib.rs": "mod a;\nmod b;\npub use crate::a::Thing;\n",
            "a.rs": "use crate::b::other;\npub struct Thing;\n",
            "b.rs": "pub fn other() -> crate::Thing { crate::Thing }\n",
        }
        for name, text in files.items():
            with open(os.path.join(src, name), "w") as f:
                f.write(text)
        _, arrows = analyse(src)
        assert cycles(arrows) == [[("a",), ("b",)]], cycles(arrows)
        with open(os.path.join(src, "b.rs"), "w") as f:
            f.write("pub fn other() {}\n")
        _, arrows = analyse(src)
        assert cycles(arrows) == [], cycles(arrows)
    print("self-test: a cycle through a re-export is found, and its absence passes")


def main():
    sys.setrecursionlimit(10000)
    self_test()
    crates = sys.argv[1:] or [os.path.join(ROOT, c) for c in CRATES]
    bad = 0
    for src in crates:
        mods, arrows = analyse(src)
        found = cycles(arrows)
        bad += len(found)
        for comp in found:
            files = [os.path.relpath(mods[m], ROOT) for m in comp]
            print(f"import cycle: {', '.join(files)}")
            for a in comp:
                for b, names in sorted(arrows.get(a, {}).items()):
                    if b in comp:
                        print(f"  {os.path.relpath(mods[a], ROOT)} -> "
                              f"{os.path.relpath(mods[b], ROOT)}: {', '.join(sorted(names))}")
        count = sum(len(t) for t in arrows.values())
        print(f"{os.path.relpath(src, ROOT)}: {len(mods)} modules, {count} arrows, "
              f"{'no cycle' if not found else f'{len(found)} cycles above'}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
