import type { HttpAdapterHost } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal';
import type { TokenVerifier } from '../auth/token-verifier.service';
import { ProblemException } from '../common/problems/problem.exception';
import { loadGatewayConfig } from '../config/gateway-config';
import { Metrics } from '../metrics/metrics.service';
import { HostedLoginError, type HostedLoginClient, type HostedLoginTokens } from './hosted-login.client';
import { MemorySessionBackend } from './session-backends';
import { SessionCookies } from './session-cookie';
import { newSessionId, SessionStore, type SessionRecord } from './session-store';
import { SessionsService } from './sessions.service';

const config = loadGatewayConfig({
  FRONTEGG_CLIENT_ID: 'client-1',
  FRONTEGG_API_KEY: 'api-key-1',
  FRONTEGG_APP_URL: 'https://login.example.com',
  SESSIONS: 'on',
  PUBLIC_URL: 'https://app.example.com',
});

const principal = { userId: 'user-alice', tenantId: 'tenant-acme', tenantIds: ['tenant-acme'], type: 'userToken' } as Principal;
/** Every token "verifies" to Alice, except Mallory's: the verifier itself is tested elsewhere. */
const verifier = {
  verify: async (token: string) => ({ principal: token.startsWith('mallory') ? { ...principal, userId: 'user-mallory' } : principal }),
} as unknown as TokenVerifier;

class FakeHostedLogin {
  refreshes = 0;
  answer: () => Promise<HostedLoginTokens> = async () => {
    this.refreshes++;
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { accessToken: `access-${this.refreshes}`, accessExpiresAt: Date.now() + 60_000, refreshToken: `refresh-${this.refreshes}` };
  };
  refresh = (): Promise<HostedLoginTokens> => this.answer();
}

function setUp() {
  const store = new SessionStore(new MemorySessionBackend());
  const hostedLogin = new FakeHostedLogin();
  const metrics = new Metrics({} as HttpAdapterHost);
  const sessions = new SessionsService(config, new SessionCookies(config.sessions, []), store, hostedLogin as unknown as HostedLoginClient, verifier, metrics);
  return { store, hostedLogin, sessions };
}

function record(accessExpiresInMs: number, overrides: Partial<SessionRecord> = {}): SessionRecord {
  const now = Date.now();
  return {
    userId: 'user-alice',
    tenantId: 'tenant-acme',
    accessToken: 'access-0',
    accessIssuedAt: now - 60_000,
    accessExpiresAt: now + accessExpiresInMs,
    refreshToken: 'refresh-0',
    createdAt: now - 60_000,
    absoluteExpiresAt: now + 3_600_000,
    ...overrides,
  };
}

const requestWith = (id: string) =>
  ({ headers: { cookie: `__Host-session=${id}`, 'x-csrf': '1' }, id: 'request-1', trace: { deadlineAt: Date.now() + 2_000 } }) as unknown as FastifyRequest;

async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (error instanceof ProblemException) return error.getStatus();
    throw error;
  }
}

describe('SessionsService refresh', () => {
  it('refreshes once for twenty requests that need it at the same moment, and all of them get the new token', async () => {
    const { store, hostedLogin, sessions } = setUp();
    const id = newSessionId();
    await store.create(id, record(-1), 60_000);
    const results = await Promise.all(Array.from({ length: 20 }, () => sessions.authenticate(requestWith(id))));
    expect(hostedLogin.refreshes).toBe(1);
    expect(new Set(results.map((result) => result?.session.record.accessToken))).toEqual(new Set(['access-1']));
    expect((await store.peek(id))?.refreshToken).toBe('refresh-1');
  });

  it('does not refresh a token that is not due', async () => {
    const { store, hostedLogin, sessions } = setUp();
    const id = newSessionId();
    await store.create(id, record(50_000), 60_000);
    await sessions.authenticate(requestWith(id));
    expect(hostedLogin.refreshes).toBe(0);
  });

  it('leaves the refresh to the instance holding the lock: the current token while valid, else the one it writes', async () => {
    const { store, hostedLogin, sessions } = setUp();
    const id = newSessionId();
    await store.create(id, record(5_000), 60_000);
    const lock = await store.lockRefresh(id, 10_000);
    expect(lock).toBeDefined();
    expect((await sessions.authenticate(requestWith(id)))?.session.record.accessToken).toBe('access-0');

    await store.update(id, record(-1));
    const waiting = sessions.authenticate(requestWith(id));
    await new Promise((resolve) => setTimeout(resolve, 120));
    await store.update(id, record(60_000, { accessToken: 'access-from-elsewhere' }));
    expect((await waiting)?.session.record.accessToken).toBe('access-from-elsewhere');
    expect(hostedLogin.refreshes).toBe(0);
  });

  it('ends the session when the provider refuses the refresh token: 401 now and after', async () => {
    const { store, hostedLogin, sessions } = setUp();
    hostedLogin.answer = async () => {
      throw new HostedLoginError('refused', 'the token endpoint refused: invalid_grant');
    };
    const id = newSessionId();
    await store.create(id, record(-1), 60_000);
    expect(await statusOf(sessions.authenticate(requestWith(id)))).toBe(401);
    expect(await store.peek(id)).toBeUndefined();
    expect(await statusOf(sessions.authenticate(requestWith(id)))).toBe(401);
  });

  it('keeps the session when the provider does not answer: the valid token goes on, an expired one is a 502', async () => {
    const { store, hostedLogin, sessions } = setUp();
    hostedLogin.answer = async () => {
      throw new HostedLoginError('unavailable', 'the token endpoint did not answer usefully');
    };
    const id = newSessionId();
    await store.create(id, record(5_000), 60_000);
    expect((await sessions.authenticate(requestWith(id)))?.session.record.accessToken).toBe('access-0');
    await store.update(id, record(-1));
    expect(await statusOf(sessions.authenticate(requestWith(id)))).toBe(502);
    expect(await store.peek(id)).toBeDefined();
  });

  it('ends the session when a refresh answers another user\'s token, rather than carrying on as that user', async () => {
    const { store, hostedLogin, sessions } = setUp();
    hostedLogin.answer = async () => ({ accessToken: 'mallory-access', accessExpiresAt: Date.now() + 60_000, refreshToken: 'mallory-refresh' });
    const id = newSessionId();
    await store.create(id, record(-1), 60_000);
    expect(await statusOf(sessions.authenticate(requestWith(id)))).toBe(401);
    expect(await store.peek(id)).toBeUndefined();
  });

  it('ends a session with no refresh token once its access token expires', async () => {
    const { store, sessions } = setUp();
    const id = newSessionId();
    await store.create(id, record(-1, { refreshToken: undefined }), 60_000);
    expect(await statusOf(sessions.authenticate(requestWith(id)))).toBe(401);
    expect(await store.peek(id)).toBeUndefined();
  });
});
