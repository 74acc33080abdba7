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
  // The copy buttons on code blocks are /js/code.js's.
})();
