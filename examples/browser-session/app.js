// The browser-session example (docs/browser-sessions.md): calls the gateway with the session
// cookie only. No token ever reaches this script: the cookie is HttpOnly, and no answer carries one.
'use strict';

/** The gateway, on this page's own origin (the site's front door forwards /auth and /v1 to it). */
const GATEWAY = '';

const $ = (id) => document.getElementById(id);

/**
 * Every call: the cookie (credentials) and X-CSRF, the header other sites cannot send without a preflight.
 * A quiet call is not shown under "Last answer" (the page's own background reads).
 */
async function call(method, path, body, { quiet = false } = {}) {
  const init = { method, credentials: 'include', headers: { 'X-CSRF': '1' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(`${GATEWAY}${path}`, init);
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!quiet) show(`${method} ${path}`, response.status, json ?? text);
  return { status: response.status, body: json };
}

function show(what, status, body) {
  $('last-call').textContent = `${what} → ${status}`;
  $('last-answer').textContent = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
}

function render(session) {
  $('signed-in').hidden = session === undefined;
  $('sign-in').hidden = session !== undefined;
  $('status').textContent = session === undefined ? 'Signed out.' : `Signed in until ${session.expiresAt} unless idle.`;
  $('who').textContent = session === undefined ? '' : session.email ?? session.userId;
}

/** The session's user, or undefined when signed out (401: the sign-in link starts a new one). */
async function refreshSession() {
  const { status, body } = await call('GET', '/auth/session');
  render(status === 200 ? body : undefined);
  return status;
}

async function loadMe() {
  const { status, body } = await call('GET', '/v1/me');
  if (status === 200) $('name').value = body.name ?? '';
  if (status === 401) render(undefined);
}

/**
 * Shows what the signed-in user's plan includes and hides the rest (GET /v1/me/entitlements, decided
 * as Frontegg's SDK decides). Hidden unless known to be included: an error hides every feature. The
 * gateway enforces the same plan on every call anyway; this only spares the user dead buttons.
 */
async function loadEntitlements() {
  const items = [...document.querySelectorAll('[data-feature]')];
  const keys = items.map((item) => item.dataset.feature).join(',');
  const { status, body } = await call('GET', `/v1/me/entitlements?features=${encodeURIComponent(keys)}`, undefined, { quiet: true });
  const entitlementsOff = status === 404;
  for (const item of items) {
    item.hidden = !(entitlementsOff || (status === 200 && body.features[item.dataset.feature]?.entitled === true));
  }
  $('plan-status').textContent =
    status === 200 ? 'Features your plan includes:' : entitlementsOff ? 'The gateway does not check plans (ENTITLEMENTS=off): every feature is shown.' : `Your plan could not be read (${status}).`;
}

async function updateMe(event) {
  event.preventDefault();
  const { status } = await call('PATCH', '/v1/me', { name: $('name').value });
  if (status === 401) render(undefined);
}

async function signOut() {
  const { status, body } = await call('POST', '/auth/logout');
  render(undefined);
  // Ends the provider's session too; it sends the browser back to this site.
  if (status === 200) location.assign(body.logoutUrl);
}

// After signing in, the gateway sends the browser back here (returnTo is a path on this site).
$('sign-in').href = `${GATEWAY}/auth/login?returnTo=${encodeURIComponent(location.pathname)}`;
$('load-session').addEventListener('click', () => void refreshSession());
$('load-me').addEventListener('click', () => void loadMe());
$('update-me').addEventListener('submit', (event) => void updateMe(event));
$('sign-out').addEventListener('click', () => void signOut());
void refreshSession().then((status) => (status === 200 ? Promise.all([loadMe(), loadEntitlements()]) : undefined));
