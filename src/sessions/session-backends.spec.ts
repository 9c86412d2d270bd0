import type Redis from 'ioredis';
import { ProblemException } from '../common/problems/problem.exception';
import { SharedStoreUnavailable, type SharedStoreHealth } from '../redis/shared-store-health';
import { RedisSessionBackend, type SessionBackend } from './session-backends';

/** A backend over a Redis the health check reports as `outcome` (the operation itself is never reached). */
function backendWhoseRedis(outcome: Error): SessionBackend {
  const health = { run: () => Promise.reject(outcome) } as unknown as SharedStoreHealth;
  return new RedisSessionBackend({} as Redis, health);
}

const EVERY_COMMAND: [string, (backend: SessionBackend) => Promise<unknown>][] = [
  ['readAndTouch', (backend) => backend.readAndTouch('k', 1000)],
  ['read', (backend) => backend.read('k')],
  ['write', (backend) => backend.write('k', 'v', 1000)],
  ['replace', (backend) => backend.replace('k', 'v')],
  ['take', (backend) => backend.take('k')],
  ['remove', (backend) => backend.remove('k')],
  ['lock', (backend) => backend.lock('k', 1000)],
  ['unlock', (backend) => backend.unlock('k', 'token')],
];

describe('RedisSessionBackend while Redis is not answering', () => {
  it.each(EVERY_COMMAND)('%s is a 503 with Retry-After (sessions have no per-instance fallback)', async (_command, call) => {
    const refusal = await call(backendWhoseRedis(new SharedStoreUnavailable())).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ProblemException);
    expect(refusal).toMatchObject({ detail: 'the session store is not answering: try again', headers: { 'Retry-After': '1' } });
    expect((refusal as ProblemException).getStatus()).toBe(503);
  });

  it('any other failure goes on as it is (a 500 from the filter, not a retry hint)', async () => {
    const bug = new TypeError('not a store outage');
    await expect(backendWhoseRedis(bug).read('k')).rejects.toBe(bug);
  });
});
