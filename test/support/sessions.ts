import type supertest from 'supertest';
import type { EmulatorControlClient, RecordedRequest } from '../../src/emulator';
import { SessionStore } from '../../src/sessions/session-store';
import type { TestGateway } from './gateway';

/** Browser sessions on (CONTRACT §8), for a gateway reached through supertest: PUBLIC_URL is only where the callback is sent. */
export const SESSION_ENVIRONMENT = { SESSIONS: 'on', PUBLIC_URL: 'http://gateway.test' } as const;

export const ALICE = { email: 'alice@acme.test', password: 'frontegg-dev-password' } as const;

/** What a browser keeps: cookies by name, taken from each answer's Set-Cookie (a Max-Age=0 deletes). */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  absorb(setCookie: string[] | string | undefined): this {
    for (const line of typeof setCookie === 'string' ? [setCookie] : (setCookie ?? [])) {
      const [pair, ...attributes] = line.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return this;
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }
}

export interface SignedIn {
  jar: CookieJar;
  /** The session cookie's name and value, and its whole Set-Cookie line. */
  cookieName: string;
  sessionId: string;
  setCookie: string;
  /** Where the callback sent the browser. */
  location: string;
}

/**
 * Signs a user in as a browser would: /auth/login, the emulator's hosted form (posted with the
 * hidden fields it carries), then /auth/callback with the login cookie. Asserts each step.
 */
export async function signIn(gateway: TestGateway, options: { email?: string; password?: string; returnTo?: string; jar?: CookieJar } = {}): Promise<SignedIn> {
  const jar = options.jar ?? new CookieJar();
  const query = options.returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(options.returnTo)}`;
  const login = await gateway.http().get(`/auth/login${query}`).set(cookieHeader(jar)).expect(302);
  jar.absorb(login.headers['set-cookie']);
  const callbackUrl = await submitHostedForm(login.headers.location, options.email ?? ALICE.email, options.password ?? ALICE.password);
  return completeSignIn(gateway, callbackUrl, jar);
}

/** The hosted login form, submitted: answers the callback URL the emulator redirects to. */
export async function submitHostedForm(authorizeUrl: string, email: string, password: string): Promise<string> {
  const authorize = new URL(authorizeUrl);
  const form = new URLSearchParams(authorize.searchParams);
  form.set('email', email);
  form.set('password', password);
  const answer = await fetch(`${authorize.origin}${authorize.pathname}`, { method: 'POST', body: form, redirect: 'manual' });
  if (answer.status !== 302) throw new Error(`the hosted form answered ${answer.status}: ${await answer.text()}`);
  return answer.headers.get('location')!;
}

/** Follows the emulator's redirect to /auth/callback with the browser's cookies; expects the session. */
export async function completeSignIn(gateway: TestGateway, callbackUrl: string, jar: CookieJar): Promise<SignedIn> {
  const callback = new URL(callbackUrl);
  const answer = await gateway.http().get(`${callback.pathname}${callback.search}`).set(cookieHeader(jar)).expect(302);
  jar.absorb(answer.headers['set-cookie']);
  const setCookie = (answer.headers['set-cookie'] as unknown as string[]).find((line) => /^(__Host-)?session=[^;]/.test(line))!;
  const cookieName = setCookie.slice(0, setCookie.indexOf('='));
  return { jar, cookieName, sessionId: jar.get(cookieName)!, setCookie, location: answer.headers.location };
}

/** Headers of a same-origin cookie-authenticated call. */
export function sessionHeaders(jar: CookieJar): Record<string, string> {
  return { cookie: jar.header(), 'x-csrf': '1' };
}

function cookieHeader(jar: CookieJar): Record<string, string> {
  const header = jar.header();
  return header === '' ? {} : { cookie: header };
}

export type Agent = supertest.Agent;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The hosted login's refresh-token grants the emulator received, in order (each recorded body is the form's fields). */
export async function refreshGrants(upstream: EmulatorControlClient): Promise<RecordedRequest[]> {
  const grants = await upstream.requests({ method: 'POST', path: '/oauth/token' });
  return grants.filter((request) => (request.body as Record<string, unknown> | null)?.grant_type === 'refresh_token');
}

export interface SessionTokenTimes {
  /** When the gateway received the access token, and its `exp`, in milliseconds. */
  issuedAt: number;
  expiresAt: number;
  refreshToken?: string;
}

/**
 * When the session's access token was issued and ends, read from the gateway's session store:
 * the tests wait for the refresh point instead of guessing it from the token lifetime.
 */
export async function sessionTokenTimes(gateway: TestGateway, sessionId: string): Promise<SessionTokenTimes> {
  const record = await gateway.app.get(SessionStore).peek(sessionId);
  if (!record) throw new Error('no such session in the gateway store');
  return { issuedAt: record.accessIssuedAt, expiresAt: record.accessExpiresAt, refreshToken: record.refreshToken };
}

/** Waits until the gateway should refresh (a quarter of the token's lifetime before its end), and a little more. */
export function untilRefreshPoint(times: SessionTokenTimes, marginMs = 100): Promise<void> {
  const refreshAt = times.expiresAt - Math.min(60_000, (times.expiresAt - times.issuedAt) / 4);
  if (refreshAt + marginMs >= times.expiresAt) throw new Error('the access token lives too short for a refresh point before its end');
  return sleep(refreshAt + marginMs - Date.now());
}

/** Waits until the session's access token has expired. */
export function untilExpired(times: SessionTokenTimes, marginMs = 100): Promise<void> {
  return sleep(times.expiresAt + marginMs - Date.now());
}

/** Polls `condition` (every 50 ms, for `withinMs` at most): for what the gateway finishes behind an answer, like a refresh. */
export async function until(condition: () => Promise<boolean>, what: string, withinMs = 5_000): Promise<void> {
  const giveUpAt = Date.now() + withinMs;
  while (!(await condition())) {
    if (Date.now() > giveUpAt) throw new Error(`still waiting for ${what} after ${withinMs} ms`);
    await sleep(50);
  }
}

/** The session's token times once a refresh replaced the access token seen in `before`. */
export async function untilTokenChanges(gateway: TestGateway, sessionId: string, before: SessionTokenTimes): Promise<SessionTokenTimes> {
  let latest = before;
  await until(async () => {
    latest = await sessionTokenTimes(gateway, sessionId);
    return latest.expiresAt !== before.expiresAt || latest.refreshToken !== before.refreshToken;
  }, 'the refreshed token');
  return latest;
}
