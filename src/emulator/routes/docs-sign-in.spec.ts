import type { FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { EmulatorContext } from '../context';
import { buildEmulatorApp } from '../emulator';
import { resolveOptions } from '../options';
import { DEV_PASSWORD, USER_ALICE } from '../seed';

const TOKEN_PATH = '/_emulator/oauth/token';
const GATEWAY_ORIGIN = 'http://127.0.0.1:3000';

describe('POST /_emulator/oauth/token (password grant for the docs page)', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = buildEmulatorApp(await EmulatorContext.create(resolveOptions({ clientId: 'docs-client' })));
    await app.ready();
  });
  afterAll(() => app.close());

  /** What Swagger UI's password flow sends by default: a form, the client id as Basic, X-Requested-With. */
  const grant = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: TOKEN_PATH,
      headers: {
        origin: GATEWAY_ORIGIN,
        accept: 'application/json, text/plain, */*',
        'content-type': 'application/x-www-form-urlencoded',
        'x-requested-with': 'XMLHttpRequest',
        authorization: `Basic ${Buffer.from('docs-client:').toString('base64')}`,
        ...headers,
      },
      payload: new URLSearchParams(form).toString(),
    });
  const alice = { grant_type: 'password', scope: '', username: 'alice@acme.test', password: DEV_PASSWORD };

  it("answers a seeded user's sign-in token as an OAuth 2.0 token answer, readable by the gateway's page", async () => {
    const answer = await grant(alice);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers).toMatchObject({ 'access-control-allow-origin': GATEWAY_ORIGIN, 'cache-control': 'no-store', pragma: 'no-cache' });
    const body = answer.json();
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });

    // The same token as Frontegg's sign-in route gives the same user (but for times and the session id).
    const signIn = await app.inject({ method: 'POST', url: '/identity/resources/auth/v1/user', payload: { email: 'alice@acme.test', password: DEV_PASSWORD } });
    const timeless = ({ iat, exp, auth_time, jti, sid, ...claims }: Record<string, unknown>) => ({ ...claims, lifetime: Number(exp) - Number(iat) });
    expect(timeless(decodeJwt(body.access_token))).toEqual(timeless(decodeJwt(signIn.json().accessToken)));
    expect(decodeJwt(body.access_token)).toMatchObject({ sub: USER_ALICE, tenantId: 'tenant-acme', aud: 'docs-client', roles: ['Admin'] });
  });

  it('accepts the client id in the body, or none at all; another client id is invalid_client', async () => {
    expect((await grant({ ...alice, client_id: 'docs-client' }, { authorization: '' })).statusCode).toBe(200);
    expect((await grant(alice, { authorization: `Basic ${Buffer.from(':').toString('base64')}` })).statusCode).toBe(200);
    const other = await grant({ ...alice, client_id: 'someone-else' });
    expect(other.statusCode).toBe(401);
    expect(other.json()).toEqual({ error: 'invalid_client', error_description: 'unknown client_id' });
  });

  it.each([
    ['a wrong password', { ...alice, password: 'nope' }, 'Incorrect email or password'],
    ['an unknown user', { ...alice, username: 'nobody@acme.test' }, 'Incorrect email or password'],
    ['a locked user', { ...alice, username: 'locked@acme.test' }, expect.stringMatching(/locked/i)],
  ])('refuses %s with invalid_grant (400), still readable by the page', async (_case, form, description) => {
    const answer = await grant(form);
    expect(answer.statusCode).toBe(400);
    expect(answer.headers['access-control-allow-origin']).toBe(GATEWAY_ORIGIN);
    expect(answer.json()).toEqual({ error: 'invalid_grant', error_description: description });
  });

  it.each([
    ['another grant type', 'grant_type=client_credentials', 'application/x-www-form-urlencoded', 'unsupported_grant_type'],
    ['no grant type', 'username=alice%40acme.test&password=x', 'application/x-www-form-urlencoded', 'invalid_request'],
    ['no password', 'grant_type=password&username=alice%40acme.test', 'application/x-www-form-urlencoded', 'invalid_request'],
    ['a repeated field', 'grant_type=password&username=a&username=b&password=x', 'application/x-www-form-urlencoded', 'invalid_request'],
    ['a JSON body', JSON.stringify(alice), 'application/json', 'invalid_request'],
    ['a text body', 'grant_type=password', 'text/plain', 'invalid_request'],
  ])('refuses %s as an OAuth error (400)', async (_case, payload, contentType, error) => {
    const answer = await app.inject({ method: 'POST', url: TOKEN_PATH, headers: { 'content-type': contentType }, payload });
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toEqual({ error, error_description: expect.any(String) });
  });

  it("answers the browser's preflight from a loopback origin, and lets no other origin read anything", async () => {
    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: TOKEN_PATH,
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-requested-with' },
      });
    for (const origin of [GATEWAY_ORIGIN, 'http://localhost:8080', 'http://[::1]:3000']) {
      const answer = await preflight(origin);
      expect(answer.statusCode).toBe(204);
      expect(answer.headers).toMatchObject({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'accept, authorization, content-type, x-requested-with',
      });
    }
    for (const origin of ['https://example.com', 'http://127.0.0.1.example.com']) {
      expect((await preflight(origin)).headers['access-control-allow-origin']).toBeUndefined();
      expect((await grant(alice, { origin })).headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it("is a control: not recorded, and Frontegg's /oauth/token (the hosted login's) offers no password grant", async () => {
    await app.inject({ method: 'DELETE', url: '/_emulator/requests' });
    await grant(alice);
    expect((await app.inject({ method: 'GET', url: '/_emulator/requests' })).json()).toEqual([]);
    const frontegg = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(alice).toString(),
    });
    expect(frontegg.statusCode).toBe(400);
    expect(frontegg.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });
});
