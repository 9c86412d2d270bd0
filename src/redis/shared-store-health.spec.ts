import { Logger } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import type Redis from 'ioredis';
import EventEmitter from 'node:events';
import { Metrics } from '../metrics/metrics.service';
import { SHARED_STORE_RETRY_AFTER_MS, SharedStoreHealth, SharedStoreUnavailable } from './shared-store-health';

/** Just what SharedStoreHealth uses of an ioredis connection. */
class FakeRedis extends EventEmitter {
  status = 'ready';
  answering = true;
  pings = 0;
  recycled = 0;
  ping(): Promise<string> {
    this.pings++;
    return this.answering ? Promise.resolve('PONG') : Promise.reject(new Error('Command timed out'));
  }
  disconnect(reconnect: boolean): void {
    if (reconnect) this.recycled++;
  }
}

const timedOut = () => Promise.reject(new Error('Command timed out'));

describe('SharedStoreHealth', () => {
  let redis: FakeRedis;
  let metrics: Metrics;
  let health: SharedStoreHealth;
  let warned: jest.SpyInstance;
  let logged: jest.SpyInstance;

  beforeEach(() => {
    warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    logged = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.useFakeTimers({ now: 1_000_000 });
    redis = new FakeRedis();
    metrics = new Metrics({} as HttpAdapterHost);
    health = new SharedStoreHealth(redis as unknown as Redis, metrics);
  });
  afterEach(() => {
    health.onApplicationShutdown();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  const counted = async (name: string, labels: Record<string, string> = {}) => {
    const metric = (await metrics.registry.getMetricsAsJSON()).find((candidate) => candidate.name === name);
    return metric?.values.find((value) => Object.entries(labels).every(([key, label]) => value.labels[key] === label))?.value ?? 0;
  };

  it('runs operations on Redis while it answers', async () => {
    await expect(health.run('cache', () => Promise.resolve('value'))).resolves.toBe('value');
    expect(health.isShared).toBe(true);
    expect(await counted('gateway_shared_store_degraded')).toBe(0);
  });

  it('after a timeout, skips Redis without waiting, counts it, and replaces the silent connection', async () => {
    await expect(health.run('rate-limit', timedOut)).rejects.toBeInstanceOf(SharedStoreUnavailable);
    const operation = jest.fn(() => Promise.resolve('never'));
    await expect(health.run('cache', operation)).rejects.toBeInstanceOf(SharedStoreUnavailable);
    expect(operation).not.toHaveBeenCalled();
    expect(health.isShared).toBe(false);
    expect(redis.recycled).toBe(1);
    expect(await counted('gateway_shared_store_timeouts_total', { use: 'rate-limit' })).toBe(1);
    expect(await counted('gateway_shared_store_errors_total', { use: 'rate-limit' })).toBe(1);
    expect(await counted('gateway_shared_store_bypassed_total', { use: 'cache' })).toBe(1);
    expect(await counted('gateway_shared_store_degraded')).toBe(1);
    expect(warned).toHaveBeenCalledWith(expect.stringContaining('Redis not answering'));
  });

  it('probes in the background, and shares again once a probe is answered', async () => {
    await health.run('cache', timedOut).catch(() => undefined);
    redis.answering = false;
    await jest.advanceTimersByTimeAsync(3 * SHARED_STORE_RETRY_AFTER_MS);
    expect(health.isShared).toBe(false);
    const failedProbes = redis.pings;
    expect(failedProbes).toBeGreaterThan(0);

    redis.answering = true;
    await jest.advanceTimersByTimeAsync(2 * SHARED_STORE_RETRY_AFTER_MS);
    expect(health.isShared).toBe(true);
    expect(await counted('gateway_shared_store_degraded')).toBe(0);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('Redis answering again'));
    await jest.advanceTimersByTimeAsync(5 * SHARED_STORE_RETRY_AFTER_MS);
    expect(redis.pings).toBe(failedProbes + 1); // no probing while shared
  });

  it('is not shared while the connection is down, nor once it is ready again until the recovery steps ran (issue 20)', async () => {
    const steps: string[] = [];
    health.beforeSharingAgain(async () => void steps.push('emptied the cache'));
    redis.status = 'reconnecting';
    redis.emit('close');
    expect(health.isShared).toBe(false);
    redis.status = 'ready';
    redis.emit('ready');
    expect(health.isShared).toBe(false); // Redis answers, but what it holds is from before the outage
    const operation = jest.fn(() => Promise.resolve('never'));
    await expect(health.run('cache', operation)).rejects.toBeInstanceOf(SharedStoreUnavailable);
    expect(operation).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(SHARED_STORE_RETRY_AFTER_MS);
    expect(steps).toEqual(['emptied the cache']);
    expect(health.isShared).toBe(true);
  });

  it('after a failed command, runs the recovery steps once Redis answers, and retries them while they fail', async () => {
    let failing = true;
    let runs = 0;
    health.beforeSharingAgain(async () => {
      runs++;
      if (failing) throw new Error('Command timed out');
    });
    await expect(health.run('cache', timedOut)).rejects.toBeInstanceOf(SharedStoreUnavailable);
    await jest.advanceTimersByTimeAsync(SHARED_STORE_RETRY_AFTER_MS);
    expect(runs).toBe(1);
    expect(health.isShared).toBe(false);
    failing = false;
    await jest.advanceTimersByTimeAsync(2 * SHARED_STORE_RETRY_AFTER_MS);
    expect(runs).toBe(2);
    expect(health.isShared).toBe(true);
    await jest.advanceTimersByTimeAsync(5 * SHARED_STORE_RETRY_AFTER_MS);
    expect(runs).toBe(2); // not again while shared
  });
});
