import { hash } from 'node:crypto';
import { holdsJwtInClear } from '../../test/support/jwt-in-clear';
import { MemorySessionBackend } from './session-backends';
import { newSessionId, SessionStore, type PendingLogin, type SessionRecord } from './session-store';

const IDLE_MS = 60_000;
const sessionKey = (id: string) => `gateway:session:${hash('sha256', id, 'base64url')}`;
const loginKey = (state: string) => `gateway:login:${hash('sha256', state, 'base64url')}`;

function record(overrides: Partial<SessionRecord> = {}): SessionRecord {
  const now = Date.now();
  return {
    userId: 'user-alice',
    tenantId: 'tenant-acme',
    email: 'alice@acme.test',
    name: 'Alice',
    accessToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLWFsaWNlIn0.c2lnbmF0dXJlLW9mLWFsaWNl',
    accessIssuedAt: now,
    accessExpiresAt: now + 3_600_000,
    refreshToken: 'refresh-token-of-alice-0123456789abcdefghijklmnop',
    idToken: 'eyJhbGciOiJSUzI1NiJ9.eyJub25jZSI6Im4ifQ.aWQtdG9rZW4tc2lnbmF0dXJl',
    createdAt: now,
    absoluteExpiresAt: now + 43_200_000,
    ...overrides,
  };
}

/** Flips one character of the given JWE segment (0 header, 2 iv, 3 ciphertext, 4 tag). */
function tampered(sealed: string, segment: number): string {
  const parts = sealed.split('.');
  const part = parts[segment];
  const index = Math.floor(part.length / 2);
  parts[segment] = `${part.slice(0, index)}${part[index] === 'A' ? 'B' : 'A'}${part.slice(index + 1)}`;
  return parts.join('.');
}

describe('SessionStore (sealed sessions, against MemorySessionBackend)', () => {
  let clock: number;
  let backend: MemorySessionBackend;
  let store: SessionStore;

  beforeEach(() => {
    clock = 1_000_000;
    backend = new MemorySessionBackend({ maxEntries: 100, maxBytes: 1024 * 1024 }, () => clock);
    store = new SessionStore(backend);
  });

  describe('newSessionId', () => {
    it('is 32 random bytes, base64url (43 characters), never the same twice', () => {
      const ids = Array.from({ length: 1000 }, newSessionId);
      for (const id of ids) {
        expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(Buffer.from(id, 'base64url')).toHaveLength(32);
      }
      expect(new Set(ids).size).toBe(ids.length);
    });
  });

  describe('sealing', () => {
    it('keys the session by the SHA-256 of its id, and its value holds neither the id nor a token in clear', async () => {
      const id = newSessionId();
      const session = record();
      await store.create(id, session, IDLE_MS);
      const sealed = await backend.read(sessionKey(id));
      expect(sealed).toMatch(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/); // compact JWE, dir: no encrypted key
      expect(JSON.parse(Buffer.from(sealed!.split('.')[0], 'base64url').toString())).toEqual({ alg: 'dir', enc: 'A256GCM' });
      for (const secret of [id, session.accessToken, session.refreshToken!, session.idToken!, 'alice', 'user-alice']) {
        expect(sealed).not.toContain(secret);
      }
      expect(holdsJwtInClear(sealed!)).toBe(false);
      expect(await backend.read(`gateway:session:${id}`)).toBeUndefined();
      expect(await store.read(id, IDLE_MS)).toEqual(session);
    });

    it('no sealed value ever looks like it holds a JWT, over 2,000 seals (random ciphertext may spell "eyJ" by chance)', async () => {
      const session = record();
      expect(holdsJwtInClear(JSON.stringify(session))).toBe(true); // the record in clear does
      const sealedValues: string[] = [];
      for (let i = 0; i < 2_000; i++) {
        const id = newSessionId();
        await store.create(id, session, IDLE_MS);
        sealedValues.push((await backend.read(sessionKey(id)))!);
        await store.remove(id);
      }
      const lookingLikeAJwt = sealedValues.filter(holdsJwtInClear);
      expect(lookingLikeAJwt).toEqual([]);
    });

    it('opens only with its own id: a sealed value moved under another id is no session', async () => {
      const alice = newSessionId();
      const mallory = newSessionId();
      await store.create(alice, record(), IDLE_MS);
      await store.create(mallory, record({ userId: 'user-mallory' }), IDLE_MS);
      await backend.write(sessionKey(mallory), (await backend.read(sessionKey(alice)))!, IDLE_MS);
      expect(await store.read(mallory, IDLE_MS)).toBeUndefined();
      expect(await store.peek(mallory)).toBeUndefined();
      expect((await store.read(alice, IDLE_MS))?.userId).toBe('user-alice');
    });

    it('seals a sign-in in progress by its state: moved under another state, it does not open', async () => {
      const login: PendingLogin = { codeVerifier: 'v'.repeat(43), nonce: 'n'.repeat(32), returnTo: '/settings' };
      await store.putLogin('state-a', login, 60_000);
      await store.putLogin('state-b', { ...login, returnTo: '/other' }, 60_000);
      await backend.write(loginKey('state-b'), (await backend.read(loginKey('state-a')))!, 60_000);
      expect(await store.takeLogin('state-b')).toBeUndefined();
      expect(await store.takeLogin('state-a')).toEqual(login);
    });

    it.each([
      ['header', 0],
      ['iv', 2],
      ['ciphertext', 3],
      ['tag', 4],
    ])('answers no session, not an error, when the %s of the sealed value is tampered with', async (_segment, segment) => {
      const id = newSessionId();
      await store.create(id, record(), IDLE_MS);
      await backend.write(sessionKey(id), tampered((await backend.read(sessionKey(id)))!, segment), IDLE_MS);
      await expect(store.read(id, IDLE_MS)).resolves.toBeUndefined();
      await expect(store.peek(id)).resolves.toBeUndefined();
    });

    it.each(['', 'not a jwe', 'a.b.c.d.e', '{"userId":"user-alice"}'])('answers no session for a stored value %j that is no sealed session', async (value) => {
      const id = newSessionId();
      await backend.write(sessionKey(id), value, IDLE_MS);
      await expect(store.read(id, IDLE_MS)).resolves.toBeUndefined();
    });

    it('a session sealed under the "login" purpose does not open as a session (keys are separated by purpose)', async () => {
      const id = newSessionId();
      await store.putLogin(id, { codeVerifier: 'v'.repeat(43), nonce: 'n', returnTo: '/' }, 60_000);
      await backend.write(sessionKey(id), (await backend.read(loginKey(id)))!, IDLE_MS);
      expect(await store.read(id, IDLE_MS)).toBeUndefined();
    });
  });

  describe('lifetimes', () => {
    it('ends a session idle longer than the idle timeout, and restarts the idle time at each read', async () => {
      const id = newSessionId();
      await store.create(id, record(), 1000);
      clock += 900;
      expect(await store.read(id, 1000)).toBeDefined();
      clock += 900; // 1800 ms after creation, 900 ms after the last read
      expect(await store.read(id, 1000)).toBeDefined();
      clock += 1001;
      expect(await store.read(id, 1000)).toBeUndefined();
    });

    it('ends a session at its absolute end, however active, and removes it', async () => {
      const id = newSessionId();
      const now = Date.now();
      await store.create(id, record({ createdAt: now, absoluteExpiresAt: now + 5000 }), IDLE_MS);
      expect(await store.read(id, IDLE_MS, now + 4999)).toBeDefined();
      expect(await store.read(id, IDLE_MS, now + 5000)).toBeUndefined();
      expect(await backend.read(sessionKey(id))).toBeUndefined();
      expect(await store.read(id, IDLE_MS, now)).toBeUndefined();
    });

    it('stores a new session no longer than its absolute lifetime when that is shorter than the idle timeout', async () => {
      const id = newSessionId();
      const now = Date.now();
      await store.create(id, record({ createdAt: now, absoluteExpiresAt: now + 500 }), IDLE_MS);
      clock += 499;
      expect(await backend.read(sessionKey(id))).toBeDefined();
      clock += 2;
      expect(await backend.read(sessionKey(id))).toBeUndefined();
    });
  });

  describe('update (a refresh) never brings a session back', () => {
    it('after a logout removed it', async () => {
      const id = newSessionId();
      await store.create(id, record(), IDLE_MS);
      await store.remove(id);
      expect(await store.update(id, record({ accessToken: 'new' }))).toBe(false);
      expect(await store.read(id, IDLE_MS)).toBeUndefined();
      expect(await backend.read(sessionKey(id))).toBeUndefined();
    });

    it('after it expired', async () => {
      const id = newSessionId();
      await store.create(id, record(), 1000);
      clock += 1001;
      expect(await store.update(id, record({ accessToken: 'new' }))).toBe(false);
      expect(await backend.read(sessionKey(id))).toBeUndefined();
    });

    it('keeps the lifetime the session had (an update is no activity)', async () => {
      const id = newSessionId();
      await store.create(id, record(), 1000);
      clock += 600;
      expect(await store.update(id, record({ accessToken: 'new' }))).toBe(true);
      expect((await store.peek(id))?.accessToken).toBe('new');
      clock += 401;
      expect(await store.peek(id)).toBeUndefined();
    });
  });

  describe('sign-ins in progress', () => {
    it('are taken once: a replayed state finds nothing', async () => {
      const login: PendingLogin = { codeVerifier: 'v'.repeat(43), nonce: 'n'.repeat(32), returnTo: '/' };
      await store.putLogin('state', login, 60_000);
      expect(await store.takeLogin('state')).toEqual(login);
      expect(await store.takeLogin('state')).toBeUndefined();
      expect(await store.takeLogin('another state')).toBeUndefined();
    });

    it('end after their lifetime', async () => {
      await store.putLogin('state', { codeVerifier: 'v'.repeat(43), nonce: 'n', returnTo: '/' }, 1000);
      clock += 1001;
      expect(await store.takeLogin('state')).toBeUndefined();
    });
  });

  describe('refresh lock', () => {
    it('is held by one caller at a time, freed only by its holder or its lifetime', async () => {
      const id = newSessionId();
      const token = await store.lockRefresh(id, 1000);
      expect(token).toBeDefined();
      expect(await store.lockRefresh(id, 1000)).toBeUndefined();
      await store.unlockRefresh(id, 'not the holder');
      expect(await store.lockRefresh(id, 1000)).toBeUndefined();
      await store.unlockRefresh(id, token!);
      const next = await store.lockRefresh(id, 1000);
      expect(next).toBeDefined();
      clock += 1001;
      expect(await store.lockRefresh(id, 1000)).toBeDefined();
    });
  });
});

describe('SessionStore.inMemory (one instance, no Redis)', () => {
  it('sign-ins in progress, however many (GET /auth/login needs no credential), never evict a session: they are bounded apart', async () => {
    const bounds = { maxEntries: 5, maxBytes: 1024 * 1024 };
    const store = SessionStore.inMemory(bounds, bounds);
    const ids = [newSessionId(), newSessionId()];
    for (const id of ids) await store.create(id, record(), IDLE_MS);
    const login: PendingLogin = { codeVerifier: 'v'.repeat(43), nonce: 'n'.repeat(32), returnTo: '/' };
    for (let index = 0; index < 50; index++) await store.putLogin(`flood-${index}`, login, 60_000);
    for (const id of ids) expect(await store.read(id, IDLE_MS)).toBeDefined();
    // The flood only pushes out other sign-ins in progress (their users start again).
    expect(await store.takeLogin('flood-0')).toBeUndefined();
    expect(await store.takeLogin('flood-49')).toEqual(login);
  });

  it('sessions beyond their own bound drop the least recently used session, not a sign-in in progress', async () => {
    const store = SessionStore.inMemory({ maxEntries: 2, maxBytes: 1024 * 1024 }, { maxEntries: 2, maxBytes: 1024 * 1024 });
    const login: PendingLogin = { codeVerifier: 'v'.repeat(43), nonce: 'n'.repeat(32), returnTo: '/' };
    await store.putLogin('state', login, 60_000);
    const ids = [newSessionId(), newSessionId(), newSessionId()];
    for (const id of ids) await store.create(id, record(), IDLE_MS);
    expect(await store.read(ids[0], IDLE_MS)).toBeUndefined();
    expect(await store.read(ids[2], IDLE_MS)).toBeDefined();
    expect(await store.takeLogin('state')).toEqual(login);
  });
});

describe('MemorySessionBackend bounds', () => {
  it('holds at most maxEntries, dropping the least recently used', async () => {
    const backend = new MemorySessionBackend({ maxEntries: 3, maxBytes: 1024 * 1024 });
    for (const key of ['a', 'b', 'c']) await backend.write(key, 'value', 60_000);
    await backend.read('a'); // a is now the most recently used
    await backend.write('d', 'value', 60_000);
    expect(await backend.read('b')).toBeUndefined();
    for (const key of ['a', 'c', 'd']) expect(await backend.read(key)).toBe('value');
  });

  it('holds at most maxBytes of keys and values (two bytes a character)', async () => {
    const backend = new MemorySessionBackend({ maxEntries: 1000, maxBytes: 1000 });
    const value = 'x'.repeat(96); // 2 × (4 + 96) = 200 bytes with a 4-character key
    const keys = Array.from({ length: 10 }, (_, index) => `k${String(index).padStart(3, '0')}`);
    for (const key of keys) await backend.write(key, value, 60_000);
    const kept = [];
    for (const key of keys) if ((await backend.read(key)) !== undefined) kept.push(key);
    expect(kept).toEqual(keys.slice(5)); // 5 × 200 bytes
  });

  it('does not keep a value larger than the whole bound', async () => {
    const backend = new MemorySessionBackend({ maxEntries: 1000, maxBytes: 1000 });
    await backend.write('small', 'x', 60_000);
    await backend.write('huge', 'x'.repeat(600), 60_000);
    expect(await backend.read('huge')).toBeUndefined();
  });
});
