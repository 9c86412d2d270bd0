import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestTrace } from '../common/http/request-trace';
import type { GatewayConfig } from '../config/gateway-config';
import type { SharedStoreHealth } from '../redis/shared-store-health';
import { RoleKeyLock } from './role-key-lock';

const trace = (deadlineMs = 5_000) => ({ deadlineAt: performance.now() + deadlineMs }) as RequestTrace;
const inProcess = () => new RoleKeyLock(null, {} as SharedStoreHealth, { requestDeadlineMs: 5_000 } as GatewayConfig);

describe('RoleKeyLock without Redis (one instance)', () => {
  it("runs one tenant's writers one at a time, in arrival order, and other tenants' alongside", async () => {
    const lock = inProcess();
    const events: string[] = [];
    const writer = (tenant: string, name: string, ms: number) =>
      lock.whileHolding(tenant, trace(), async () => {
        events.push(`${name} in`);
        await sleep(ms);
        events.push(`${name} out`);
      });
    await Promise.all([writer('t1', 'a', 30), writer('t1', 'b', 5), writer('t2', 'x', 5), writer('t1', 'c', 1)]);
    expect(events.filter((event) => !event.startsWith('x'))).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
    expect(events.indexOf('x out')).toBeLessThan(events.indexOf('a out'));
  });

  it('a writer whose deadline passes in line is a 503 with Retry-After, and the line goes on without it', async () => {
    const lock = inProcess();
    let releaseFirst!: () => void;
    const first = lock.whileHolding('t1', trace(), () => new Promise<void>((resolve) => (releaseFirst = resolve)));
    const late = lock.whileHolding('t1', trace(30), async () => 'never');
    await expect(late).rejects.toMatchObject({ status: 503, headers: { 'Retry-After': '1' } });
    const third = lock.whileHolding('t1', trace(), async () => 'third');
    releaseFirst();
    await first;
    await expect(third).resolves.toBe('third');
  });

  it('frees the line when a writer fails, and keeps no tenant once all are done', async () => {
    const lock = inProcess();
    await expect(lock.whileHolding('t1', trace(), async () => Promise.reject(new Error('upstream')))).rejects.toThrow('upstream');
    await expect(lock.whileHolding('t1', trace(), async () => 'next')).resolves.toBe('next');
    await sleep(0);
    expect((lock as unknown as { queues: Map<string, unknown> }).queues.size).toBe(0);
  });
});
