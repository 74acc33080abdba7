// Writes themes/default/static/js/common-passwords.txt, the blocklist of the password rule
// (edge/src/password.rs and themes/default/static/js/password-rule.js), from the ranked
// list of common passwords in the npm package @zxcvbn-ts/language-common (MIT): the
// passwords used more than 10 times in Mark Burnett's 10 million password corpus,
// lowercased, most common first (49,233 entries in 4.1.3).
//
//   npm pack @zxcvbn-ts/language-common@4.1.3 && tar xzf zxcvbn-ts-language-common-4.1.3.tgz
//   node scripts/common-passwords.mjs package/src/passwords.json \
//     > themes/default/static/js/common-passwords.txt
//
// Each entry is NFC-normalised and lowercased (the form the rule compares), and kept only
// when some capitalisation of it passes the rest of the rule (length, classes, max-length):
// the others are refused by those clauses anyway, so leaving them out changes no answer and
// keeps the Worker and the page small. The result is sorted (by code point) and
// deduplicated, one entry a line.
import { readFileSync } from "node:fs";
import { checkPassword } from "../themes/default/static/js/password-rule.js";

const [source] = process.argv.slice(2);
if (!source) {
  console.error("usage: node scripts/common-passwords.mjs path/to/passwords.json");
  process.exit(2);
}
const ranked = JSON.parse(readFileSync(source, "utf8"));
if (!Array.isArray(ranked) || ranked.some((entry) => typeof entry !== "string")) {
  console.error(`${source}: expected a JSON array of strings`);
  process.exit(1);
}

// Upper-cases the first cased letter and lower-cases the rest: with two or more cased
// letters that gives a lowercase and an uppercase letter, with one it gives an uppercase
// letter, so this variant passes `classes` exactly when some capitalisation does.
function capitalised(password) {
  const chars = [...password.toLowerCase()];
  const first = chars.findIndex((c) => c.toUpperCase() !== c);
  if (first !== -1) chars[first] = chars[first].toUpperCase();
  return chars.join("");
}

const kept = new Set();
for (const entry of ranked) {
  const key = entry.normalize("NFC").toLowerCase();
  if (key === "" || key.includes("\n") || key.includes("\r")) continue;
  if (checkPassword(capitalised(key)).ok) kept.add(key);
}

const byCodePoint = (a, b) => {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
};
process.stdout.write(`${[...kept].sort(byCodePoint).join("\n")}\n`);
console.error(`common-passwords: ${kept.size} of ${ranked.length} entries kept`);
