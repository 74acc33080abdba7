// Fills in a page's reader markers (edge/src/reader.rs has the markup): values as text,
// blocks by the reader's state, checklist steps done and next. Loaded, not deferred, only
// by pages that have markers.
//
// - No `__Host-reader` cookie: the reader is signed out, and the static page is already
//   their version. Nothing is asked.
// - `registered`: registered from this browser, not confirmed yet. Known without asking.
// - `signed-in`: one `GET /api/account`. Until it answers (at most WAIT_MS) the reader's
//   blocks and values stay hidden, so the signed-out version never flashes; then either
//   the reader's version or, if the answer is late or refused, the signed-out one shows.
// - A page the edge filled in already (`<html data-reader-filled>`) is left alone.
(function () {
  "use strict";

  var WAIT_MS = 1500;
  var root = document.documentElement;
  if (root.hasAttribute("data-reader-filled")) return;
  var hint = (document.cookie.match(/(?:^|;\s*)__Host-reader=([^;]*)/) || [])[1];
  if (hint !== "signed-in" && hint !== "registered") return;

  var UNVERIFIED = { states: ["unverified"], steps: ["registered"], values: {} };

  function has(list, names) {
    var wanted = names.split(/\s+/);
    for (var i = 0; i < wanted.length; i++) if (list.indexOf(wanted[i]) >= 0) return true;
    return false;
  }

  function all(selector) {
    return Array.prototype.slice.call(document.querySelectorAll(selector));
  }

  function fill(view) {
    all("[data-reader]").forEach(function (el) {
      var value = view.values[el.getAttribute("data-reader")];
      if (value) el.textContent = value;
    });
    all("[data-reader-when]").forEach(function (el) {
      el.hidden = !has(view.states, el.getAttribute("data-reader-when"));
    });
    all("[data-reader-unless]").forEach(function (el) {
      el.hidden = has(view.states, el.getAttribute("data-reader-unless"));
    });
    var next = false;
    all("[data-reader-step]").forEach(function (el) {
      var done = view.steps.indexOf(el.getAttribute("data-reader-step")) >= 0;
      var state = done ? "done" : next ? "" : "next";
      if (!done) next = true;
      if (state) el.setAttribute("data-state", state);
      else el.removeAttribute("data-state");
      var doneMark = el.querySelector(".checklist-done");
      var nextMark = el.querySelector(".checklist-next");
      if (doneMark) doneMark.hidden = state !== "done";
      if (nextMark) nextMark.hidden = state !== "next";
    });
  }

  function whenReady(run) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
    else run();
  }

  if (hint === "registered") {
    whenReady(function () { fill(UNVERIFIED); });
    return;
  }

  root.classList.add("reader-pending");
  var settled = false;
  function settle(view) {
    if (settled) return;
    settled = true;
    whenReady(function () {
      if (view) fill(view);
      root.classList.remove("reader-pending");
    });
  }
  setTimeout(function () { settle(null); }, WAIT_MS);
  fetch("/api/account", { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then(function (res) { return res.ok ? res.json() : null; })
    .then(function (account) { settle(account && account.reader); })
    .catch(function () { settle(null); });
})();
