import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { EmulatorControlClient, startEmulator, type RunningEmulator } from '../index';
import { DEV_PASSWORD, USER_ALICE } from '../seed';

const REDIRECT_URI = 'http://127.0.0.1:3000/auth/callback';
const ALICE = 'alice@acme.test';

/** What a relying party (the gateway's future /auth/login) makes for one sign-in. */
function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeQuery(overrides: Record<string, string | undefined> = {}, challenge = pkce().challenge): string {
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: 'emulator-client-id',
    redirect_uri: REDIRECT_URI,
    state: 'state-123',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    scope: 'openid profile email offline_access',
    nonce: 'nonce-456',
    ...overrides,
  };
  return new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined)).toString();
}

/** Every answer here is a flat object of strings (and expires_in); that is all the tests read. */
async function json(response: Response): Promise<Record<string, string>> {
  return (await response.json()) as Record<string, string>;
}

/** The hidden fields of the sign-in page, as a browser would post them back. */
function hiddenFields(html: string): Record<string, string> {
  const unescape = (value: string) => value.replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code)));
  const fields: Record<string, string> = {};
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[unescape(name)] = unescape(value);
  return fields;
}

describe("the emulator's hosted login (OpenID Connect provider)", () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ oauthAccessTokenTtlSeconds: 120 });
  });
  afterAll(() => emulator.close());

  const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
    method: 'POST',
    redirect: 'manual' as const,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  const token = (fields: Record<string, string>, headers: Record<string, string> = {}) => fetch(`${emulator.url}/oauth/token`, form(fields, headers));

  /** The browser's part: open the form, post alice's password, follow nothing; the code and state from the redirect. */
  async function signIn(challenge: string, overrides: Record<string, string | undefined> = {}) {
    const page = await fetch(`${emulator.url}/oauth/authorize?${authorizeQuery(overrides, challenge)}`);
    expect(page.status).toBe(200);
    const posted = await fetch(`${emulator.url}/oauth/authorize`, form({ ...hiddenFields(await page.text()), email: ALICE, password: DEV_PASSWORD }));
    expect(posted.status).toBe(302);
    const location = new URL(posted.headers.get('location')!);
    return { location, code: location.searchParams.get('code')!, state: location.searchParams.get('state') };
  }

  async function signedInTokens() {
    const { verifier, challenge } = pkce();
    const { code } = await signIn(challenge);
    const answer = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier, client_id: 'emulator-client-id' });
    expect(answer.status).toBe(200);
    return json(answer);
  }

  it('publishes its OpenID configuration, with the issuer of its tokens', async () => {
    const answer = await fetch(emulator.openIdConfigurationUrl);
    expect(answer.status).toBe(200);
    expect(await json(answer)).toMatchObject({
      issuer: emulator.issuer,
      authorization_endpoint: `${emulator.url}/oauth/authorize`,
      token_endpoint: `${emulator.url}/oauth/token`,
      jwks_uri: `${emulator.url}/.well-known/jwks.json`,
      end_session_endpoint: `${emulator.url}/oauth/logout`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_post', 'client_secret_basic'],
    });
  });

  it('runs the code flow with PKCE: tokens verify against its JWKS, the access token is the sign-in token', async () => {
    const { verifier, challenge } = pkce();
    const { location, code, state } = await signIn(challenge);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(state).toBe('state-123');
    expect(location.searchParams.get('iss')).toBe(emulator.issuer);

    const answer = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier, client_id: 'emulator-client-id' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const body = await json(answer);
    expect(body).toEqual({
      access_token: expect.any(String),
      id_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 120,
      scope: 'openid profile email offline_access',
    });

    const jwks = createRemoteJWKSet(new URL(`${emulator.url}/.well-known/jwks.json`));
    const { payload: idToken } = await jwtVerify(body.id_token, jwks, { issuer: emulator.issuer, audience: emulator.clientId, algorithms: ['RS256'] });
    expect(idToken).toMatchObject({ sub: USER_ALICE, nonce: 'nonce-456', email: ALICE, name: expect.any(String) });
    expect(Number(idToken.exp) - Number(idToken.iat)).toBe(120);

    const { payload: access } = await jwtVerify(body.access_token, jwks, { issuer: emulator.issuer, audience: emulator.audience, algorithms: ['RS256'] });
    // The same claims as Frontegg's password sign-in gives alice (but for times and the session id).
    const signInAnswer = await fetch(`${emulator.url}/identity/resources/auth/v1/user`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ALICE, password: DEV_PASSWORD }),
    });
    const timeless = ({ iat, exp, auth_time, sid, ...claims }: Record<string, unknown>) => claims;
    expect(timeless(access)).toEqual(timeless(decodeJwt((await json(signInAnswer)).accessToken)));
    expect(access).toMatchObject({ sub: USER_ALICE, tenantId: 'tenant-acme', type: 'userToken' });
    expect(Number(access.exp) - Number(access.iat)).toBe(120);
  });

  it('refuses a wrong code_verifier, a reused code and a different redirect_uri with invalid_grant', async () => {
    const exchange = (code: string, verifier: string, redirectUri = REDIRECT_URI) =>
      token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, client_id: 'emulator-client-id' });

    const wrong = await signIn(pkce().challenge);
    const wrongVerifier = await exchange(wrong.code, pkce().verifier);
    expect(wrongVerifier.status).toBe(400);
    expect(await json(wrongVerifier)).toEqual({ error: 'invalid_grant', error_description: 'code_verifier does not match the code_challenge' });

    const elsewhere = pkce();
    const mismatch = await exchange((await signIn(elsewhere.challenge)).code, elsewhere.verifier, 'http://127.0.0.1:3000/other');
    expect(mismatch.status).toBe(400);
    expect((await json(mismatch)).error).toBe('invalid_grant');

    // A replayed code is refused and revokes what its first exchange gave.
    const { verifier, challenge } = pkce();
    const { code } = await signIn(challenge);
    const first = await exchange(code, verifier);
    expect(first.status).toBe(200);
    const replay = await exchange(code, verifier);
    expect(replay.status).toBe(400);
    expect((await json(replay)).error).toBe('invalid_grant');
    const refresh = await token({ grant_type: 'refresh_token', refresh_token: (await json(first)).refresh_token, client_id: 'emulator-client-id' });
    expect(refresh.status).toBe(400);
  });

  it('expires an unused code after 60 s', async () => {
    const { verifier, challenge } = pkce();
    const { code } = await signIn(challenge);
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);
    try {
      const answer = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier, client_id: 'emulator-client-id' });
      expect(answer.status).toBe(400);
      expect(await json(answer)).toEqual({ error: 'invalid_grant', error_description: 'the authorization code has expired' });
    } finally {
      clock.mockRestore();
    }
  });

  it('rotates refresh tokens; reusing a rotated one is invalid_grant and revokes the whole sign-in', async () => {
    const first = await signedInTokens();
    const refresh = (refreshToken: string) => token({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'emulator-client-id' });

    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    const secondBody = await json(second);
    expect(secondBody.refresh_token).not.toBe(first.refresh_token);
    expect(decodeJwt(secondBody.access_token)).toMatchObject({ sub: USER_ALICE });
    expect(decodeJwt(secondBody.id_token)).toMatchObject({ sub: USER_ALICE, nonce: 'nonce-456' });

    // The old token again: refused, and the live one (secondBody's) dies with it.
    const reuse = await refresh(first.refresh_token);
    expect(reuse.status).toBe(400);
    expect(await json(reuse)).toEqual({ error: 'invalid_grant', error_description: expect.stringMatching(/already used/) });
    const afterReuse = await refresh(secondBody.refresh_token);
    expect(afterReuse.status).toBe(400);
    expect(await json(afterReuse)).toEqual({ error: 'invalid_grant', error_description: 'the refresh token has been revoked' });

    // Another sign-in is not affected.
    expect((await refresh((await signedInTokens()).refresh_token)).status).toBe(200);
  });

  it("logout with the id_token_hint revokes the user's refresh tokens and returns to post_logout_redirect_uri", async () => {
    const tokens = await signedInTokens();
    const query = new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: 'http://127.0.0.1:3000/', state: 's' });
    const logout = await fetch(`${emulator.url}/oauth/logout?${query}`, { redirect: 'manual' });
    expect(logout.status).toBe(302);
    expect(logout.headers.get('location')).toBe('http://127.0.0.1:3000/?state=s');
    const refresh = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'emulator-client-id' });
    expect(refresh.status).toBe(400);
    expect((await json(refresh)).error).toBe('invalid_grant');

    const page = await fetch(`${emulator.url}/oauth/logout`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('signed out');
    expect((await fetch(`${emulator.url}/oauth/logout?id_token_hint=forged.token.here`)).status).toBe(400);
  });

  it("ends sign-ins from the emulator's side: the revoke control, and a locked user", async () => {
    const controls = new EmulatorControlClient(emulator.url);
    const refresh = async (refreshToken: string) =>
      (await json(await token({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'emulator-client-id' }))).error;

    const revoked = await signedInTokens();
    expect(await controls.revokeOAuthSignIns(USER_ALICE)).toBeGreaterThanOrEqual(1);
    expect(await refresh(revoked.refresh_token)).toBe('invalid_grant');

    const locked = await signedInTokens();
    await controls.lockUser(USER_ALICE);
    try {
      expect(await refresh(locked.refresh_token)).toBe('invalid_grant');
    } finally {
      await controls.unlockUser(USER_ALICE);
    }
    // The refusal revoked that sign-in: unlocking does not bring it back.
    expect(await refresh(locked.refresh_token)).toBe('invalid_grant');
  });

  it('answers the form again with an error for a wrong password', async () => {
    const page = await fetch(`${emulator.url}/oauth/authorize?${authorizeQuery()}`);
    const posted = await fetch(`${emulator.url}/oauth/authorize`, form({ ...hiddenFields(await page.text()), email: ALICE, password: 'nope' }));
    expect(posted.status).toBe(200);
    const html = await posted.text();
    expect(html).toContain('Incorrect email or password');
    expect(hiddenFields(html)).toMatchObject({ state: 'state-123', redirect_uri: REDIRECT_URI });
  });

  it('escapes injected values in the form, and forbids framing', async () => {
    const injected = '"><script>alert(1)</script>';
    const page = await fetch(`${emulator.url}/oauth/authorize?${authorizeQuery({ state: injected, nonce: injected, redirect_uri: `${REDIRECT_URI}?x=${injected}` })}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await page.text();
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#34;&#62;&#60;script&#62;');
    expect(hiddenFields(html).state).toBe(injected);

    const posted = await fetch(`${emulator.url}/oauth/authorize`, form({ ...hiddenFields(html), email: injected, password: 'nope' }));
    expect(await posted.text()).not.toContain('<script>');
  });

  it.each([
    ['no state', { state: undefined }, 'invalid_request'],
    ['no PKCE', { code_challenge: undefined, code_challenge_method: undefined }, 'invalid_request'],
    ['plain PKCE', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['another client', { client_id: 'someone-else' }, 'invalid_request'],
    ['a non-http redirect_uri', { redirect_uri: 'javascript:alert(1)' }, 'invalid_request'],
    ['the implicit flow', { response_type: 'token' }, 'unsupported_response_type'],
  ])('refuses an authorization request with %s (400)', async (_case, overrides, error) => {
    const answer = await fetch(`${emulator.url}/oauth/authorize?${authorizeQuery(overrides)}`, { redirect: 'manual' });
    expect(answer.status).toBe(400);
    expect(await json(answer)).toEqual({ error, error_description: expect.any(String) });
  });

  it.each([
    ['another grant type', { grant_type: 'password' }, 400, 'unsupported_grant_type'],
    ['no grant type', {}, 400, 'invalid_request'],
    ['another client', { grant_type: 'refresh_token', refresh_token: 'x', client_id: 'someone-else' }, 401, 'invalid_client'],
    ['no client', { grant_type: 'refresh_token', refresh_token: 'x' }, 401, 'invalid_client'],
    ['an unknown refresh token', { grant_type: 'refresh_token', refresh_token: 'x', client_id: 'emulator-client-id' }, 400, 'invalid_grant'],
    ['an unknown code', { grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT_URI, code_verifier: pkce().verifier, client_id: 'emulator-client-id' }, 400, 'invalid_grant'],
  ])('refuses a token request with %s', async (_case, fields, status, error) => {
    const answer = await token(fields);
    expect(answer.status).toBe(status);
    expect(await json(answer)).toEqual({ error, error_description: expect.any(String) });
  });

  it('records its requests like Frontegg calls, so a test can count refreshes', async () => {
    const harness = { 'content-type': 'application/json' };
    await fetch(`${emulator.url}/_emulator/requests`, { method: 'DELETE', headers: harness });
    const tokens = await signedInTokens();
    await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'emulator-client-id' });
    const recorded = (await (await fetch(`${emulator.url}/_emulator/requests`)).json()) as Array<{ method: string; path: string; body: Record<string, string> }>;
    const tokenCalls = recorded.filter((entry) => entry.method === 'POST' && entry.path === '/oauth/token');
    expect(tokenCalls.map((entry) => entry.body.grant_type)).toEqual(['authorization_code', 'refresh_token']);
  });
});

describe('the hosted login with a client secret', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ oauthClientSecret: 's3cret' });
  });
  afterAll(() => emulator.close());

  const tokenRequest = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${emulator.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'unknown', ...fields }).toString(),
    });
  const basic = (secret: string) => ({ authorization: `Basic ${Buffer.from(`emulator-client-id:${secret}`).toString('base64')}` });

  it('requires the secret, by client_secret_post or client_secret_basic', async () => {
    const none = await tokenRequest({ client_id: 'emulator-client-id' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Basic');
    expect((await json(none)).error).toBe('invalid_client');
    expect((await tokenRequest({}, basic('wrong'))).status).toBe(401);
    expect((await tokenRequest({ client_id: 'emulator-client-id', client_secret: 'wrong' })).status).toBe(401);
    const malformed = { authorization: `Basic ${Buffer.from('emulator-client-id:%E0%A4%A').toString('base64')}` };
    expect(await json(await tokenRequest({}, malformed))).toEqual({ error: 'invalid_client', error_description: 'malformed Basic credentials' });
    // Authenticated: the request reaches the grant (an unknown refresh token).
    for (const answer of [await tokenRequest({}, basic('s3cret')), await tokenRequest({ client_id: 'emulator-client-id', client_secret: 's3cret' })]) {
      expect(answer.status).toBe(400);
      expect((await json(answer)).error).toBe('invalid_grant');
    }
  });
});
