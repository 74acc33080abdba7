// Search the docs in the browser, over /search-index.json (titles, headings and the start
// of each page's text, written by the build). Progressive enhancement: without
// JavaScript the search box stays hidden and nothing else changes.
(function () {
  "use strict";

  var box = document.querySelector("[data-search]");
  if (!box || !window.fetch) return;
  var input = box.querySelector("input");
  var results = document.getElementById("site-search-results");
  var status = document.getElementById("site-search-status");
  var MAX_RESULTS = 8;
  var loading = null;
  box.hidden = false;

  // Fetched once, on the first focus or keystroke: most readers never search.
  function load() {
    if (!loading) {
      loading = fetch("/search-index.json")
        .then(function (response) {
          if (!response.ok) throw new Error("search index: " + response.status);
          return response.json();
        })
        .then(function (data) {
          return data.pages.map(function (page) {
            return {
              page: page,
              title: page.title.toLowerCase(),
              headings: page.headings.map(function (h) { return h.toLowerCase(); }),
              text: page.text.toLowerCase()
            };
          });
        });
      // A failed fetch may succeed later (the dev server restarting, say).
      loading.catch(function () { loading = null; });
    }
    return loading;
  }

  // Every word must appear somewhere; the title counts most, then headings, then text.
  function score(entry, words) {
    var total = 0;
    for (var i = 0; i < words.length; i++) {
      var word = words[i];
      var at = entry.title.indexOf(word);
      if (at === 0) total += 12;
      else if (at > 0) total += 8;
      else if (entry.headings.some(function (h) { return h.indexOf(word) !== -1; })) total += 4;
      else if (entry.text.indexOf(word) !== -1) total += 1;
      else return 0;
    }
    return total;
  }

  // Where the first word shows up outside the title: a heading, or a bit of the text.
  function context(entry, words) {
    for (var i = 0; i < entry.headings.length; i++) {
      if (entry.headings[i].indexOf(words[0]) !== -1) return entry.page.headings[i];
    }
    var at = entry.text.indexOf(words[0]);
    if (at === -1) return entry.page.text.slice(0, 90) + (entry.page.text.length > 90 ? "…" : "");
    var start = Math.max(0, at - 40);
    var end = Math.min(entry.page.text.length, at + words[0].length + 50);
    return (start > 0 ? "…" : "") + entry.page.text.slice(start, end) + (end < entry.page.text.length ? "…" : "");
  }

  // `text` with each occurrence of a query word in a <mark>, built as DOM nodes (never
  // HTML), so page text can contain anything.
  function highlighted(text, words) {
    var fragment = document.createDocumentFragment();
    var lower = text.toLowerCase();
    var at = 0;
    while (at < text.length) {
      var next = -1;
      var length = 0;
      for (var i = 0; i < words.length; i++) {
        var found = lower.indexOf(words[i], at);
        if (found !== -1 && (next === -1 || found < next || (found === next && words[i].length > length))) {
          next = found;
          length = words[i].length;
        }
      }
      if (next === -1) break;
      if (next > at) fragment.appendChild(document.createTextNode(text.slice(at, next)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(next, next + length);
      fragment.appendChild(mark);
      at = next + length;
    }
    if (at < text.length) fragment.appendChild(document.createTextNode(text.slice(at)));
    return fragment;
  }

  function show(query, entries) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    results.replaceChildren();
    if (!words.length) {
      results.hidden = true;
      status.textContent = "";
      return;
    }
    var found = [];
    entries.forEach(function (entry) {
      var points = score(entry, words);
      if (points) found.push({ entry: entry, points: points });
    });
    found.sort(function (a, b) {
      return b.points - a.points || a.entry.page.title.localeCompare(b.entry.page.title);
    });
    if (!found.length) {
      var none = document.createElement("p");
      none.className = "site-search-empty";
      none.textContent = "No pages match \u201c" + query.trim() + "\u201d.";
      results.appendChild(none);
    } else {
      var list = document.createElement("ol");
      found.slice(0, MAX_RESULTS).forEach(function (hit) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = hit.entry.page.url;
        var title = document.createElement("span");
        title.className = "site-search-title";
        title.appendChild(highlighted(hit.entry.page.title, words));
        var where = document.createElement("span");
        where.className = "site-search-context";
        where.appendChild(highlighted(context(hit.entry, words), words));
        link.append(title, where);
        item.appendChild(link);
        list.appendChild(item);
      });
      results.appendChild(list);
    }
    results.hidden = false;
    status.textContent = found.length === 0 ? "No pages match."
      : found.length === 1 ? "1 page matches."
      : found.length + " pages match" + (found.length > MAX_RESULTS ? "; the first " + MAX_RESULTS + " are listed." : ".");
  }

  function links() {
    return Array.prototype.slice.call(results.querySelectorAll("a"));
  }

  function close() {
    results.hidden = true;
  }

  input.addEventListener("focus", function () {
    load();
    if (input.value.trim()) results.hidden = false;
  });
  input.addEventListener("input", function () {
    var query = input.value;
    load().then(function (entries) {
      if (input.value === query) show(query, entries);
    }, function () {
      status.textContent = "Search is not available right now.";
    });
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      input.value = "";
      show("", []);
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
