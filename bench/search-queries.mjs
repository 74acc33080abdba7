// What a reader's first query downloads from a built site's search index, simulated:
// the theme's own engine (themes/default/static/js/search.js, run under Node) fetches
// from the output folder, and every file it reads is counted raw and gzipped (level 6,
// as a static host compresses). Used by bench/search.sh.
//
//   node bench/search-queries.mjs OUT [QUERY...]
//   node bench/search-queries.mjs OUT --typed "route balancers" [--path /docs/r03/] [--every-letter]
//
// `--typed`: the query typed a letter at a time, as the search box runs it (a search and
// the fragments of its first 8 results at every letter, one cache for the whole typing),
// every request counted; `--path` is the reader's page (versioned docs search its
// release).
//
// Without queries it picks typical ones from the index itself: the most common word, a
// word of one page, two words, and a two-letter prefix; "compression" is added so the
// browser test's figure (tests/browser/search.test.mjs) can be compared.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { gzipSync } from "node:zlib";

const [out, ...given] = process.argv.slice(2);
const root = fileURLToPath(new URL("../", import.meta.url));
const context = { TextDecoder };
vm.runInNewContext(readFileSync(join(root, "themes/default/static/js/search.js"), "utf8"), context);
const engine = context.GatehouseSearch;
const meta = JSON.parse(readFileSync(join(out, "search/meta.json"), "utf8"));

function typicalQueries() {
  // The df of every term (reading every chunk: fine for a benchmark).
  const terms = [];
  for (const name of readdirSync(join(out, "search/index"))) {
    const chunk = engine.decodeChunk(new Uint8Array(readFileSync(join(out, "search/index", name))));
    chunk.terms.forEach((term, i) => terms.push({ term, df: chunk.entries[i].df }));
  }
  const words = terms.filter((t) => /^[a-z]{4,}$/.test(t.term));
  words.sort((a, b) => b.df - a.df || (a.term < b.term ? -1 : 1));
  const common = words[0].term;
  const rare = words.find((t) => t.df === 1)?.term ?? words[words.length - 1].term;
  const middle = words[Math.floor(words.length / 4)].term;
  return [common, rare, `${words[1].term} ${middle}`, common.slice(0, 2), "compression"];
}

async function measure(query) {
  const files = [];
  const search = engine.createSearch(async (path, kind) => {
    const bytes = readFileSync(join(out, path));
    files.push({ path, raw: bytes.length, gzip: gzipSync(bytes, { level: 6 }).length });
    return kind === "json" ? JSON.parse(bytes.toString("utf8")) : new Uint8Array(bytes);
  });
  const found = await search.search(query);
  await search.pages(found.hits.slice(0, 8).map((h) => h.page));
  const sum = (key) => files.reduce((s, f) => s + f[key], 0);
  const kinds = (prefix) => files.filter((f) => f.path.startsWith(prefix)).length;
  return { query, hits: found.hits.length, capped: found.capped, files: files.length, chunks: kinds("/search/index/"),
    fragments: kinds("/search/pages/"), raw: sum("raw"), gzip: sum("gzip") };
}

if (given[0] === "--typed") {
  const typed = given[1];
  const at = given.indexOf("--path");
  const options = at > 0 ? { path: given[at + 1] } : {};
  const files = [];
  const search = engine.createSearch(async (path, kind) => {
    const bytes = readFileSync(join(out, path));
    files.push({ path, raw: bytes.length, gzip: gzipSync(bytes, { level: 6 }).length });
    return kind === "json" ? JSON.parse(bytes.toString("utf8")) : new Uint8Array(bytes);
  });
  // The search box starts a search once typing pauses 300 ms (search.js DEBOUNCE_MS).
  // `--every-letter` searches at every letter (a slow typist, or no pause rule); else a
  // person at about 60 words a minute: 200 ms between letters, 600 ms after a word.
  const every = given.includes("--every-letter");
  for (let i = 1; i <= typed.length; i++) {
    const pause = i === typed.length ? Infinity : typed[i - 1] === " " ? 600 : 200;
    if (!every && pause < 300) continue;
    const found = await search.search(typed.slice(0, i), options);
    await search.pages(found.hits.slice(0, 8).map((h) => h.page));
  }
  const sum = (key, prefix = "") => files.filter((f) => f.path.startsWith(prefix)).reduce((s, f) => s + f[key], 0);
  const count = (prefix) => files.filter((f) => f.path.startsWith(prefix)).length;
  console.log(`typed ${JSON.stringify(typed)}${every ? " (a search at every letter)" : ""}${options.path ? ` from ${options.path}` : ""}: ${files.length} requests, ${(sum("raw") / 1024).toFixed(1)} KiB raw, ${(sum("gzip") / 1024).toFixed(1)} KiB gzip (${meta.pages} pages; chunks ${count("/search/index/")} = ${(sum("gzip", "/search/index/") / 1024).toFixed(1)} KiB, fragments ${count("/search/pages/")} = ${(sum("gzip", "/search/pages/") / 1024).toFixed(1)} KiB)`);
  process.exit(0);
}
const queries = given.length ? given : typicalQueries();
console.log(`site: ${meta.pages} pages, ${meta.chunks.length} index chunks, meta.json ${readFileSync(join(out, "search/meta.json")).length} bytes`);
for (const query of queries) {
  const m = await measure(query);
  console.log(`query ${JSON.stringify(m.query).padEnd(28)} ${String(m.hits).padStart(6)}${m.capped ? "+" : " "} hits  ` +
    `files ${m.files} (meta 1, chunks ${m.chunks}, fragments ${m.fragments})  ${(m.raw / 1024).toFixed(1)} KiB raw, ${(m.gzip / 1024).toFixed(1)} KiB gzip`);
}
