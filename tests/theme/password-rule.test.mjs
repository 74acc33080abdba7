// Checks the theme's password rule (themes/default/static/js/password-rule.js, used by
// /js/forms.js for the live hint) against the server's vectors
// (edge/tests/password_vectors.json), so the page and the server never disagree.
//
// Run from the repository root: node --test tests/theme/
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = new URL("../../", import.meta.url);
const rulePath = fileURLToPath(new URL("themes/default/static/js/password-rule.js", root));
const vectorsPath = fileURLToPath(new URL("edge/tests/password_vectors.json", root));
const listPath = fileURLToPath(new URL("themes/default/static/js/common-passwords.txt", root));
const serverRulePath = fileURLToPath(new URL("edge/src/password.rs", root));

// The rule file is an ES module served as-is to browsers. Without a package.json that
// says "type": "module", Node before 22 reads a .js file as CommonJS, so import it from
// its source when the plain import fails.
// From a data: URL the module has no location to find common-passwords.txt next to.
let fromFile = true;
async function loadRule() {
  try {
    return await import(pathToFileURL(rulePath).href);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    fromFile = false;
    const source = readFileSync(rulePath, "utf8");
    return import(`data:text/javascript;charset=utf-8,${encodeURIComponent(source)}`);
  }
}

const rule = await loadRule();
const { checkPassword, parseCommonPasswords, RULES } = rule;
const listText = readFileSync(listPath, "utf8");
const common = parseCommonPasswords(listText);

function describe(vector) {
  const shown = vector.password.length > 40
    ? `${vector.password.slice(0, 20)}…(${[...vector.password].length} chars)`
    : vector.password;
  return `${JSON.stringify(shown)} with ${JSON.stringify(vector.email)}`;
}

test("the vectors file exists", () => {
  assert.ok(existsSync(vectorsPath), `missing ${vectorsPath}`);
});

test("every vector gives the server's answer", { skip: !existsSync(vectorsPath) }, () => {
  const vectors = JSON.parse(readFileSync(vectorsPath, "utf8"));
  assert.ok(Array.isArray(vectors) && vectors.length > 0, "no vectors");
  const mismatches = [];
  for (const vector of vectors) {
    const got = checkPassword(vector.password, vector.email ?? "", common);
    const want = vector.failed_rules ?? [];
    // Same clauses in the same order: the server reports them in RULES order too.
    const same = got.ok === vector.ok && JSON.stringify(got.failed) === JSON.stringify(want);
    if (!same) {
      mismatches.push(
        `${describe(vector)}: want ok=${vector.ok} ${JSON.stringify(want)}, ` +
          `got ok=${got.ok} ${JSON.stringify(got.failed)}`,
      );
    }
  }
  assert.deepEqual(mismatches, [], `${mismatches.length} of ${vectors.length} vectors differ`);
});

test("failed clauses come in the server's order", () => {
  const { failed } = checkPassword("ab", "ab@example.com");
  assert.deepEqual(failed, ["length", "classes", "not-email"]);
  assert.deepEqual([...failed].sort((a, b) => RULES.indexOf(a) - RULES.indexOf(b)), failed);
});

test("ok is true exactly when nothing failed", () => {
  assert.deepEqual(checkPassword("Correct horse!", "rider@example.com"), { ok: true, failed: [] });
  const refused = checkPassword("short", "");
  assert.equal(refused.ok, false);
  assert.ok(refused.failed.length > 0);
});

test("the vectors cover every clause, alone", { skip: !existsSync(vectorsPath) }, () => {
  const vectors = JSON.parse(readFileSync(vectorsPath, "utf8"));
  for (const name of RULES) {
    assert.ok(
      vectors.some((v) => JSON.stringify(v.failed_rules) === JSON.stringify([name])),
      `no vector fails only ${name}`,
    );
  }
});

test("common passwords are refused in any case, once the rest passes", () => {
  for (const password of ["Password1", "pAsSwOrD1", "P@SSW0RD", "iloveyou!", "Trustno1"]) {
    assert.deepEqual(checkPassword(password, "ada@example.com", common), {
      ok: false,
      failed: ["not-common"],
    }, password);
  }
  assert.deepEqual(checkPassword("Password1!", "ada@example.com", common), { ok: true, failed: [] });
  // On the list, but its classes fail first: the server reports only that.
  assert.ok(common.has("password"));
  assert.deepEqual(checkPassword("password", "", common).failed, ["classes"]);
  // Without the list (not loaded yet) the clause is not checked.
  assert.deepEqual(checkPassword("Password1", "ada@example.com"), { ok: true, failed: [] });
});

test("the rule reads the NFC form", () => {
  // "Café!No": eight code points as typed with a combining accent, seven once composed.
  assert.deepEqual(checkPassword("Cafe\u0301!No", "", common).failed, ["length"]);
  assert.deepEqual(checkPassword("Cafe\u0301!Noi", "", common).failed, []);
  assert.deepEqual(
    checkPassword("Xx-Cafe\u0301!", "caf\u00e9!@example.com", common).failed,
    ["not-email"],
  );
});

test("the list is the server's, long, normalised, sorted and unique", () => {
  // The server compiles in this very file.
  assert.match(
    readFileSync(serverRulePath, "utf8"),
    /include_str!\("\.\.\/\.\.\/themes\/default\/static\/js\/common-passwords\.txt"\)/,
  );
  assert.ok(listText.endsWith("\n"));
  const entries = listText.slice(0, -1).split("\n");
  assert.ok(entries.length >= 10000, `${entries.length} entries`);
  assert.equal(common.size, entries.length, "repeated entries");
  const bad = entries.filter((e) => e === "" || e !== e.normalize("NFC").toLowerCase() || e.includes("\r"));
  assert.deepEqual(bad, []);
  // Byte order of UTF-8 is code point order, the order Rust's str comparison uses.
  const outOfOrder = entries.filter(
    (e, i) => i > 0 && Buffer.compare(Buffer.from(entries[i - 1]), Buffer.from(e)) >= 0,
  );
  assert.deepEqual(outOfOrder, []);
});

test("the list is fetched once, from next to the rule's module", { skip: !fromFile }, async () => {
  const calls = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url, init) => {
    calls.push([String(url), init]);
    return new Response("abcdefg!\npassword\n", { status: 200 });
  };
  try {
    const [a, b] = await Promise.all([rule.loadCommonPasswords(), rule.loadCommonPasswords()]);
    assert.equal(a, b);
    assert.deepEqual([...a], ["abcdefg!", "password"]);
    assert.equal(calls.length, 1);
    assert.equal(calls[0][0], pathToFileURL(listPath).href);
  } finally {
    globalThis.fetch = realFetch;
  }
});

test("the page's [data-rule] names are the rule's names", () => {
  const macros = readFileSync(
    fileURLToPath(new URL("themes/default/templates/macros.html", root)),
    "utf8",
  );
  const onPage = [...macros.matchAll(/data-rule="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(onPage, [...RULES]);
});
