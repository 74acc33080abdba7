// The password rule, exactly as the server applies it (edge/src/password.rs).
// Both are checked against edge/tests/password_vectors.json
// (tests/theme/password-rule.test.mjs for this file).
//
// The rule reads the password's NFC form (the form the server hashes):
// - length:     at least 8 characters, counted as Unicode code points;
// - classes:    at least two of: a lowercase letter (Unicode Lowercase), an uppercase
//               letter (Uppercase), a special character (neither Alphabetic nor a number,
//               so spaces and punctuation count and digits do not);
// - max-length: at most 256 characters;
// - not-email:  not the email's local part (before the first "@"), and, when that part
//               has 3 or more characters, not containing it; compared in lower case.
// - not-common: not on the list of the most common passwords (common-passwords.txt next
//               to this file, the server's list too), compared in lower case; checked only
//               when every other clause passes. The list is ~140 kB, so it is passed in by
//               the caller (loadCommonPasswords) and the clause is skipped without it.

export const MIN_CHARS = 8;
export const MAX_CHARS = 256;
export const MIN_LOCAL_PART_CONTAINED = 3;

/** The rule names, in the order the server reports them. */
export const RULES = Object.freeze(["length", "classes", "max-length", "not-email", "not-common"]);

const LOWER = /\p{Lowercase}/u;
const UPPER = /\p{Uppercase}/u;
const SPECIAL = /[^\p{Alphabetic}\p{N}]/u;
// Rust's str::trim removes White_Space; String.prototype.trim also removes U+FEFF.
const TRIM = /^\p{White_Space}+|\p{White_Space}+$/gu;

/**
 * The part of `email` before its first "@", trimmed and in lower case; "" when the
 * address has no "@".
 */
export function emailLocalPart(email) {
  const normalised = String(email ?? "").normalize("NFC").replace(TRIM, "").toLowerCase();
  const at = normalised.indexOf("@");
  return at === -1 ? "" : normalised.slice(0, at);
}

function usesEmail(password, email) {
  const local = emailLocalPart(email);
  if (local === "") return false;
  const lowered = password.toLowerCase();
  return (
    lowered === local ||
    ([...local].length >= MIN_LOCAL_PART_CONTAINED && lowered.includes(local))
  );
}

/**
 * The list of common passwords from the text of common-passwords.txt (one entry a line,
 * NFC, lower case).
 * @param {string} text
 * @returns {Set<string>}
 */
export function parseCommonPasswords(text) {
  return new Set(String(text).split("\n").filter((line) => line !== ""));
}

/** Where common-passwords.txt is served: next to this module. */
export function commonPasswordsUrl() {
  return new URL("common-passwords.txt", import.meta.url);
}

let loading = null;

/**
 * Fetches the list once (later calls share the answer); rejects when it cannot be had.
 * @returns {Promise<Set<string>>}
 */
export function loadCommonPasswords() {
  loading ??= fetch(commonPasswordsUrl(), { credentials: "same-origin" })
    .then((response) => {
      if (!response.ok) throw new Error(`common passwords: HTTP ${response.status}`);
      return response.text();
    })
    .then(parseCommonPasswords);
  return loading;
}

/**
 * Checks `password` for the account with address `email`.
 * @param {string} password
 * @param {string} [email] may be empty when unknown (the not-email clause then passes)
 * @param {Set<string> | null} [common] the list (parseCommonPasswords); without it the
 *   not-common clause is not checked
 * @returns {{ok: boolean, failed: string[]}} the clauses broken, in RULES order
 */
export function checkPassword(password, email = "", common = null) {
  const pw = String(password ?? "").normalize("NFC");
  const chars = [...pw].length;
  const failed = [];
  if (chars < MIN_CHARS) failed.push("length");
  const classes = [LOWER, UPPER, SPECIAL].filter((re) => re.test(pw)).length;
  if (classes < 2) failed.push("classes");
  if (chars > MAX_CHARS) failed.push("max-length");
  if (usesEmail(pw, email)) failed.push("not-email");
  if (failed.length === 0 && common && common.has(pw.toLowerCase())) failed.push("not-common");
  return { ok: failed.length === 0, failed };
}
