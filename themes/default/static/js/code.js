// A "Copy" button on every code block (div.code-block, written by the generator). Without
// JavaScript there is no button; the code stays selectable. A console block's button
// copies only its commands (the lines with a prompt, without the prompt), not the output.
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) return;
  var blocks = document.querySelectorAll(".code-block");
  for (var i = 0; i < blocks.length; i++) addCopyButton(blocks[i]);

  function textOf(pre) {
    var code = (pre.querySelector("code") || pre).cloneNode(true);
    var numbers = code.querySelectorAll(".ln");
    for (var i = 0; i < numbers.length; i++) numbers[i].remove();
    var commands = code.querySelectorAll(".line.cmd");
    if (commands.length) {
      var lines = [];
      for (var j = 0; j < commands.length; j++) {
        var prompt = commands[j].querySelector(".hl-prompt");
        if (prompt) prompt.remove();
        lines.push(commands[j].textContent);
      }
      return lines.join("\n");
    }
    return code.textContent.replace(/\n$/, "");
  }

  function addCopyButton(block) {
    var pre = block.querySelector("pre");
    if (!pre) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy";
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(textOf(pre)).then(
        function () { flash(button, status, "Copied"); },
        function () { flash(button, status, "Copy failed"); }
      );
    });
    block.appendChild(button);
    block.appendChild(status);
  }

  function flash(button, status, text) {
    button.textContent = text;
    status.textContent = text;
    window.setTimeout(function () {
      button.textContent = "Copy";
      status.textContent = "";
    }, 2000);
  }
})();
