/**
 * The page a reset mail links to. The token travels in the URL's fragment, which browsers never send to
 * a server (so it reaches no log and no Referer); the page's script reads it, takes it out of the address
 * bar, and posts it with the new password to /api/v1/passwordReset/complete.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../auth/credentials';
import type { AppDeps } from '../deps';
import { RESET_PAGE_PATH } from '../domain/passwordReset';

const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

const page = (minLength: number, minClasses: number) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Reset your Keyfob password</title>
<style>
  :root { color-scheme: light dark; font: 15px/1.45 system-ui, sans-serif; }
  body { max-width: 26rem; margin: 3rem auto; padding: 0 1rem; }
  form { display: flex; flex-direction: column; gap: .8rem; }
  label { display: flex; flex-direction: column; gap: .25rem; font-size: .9rem; }
  input { font: inherit; padding: .45rem .6rem; }
  button { font: inherit; padding: .5rem; font-weight: 600; }
  .error { color: #c62828; } .ok { color: #1b7f3b; }
</style>
<script src="${RESET_PAGE_PATH}.js" defer></script>
</head>
<body>
<h1>Choose a new password</h1>
<p>At least ${minLength} characters, mixing at least ${minClasses} of: lower case, upper case, digits, symbols.</p>
<noscript><p class="error">This page needs JavaScript to read the link's token.</p></noscript>
<form id="reset" hidden>
  <label>New password <input name="newPassword1" type="password" autocomplete="new-password" required minlength="${minLength}"></label>
  <label>New password again <input name="newPassword2" type="password" autocomplete="new-password" required></label>
  <button type="submit">Set password</button>
</form>
<p id="result" role="status" aria-live="polite"></p>
</body>
</html>`;

// Plain ES2017, no build step: the page works in any browser the link is opened in.
const SCRIPT = `'use strict';
document.addEventListener('DOMContentLoaded', function () {
  var form = document.getElementById('reset');
  var result = document.getElementById('result');
  var match = /[#&]token=([a-z2-7]+)/.exec(location.hash);
  // The token leaves the address bar (and so the history) at once.
  history.replaceState(null, '', location.pathname);
  if (!match) { result.className = 'error'; result.textContent = 'This link is incomplete: open the link from the mail again, or ask for a new one.'; return; }
  var token = match[1];
  form.hidden = false;
  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    var fields = new FormData(form);
    form.querySelector('button').disabled = true;
    try {
      var response = await fetch('/api/v1/passwordReset/complete', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: token, newPassword1: fields.get('newPassword1'), newPassword2: fields.get('newPassword2') })
      });
      var body = await response.json();
      if (response.ok) { form.hidden = true; result.className = 'ok'; result.textContent = body.info; }
      else { result.className = 'error'; result.textContent = (body.errors && body.errors[0] && body.errors[0].message) || 'That did not work: try again.'; }
    } catch (e) {
      result.className = 'error'; result.textContent = 'Keyfob cannot be reached: try again.';
    } finally {
      form.querySelector('button').disabled = false;
    }
  });
});
`;

export function resetPageRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.get(RESET_PAGE_PATH, (c) => {
    c.header('content-security-policy', PAGE_CSP);
    c.header('referrer-policy', 'no-referrer');
    return c.html(page(deps.settings.passwordPolicy.minLength, deps.settings.passwordPolicy.minClasses));
  });
  app.get(`${RESET_PAGE_PATH}.js`, (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    return c.body(SCRIPT);
  });
  return app;
}
