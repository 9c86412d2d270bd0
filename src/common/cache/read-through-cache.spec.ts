import type { HttpAdapterHost } from '@nestjs/core';
import { createCache, type Cache } from 'cache-manager';
import type Redis from 'ioredis';
import { Metrics } from '../../metrics/metrics.service';
import { ProblemException } from '../problems/problem.exception';
import { ReadThroughCache } from './read-through-cache';

const TTL_MS = 30_000;
const SCOPE = 'authz-generation:t1';
const scoped = { scope: SCOPE };

/** A load the test releases when it chooses: the upstream answer of a read already in flight. */
function heldLoad<T>(value: T) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  return { load: jest.fn(async () => (await released, value)), release };
}

const upstreamDown = () => Promise.reject(new ProblemException(502, 'identity API unreachable during list roles'));

// Without Redis the generations are kept in the process; with it, in the (here in-memory) store.
describe.each([
  ['in this process', null],
  ['in the shared store', {} as Redis],
])('ReadThroughCache, generations %s', (_where, sharedRedis) => {
  let store: Cache;
  let cache: ReadThroughCache;

  beforeEach(() => {
    store = createCache();
    cache = new ReadThroughCache(store, new Metrics({} as HttpAdapterHost), sharedRedis);
  });
  afterEach(() => jest.restoreAllMocks());

  it('answers a fresh entry of the current generation from the cache', async () => {
    await cache.read('roles', 'roles:t1', TTL_MS, async () => ['admin'], scoped);
    const upstream = jest.fn(async () => ['other']);
    const answer = await cache.read('roles', 'roles:t1', TTL_MS, upstream, scoped);
    expect(upstream).not.toHaveBeenCalled();
    expect(answer).toEqual({ value: ['admin'], cacheStatus: expect.stringMatching(/^gateway; hit; ttl=(29|30)$/) });
  });

  it('does not store a read that started before a change as fresh after it', async () => {
    const before = heldLoad(['admin']);
    const pending = cache.read('roles', 'roles:t1', TTL_MS, before.load, scoped);
    await new Promise(setImmediate); // the read is now loading
    expect(before.load).toHaveBeenCalledTimes(1);
    await cache.changed(SCOPE); // the change: its write is done upstream, then the cache is told
    before.release();
    expect((await pending).value).toEqual(['admin']); // the early reader gets what it asked for

    const upstream = jest.fn(async () => ['admin', 'billing']);
    const after = await cache.read('roles', 'roles:t1', TTL_MS, upstream, scoped);
    expect(upstream).toHaveBeenCalledTimes(1);
    expect(after).toEqual({ value: ['admin', 'billing'], cacheStatus: 'gateway; fwd=stale; stored' });
    expect((await cache.read('roles', 'roles:t1', TTL_MS, upstream, scoped)).value).toEqual(['admin', 'billing']);
    expect(upstream).toHaveBeenCalledTimes(1);
  });

  it('does not let a reader that came after a change join a load that started before it', async () => {
    const before = heldLoad(['admin']);
    const early = cache.read('roles', 'roles:t1', TTL_MS, before.load, scoped);
    await new Promise(setImmediate);
    await cache.changed(SCOPE);
    const upstream = jest.fn(async () => ['admin', 'billing']);
    const late = cache.read('roles', 'roles:t1', TTL_MS, upstream, scoped);
    before.release();
    expect((await early).value).toEqual(['admin']);
    expect((await late).value).toEqual(['admin', 'billing']);
    expect(upstream).toHaveBeenCalledTimes(1);
  });

  it('still shares one load among readers of the same generation', async () => {
    const held = heldLoad(['admin']);
    const readers = [1, 2, 3].map(() => cache.read('roles', 'roles:t1', TTL_MS, held.load, scoped));
    held.release();
    expect((await Promise.all(readers)).map((answer) => answer.value)).toEqual([['admin'], ['admin'], ['admin']]);
    expect(held.load).toHaveBeenCalledTimes(1);
  });

  it('drops every key of the scope at once, and no other scope', async () => {
    await cache.read('roles', 'roles:t1', TTL_MS, async () => ['admin'], scoped);
    await cache.read('authz', 'authz:t1:u1', TTL_MS, async () => ['grants'], scoped);
    await cache.read('roles', 'roles:t2', TTL_MS, async () => ['t2'], { scope: 'authz-generation:t2' });
    await cache.changed(SCOPE);
    const upstream = jest.fn(async () => ['new']);
    await cache.read('roles', 'roles:t1', TTL_MS, upstream, scoped);
    await cache.read('authz', 'authz:t1:u1', TTL_MS, upstream, scoped);
    expect(upstream).toHaveBeenCalledTimes(2);
    expect((await cache.read('roles', 'roles:t2', TTL_MS, upstream, { scope: 'authz-generation:t2' })).value).toEqual(['t2']);
    expect(upstream).toHaveBeenCalledTimes(2);
  });

  it('does not take an entry for fresh when the generation it was loaded under is forgotten', async () => {
    await cache.changed(SCOPE);
    await cache.read('roles', 'roles:t1', TTL_MS, async () => ['admin'], scoped);
    await cache.read('roles', 'roles:t2', TTL_MS, async () => ['t2'], { scope: 'authz-generation:t2' }); // never changed
    if (sharedRedis) {
      await store.del(SCOPE); // evicted, expired, or a store that came back empty
      await store.del('authz-generation:t2');
    } else {
      for (let i = 0; i < 10_000; i++) await cache.changed(`authz-generation:other-${i}`); // t1 falls out
    }
    const upstream = jest.fn(async () => ['new']);
    expect((await cache.read('roles', 'roles:t1', TTL_MS, upstream, scoped)).value).toEqual(['new']);
    expect((await cache.read('roles', 'roles:t2', TTL_MS, upstream, { scope: 'authz-generation:t2' })).value).toEqual(['new']);
    expect(upstream).toHaveBeenCalledTimes(2);
  });

  it('answers an entry of an older generation as stale while the upstream fails, where allowed', async () => {
    await cache.read('roles', 'roles:t1', TTL_MS, async () => ['admin'], scoped);
    await cache.changed(SCOPE);
    const answer = await cache.read('roles', 'roles:t1', TTL_MS, upstreamDown, scoped);
    expect(answer).toEqual({ value: ['admin'], cacheStatus: expect.stringMatching(/^gateway; fwd=stale; fwd-status=502; ttl=\d+; detail=stale-if-error$/) });
    await expect(cache.read('roles', 'roles:t1', TTL_MS, upstreamDown, { ...scoped, staleIfError: false })).rejects.toThrow(ProblemException);
  });

  it('answers a cached read with one store lookup, two when the generations are shared', async () => {
    await cache.read('permissions', 'permissions', TTL_MS, async () => ['p1']);
    await cache.read('roles', 'roles:t1', TTL_MS, async () => ['admin'], scoped);
    const get = jest.spyOn(store, 'get');
    expect((await cache.read('permissions', 'permissions', TTL_MS, async () => ['p2'])).value).toEqual(['p1']);
    expect(get.mock.calls.map(([key]) => key)).toEqual(['permissions']);
    get.mockClear();
    expect((await cache.read('roles', 'roles:t1', TTL_MS, async () => ['other'], scoped)).value).toEqual(['admin']);
    expect(get.mock.calls.map(([key]) => key).sort()).toEqual(sharedRedis ? [SCOPE, 'roles:t1'] : ['roles:t1']);
  });
});
