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

  // A "Copy" button on code blocks, where the clipboard is available.
  if (!navigator.clipboard || !window.isSecureContext) return;
  var blocks = document.querySelectorAll("pre.code, .prose pre");
  for (var j = 0; j < blocks.length; j++) addCopyButton(blocks[j]);

  function addCopyButton(pre) {
    if (pre.parentNode && pre.parentNode.classList && pre.parentNode.classList.contains("code-block")) return;
    var wrapper = document.createElement("div");
    wrapper.className = "code-block";
    pre.parentNode.insertBefore(wrapper, pre);
    wrapper.appendChild(pre);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy";
    button.setAttribute("aria-live", "polite");
    button.addEventListener("click", function () {
      var code = pre.querySelector("code") || pre;
      navigator.clipboard.writeText(code.textContent.replace(/\n$/, "")).then(
        function () { flash(button, "Copied"); },
        function () { flash(button, "Copy failed"); }
      );
    });
    wrapper.appendChild(button);
  }

  function flash(button, text) {
    button.textContent = text;
    window.setTimeout(function () { button.textContent = "Copy"; }, 2000);
  }
})();
