// Progressive enhancement for the account form pages. Every form works without this
// script (plain HTML posts; the server re-serves the page with messages filled in).
// Loaded with <script type="module" src="/js/forms.js">.
import { checkPassword, loadCommonPasswords } from "./password-rule.js";

const params = new URLSearchParams(window.location.search);

// --- Live password hint: mark each [data-rule] item met or unmet as the reader types.
// The list of common passwords (~140 kB) is fetched on the first keystroke; until it is
// there, and while another clause fails (the server checks it only then), the
// "not-common" item stays neutral.
const STATE_TEXT = { met: " (done)", unmet: " (not yet)" };

for (const hint of document.querySelectorAll("[data-password-hint]")) {
  const form = hint.closest("form");
  const password = form && form.querySelector('input[name="password"]');
  if (!password) continue;
  const email = form.querySelector('input[name="email"]');
  const items = hint.querySelectorAll("[data-rule]");
  let common = null;

  const update = () => {
    const value = password.value;
    const { failed } = checkPassword(value, email ? email.value : "", common);
    for (const item of items) {
      const rule = item.getAttribute("data-rule");
      // Nothing typed yet, or no email on this page to compare with, or no list yet (or
      // another clause failing): leave it neutral.
      const unknown =
        value === "" ||
        (rule === "not-email" && !email) ||
        (rule === "not-common" && (!common || failed.some((f) => f !== "not-common")));
      const state = unknown ? "" : failed.includes(rule) ? "unmet" : "met";
      if (state) item.setAttribute("data-state", state);
      else item.removeAttribute("data-state");
      const text = item.querySelector(".rule-state");
      if (text) text.textContent = state ? STATE_TEXT[state] : "";
    }
  };

  password.addEventListener("input", update);
  if (email) email.addEventListener("input", update);
  password.addEventListener(
    "input",
    () => {
      loadCommonPasswords().then(
        (list) => {
          common = list;
          update();
        },
        // Unreachable list: the clause stays neutral and the server still checks it.
        () => {},
      );
    },
    { once: true },
  );
  update();
}

// --- "Show password" switch, only where the script runs.
for (const input of document.querySelectorAll('.field input[type="password"]')) {
  const label = document.createElement("label");
  label.className = "show-password";
  const box = document.createElement("input");
  box.type = "checkbox";
  box.addEventListener("change", () => {
    input.type = box.checked ? "text" : "password";
  });
  label.append(box, " Show password");
  // After the field's error message, so the message stays right under the field.
  const error = document.getElementById(`${input.id}-error`);
  (error || input).insertAdjacentElement("afterend", label);
  // Never submit the password field as type=text (password managers watch for it).
  if (input.form) {
    input.form.addEventListener("submit", () => {
      input.type = "password";
    });
  }
}

// --- Notices on /sign-in/ (?verified=1, ?reset=1, ?signed_out=1). The server shows
// them when it serves the page; this covers the page served as a plain static file.
const NOTICES = { verified: "verified", reset: "reset", signed_out: "signed-out" };
for (const [param, name] of Object.entries(NOTICES)) {
  if (params.get(param) === "1") {
    const notice = document.querySelector(`[data-notice="${name}"]`);
    if (notice) notice.hidden = false;
  }
}

// --- /reset-password/: fill the hidden token from ?token= if the server has not.
const token = document.querySelector('input[data-fill="token"]');
if (token) {
  if (!token.value) token.value = params.get("token") || "";
  if (!token.value) {
    const missing = document.querySelector("[data-token-missing]");
    if (missing) missing.hidden = false;
  }
}

// --- A refused form: move focus to the first field the server marked, or to the
// form-level message, so keyboard and screen reader users land on the problem.
const invalid = document.querySelector('form [aria-invalid="true"]');
const message = document.querySelector("[data-form-message]:not([hidden])");
if (invalid) invalid.focus();
else if (message) message.focus();
