import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemException } from '../common/problems/problem.exception';
import type { SessionSettings } from '../config/gateway-config';
import { SessionCookies } from './session-cookie';

const ID = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd'.padEnd(43, 'x');
const CORS_ORIGIN = 'https://app.example.com';

function settings(publicUrl: string): SessionSettings {
  const secure = publicUrl.startsWith('https:');
  return {
    enabled: true,
    publicUrl,
    clientId: 'client',
    idleTimeoutS: 1800,
    maxAgeS: 43_200,
    cookieName: secure ? '__Host-session' : 'session',
    secureCookie: secure,
  };
}

const request = (headers: Record<string, string | undefined>) => ({ headers }) as unknown as FastifyRequest;

function reply(): FastifyReply & { setCookies: string[] } {
  const setCookies: string[] = [];
  const fake = {
    setCookies,
    header(name: string, value: string) {
      if (name.toLowerCase() === 'set-cookie') setCookies.push(value);
      return fake;
    },
  };
  return fake as unknown as FastifyReply & { setCookies: string[] };
}

function csrfRefusal(cookies: SessionCookies, headers: Record<string, string | undefined>): ProblemException | undefined {
  try {
    cookies.read(request(headers));
    return undefined;
  } catch (error) {
    return error as ProblemException;
  }
}

describe('SessionCookies', () => {
  const secure = new SessionCookies(settings('https://gateway.example.com'), [CORS_ORIGIN]);
  const plain = new SessionCookies(settings('http://localhost:3000'), []);

  describe('reading the session cookie', () => {
    it('sees no session without the cookie, or with only other cookies (even named like it)', () => {
      expect(secure.read(request({}))).toEqual({ kind: 'none' });
      expect(secure.read(request({ cookie: 'theme=dark' }))).toEqual({ kind: 'none' });
      expect(secure.read(request({ cookie: `session=${ID}` }))).toEqual({ kind: 'none' }); // not __Host-: could be tossed by a subdomain
      expect(secure.read(request({ cookie: `x__Host-session=${ID}` }))).toEqual({ kind: 'none' });
      expect(plain.read(request({ cookie: `mysession=${ID}` }))).toEqual({ kind: 'none' });
      expect(secure.carriesSession(request({ cookie: `session=${ID}` }))).toBe(false);
    });

    it('reads the id of a same-origin request', () => {
      expect(secure.read(request({ cookie: `theme=dark; __Host-session=${ID}`, 'x-csrf': '1' }))).toEqual({ kind: 'session', id: ID });
      expect(secure.read(request({ cookie: `__Host-session=${ID}`, 'x-csrf': '1', origin: 'https://gateway.example.com' }))).toEqual({ kind: 'session', id: ID });
      expect(secure.read(request({ cookie: `__Host-session=${ID}`, 'x-csrf': '1', origin: CORS_ORIGIN }))).toEqual({ kind: 'session', id: ID });
      expect(plain.read(request({ cookie: `session=${ID}`, 'x-csrf': '1', origin: 'http://localhost:3000' }))).toEqual({ kind: 'session', id: ID });
    });

    it.each([
      ['random text', 'not-a-session'],
      ['42 characters', ID.slice(1)],
      ['44 characters', `${ID}A`],
      ['4 kB', 'A'.repeat(4096)],
      ['a character outside base64url', `${ID.slice(0, 42)}+`],
      ['padding', `${ID.slice(0, 42)}=`],
      ['the SHA-256 in hex', 'a'.repeat(64)],
      ['empty', ''],
    ])('answers invalid (no session) for a cookie holding %s', (_label, value) => {
      expect(secure.read(request({ cookie: `__Host-session=${value}`, 'x-csrf': '1' }))).toEqual({ kind: 'invalid' });
    });
  });

  describe('cross-site request forgery', () => {
    const cookie = `__Host-session=${ID}`;

    it.each([
      ['no X-CSRF', { cookie }],
      ['X-CSRF: 0', { cookie, 'x-csrf': '0' }],
      ['X-CSRF: true', { cookie, 'x-csrf': 'true' }],
      ['X-CSRF sent twice', { cookie, 'x-csrf': '1, 1' }],
      ['a foreign origin', { cookie, 'x-csrf': '1', origin: 'https://evil.example' }],
      ['Origin: null (sandboxed frame, data: URL)', { cookie, 'x-csrf': '1', origin: 'null' }],
      ['the own host over http', { cookie, 'x-csrf': '1', origin: 'http://gateway.example.com' }],
      ['the own host on another port', { cookie, 'x-csrf': '1', origin: 'https://gateway.example.com:8443' }],
      ['a subdomain', { cookie, 'x-csrf': '1', origin: 'https://evil.gateway.example.com' }],
      ['a look-alike suffix', { cookie, 'x-csrf': '1', origin: 'https://gateway.example.com.evil.example' }],
      ['an origin with a trailing slash', { cookie, 'x-csrf': '1', origin: 'https://gateway.example.com/' }],
      ['an invalid cookie without X-CSRF', { cookie: '__Host-session=garbage' }],
    ])('refuses %s with 403 csrf', (_label, headers) => {
      const error = csrfRefusal(secure, headers);
      expect(error).toBeInstanceOf(ProblemException);
      expect(error!.getStatus()).toBe(403);
      expect(error!.reason).toBe('csrf');
    });

    it('does not echo a long origin in full', () => {
      const origin = `https://${'e'.repeat(5000)}.example`;
      expect(csrfRefusal(secure, { cookie, 'x-csrf': '1', origin })!.detail.length).toBeLessThan(400);
    });

    it('checks nothing for a request without the session cookie (Bearer callers are not cookie-authenticated)', () => {
      expect(csrfRefusal(secure, { origin: 'https://evil.example' })).toBeUndefined();
    });
  });

  describe('the id a sign-in replaces', () => {
    it('is read without the CSRF check, and only when it is a session id', () => {
      expect(secure.sessionIdToReplace(request({ cookie: `__Host-session=${ID}`, origin: 'https://evil.example' }))).toBe(ID);
      expect(secure.sessionIdToReplace(request({ cookie: '__Host-session=garbage' }))).toBeUndefined();
      expect(secure.sessionIdToReplace(request({}))).toBeUndefined();
    });
  });

  describe('attributes', () => {
    it('over https: __Host- prefix, Secure, HttpOnly, Path=/, SameSite=Lax, no Domain', () => {
      const answer = reply();
      secure.setSession(answer, ID);
      secure.setLoginState(answer, 'state-123');
      secure.clearSession(answer);
      secure.clearLoginState(answer);
      expect(answer.setCookies).toEqual([
        `__Host-session=${ID}; Max-Age=43200; Path=/; HttpOnly; Secure; SameSite=Lax`,
        '__Host-login=state-123; Max-Age=600; Path=/; HttpOnly; Secure; SameSite=Lax',
        '__Host-session=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
        '__Host-login=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
      ]);
      for (const line of answer.setCookies) expect(line).not.toMatch(/domain=/i);
    });

    it('over plain http (local development): no prefix and no Secure, the rest the same', () => {
      const answer = reply();
      plain.setSession(answer, ID);
      plain.setLoginState(answer, 'state-123');
      expect(answer.setCookies).toEqual([`session=${ID}; Max-Age=43200; Path=/; HttpOnly; SameSite=Lax`, 'login=state-123; Max-Age=600; Path=/; HttpOnly; SameSite=Lax']);
    });

    it('reads the login state from the login cookie of its own name only', () => {
      expect(secure.loginState(request({ cookie: '__Host-login=s1' }))).toBe('s1');
      expect(secure.loginState(request({ cookie: 'login=s1' }))).toBeUndefined();
      expect(plain.loginState(request({ cookie: 'login=s1' }))).toBe('s1');
      expect(plain.loginState(request({}))).toBeUndefined();
    });
  });
});
