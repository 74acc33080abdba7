// Site-wide progressive enhancement. Nothing here is needed to read or navigate the docs.
(function () {
  "use strict";

  // The sidebar is a <details> so that it collapses on a phone without JavaScript. On
  // wide screens the stylesheet shows its content anyway where the browser allows it;
  // opening it here covers the browsers that do not.
  var wide = window.matchMedia("(min-width: 48rem)");
  function openOnWide() {
    if (!wide.matches) return;
    var sidebars = document.querySelectorAll("details[data-sidebar]");
    for (var i = 0; i < sidebars.length; i++) sidebars[i].open = true;
  }
  openOnWide();
  if (wide.addEventListener) wide.addEventListener("change", openOnWide);
})();

// The header's account links: "Your account" for a reader signed in, known from the
// `__Host-reader` cookie the backend sets beside the session (no request). A stale cookie
// only leads to /account/, which sends a signed-out reader to sign in.
(function () {
  "use strict";

  if (!/(?:^|;\s*)__Host-reader=signed-in(?:;|$)/.test(document.cookie)) return;
  var signedIn = document.querySelectorAll("[data-signed-in]");
  if (!signedIn.length) return;
  var signedOut = document.querySelectorAll("[data-signed-out]");
  for (var i = 0; i < signedOut.length; i++) signedOut[i].hidden = true;
  for (var j = 0; j < signedIn.length; j++) signedIn[j].hidden = false;
})();

// Tab groups made by the tabs/navtabs shortcodes, as a WAI-ARIA tabs widget: arrow keys
// and Home/End move between tabs, choosing a tab chooses the same title in every group
// on the page, and the choice is remembered for the next page. Without this script every
// panel shows under its title.
(function () {
  "use strict";

  var KEY = "gatehouse-tab";
  var groups = document.querySelectorAll("[data-tabs]");
  if (!groups.length) return;

  function tabsOf(group) {
    var list = group.querySelector(":scope > [role=tablist]");
    return list ? Array.prototype.slice.call(list.querySelectorAll("[role=tab]")) : [];
  }

  function select(group, tab, focus) {
    var tabs = tabsOf(group);
    for (var i = 0; i < tabs.length; i++) {
      var on = tabs[i] === tab;
      tabs[i].setAttribute("aria-selected", on ? "true" : "false");
      tabs[i].tabIndex = on ? 0 : -1;
      var panel = document.getElementById(tabs[i].getAttribute("aria-controls"));
      if (panel) panel.hidden = !on;
    }
    if (focus) tab.focus();
  }

  // Selects `title` in every group that has it.
  function selectEverywhere(title) {
    for (var g = 0; g < groups.length; g++) {
      var tabs = tabsOf(groups[g]);
      for (var t = 0; t < tabs.length; t++) {
        if (tabs[t].getAttribute("data-tab-title") === title) select(groups[g], tabs[t], false);
      }
    }
  }

  function remember(title) {
    try { window.localStorage.setItem(KEY, title); } catch (e) { /* storage off */ }
  }

  for (var g = 0; g < groups.length; g++) {
    var group = groups[g];
    var tabs = tabsOf(group);
    if (!tabs.length) continue;
    group.classList.add("tabs-ready");
    group.querySelector(":scope > [role=tablist]").hidden = false;
    select(group, tabs[0], false);
    group.addEventListener("click", function (event) {
      var tab = event.target.closest("[role=tab]");
      // A tab of a group nested in this one is that group's business.
      if (!tab || tabsOf(this).indexOf(tab) < 0) return;
      var title = tab.getAttribute("data-tab-title");
      select(this, tab, false);
      selectEverywhere(title);
      remember(title);
    });
    group.addEventListener("keydown", function (event) {
      var tab = event.target.closest("[role=tab]");
      if (!tab) return;
      var all = tabsOf(this);
      var i = all.indexOf(tab);
      if (i < 0) return;
      var next;
      if (event.key === "ArrowRight") next = all[(i + 1) % all.length];
      else if (event.key === "ArrowLeft") next = all[(i - 1 + all.length) % all.length];
      else if (event.key === "Home") next = all[0];
      else if (event.key === "End") next = all[all.length - 1];
      else return;
      event.preventDefault();
      select(this, next, true);
      var title = next.getAttribute("data-tab-title");
      selectEverywhere(title);
      remember(title);
      next.focus();
    });
  }

  var saved = null;
  try { saved = window.localStorage.getItem(KEY); } catch (e) { /* storage off */ }
  if (saved) selectEverywhere(saved);

  // A link to a heading inside a hidden panel shows that panel.
  function reveal() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    var panel = target && target.closest("[role=tabpanel]");
    if (!panel || !panel.hidden) return;
    var tab = document.getElementById(panel.getAttribute("aria-labelledby"));
    var group = panel.closest("[data-tabs]");
    if (tab && group) {
      select(group, tab, false);
      target.scrollIntoView();
    }
  }
  reveal();
  window.addEventListener("hashchange", reveal);
})();
