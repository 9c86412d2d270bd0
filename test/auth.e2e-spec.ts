import { createHmac } from 'node:crypto';
import { TENANT_ACME, TENANT_GLOBEX, USER_ALICE, USER_ERIN } from '../src/emulator';
import { advanceClock, expectUnauthorized } from './support/assertions';
import { startTestGateway, type TestGateway } from './support/gateway';

const JWKS = '/.well-known/jwks.json';

describe('authentication (CONTRACT §2)', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());
  beforeEach(() => gateway.reset());
  afterEach(() => jest.restoreAllMocks());

  const getRoles = (authorization?: string) => {
    const request = gateway.http().get('/v1/roles');
    return authorization === undefined ? request : request.set('authorization', authorization);
  };
  const managementCalls = async () => gateway.upstream.requests({ path: /^\/identity\// });

  it('accepts a valid user token', async () => {
    const response = await getRoles(`Bearer ${await gateway.token()}`);
    expect(response.status).toBe(200);
  });

  it('accepts the scheme in any case', async () => {
    expect((await getRoles(`bearer ${await gateway.token()}`)).status).toBe(200);
    expect((await getRoles(`BEARER ${await gateway.token()}`)).status).toBe(200);
  });

  describe('refuses every token that is not valid, with 401 and no upstream call', () => {
    const tamper = (token: string, part: 0 | 1 | 2) => {
      const parts = token.split('.');
      const segment = parts[part];
      parts[part] = segment.slice(0, -2) + (segment.endsWith('AA') ? 'BB' : 'AA');
      return parts.join('.');
    };
    const withClaim = (token: string, claims: Record<string, unknown>) => {
      const [header, payload, signature] = token.split('.');
      const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString());
      return [header, Buffer.from(JSON.stringify({ ...decoded, ...claims })).toString('base64url'), signature].join('.');
    };
    const now = () => Math.floor(Date.now() / 1000);

    const cases: [string, (g: TestGateway) => Promise<string>, ('invalid token' | 'token expired')?][] = [
      ['expired beyond the clock tolerance', (g) => g.token({ expiresInSeconds: -60 }), 'token expired'],
      ['wrong issuer', (g) => g.token({ claims: { iss: 'https://evil.example.com' } })],
      ['missing issuer', (g) => g.token({ claims: { iss: null } })],
      ['wrong audience', (g) => g.token({ claims: { aud: 'another-client' } })],
      ['missing audience', (g) => g.token({ claims: { aud: null } })],
      ['missing exp', (g) => g.token({ claims: { exp: null } })],
      ['nbf in the future', (g) => g.token({ claims: { nbf: now() + 3600 } })],
      ['unknown kid', (g) => g.token({ header: { kid: 'not-a-known-key' } })],
      ['no kid', (g) => g.token({ header: { kid: null } })],
      ['tampered signature', async (g) => tamper(await g.token(), 2)],
      ['tampered payload', async (g) => withClaim(await g.token(), { tenantId: TENANT_GLOBEX })],
      ['signature stripped', async (g) => (await g.token()).split('.').slice(0, 2).join('.') + '.'],
      ['alg none', (g) => g.token({ signWith: 'none' })],
      ['HS256 keyed with the public key', (g) => g.token({ signWith: 'hs256-public-key' })],
      ['signed by a key outside the JWKS', (g) => g.token({ signWith: 'foreign' })],
      ['missing tenantId', (g) => g.token({ claims: { tenantId: null } })],
      ['missing sub', (g) => g.token({ claims: { sub: null } })],
      ['unsupported token type', (g) => g.token({ claims: { type: 'tenantApiToken' } })],
      ['roles not a list of strings', (g) => g.token({ claims: { permissions: 'fe.secure.read.roles' } })],
      ['a key carried in the jwk header', (g) => g.token({ header: { jwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB' } } })],
      ['a key URL in the jku header', (g) => g.token({ header: { jku: 'https://evil.example.com/jwks.json' } })],
      ['not a JWT', async () => 'not-a-jwt'],
      ['non-JSON segments', async () => 'e30.bm90IGpzb24.c2ln'],
      ['extra segments', async (g) => `${await g.token()}.extra`],
    ];

    it.each(cases)('%s', async (_name, makeToken, detail = 'invalid token') => {
      const token = await makeToken(gateway);
      const response = await getRoles(`Bearer ${token}`);
      expectUnauthorized(response, detail, true);
      expect(JSON.stringify(response.body)).not.toContain(token.slice(0, 40));
      expect(await managementCalls()).toEqual([]);
    });

    it('HS256 keyed with the JWK form of the public key', async () => {
      const { keys } = (await (await fetch(`${gateway.emulator.url}${JWKS}`)).json()) as { keys: { kid: string }[] };
      const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: keys[0].kid, typ: 'JWT' })).toString('base64url');
      const { claims } = await gateway.upstream.mintTokenWithClaims();
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      const signature = createHmac('sha256', JSON.stringify(keys[0])).update(`${header}.${payload}`).digest('base64url');
      expectUnauthorized(await getRoles(`Bearer ${header}.${payload}.${signature}`), 'invalid token');
    });
  });

  it('tolerates clock skew within JWT_CLOCK_TOLERANCE_S', async () => {
    const response = await getRoles(`Bearer ${await gateway.token({ expiresInSeconds: -10 })}`);
    expect(response.status).toBe(200);
  });

  it('answers a bare challenge when no token was sent', async () => {
    expectUnauthorized(await getRoles(), 'invalid token', false);
    expectUnauthorized(await getRoles('Basic dXNlcjpwYXNz'), 'invalid token', false);
  });

  it('ignores tokens in the query string and in cookies', async () => {
    const token = await gateway.token();
    expectUnauthorized(await gateway.http().get(`/v1/roles?access_token=${token}`), 'invalid token', false);
    expectUnauthorized(await gateway.http().get('/v1/roles').set('cookie', `access_token=${token}`), 'invalid token', false);
  });

  it('refuses a request with two Authorization headers', async () => {
    const token = await gateway.token();
    // superagent hands an array to Node's setHeader, which writes one header line per value.
    const twoHeaders = [`Bearer ${token}`, `Bearer ${token}`] as unknown as string;
    const response = await gateway.http().get('/v1/roles').set('authorization', twoHeaders);
    expectUnauthorized(response, 'invalid token', true);
  });

  it('takes the principal from the token, never from client headers', async () => {
    const token = await gateway.token({ userId: USER_ALICE });
    const response = await getRoles(`Bearer ${token}`)
      .set('frontegg-tenant-id', TENANT_GLOBEX)
      .set('frontegg-user-id', 'user-carol')
      .set('x-access-token', 'client-supplied');
    expect(response.status).toBe(200);
    const [call] = await gateway.upstream.requests({ path: '/identity/resources/roles/v1' });
    expect(call.headers['frontegg-tenant-id']).toBe(TENANT_ACME);
    expect(call.headers['frontegg-user-id']).toBeUndefined();
    expect(call.headers['x-access-token']).toBeUndefined();
    expect(call.headers.authorization).not.toContain(token);
  });

  it('acts for the active tenant of a member of two tenants', async () => {
    const token = await gateway.token({ userId: USER_ERIN, tenantId: TENANT_GLOBEX });
    expect((await getRoles(`Bearer ${token}`)).status).toBe(200);
    const [call] = await gateway.upstream.requests({ path: '/identity/resources/roles/v1' });
    expect(call.headers['frontegg-tenant-id']).toBe(TENANT_GLOBEX);
  });

  it('accepts userApiToken, with the user id from its userId claim, on routes open to any type', async () => {
    const token = await gateway.token({ claims: { type: 'userApiToken', sub: 'client-id-of-api-token', userId: USER_ALICE } });
    expect((await getRoles(`Bearer ${token}`)).status).toBe(200);
    const me = await gateway.http().get('/v1/me').set('authorization', `Bearer ${token}`);
    expect(me.status).toBe(403);
    expect(me.body.detail).toBe('token type userApiToken is not allowed here');
  });

  describe('signing keys', () => {
    const jwksFetches = () => gateway.upstream.requests({ method: 'GET', path: JWKS });

    it('accepts a rotated key without restart, refetching at most once per 30 s', async () => {
      expect((await getRoles(`Bearer ${await gateway.token()}`)).status).toBe(200);
      await gateway.upstream.rotateKey();
      const rotated = await gateway.token();
      const before = (await jwksFetches()).length;

      // Within the cooldown after the last fetch, an unknown kid fails closed without a fetch...
      expectUnauthorized(await getRoles(`Bearer ${rotated}`), 'invalid token');
      expect((await jwksFetches()).length).toBe(before);

      // ...after it, one fetch picks the new key up...
      advanceClock(31_000);
      expect((await getRoles(`Bearer ${rotated}`)).status).toBe(200);
      expect((await jwksFetches()).length).toBe(before + 1);

      // ...and a flood of unknown kids right after causes no further fetch.
      const flood = await Promise.all(Array.from({ length: 20 }, (_, i) => gateway.token({ header: { kid: `unknown-${i}` } })));
      const answers = await Promise.all(flood.map((token) => getRoles(`Bearer ${token}`)));
      expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(401));
      expect((await jwksFetches()).length).toBe(before + 1);
    });

    it('keeps accepting known keys while the JWKS endpoint is down, and fails closed for new ones', async () => {
      const known = await gateway.token();
      expect((await getRoles(`Bearer ${known}`)).status).toBe(200);
      await gateway.upstream.injectFault({ method: 'GET', path: JWKS, status: 503 });
      advanceClock(120_000);
      const before = (await jwksFetches()).length;
      await gateway.upstream.rotateKey();

      expectUnauthorized(await getRoles(`Bearer ${await gateway.token()}`), 'invalid token');
      expect((await jwksFetches()).length).toBe(before + 1); // it tried, and failed closed
      expect((await getRoles(`Bearer ${known}`)).status).toBe(200);
    });
  });
});
