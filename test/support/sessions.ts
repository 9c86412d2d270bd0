import type supertest from 'supertest';
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
