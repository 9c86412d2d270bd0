import type { HttpAdapterHost } from '@nestjs/core';
import { createCache } from 'cache-manager';
import Fastify from 'fastify';
import { Keyv } from 'keyv';
import { Metrics } from '../../metrics/metrics.service';
import { BoundedMemoryStore } from '../cache/bounded-memory-store';
import { ReadThroughCache } from '../cache/read-through-cache';
import { cachedJsonReply, serializedOnce } from './cached-json';

const role = (id: string) => ({ id, key: id, name: `Rôle ${id} ✓`, description: null, level: undefined, permissions: ['p1'], environmentWide: false });

describe('serializedOnce', () => {
  afterEach(() => jest.restoreAllMocks());

  it('is JSON.stringify of the value (undefined fields left out, nulls and non-ASCII kept)', () => {
    const roles = [role('r1'), role('r2')];
    expect(serializedOnce(roles)).toBe(JSON.stringify(roles));
    expect(serializedOnce(roles)).not.toContain('level');
  });

  it('serializes one value object once, however often it is answered', () => {
    const roles = [role('r1')];
    const stringify = jest.spyOn(JSON, 'stringify');
    const first = serializedOnce(roles);
    expect(serializedOnce(roles)).toBe(first);
    expect(stringify).toHaveBeenCalledTimes(1);
  });

  it('never answers a value with the text of another: it is found by the object, not by equality (an entry per tenant, a new object per Redis read)', () => {
    const acme = [role('acme')];
    const globex = [role('globex')];
    expect(serializedOnce(acme)).toBe(JSON.stringify(acme));
    expect(serializedOnce(globex)).toBe(JSON.stringify(globex));
    const stringify = jest.spyOn(JSON, 'stringify');
    const copy = [role('acme')];
    expect(serializedOnce(copy)).toBe(serializedOnce(acme));
    expect(stringify.mock.calls).toEqual([[copy]]);
  });
});

describe('cachedJsonReply', () => {
  const answer = { value: [role('r1'), role('r2')], cacheStatus: 'gateway; hit; ttl=12' };

  it('sends the same bytes and headers as returning the value itself, on GET and on HEAD', async () => {
    const before = Fastify();
    before.get('/roles', async (_request, reply) => {
      reply.header('Cache-Status', answer.cacheStatus);
      return answer.value;
    });
    const after = Fastify();
    after.get('/roles', async (_request, reply) => cachedJsonReply(reply, answer));
    const wire = async (app: typeof before, method: 'GET' | 'HEAD') => {
      const { statusCode, headers, rawPayload } = await app.inject({ method, url: '/roles' });
      return { statusCode, headers: Object.entries(headers).filter(([name]) => name !== 'date'), body: rawPayload.toString('hex') };
    };
    for (const method of ['GET', 'HEAD'] as const) expect(await wire(after, method)).toEqual(await wire(before, method));
    const { headers, body } = await after.inject({ url: '/roles' });
    expect(headers).toMatchObject({ 'cache-status': 'gateway; hit; ttl=12', 'content-type': 'application/json; charset=utf-8' });
    expect(body).toBe(JSON.stringify(answer.value));
    await Promise.all([before.close(), after.close()]);
  });
});

describe('serializedOnce over the read-through cache', () => {
  afterEach(() => jest.restoreAllMocks());

  // The gateway's memory store keeps objects (no Keyv serialization): every hit is the same value.
  const memory = () => new Keyv({ store: new BoundedMemoryStore({ maxEntries: 100, maxBytes: 1_000_000, sweepIntervalMs: 60_000 }), serialize: undefined, deserialize: undefined });
  const readThrough = (keyv?: Keyv) => new ReadThroughCache(createCache(keyv ? { stores: [keyv] } : {}), new Metrics({} as HttpAdapterHost), null);

  it('serializes a memory entry once for all its hits, and the new entry after a change', async () => {
    const cache = readThrough(memory());
    let roles = [role('r1')];
    const read = async () => serializedOnce((await cache.read('roles', 'roles:t1', 30_000, async () => roles, { scope: 'scope:t1' })).value);
    // (The memory store measures each entry it stores by its JSON: that call is not counted here.)
    const stringify = jest.spyOn(JSON, 'stringify');
    const timesSerialized = (value: object) => stringify.mock.calls.filter(([argument]) => argument === value).length;
    const miss = await read();
    for (let i = 0; i < 3; i++) expect(await read()).toBe(miss);
    expect(timesSerialized(roles)).toBe(1);

    const before = roles;
    roles = [role('r1'), role('r2')];
    await cache.changed('scope:t1');
    const changed = await read();
    expect(await read()).toBe(changed);
    expect(timesSerialized(roles)).toBe(1);
    expect(timesSerialized(before)).toBe(1);
    expect(changed).toBe(JSON.stringify(roles));
  });

  it('serializes each read of a store that hands out a new object per read (as Redis does), to the same text', async () => {
    const cache = readThrough(); // Keyv's default store serializes: a new object per read
    const roles = [role('r1')];
    const read = async () => serializedOnce((await cache.read('roles', 'roles:t1', 30_000, async () => roles)).value);
    const texts = [await read(), await read(), await read()];
    expect(new Set(texts)).toEqual(new Set([JSON.stringify(roles)]));
  });
});
