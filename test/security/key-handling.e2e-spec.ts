/**
 * Family 5 — signing keys (CONTRACT §2): rotation without restart; at most one JWKS fetch per
 * 30 s cooldown on behalf of requests, whatever arrives (unknown kids, readiness probes), and
 * whether the fetch succeeds or fails; cached keys survive an outage, new keys fail closed.
 * Each test gets a gateway of its own: the key cache and the fetch gate are process state.
 */
import { JWKS_REFETCH_COOLDOWN_MS } from '../../src/auth/token-verifier.service';
import { advanceClock, expectUnauthorized } from '../support/assertions';
import { hmacToken } from './support/jwt';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { JWKS_PATH, startGatewayOn, type SecurityGateway } from './support/security-gateway';

describe('signing keys (CONTRACT §2): rotation, cooldown, outages', () => {
  let emulator: RunningEmulator;
  let g: SecurityGateway;
  let elapsed = 0;

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.close());
  beforeEach(async () => {
    elapsed = 0;
    g = await startGatewayOn(emulator);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await g.close();
  });

  /** Moves the clock forward by `ms` more (advanceClock mocks Date.now from the real time). */
  const wait = (ms: number) => {
    elapsed += ms;
    jest.restoreAllMocks();
    advanceClock(elapsed);
  };
  const roles = (token: string) => g.http().get('/v1/roles').set('authorization', `Bearer ${token}`);
  const fetches = async () => (await g.jwksFetches()).length;
  const unknownKids = (count: number) => Promise.all(Array.from({ length: count }, (_, i) => g.token({ header: { kid: `unknown-${i}-${Math.random()}` } })));
  const jwksDown = () => g.upstream.injectFault({ method: 'GET', path: JWKS_PATH, status: 503 });

  it('the cooldown is the contract 30 s', () => {
    expect(JWKS_REFETCH_COOLDOWN_MS).toBe(30_000);
  });

  it('accepts a rotated key without restart: refused within the cooldown, accepted after it, one fetch', async () => {
    const first = await g.token();
    expect((await roles(first)).status).toBe(200);
    expect(await fetches()).toBe(1);

    await g.upstream.rotateKey();
    const rotated = await g.token();
    expectUnauthorized(await roles(rotated), 'invalid token');
    expect(await fetches()).toBe(1);

    wait(JWKS_REFETCH_COOLDOWN_MS + 1000);
    expect((await roles(rotated)).status).toBe(200);
    expect((await roles(first)).status).toBe(200); // the previous key is still published
    expect(await fetches()).toBe(2);
  });

  it('a flood of unknown kids, sequential and concurrent, causes at most one fetch per cooldown', async () => {
    expect((await roles(await g.token())).status).toBe(200);
    wait(JWKS_REFETCH_COOLDOWN_MS + 1000);

    // 40 sequential, 40 concurrent: one refetch, shared, then nothing until the cooldown ends.
    for (const token of await unknownKids(40)) expectUnauthorized(await roles(token), 'invalid token');
    const concurrent = await Promise.all((await unknownKids(40)).map(roles));
    expect(concurrent.map((answer) => answer.status)).toEqual(Array(40).fill(401));
    expect(await fetches()).toBe(2);

    // Each further cooldown allows exactly one more.
    for (let period = 1; period <= 3; period++) {
      wait(JWKS_REFETCH_COOLDOWN_MS + 1000);
      await Promise.all((await unknownKids(20)).map(roles));
      expect(await fetches()).toBe(2 + period);
    }
  });

  it('a concurrent flood right at start shares the first fetch', async () => {
    const answers = await Promise.all((await unknownKids(30)).map(roles));
    expect(answers.every((answer) => answer.status === 401)).toBe(true);
    expect(await fetches()).toBe(1);
    expect((await roles(await g.token())).status).toBe(200); // the good key came with that fetch
    expect(await fetches()).toBe(1);
  });

  it('JWKS down: cached keys keep working, a new key fails closed', async () => {
    const known = await g.token();
    expect((await roles(known)).status).toBe(200);
    await jwksDown();
    await g.upstream.rotateKey();
    wait(5 * 60_000);

    expectUnauthorized(await roles(await g.token()), 'invalid token');
    for (let i = 0; i < 5; i++) expect((await roles(known)).status).toBe(200);
    expect(await fetches()).toBe(2); // the first one, and one failed attempt
  });

  it('JWKS down and a flood of unknown kids: at most one attempt per cooldown, success or failure', async () => {
    const known = await g.token();
    expect((await roles(known)).status).toBe(200);
    await jwksDown();
    wait(JWKS_REFETCH_COOLDOWN_MS + 1000);

    for (const token of await unknownKids(30)) expectUnauthorized(await roles(token), 'invalid token');
    await Promise.all((await unknownKids(30)).map(roles));
    expect(await fetches()).toBe(2);
    expect((await roles(known)).status).toBe(200);

    wait(JWKS_REFETCH_COOLDOWN_MS + 1000);
    for (const token of await unknownKids(30)) expectUnauthorized(await roles(token), 'invalid token');
    expect(await fetches()).toBe(3);
  });

  it('JWKS down from the start: no token works, one attempt per cooldown (probes included), recovery after it', async () => {
    await jwksDown();
    const token = await g.token();
    for (let i = 0; i < 20; i++) expectUnauthorized(await roles(token), 'invalid token');
    for (let i = 0; i < 10; i++) expect((await g.http().get('/health/ready')).status).toBe(503);
    expect(await fetches()).toBe(1);

    await g.upstream.clearFaults();
    expectUnauthorized(await roles(token), 'invalid token'); // still within the cooldown: fails closed
    wait(JWKS_REFETCH_COOLDOWN_MS + 1000);
    expect((await roles(await g.token())).status).toBe(200);
    expect((await g.http().get('/health/ready')).status).toBe(200);
    expect(await fetches()).toBe(2);
  });

  it.each<[string, Parameters<SecurityGateway['upstream']['injectFault']>[0]]>([
    ['answers 500', { method: 'GET', path: JWKS_PATH, status: 500 }],
    ['answers a redirect', { method: 'GET', path: JWKS_PATH, status: 302, headers: { location: 'https://evil.example.com/jwks.json' } }],
    ['answers something that is not JSON', { method: 'GET', path: JWKS_PATH, status: 200, body: '<html>maintenance</html>' }],
    ['answers JSON that is not a key set', { method: 'GET', path: JWKS_PATH, status: 200, body: { keys: 'none' } }],
    ['drops the connection', { method: 'GET', path: JWKS_PATH, dropConnection: true }],
  ])('a JWKS endpoint that %s: known keys keep working, nothing new is accepted', async (_name, fault) => {
    const known = await g.token();
    expect((await roles(known)).status).toBe(200);
    await g.upstream.injectFault(fault);
    wait(JWKS_REFETCH_COOLDOWN_MS + 1000);

    // A kid the gateway has not seen makes it refetch, and the broken answer changes nothing.
    expectUnauthorized(await roles(await g.token({ header: { kid: 'next-key' } })), 'invalid token');
    expect(await fetches()).toBe(2);
    expect((await roles(known)).status).toBe(200);
  });

  it('a JWKS that publishes a symmetric key never makes an HMAC token valid (algorithm allowlist)', async () => {
    const secret = Buffer.from('published-secret');
    const { keys } = (await (await fetch(`${g.emulator.url}${JWKS_PATH}`)).json()) as { keys: object[] };
    await g.upstream.injectFault({
      method: 'GET', path: JWKS_PATH, status: 200, body: { keys: [...keys, { kty: 'oct', kid: 'evil', k: secret.toString('base64url') }] },
    });
    const { claims } = await g.upstream.mintTokenWithClaims();
    const forged = hmacToken('HS256', secret, { kid: 'evil', typ: 'JWT' }, claims);
    expectUnauthorized(await roles(forged), 'invalid token');
    expect((await roles(await g.token())).status).toBe(200);
    wait(JWKS_REFETCH_COOLDOWN_MS + 1000);
    expectUnauthorized(await roles(forged), 'invalid token');
  });

  it('a JWKS endpoint slower than UPSTREAM_TIMEOUT_MS fails closed in time, without a 5xx', async () => {
    await g.close();
    g = await startGatewayOn(emulator, { UPSTREAM_TIMEOUT_MS: '200' });
    await g.upstream.injectFault({ method: 'GET', path: JWKS_PATH, latencyMs: 1500 });
    const started = Date.now();
    expectUnauthorized(await roles(await g.token()), 'invalid token');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
