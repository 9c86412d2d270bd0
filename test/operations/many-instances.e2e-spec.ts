import { claimRedisDatabase, type ClaimedRedisDatabase } from '../support/redis-database';
import Redis from 'ioredis';
import { EmulatorControlClient, startEmulator, USER_ALICE, USER_BOB, USER_GRACE, type RunningEmulator } from '../../src/emulator';
import { startGatewayProcess, startOwnRedis, type GatewayProcess } from './support';

const LIMIT = 10;

jest.setTimeout(30_000); // real processes: start-up, drains and reconnects take seconds

describe('many instances on one Redis (issue 5)', () => {
  let emulator: RunningEmulator;
  let upstream: EmulatorControlClient;
  let first: GatewayProcess;
  let second: GatewayProcess;
  let redis: Redis;
  let database: ClaimedRedisDatabase;

  beforeAll(async () => {
    database = await claimRedisDatabase();
    redis = database.redis;
    emulator = await startEmulator();
    upstream = new EmulatorControlClient(emulator.url);
    const shared = { REDIS_URL: database.url, RATE_LIMIT_PER_MINUTE: String(LIMIT), ROLES_CACHE_TTL_S: '300' };
    [first, second] = await Promise.all([startGatewayProcess(emulator, shared), startGatewayProcess(emulator, shared)]);
  });

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await database?.release();
    await emulator?.close();
  });

  const call = (gateway: GatewayProcess, method: string, path: string, token: string, body?: unknown) =>
    fetch(`${gateway.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  it('a role change through one instance is seen through the other at once', async () => {
    const alice = await upstream.mintToken({ userId: USER_ALICE });
    const before = await call(second, 'GET', '/v1/roles', alice);
    expect(before.headers.get('cache-status')).toMatch(/stored|hit/);
    const keysBefore = ((await before.json()) as { key: string }[]).map((role) => role.key);

    expect((await call(first, 'POST', '/v1/roles', alice, { key: 'shared-role', name: 'Shared', level: 40 })).status).toBe(201);

    const after = await call(second, 'GET', '/v1/roles', alice);
    expect(((await after.json()) as { key: string }[]).map((role) => role.key)).toEqual([...keysBefore, 'shared-role']);
  });

  it(`shares the rate limit: ${2 * LIMIT} requests split across both with a limit of ${LIMIT} give exactly ${LIMIT} successes`, async () => {
    const bob = await upstream.mintToken({ userId: USER_BOB });
    const statuses: number[] = [];
    for (let i = 0; i < 2 * LIMIT; i++) statuses.push((await call(i % 2 === 0 ? first : second, 'GET', '/v1/roles', bob)).status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(LIMIT);
  });

  it('keeps serving when its Redis goes away (per-instance limits, logged, counted) and reconnects by itself', async () => {
    const own = await startOwnRedis();
    const gateway = await startGatewayProcess(emulator, { REDIS_URL: `redis://127.0.0.1:${own.port}`, RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const grace = await upstream.mintToken({ userId: USER_GRACE });
      const statuses = async (count: number) => {
        const answers: number[] = [];
        for (let i = 0; i < count; i++) answers.push((await call(gateway, 'GET', '/v1/roles', grace)).status);
        return answers;
      };
      expect(await statuses(4)).toEqual([200, 200, 200, 429]); // limits enforced through Redis

      await own.kill();
      expect(await statuses(5)).toEqual([200, 200, 200, 429, 429]); // never down, limited per instance (issue 11)
      await gateway.waitFor('Redis not answering: rate limits counted per instance');
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      expect(metrics).toMatch(/gateway_shared_store_(errors|bypassed)_total\{use="rate-limit"\} [1-9]/);
      const ready = (await (await fetch(`${gateway.url}/health/ready`)).json()) as { status: string; info: Record<string, unknown> };
      expect(ready.status).toBe('ok'); // still ready: Redis is reported, not required
      expect(ready.info.sharedStore).toEqual({ status: 'up', store: 'redis', connected: false, state: 'degraded', mode: 'per-instance' });

      const restarted = await startOwnRedis(own.port);
      try {
        await gateway.waitFor('Redis answering again', 10_000);
        const fresh = await upstream.mintToken({ userId: USER_GRACE, claims: { sub: 'user-grace' } });
        const answers: number[] = [];
        for (let i = 0; i < 4; i++) answers.push((await call(gateway, 'GET', '/v1/roles', fresh)).status);
        expect(answers).toEqual([200, 200, 200, 429]); // enforced again after reconnecting
      } finally {
        await restarted.kill();
      }
    } finally {
      await gateway.stop();
    }
  });
});
