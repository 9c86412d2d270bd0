import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { timeLeftMs, type RequestTrace } from '../common/http/request-trace';
import { ProblemException } from '../common/problems/problem.exception';
import { GatewayConfig } from '../config/gateway-config';
import { releaseRedisLock, takeRedisLock } from '../redis/redis-lock';
import { REDIS, type SharedRedis } from '../redis/redis.token';
import { SharedStoreHealth, SharedStoreUnavailable } from '../redis/shared-store-health';

/** While another writer holds a tenant's lock, how often it is tried again. */
const RETRY_MS = 20;

/**
 * One writer of a tenant's role keys at a time (CONTRACT §4.2: of simultaneous creations of one
 * key, exactly one succeeds, across instances). Why a lock, and not only the upstream's answer:
 * Frontegg's official document lists no duplicate-key answer for creating or changing a role, so
 * nothing says the upstream refuses a second role with a key; the check-then-write must be made
 * atomic by the gateway itself. A short per-tenant lock in Redis (SET NX PX, released by its
 * token) does it across instances; an in-process queue per tenant does it within one, and is
 * all there is without Redis or while Redis is not answering (CONTRACT §6: per-instance state,
 * never a wait). For that case RoleAdministration also maps an upstream refusal of a key that
 * is, looked at again, taken to the 409 (the emulator, like a careful upstream, refuses it).
 *
 * Every wait is bounded by the request's deadline (then `503` with Retry-After), and a lock lives
 * at most the deadline and a second, so a holder that died frees it by itself.
 */
@Injectable()
export class RoleKeyLock {
  /** The last writer in line per tenant, in this process; dropped when it is done. Bounded by the requests in flight. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    @Inject(REDIS) private readonly redis: SharedRedis,
    private readonly health: SharedStoreHealth,
    private readonly config: GatewayConfig,
  ) {}

  async whileHolding<T>(tenantId: string, trace: RequestTrace, work: () => Promise<T>): Promise<T> {
    const before = this.queues.get(tenantId) ?? Promise.resolve();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // The next writer waits for this one and for everyone before it, even if this one gives up.
    const mine = before.then(() => released);
    this.queues.set(tenantId, mine);
    void mine.then(() => this.queues.get(tenantId) === mine && this.queues.delete(tenantId));
    try {
      await withinDeadline(before, trace);
      const token = await this.acquireShared(tenantId, trace);
      try {
        return await work();
      } finally {
        if (token) await this.releaseShared(tenantId, token);
      }
    } finally {
      release();
    }
  }

  /** The Redis lock's token; undefined without Redis or while it does not answer (this instance's queue is then the lock). */
  private async acquireShared(tenantId: string, trace: RequestTrace): Promise<string | undefined> {
    const redis = this.redis;
    if (!redis) return undefined;
    const ttlMs = this.config.requestDeadlineMs + 1000;
    for (;;) {
      try {
        const token = await this.health.run('locks', () => takeRedisLock(redis, lockKey(tenantId), ttlMs));
        if (token) return token;
      } catch (error) {
        if (error instanceof SharedStoreUnavailable) return undefined;
        throw error;
      }
      if (timeLeftMs(trace) <= RETRY_MS) throw busy();
      await sleep(RETRY_MS);
    }
  }

  private async releaseShared(tenantId: string, token: string): Promise<void> {
    const redis = this.redis!;
    // Not released (Redis gone meanwhile): it expires by itself.
    await this.health.run('locks', () => releaseRedisLock(redis, lockKey(tenantId), token)).catch(() => undefined);
  }
}

function lockKey(tenantId: string): string {
  return `gateway:role-keys-lock:${tenantId}`;
}

async function withinDeadline(turn: Promise<void>, trace: RequestTrace): Promise<void> {
  const controller = new AbortController();
  const timeout = sleep(Math.max(0, timeLeftMs(trace)), 'late', { signal: controller.signal }).catch(() => undefined);
  const outcome = await Promise.race([turn.then(() => 'turn'), timeout]);
  controller.abort();
  if (outcome !== 'turn') throw busy();
}

function busy(): ProblemException {
  return new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, "another change of this tenant's roles is under way: try again", { headers: { 'Retry-After': '1' } });
}
