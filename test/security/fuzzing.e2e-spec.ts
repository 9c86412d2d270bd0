/**
 * Family 4 — property-based fuzzing (fast-check, fixed seeds, so a failure replays): over the
 * Authorization header and over every write body. Properties: never a 5xx, never a crash, a
 * problem body for every refusal, nothing written upstream for refused input, and whatever is
 * written upstream holds only the allowlisted fields.
 */
import fc from 'fast-check';
import { request as httpRequest } from 'node:http';
import { USER_ALICE } from '../../src/emulator';
import { b64url, segmentsOf } from './support/jwt';
import { liveRoutes, pathOf, routeName, type RouteSpec } from './support/routes';
import { prototypeKeys, startSecurityGateway, type SecurityGateway } from './support/security-gateway';

const SEED = 20_260_415;
const RUNS = 150;
// Each property sends RUNS requests, about 1.5 s alone but over 5 s on a busy CI machine.
jest.setTimeout(60_000);
const PROBLEM = /^application\/problem\+json/;
const SELF_SERVICE = ['name', 'phoneNumber', 'profilePictureUrl', 'metadata'];

const base64urlChar = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split(''));
/** What Node lets a client put in a header value: visible ASCII, space and tab. */
const headerChar = fc.oneof(fc.mapToConstant({ num: 95, build: (i) => String.fromCharCode(0x20 + i) }), fc.constant('\t'));

interface Answer {
  status: number;
  contentType: string;
  body: Record<string, unknown> | undefined;
  wwwAuthenticate?: string;
}

describe('fuzzing (fast-check)', () => {
  let g: SecurityGateway;
  let valid: string;
  let live: RouteSpec[];
  const unpolluted = prototypeKeys();

  beforeAll(async () => {
    g = await startSecurityGateway();
    valid = await g.token({ userId: USER_ALICE });
    live = await liveRoutes(g);
  });
  afterAll(() => g.close());

  /** One request with raw bytes, so that bodies are sent exactly as generated. */
  const exchange = (method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port: g.port, method, path, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) }, agent: false }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown> | undefined;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            body: parsed,
            wwwAuthenticate: response.headers['www-authenticate'] as string | undefined,
          });
        });
      });
      request.on('error', reject);
      request.end(body);
    });

  const expectProblemAnswer = (answer: Answer, statuses: number[]) => {
    expect(statuses).toContain(answer.status);
    if (answer.status >= 400) {
      expect(answer.contentType).toMatch(PROBLEM);
      expect(answer.body).toMatchObject({ type: 'about:blank', status: answer.status, title: expect.any(String), detail: expect.any(String) });
    }
  };

  describe('Authorization header', () => {
    /** Equal after base64url decoding of each segment: the same credential, however it is spelled. */
    const sameCredential = (authorization: string) => {
      const token = /^bearer +(\S+) *$/i.exec(authorization)?.[1];
      if (!token) return false;
      const parts = token.split('.');
      const original = valid.split('.');
      return parts.length === 3 && parts.every((part, i) => Buffer.from(part, 'base64url').equals(Buffer.from(original[i], 'base64url')));
    };

    const mutatedToken = fc.oneof(
      // one character replaced, deleted or inserted anywhere
      fc.tuple(fc.nat(), base64urlChar).map(([at, c]) => { const i = at % valid.length; return valid.slice(0, i) + c + valid.slice(i + 1); }),
      fc.nat().map((at) => { const i = at % valid.length; return valid.slice(0, i) + valid.slice(i + 1); }),
      fc.tuple(fc.nat(), fc.constantFrom('.', '=', '+', '/', '~', ' ', '%')).map(([at, c]) => { const i = at % valid.length; return valid.slice(0, i) + c + valid.slice(i); }),
      // truncated, or extended
      fc.nat().map((at) => valid.slice(0, at % valid.length)),
      fc.string({ unit: base64urlChar, minLength: 1, maxLength: 40 }).map((tail) => valid + tail),
      // a claim or header parameter changed, the signature kept
      fc.tuple(fc.constantFrom('sub', 'tenantId', 'type', 'exp', 'iss', 'aud', 'permissions', 'userId', 'tenantIds'), fc.jsonValue({ maxDepth: 2 })).map(([claim, value]) => {
        const { header, payload, signature } = segmentsOf(valid);
        return `${b64url(header)}.${b64url({ ...payload, [claim]: value })}.${signature}`;
      }),
      fc.tuple(fc.constantFrom('alg', 'kid', 'typ', 'crit', 'jku', 'jwk', 'b64'), fc.jsonValue({ maxDepth: 2 })).map(([name, value]) => {
        const { header, payload, signature } = segmentsOf(valid);
        return `${b64url({ ...header, [name]: value })}.${b64url(payload)}.${signature}`;
      }),
    );

    const authorization = fc.oneof(
      fc.string({ unit: headerChar, maxLength: 300 }),
      fc.string({ unit: headerChar, maxLength: 300 }).map((rest) => `Bearer ${rest}`),
      fc.array(fc.string({ unit: base64urlChar, maxLength: 80 }), { maxLength: 7 }).map((parts) => `Bearer ${parts.join('.')}`),
      fc.tuple(fc.constantFrom('Bearer', 'bearer', 'BEARER', 'BeArEr', 'Basic', 'Token', 'JWT', 'Bearer:', 'Bearer,', ''), fc.constantFrom(' ', '  ', '\t', ''), mutatedToken)
        .map(([scheme, space, token]) => `${scheme}${space}${token}`),
      mutatedToken.map((token) => `Bearer ${token}`),
    );

    it(`never a 5xx, a 401 problem with a challenge for every refusal, nothing written upstream (${RUNS} runs)`, async () => {
      await fc.assert(
        fc.asyncProperty(authorization, async (value) => {
          await g.upstream.clearRequests();
          const answer = await exchange('PATCH', '/v1/me', { authorization: value, 'content-type': 'application/json' }, Buffer.from('{"name":"Fuzz"}'));
          expectProblemAnswer(answer, [200, 401]);
          if (answer.status === 401) {
            expect(answer.wwwAuthenticate).toMatch(/^Bearer realm="api"/);
            expect(await g.upstreamWrites()).toEqual([]);
          } else {
            expect(sameCredential(value)).toBe(true);
          }
        }),
        { numRuns: RUNS, seed: SEED },
      );
    });
  });

  describe('PATCH /v1/me body', () => {
    const patchMe = (body: Buffer) =>
      exchange('PATCH', '/v1/me', { authorization: `Bearer ${valid}`, 'content-type': 'application/json' }, body);

    /** The upstream body for a body the gateway accepted: exactly the allowlisted fields, metadata as a string. */
    const expectedUpstream = (body: Record<string, unknown>) =>
      Object.fromEntries(SELF_SERVICE.filter((name) => body[name] !== undefined).map((name) => [name, name === 'metadata' ? JSON.stringify(body[name]) : body[name]]));

    const checkWrite = async (sent: unknown, answer: Answer) => {
      const writes = await g.upstreamWrites();
      expect(writes.length).toBeLessThanOrEqual(1);
      if (answer.status === 200) expect(writes).toHaveLength(1);
      for (const write of writes) {
        expect(write.method).toBe('PUT');
        expect(write.path).toBe(`/identity/resources/users/v1/${USER_ALICE}`);
        expect(Object.keys(write.body as object).every((key) => SELF_SERVICE.includes(key))).toBe(true);
        expect(write.body).toEqual(expectedUpstream(sent as Record<string, unknown>));
      }
      expect(prototypeKeys()).toEqual(unpolluted);
    };

    it(`any JSON value: never a 5xx, a problem for each refusal, only allowlisted fields upstream (${RUNS} runs)`, async () => {
      const body = fc.oneof(
        fc.jsonValue({ maxDepth: 4 }),
        fc.dictionary(fc.constantFrom(...SELF_SERVICE, 'mfaBypass', 'email', '__proto__', 'constructor', 'Name'), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
      );
      await fc.assert(
        fc.asyncProperty(body, async (value) => {
          await g.upstream.clearRequests();
          const answer = await patchMe(Buffer.from(JSON.stringify(value)));
          expectProblemAnswer(answer, [200, 400, 413]);
          await checkWrite(value, answer);
        }),
        { numRuns: RUNS, seed: SEED },
      );
    });

    it(`any body with a property outside the allowlist: 400 naming it, nothing upstream (${RUNS} runs)`, async () => {
      const outsider = fc.string({ minLength: 1, maxLength: 30 }).filter((key) => !SELF_SERVICE.includes(key) && !['__proto__', 'constructor'].includes(key));
      const body = fc.tuple(
        fc.record({ name: fc.string({ minLength: 1, maxLength: 50 }) }, { requiredKeys: [] }),
        outsider,
        fc.jsonValue({ maxDepth: 2 }),
      );
      await fc.assert(
        fc.asyncProperty(body, async ([allowed, key, value]) => {
          await g.upstream.clearRequests();
          const answer = await patchMe(Buffer.from(JSON.stringify({ ...allowed, [key]: value })));
          expectProblemAnswer(answer, [400]);
          expect(String(answer.body?.detail)).toContain(`property ${key} should not exist`);
          expect(await g.upstreamWrites()).toEqual([]);
        }),
        { numRuns: RUNS, seed: SEED },
      );
    });

    it(`valid changes: 200 and exactly those fields upstream (${RUNS / 3} runs)`, async () => {
      const change = fc.record(
        {
          name: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }).filter((name) => name.length <= 255),
          phoneNumber: fc.stringMatching(/^\+[1-9]\d{6,14}$/),
          metadata: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }).filter((key) => key !== '__proto__' && key !== 'constructor'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
        },
        { requiredKeys: [] },
      ).filter((body) => Object.keys(body).length > 0 && JSON.stringify(body.metadata ?? {}).length < 4000);
      await fc.assert(
        fc.asyncProperty(change, async (value) => {
          await g.upstream.clearRequests();
          const answer = await patchMe(Buffer.from(JSON.stringify(value)));
          expect({ status: answer.status, detail: answer.body?.detail }).toEqual({ status: 200, detail: undefined });
          await checkWrite(value, answer);
        }),
        { numRuns: RUNS / 3, seed: SEED },
      );
    });

    it(`arbitrary bytes as a JSON body: never a 5xx, a problem for each refusal (${RUNS} runs)`, async () => {
      const bytes = fc.oneof(
        fc.uint8Array({ maxLength: 400 }).map((array) => Buffer.from(array)),
        fc.string({ unit: 'binary', maxLength: 200 }).map((text) => Buffer.from(text)),
        fc.jsonValue({ maxDepth: 3 }).chain((value) =>
          fc.nat().map((cut) => { const text = JSON.stringify(value) ?? ''; return Buffer.from(text.slice(0, cut % (text.length + 1))); })),
      );
      await fc.assert(
        fc.asyncProperty(bytes, async (body) => {
          await g.upstream.clearRequests();
          const answer = await patchMe(body);
          expectProblemAnswer(answer, [200, 400]);
          if (answer.status !== 200) expect(await g.upstreamWrites()).toEqual([]);
          expect(prototypeKeys()).toEqual(unpolluted);
        }),
        { numRuns: RUNS, seed: SEED },
      );
    });
  });

  describe('every other write body in the route table', () => {
    it('never a 5xx, a problem for each refusal, writes only to the route path with allowlisted fields', async () => {
      const routes = live.filter((route) => route.body !== undefined && route.path !== '/v1/me');
      for (const route of routes) {
        const allowed = route.allowedProperties ?? [];
        const writesTo = route.upstreamWrite?.path ?? /^\/identity\/resources\/roles\/v1/;
        const sentUpstream = [...allowed, ...(route.upstreamWrite?.addedProperties ?? [])];
        const body = fc.oneof(
          fc.jsonValue({ maxDepth: 3 }),
          fc.dictionary(fc.constantFrom(...allowed, 'tenantId', 'vendorId', 'migrateRole', 'id'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
          fc.record(Object.fromEntries(Object.entries(route.body!).map(([key, example]) => [key, fc.oneof(fc.constant(example), fc.jsonValue({ maxDepth: 1 }))]))),
        );
        await fc.assert(
          fc.asyncProperty(body, async (value) => {
            await g.reset();
            const answer = await exchange(route.method, pathOf(route), { authorization: `Bearer ${valid}`, 'content-type': 'application/json' }, Buffer.from(JSON.stringify(value)));
            expect({ route: routeName(route), fivexx: answer.status >= 500 }).toEqual({ route: routeName(route), fivexx: false });
            if (answer.status >= 400) expectProblemAnswer(answer, [answer.status]);
            for (const write of await g.upstreamWrites()) {
              expect(write.path).toMatch(writesTo);
              const items = Array.isArray(write.body) ? write.body : [write.body];
              for (const item of items) expect(Object.keys(item as object).every((key) => sentUpstream.includes(key))).toBe(true);
            }
            expect(prototypeKeys()).toEqual(unpolluted);
          }),
          { numRuns: 40, seed: SEED },
        );
      }
    });
  });
});
