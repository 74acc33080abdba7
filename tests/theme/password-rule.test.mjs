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

// The rule file is an ES module served as-is to browsers. Without a package.json that
// says "type": "module", Node before 22 reads a .js file as CommonJS, so import it from
// its source when the plain import fails.
async function loadRule() {
  try {
    return await import(pathToFileURL(rulePath).href);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const source = readFileSync(rulePath, "utf8");
    return import(`data:text/javascript;charset=utf-8,${encodeURIComponent(source)}`);
  }
}

const { checkPassword, RULES } = await loadRule();

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
    const got = checkPassword(vector.password, vector.email ?? "");
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

test("the page's [data-rule] names are the rule's names", () => {
  const macros = readFileSync(
    fileURLToPath(new URL("themes/default/templates/macros.html", root)),
    "utf8",
  );
  const onPage = [...macros.matchAll(/data-rule="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(onPage, [...RULES]);
});
