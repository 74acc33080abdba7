// What the production-mode Workers suites share: the host under test and its form posts.

export const BASE = (process.env.BASE_URL || 'http://127.0.0.1:8787').replace(/\/+$/, '');

/** A form POST as the site's own pages send it (no redirect following). */
export const form = (fields, headers = {}) => ({
  method: 'POST',
  redirect: 'manual',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(fields).toString(),
});

/** Registers `email` with a valid password; returns the answer. */
export const register = (email, firstName = 'Ada') =>
  fetch(`${BASE}/api/register`, form(
    { email, first_name: firstName, last_name: 'L', organization: 'Org', password: 'Prod-pass1' },
    { origin: BASE },
  ));
