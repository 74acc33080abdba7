// Search the docs in the browser, over the index the build writes under /search/
// (generator/src/search/mod.rs describes the files): a query reads /search/meta.json,
// the index chunks its words fall in, and the page fragments of the results it shows.
// Progressive enhancement: without JavaScript the search box stays hidden and nothing
// else changes. Under Node (no `document`) the engine is exported as
// `globalThis.GatehouseSearch` for tests/theme/search.test.mjs.
(function () {
  "use strict";

  var FORMAT_VERSION = 1;
  var MAX_TERM_CHARS = 40;
  // A word being typed is a prefix; it reads at most this many chunks (the first ones of
  // its range: a one- or two-letter prefix of a large site spans many).
  var MAX_PREFIX_CHUNKS = 2;
  // Points per field (text, repeated in the text, heading, title); an exact word, not
  // only a prefix of one, adds EXACT.
  var WEIGHTS = [1, 2, 4, 8];
  var EXACT = 1;

  // ---- The one rule for terms: generator/src/search/tokenize.rs, same vectors. ----
  var WORD = /[\p{Alphabetic}\p{N}\p{M}]+/gu;
  var MARKS = /\p{M}/gu;
  var ASCII = /^[\x00-\x7f]*$/;

  function normalize(word) {
    var folded = ASCII.test(word) ? word.toLowerCase() : word.normalize("NFD").replace(MARKS, "").toLowerCase();
    var out = "";
    var n = 0;
    for (var ch of folded) {
      if (n++ === MAX_TERM_CHARS) break;
      out += ch;
    }
    return out;
  }

  // Every word of `text`: where it is (UTF-16 offsets) and its term.
  function tokens(text) {
    var out = [];
    var match;
    WORD.lastIndex = 0;
    while ((match = WORD.exec(text))) {
      var term = normalize(match[0]);
      if (term) out.push({ start: match.index, end: match.index + match[0].length, term: term });
    }
    return out;
  }

  // Code point order, the order of the index (Rust sorts UTF-8 bytes: the same).
  function compare(a, b) {
    var i = 0;
    while (i < a.length && i < b.length) {
      var x = a.codePointAt(i);
      var y = b.codePointAt(i);
      if (x !== y) return x < y ? -1 : 1;
      i += x > 0xffff ? 2 : 1;
    }
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  }

  // ---- Index chunks (format: generator/src/search/format.rs). ----
  function decodeChunk(bytes) {
    var at = 0;
    function varint() {
      var value = 0;
      var scale = 1;
      for (;;) {
        if (at >= bytes.length) throw new Error("search index chunk is cut short");
        var byte = bytes[at++];
        value += (byte & 0x7f) * scale;
        if (byte < 0x80) return value;
        scale *= 128;
      }
    }
    var decoder = new TextDecoder();
    var count = varint();
    var terms = [];
    var entries = [];
    var previous = new Uint8Array(0);
    for (var t = 0; t < count; t++) {
      var shared = varint();
      var length = varint();
      var name = new Uint8Array(shared + length);
      name.set(previous.subarray(0, shared));
      name.set(bytes.subarray(at, at + length), shared);
      at += length;
      previous = name;
      var df = varint();
      var n = varint();
      var pages = new Array(n);
      var fields = new Array(n);
      var page = 0;
      for (var i = 0; i < n; i++) {
        var value = varint();
        page += Math.floor(value / 4);
        pages[i] = page;
        fields[i] = value % 4;
      }
      terms.push(decoder.decode(name));
      entries.push({ df: df, pages: pages, fields: fields });
    }
    return { terms: terms, entries: entries };
  }

  // The first index in sorted `list` whose item is >= `term`.
  function lowerBound(list, term) {
    var lo = 0;
    var hi = list.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (compare(list[mid], term) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // `fetchFile(path, "json" | "bytes")` resolves to parsed JSON or a Uint8Array.
  function createSearch(fetchFile) {
    var meta = null;
    var chunks = {};
    var fragments = {};

    function cached(store, key, load) {
      if (!store[key]) {
        store[key] = load();
        // A failed fetch may succeed later (the dev server restarting, say).
        store[key].catch(function () { delete store[key]; });
      }
      return store[key];
    }

    function loadMeta() {
      if (!meta) {
        meta = fetchFile("/search/meta.json", "json").then(function (data) {
          if (data.version !== FORMAT_VERSION) throw new Error("search index format " + data.version);
          return data;
        });
        meta.catch(function () { meta = null; });
      }
      return meta;
    }

    // The chunk that holds `term`: the last whose first string is <= it.
    function chunkOf(info, term) {
      var i = lowerBound(info.chunks, term);
      if (i < info.chunks.length && info.chunks[i] === term) return i;
      return i - 1;
    }

    function chunksFor(info, word) {
      if (!info.chunks.length) return [];
      var first = Math.max(0, chunkOf(info, word.term));
      if (!word.prefix) return [first];
      var last = Math.max(0, chunkOf(info, word.term + "\u{10FFFF}"));
      var out = [];
      for (var i = first; i <= last && out.length < MAX_PREFIX_CHUNKS; i++) out.push(i);
      return out;
    }

    function loadChunk(n) {
      return cached(chunks, n, function () {
        return fetchFile("/search/index/" + n + ".bin", "bytes").then(decodeChunk);
      });
    }

    function loadFragments(n) {
      return cached(fragments, n, function () {
        return fetchFile("/search/pages/" + n + ".json", "json");
      });
    }

    // The pages a word matches: page → points, whether its postings were capped (a common
    // word: it ranks but does not filter), and how many pages have it.
    function matches(word, loaded) {
      var points = new Map();
      var capped = false;
      var df = 0;
      function take(entry, exact) {
        if (entry.pages.length < entry.df) capped = true;
        df = Math.max(df, entry.df);
        for (var i = 0; i < entry.pages.length; i++) {
          var p = WEIGHTS[entry.fields[i]] + (exact ? EXACT : 0);
          var had = points.get(entry.pages[i]);
          if (had === undefined || had < p) points.set(entry.pages[i], p);
        }
      }
      loaded.forEach(function (chunk) {
        var i = lowerBound(chunk.terms, word.term);
        for (; i < chunk.terms.length; i++) {
          var term = chunk.terms[i];
          if (term === word.term) take(chunk.entries[i], true);
          else if (word.prefix && term.startsWith(word.term)) take(chunk.entries[i], false);
          else break;
        }
      });
      return { points: points, capped: capped, df: df };
    }

    // The query's words; the last is a prefix while it is being typed (no space after).
    function parse(query) {
      var list = tokens(query);
      var words = [];
      list.forEach(function (token, i) {
        var prefix = i === list.length - 1 && token.end === query.length;
        var same = words.find(function (w) { return w.term === token.term; });
        if (same) same.prefix = same.prefix && prefix;
        else words.push({ term: token.term, prefix: prefix });
      });
      return words;
    }

    // Ranked pages for `query`: { words, hits: [{ page, score }], capped }. Every word must
    // match, except common words (capped postings), which only add points; if every word
    // is common, every word must match among the postings kept. With versioned docs
    // (`releases` in meta.json), `options.path` (the reader's page) keeps the results to
    // its release and the pages of no release; a page of no release searches the latest
    // releases. `options.all` searches every release.
    function search(query, options) {
      var words = parse(query);
      if (!words.length) return Promise.resolve({ words: words, hits: [], capped: false });
      return loadMeta().then(function (info) {
        var allowed = scope(info.releases || [], options || {});
        return Promise.all(words.map(function (word) {
          return Promise.all(chunksFor(info, word).map(loadChunk));
        })).then(function (loaded) {
          var found = words.map(function (word, i) { return matches(word, loaded[i]); });
          var required = found.filter(function (m) { return !m.capped; });
          if (!required.length) required = found;
          required.sort(function (a, b) { return a.points.size - b.points.size; });
          var hits = [];
          required[0].points.forEach(function (_, page) {
            if (!allowed(page)) return;
            for (var i = 1; i < required.length; i++) if (!required[i].points.has(page)) return;
            var score = 0;
            found.forEach(function (m) { score += m.points.get(page) || 0; });
            hits.push({ page: page, score: score });
          });
          hits.sort(function (a, b) { return b.score - a.score || a.page - b.page; });
          return {
            words: words,
            hits: hits,
            capped: found.some(function (m) { return m.capped; })
          };
        });
      });
    }

    // Which page numbers a search keeps (see `search`).
    function scope(releases, options) {
      if (options.all || !releases.length) return function () { return true; };
      var path = options.path || "";
      var mine = releases.filter(function (r) { return path.indexOf(r.prefix) === 0; });
      var keep = mine.length ? mine : releases.filter(function (r) { return r.latest; });
      var within = function (list, page) {
        return list.some(function (r) { return page >= r.first && page < r.end; });
      };
      return function (page) { return !within(releases, page) || within(keep, page); };
    }

    // The fragments (title, url, headings, text) of `pages`.
    function pagesOf(pages) {
      return loadMeta().then(function (info) {
        var size = info.fragment_pages;
        return Promise.all(pages.map(function (page) {
          return loadFragments(Math.floor(page / size)).then(function (group) {
            return group[page % size];
          });
        })).then(function (found) {
          // A fragment file from another build than the chunk (a deploy mid-query) may
          // lack a page: it is left out rather than shown broken.
          return found.filter(Boolean);
        });
      });
    }

    return { search: search, pages: pagesOf, parse: parse, meta: loadMeta };
  }

  // Whether token term `term` is one of the query's words.
  function isMatch(term, words) {
    return words.some(function (w) {
      return w.term === term || (w.prefix && term.startsWith(w.term));
    });
  }

  // `text` split into pieces, each { text, mark }: the words of the query marked.
  function marked(text, words) {
    var pieces = [];
    var at = 0;
    tokens(text).forEach(function (token) {
      if (!isMatch(token.term, words)) return;
      if (token.start > at) pieces.push({ text: text.slice(at, token.start), mark: false });
      pieces.push({ text: text.slice(token.start, token.end), mark: true });
      at = token.end;
    });
    if (at < text.length) pieces.push({ text: text.slice(at), mark: false });
    return pieces;
  }

  // A few words of the page around the first match: in its text, else a heading, else
  // the start of its text.
  function snippet(fragment, words) {
    var text = fragment.text;
    var list = tokens(text);
    for (var i = 0; i < list.length; i++) {
      if (!isMatch(list[i].term, words)) continue;
      var start = Math.max(0, list[i].start - 50);
      var end = Math.min(text.length, list[i].end + 90);
      if (start > 0) {
        var space = text.indexOf(" ", start);
        if (space !== -1 && space < list[i].start) start = space + 1;
      }
      if (end < text.length) {
        var last = text.lastIndexOf(" ", end);
        if (last > list[i].end) end = last;
      }
      return (start > 0 ? "\u2026" : "") + text.slice(start, end) + (end < text.length ? "\u2026" : "");
    }
    for (var h = 0; h < fragment.headings.length; h++) {
      if (tokens(fragment.headings[h]).some(function (t) { return isMatch(t.term, words); })) {
        return fragment.headings[h];
      }
    }
    return text.slice(0, 140) + (text.length > 140 ? "\u2026" : "");
  }

  var engine = { tokens: tokens, normalize: normalize, compare: compare, decodeChunk: decodeChunk,
    createSearch: createSearch, marked: marked, snippet: snippet };
  if (typeof document === "undefined") {
    globalThis.GatehouseSearch = engine;
    return;
  }

  // ---- The search box. ----
  var box = document.querySelector("[data-search]");
  if (!box || !window.fetch) return;
  var input = box.querySelector("input");
  var results = document.getElementById("site-search-results");
  var status = document.getElementById("site-search-status");
  var MAX_RESULTS = 8;
  box.hidden = false;

  var index = createSearch(function (path, kind) {
    return fetch(path).then(function (response) {
      if (!response.ok) throw new Error("search index: " + response.status);
      return kind === "json" ? response.json() : response.arrayBuffer().then(function (b) { return new Uint8Array(b); });
    });
  });

  // The pieces as DOM nodes: text nodes and <mark>s, never HTML.
  function nodes(pieces) {
    var fragment = document.createDocumentFragment();
    pieces.forEach(function (piece) {
      if (piece.mark) {
        var mark = document.createElement("mark");
        mark.textContent = piece.text;
        fragment.appendChild(mark);
      } else {
        fragment.appendChild(document.createTextNode(piece.text));
      }
    });
    return fragment;
  }

  function clear() {
    results.replaceChildren();
    results.hidden = true;
    status.textContent = "";
  }

  function show(query, found, shown) {
    results.replaceChildren();
    if (!found.hits.length) {
      var none = document.createElement("p");
      none.className = "site-search-empty";
      none.textContent = "No pages match \u201c" + query.trim() + "\u201d.";
      results.appendChild(none);
    } else {
      var list = document.createElement("ol");
      shown.forEach(function (fragment) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = fragment.url;
        var title = document.createElement("span");
        title.className = "site-search-title";
        title.appendChild(nodes(marked(fragment.title, found.words)));
        var where = document.createElement("span");
        where.className = "site-search-context";
        where.appendChild(nodes(marked(snippet(fragment, found.words), found.words)));
        link.append(title, where);
        item.appendChild(link);
        list.appendChild(item);
      });
      results.appendChild(list);
    }
    results.hidden = false;
    var count = found.hits.length;
    status.textContent = count === 0 ? "No pages match."
      : count === 1 ? "1 page matches."
      : (found.capped ? "Many pages match" : count + " pages match")
        + (count > MAX_RESULTS ? "; the first " + MAX_RESULTS + " are listed." : ".");
  }

  // "All releases", shown when the site has versioned docs.
  var everyRelease = box.querySelector("[data-search-all]");
  // A search starts once typing pauses this long, as Pagefind's UI does: a person
  // typing a word a letter at a time would otherwise download the chunks and result
  // fragments of every prefix (bench/search-queries.mjs --typed).
  var DEBOUNCE_MS = 300;
  var pending = null;
  function schedule() {
    clearTimeout(pending);
    pending = setTimeout(function () {
      pending = null;
      run(input.value);
    }, DEBOUNCE_MS);
  }

  function run(query) {
    var options = { path: location.pathname, all: !!(everyRelease && everyRelease.checked) };
    return index.search(query, options).then(function (found) {
      if (input.value !== query) return null;
      if (!found.words.length) return clear();
      var top = found.hits.slice(0, MAX_RESULTS).map(function (hit) { return hit.page; });
      return index.pages(top).then(function (shown) {
        if (input.value === query) show(query, found, shown);
      });
    }).catch(function () {
      if (input.value === query) status.textContent = "Search is not available right now.";
    });
  }

  function links() {
    return Array.prototype.slice.call(results.querySelectorAll("a"));
  }

  function close() {
    results.hidden = true;
  }

  if (everyRelease) {
    everyRelease.addEventListener("change", function () {
      if (input.value.trim()) run(input.value);
    });
  }
  input.addEventListener("focus", function () {
    // The small entry file, fetched on the first focus: most readers never search.
    index.meta().then(function (info) {
      if (everyRelease && (info.releases || []).length) everyRelease.closest("label").hidden = false;
    }).catch(function () {});
    if (input.value.trim()) results.hidden = false;
  });
  input.addEventListener("input", function () {
    if (input.value.trim()) {
      schedule();
    } else {
      clearTimeout(pending);
      clear();
    }
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && pending !== null) {
      // Enter before the pause: search now, then follow the first result.
      event.preventDefault();
      clearTimeout(pending);
      pending = null;
      run(input.value).then(function () {
        if (links().length) links()[0].click();
      });
    } else if (event.key === "Escape") {
      clearTimeout(pending);
      input.value = "";
      clear();
    } else if (event.key === "ArrowDown" && links().length) {
      event.preventDefault();
      links()[0].focus();
    } else if (event.key === "Enter" && links().length) {
      event.preventDefault();
      links()[0].click();
    }
  });
  results.addEventListener("keydown", function (event) {
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && at < all.length - 1) {
      event.preventDefault();
      all[at + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      (at > 0 ? all[at - 1] : input).focus();
    } else if (event.key === "Escape") {
      close();
      input.focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (!box.contains(event.target)) close();
  });
  box.addEventListener("focusout", function (event) {
    if (!box.contains(event.relatedTarget)) close();
  });
})();
