import { hash, hkdfSync, randomBytes } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { LOGIN_MEMORY_BOUNDS, MemorySessionBackend, SESSION_MEMORY_BOUNDS, type MemorySessionBounds, type SessionBackend } from './session-backends';

declare module '../auth/session-authenticator' {
  /** What a cookie-authenticated request's session holds, for the sessions module's own routes. */
  interface RequestSession {
    readonly record: SessionRecord;
  }
}

/** What the gateway keeps for one signed-in browser. Never sent to the browser. */
export interface SessionRecord {
  readonly userId: string;
  readonly tenantId: string;
  readonly email?: string;
  readonly name?: string;
  readonly accessToken: string;
  /** When the gateway received the access token, in milliseconds: refreshes start a quarter of its lifetime before it ends. */
  readonly accessIssuedAt: number;
  /** The access token's `exp`, in milliseconds since the epoch. */
  readonly accessExpiresAt: number;
  readonly refreshToken?: string;
  /** For the provider's logout (`id_token_hint`). */
  readonly idToken?: string;
  readonly createdAt: number;
  /** The absolute end (SESSION_MAX_AGE_S after sign-in), whatever the activity. */
  readonly absoluteExpiresAt: number;
  /** The token names what changed upstream (the active tenant): refreshed before its next use, whatever its age. */
  readonly refreshDue?: boolean;
}

/** A sign-in in progress, between /auth/login and /auth/callback. */
export interface PendingLogin {
  readonly codeVerifier: string;
  readonly nonce: string;
  readonly returnTo: string;
}

/** 256 bits from the operating system's CSPRNG, base64url: the session cookie's value. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

const SEAL = { alg: 'dir', enc: 'A256GCM' } as const;

/**
 * Sessions sealed by their own id. The store is keyed by the id's SHA-256 and each value is a JWE
 * (A256GCM) under a key derived from the id (HKDF), so whoever reads Redis (a backup, a replica, a
 * `MONITOR`) finds neither a usable cookie nor a token: only the browser holding the cookie can
 * open its session. Sign-ins in progress are sealed the same way by their `state`.
 */
export class SessionStore {
  /**
   * `logins` holds the sign-ins in progress: the same store as the sessions with Redis; in memory,
   * a bounded cache of their own, because anyone may start a sign-in (GET /auth/login needs no
   * credential) and a flood of them must push out other sign-ins, never a signed-in user's session.
   */
  constructor(
    private readonly backend: SessionBackend,
    private readonly logins: SessionBackend = backend,
  ) {}

  /** One instance's store without Redis: sessions and sign-ins in progress each bounded apart. */
  static inMemory(sessions: MemorySessionBounds = SESSION_MEMORY_BOUNDS, logins: MemorySessionBounds = LOGIN_MEMORY_BOUNDS): SessionStore {
    return new SessionStore(new MemorySessionBackend(sessions), new MemorySessionBackend(logins));
  }

  /** The session, its idle lifetime restarted; undefined when unknown, idle too long or past its absolute end. */
  async read(id: string, idleTimeoutMs: number, now = Date.now()): Promise<SessionRecord | undefined> {
    const sealed = await this.backend.readAndTouch(sessionKey(id), idleTimeoutMs);
    const record = sealed === undefined ? undefined : await unseal<SessionRecord>(sealed, id, 'session');
    if (record && record.absoluteExpiresAt <= now) {
      await this.backend.remove(sessionKey(id));
      return undefined;
    }
    return record;
  }

  /** Reads without touching: what another instance's refresh wrote. */
  async peek(id: string): Promise<SessionRecord | undefined> {
    const sealed = await this.backend.read(sessionKey(id));
    return sealed === undefined ? undefined : unseal<SessionRecord>(sealed, id, 'session');
  }

  async create(id: string, record: SessionRecord, idleTimeoutMs: number): Promise<void> {
    const ttl = Math.max(1, Math.min(idleTimeoutMs, record.absoluteExpiresAt - record.createdAt));
    await this.backend.write(sessionKey(id), await seal(record, id, 'session'), ttl);
  }

  /** New tokens for a session that still exists; false when it ended meanwhile (it is not brought back). */
  async update(id: string, record: SessionRecord): Promise<boolean> {
    return this.backend.replace(sessionKey(id), await seal(record, id, 'session'));
  }

  remove(id: string): Promise<void> {
    return this.backend.remove(sessionKey(id));
  }

  lockRefresh(id: string, ttlMs: number): Promise<string | undefined> {
    return this.backend.lock(`${sessionKey(id)}:refresh`, ttlMs);
  }

  unlockRefresh(id: string, token: string): Promise<void> {
    return this.backend.unlock(`${sessionKey(id)}:refresh`, token);
  }

  async putLogin(state: string, login: PendingLogin, ttlMs: number): Promise<void> {
    await this.logins.write(loginKey(state), await seal(login, state, 'login'), ttlMs);
  }

  /** The sign-in this state started, once: a replayed state finds nothing. */
  async takeLogin(state: string): Promise<PendingLogin | undefined> {
    const sealed = await this.logins.take(loginKey(state));
    return sealed === undefined ? undefined : unseal<PendingLogin>(sealed, state, 'login');
  }
}

const digest = (value: string) => hash('sha256', value, 'base64url');
const sessionKey = (id: string) => `gateway:session:${digest(id)}`;
const loginKey = (state: string) => `gateway:login:${digest(state)}`;

function sealingKey(secret: string, purpose: 'session' | 'login'): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, '', `frontegg-gateway ${purpose} v1`, 32));
}

async function seal(value: object, secret: string, purpose: 'session' | 'login'): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(value))).setProtectedHeader(SEAL).encrypt(sealingKey(secret, purpose));
}

/** Undefined for a value that does not open with this secret (tampered with, or another key's). */
async function unseal<T>(sealed: string, secret: string, purpose: 'session' | 'login'): Promise<T | undefined> {
  try {
    const { plaintext } = await compactDecrypt(sealed, sealingKey(secret, purpose), { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
    return JSON.parse(new TextDecoder().decode(plaintext)) as T;
  } catch {
    return undefined;
  }
}
