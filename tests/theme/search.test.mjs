// Checks the theme's search engine (themes/default/static/js/search.js) under Node:
// its terms against the vectors the Rust tokeniser is tested with
// (generator/tests/search_vectors.json), and decoding and searching the index the build
// writes for this repository's own site.
//
// Run from the repository root: node --test tests/theme/
// The site is built with GATEHOUSE_BIN, else $CARGO_TARGET_DIR (or target)/debug/gatehouse,
// built with cargo when missing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const root = fileURLToPath(new URL("../../", import.meta.url));
const source = readFileSync(join(root, "themes/default/static/js/search.js"), "utf8");
const vectors = JSON.parse(readFileSync(join(root, "generator/tests/search_vectors.json"), "utf8"));

// The script exports its engine when there is no `document`.
const context = { TextDecoder };
vm.runInNewContext(source, context);
const engine = context.GatehouseSearch;
// Values made in the script's context have that context's prototypes: compare copies.
const plain = (value) => JSON.parse(JSON.stringify(value));

function gatehouse() {
  if (process.env.GATEHOUSE_BIN) return process.env.GATEHOUSE_BIN;
  const bin = join(process.env.CARGO_TARGET_DIR || join(root, "target"), "debug/gatehouse");
  if (!existsSync(bin)) execFileSync("cargo", ["build", "-q", "-p", "gatehouse"], { cwd: root, stdio: "inherit" });
  return bin;
}

let out;
let fetched;
let search;

before(() => {
  out = mkdtempSync(join(tmpdir(), "gatehouse-search-"));
  execFileSync(gatehouse(), ["build", "-q", "--root", root, "--out", out], { stdio: "inherit" });
  fetched = [];
  search = engine.createSearch(async (path, kind) => {
    fetched.push(path);
    const bytes = readFileSync(join(out, path));
    return kind === "json" ? JSON.parse(bytes.toString("utf8")) : new Uint8Array(bytes);
  });
});

after(() => rmSync(out, { recursive: true, force: true }));

test("terms follow the shared vectors, as the Rust tokeniser does", () => {
  assert.ok(vectors.length >= 10);
  for (const vector of vectors) {
    assert.deepEqual(plain(engine.tokens(vector.text).map((t) => t.term)), vector.terms, JSON.stringify(vector.text));
  }
  // Offsets point at the words as written.
  const text = "Ça va, café_au lait";
  assert.deepEqual(plain(engine.tokens(text).map((t) => text.slice(t.start, t.end))), ["Ça", "va", "café", "au", "lait"]);
});

test("every chunk decodes, its terms sorted and where meta.json says they are", () => {
  const meta = JSON.parse(readFileSync(join(out, "search/meta.json"), "utf8"));
  assert.equal(meta.version, 1);
  assert.ok(meta.pages > 5 && meta.chunks.length >= 1);
  const files = readdirSync(join(out, "search/index"));
  assert.equal(files.length, meta.chunks.length);
  let previous = null;
  meta.chunks.forEach((first, n) => {
    const chunk = engine.decodeChunk(new Uint8Array(readFileSync(join(out, `search/index/${n}.bin`))));
    assert.ok(chunk.terms.length > 0);
    for (const [i, term] of chunk.terms.entries()) {
      if (previous !== null) assert.equal(engine.compare(previous, term), -1, `${previous} < ${term}`);
      assert.ok(engine.compare(first, term) <= 0, `${first} <= ${term}`);
      if (n + 1 < meta.chunks.length) assert.equal(engine.compare(term, meta.chunks[n + 1]), -1);
      const entry = chunk.entries[i];
      assert.ok(entry.pages.length <= entry.df && entry.pages.every((p) => p < meta.pages));
      previous = term;
    }
  });
  assert.equal(engine.compare("z", "é"), -1);
  assert.equal(engine.compare("\uffff", "\u{10000}"), -1, "code points, not UTF-16 units");
});

async function titles(query) {
  const found = await search.search(query);
  const pages = await search.pages(found.hits.slice(0, 8).map((h) => h.page));
  return { found, pages, titles: pages.map((p) => p.title) };
}

test("a word ranks title matches first, and reads only what it needs", async () => {
  fetched.length = 0;
  const { found, pages, titles: list } = await titles("runtime");
  assert.equal(list[0], "Configure a runtime");
  assert.equal(pages[0].url, "/konnect/legacy/getting-started/configure-runtime/");
  assert.ok(found.hits.length >= 3, "the word is in several pages");
  for (let i = 1; i < found.hits.length; i++) {
    const [a, b] = [found.hits[i - 1], found.hits[i]];
    assert.ok(a.score > b.score || (a.score === b.score && a.page < b.page), "by score, then page");
  }
  // Title > headings > text: the title match outranks every text-only match.
  assert.ok(found.hits[0].score > found.hits[found.hits.length - 1].score);
  assert.equal(fetched[0], "/search/meta.json");
  assert.ok(fetched.filter((p) => p.startsWith("/search/index/")).length === 1, fetched.join());
  assert.ok(fetched.every((p) => p.startsWith("/search/")));
});

test("the word being typed is a prefix; every word must match", async () => {
  assert.equal((await titles("runt")).titles[0], "Configure a runtime");
  assert.equal((await titles("configure runtime")).titles[0], "Configure a runtime");
  assert.equal((await search.search("runtime zzzqqq")).hits.length, 0);
  assert.equal((await search.search("zzzqqq")).hits.length, 0);
  assert.equal((await search.search("  !! ")).words.length, 0);
  // A finished word (space after) is not a prefix.
  assert.deepEqual(plain(search.parse("runt ")), [{ term: "runt", prefix: false }]);
  assert.deepEqual(plain(search.parse("Run runt")), [{ term: "run", prefix: false }, { term: "runt", prefix: true }]);
});

test("titles and snippets mark the query's words", async () => {
  const { found, pages } = await titles("runtime");
  const title = engine.marked(pages[0].title, found.words);
  assert.deepEqual(plain(title.map((p) => [p.text, p.mark])), [["Configure a ", false], ["runtime", true]]);
  // A fragment keeps the start of its page's text: where that (or a heading) has the
  // word, the snippet shows it marked; else the snippet is the start of the text.
  let shown = 0;
  for (const page of pages) {
    const pieces = engine.marked(engine.snippet(page, found.words), found.words);
    const has = [page.text, ...page.headings].some((t) => /runtime/i.test(t));
    assert.equal(pieces.some((p) => p.mark && p.text.toLowerCase().startsWith("runtime")), has, JSON.stringify(pieces));
    if (has) shown++;
  }
  assert.ok(shown >= 2, "most results show the word in context");
  const prefix = engine.marked("Runtimes and a runtime, not run", [{ term: "runtime", prefix: true }]);
  assert.deepEqual(plain(prefix.filter((p) => p.mark).map((p) => p.text)), ["Runtimes", "runtime"]);
});

test("versioned docs: the reader's release and the pages of no release, or every release", async () => {
  const meta = JSON.parse(readFileSync(join(out, "search/meta.json"), "utf8"));
  assert.deepEqual(plain(meta.releases.map((r) => [r.prefix, r.latest])), [["/gateway/3.4.x/", true], ["/gateway/3.3.x/", false]]);
  const urls = async (options) => {
    const found = await search.search("DB-less mode", options);
    return plain((await search.pages(found.hits.map((h) => h.page))).map((f) => f.url)).sort();
  };
  assert.deepEqual(await urls({ path: "/gateway/3.3.x/install/" }), ["/gateway/3.3.x/install/"]);
  assert.deepEqual(await urls({ path: "/gateway/3.4.x/" }), ["/gateway/3.4.x/install/"]);
  assert.deepEqual(await urls({ path: "/konnect/legacy/access-account/" }), ["/gateway/3.4.x/install/"], "a page of no release searches the latest");
  assert.deepEqual(await urls({ path: "/gateway/3.3.x/install/", all: true }), ["/gateway/3.3.x/install/", "/gateway/3.4.x/install/"]);
  // Pages of no release are found from a release's page too.
  const konnect = await search.search("runtime", { path: "/gateway/3.3.x/install/" });
  assert.ok(konnect.hits.length > 0);
});
