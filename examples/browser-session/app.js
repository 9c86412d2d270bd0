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
  $('status').textContent = session === undefined ? 'Signed out.' : `Signed in to ${session.tenantId} until ${session.expiresAt} unless idle.`;
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

// The admin screen: the tenant switcher, the members table with paging, invitations, role changes
// and removals. Every rule (who may do what to whom) is the gateway's: the page shows its answers.
const members = { page: 0, limit: 20, roles: [] };

/** An element with text content only: names and emails never become markup. */
function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function roleOptions(select, selectedIds) {
  select.replaceChildren(...members.roles.map((role) => {
    const option = element('option', role.name, { value: role.id });
    option.selected = selectedIds.includes(role.id);
    return option;
  }));
}

async function loadAdmin() {
  const tenants = await call('GET', '/v1/me/tenants');
  if (tenants.status === 200) {
    $('tenant').replaceChildren(...tenants.body.map((tenant) => {
      const option = element('option', tenant.name, { value: tenant.tenantId });
      option.selected = tenant.active;
      return option;
    }));
  }
  const roles = await call('GET', '/v1/roles');
  members.roles = roles.status === 200 ? roles.body : [];
  roleOptions($('invite-role'), []);
  await loadMembers(0);
}

async function loadMembers(page) {
  const { status, body } = await call('GET', `/v1/users?limit=${members.limit}&page=${page}&sort=name&order=asc`);
  const items = status === 200 ? body.items : [];
  members.page = page;
  $('members').tBodies[0].replaceChildren(...items.map(memberRow));
  $('page-number').textContent = status === 200 ? `Page ${page + 1}` : '';
  $('previous-page').disabled = status !== 200 || page === 0;
  $('next-page').disabled = status !== 200 || !body.hasMore;
}

function memberRow(member) {
  const row = element('tr', undefined, { 'data-user-id': member.id });
  const roles = element('select', undefined, { multiple: '', 'aria-label': `Roles of ${member.email}` });
  roles.classList.add('roles');
  roleOptions(roles, member.roles.map((role) => role.id));
  const save = element('button', 'Save roles', { type: 'button' });
  save.classList.add('save-roles');
  save.addEventListener('click', () => void setRoles(member.id, [...roles.selectedOptions].map((option) => option.value)));
  const remove = element('button', 'Remove', { type: 'button' });
  remove.classList.add('remove');
  remove.addEventListener('click', () => void removeMember(member.id, row));
  const rolesCell = element('td');
  rolesCell.append(roles, save);
  const actions = element('td');
  actions.append(remove);
  row.append(element('td', member.name ?? ''), element('td', member.email), rolesCell, actions);
  return row;
}

async function setRoles(userId, roleIds) {
  await call('PUT', `/v1/users/${encodeURIComponent(userId)}/roles`, { roleIds });
}

async function removeMember(userId, row) {
  const { status } = await call('DELETE', `/v1/users/${encodeURIComponent(userId)}`);
  if (status === 204) row.remove();
}

async function invite(event) {
  event.preventDefault();
  const roleId = $('invite-role').value;
  await call('POST', '/v1/users', { email: $('invite-email').value, ...(roleId ? { roleIds: [roleId] } : {}) });
}

/** With a session the gateway refreshes the token itself: the next call already runs in the new tenant. */
async function switchTenant() {
  const { status } = await call('PUT', '/v1/me/tenant', { tenantId: $('tenant').value });
  if (status === 200) await refreshSession();
}

// After signing in, the gateway sends the browser back here (returnTo is a path on this site).
$('sign-in').href = `${GATEWAY}/auth/login?returnTo=${encodeURIComponent(location.pathname)}`;
$('load-session').addEventListener('click', () => void refreshSession());
$('load-me').addEventListener('click', () => void loadMe());
$('update-me').addEventListener('submit', (event) => void updateMe(event));
$('sign-out').addEventListener('click', () => void signOut());
$('load-admin').addEventListener('click', () => void loadAdmin());
$('previous-page').addEventListener('click', () => void loadMembers(members.page - 1));
$('next-page').addEventListener('click', () => void loadMembers(members.page + 1));
$('invite').addEventListener('submit', (event) => void invite(event));
$('switch-tenant').addEventListener('click', () => void switchTenant());
void refreshSession().then((status) => (status === 200 ? Promise.all([loadMe(), loadEntitlements()]) : undefined));
