/**
 * Family 3 — input attacks (OWASP API3 property level, API4 resource consumption, API7 SSRF):
 * mass assignment on every write body, prototype pollution, hostile path parameters, oversized,
 * deep, non-UTF-8 and mistyped bodies, Content-Length lies. None yields a 5xx, every refusal is a
 * problem, and nothing refused reaches the upstream.
 */
import { request as httpRequest } from 'node:http';
import { REQUEST_TIMEOUT_MS } from '../../src/app.factory';
import { MAX_HEADER_BYTES } from '../../src/common/http/client-error';
import { USER_ALICE, USER_CAROL } from '../../src/emulator';
import { expectProblem } from '../support/assertions';
import { httpText, rawRequest, type RawResponse } from './support/raw-http';
import { liveRoutes, pathOf, routeName, send, upstreamIdOf, UPSTREAM_PATHS, type RouteSpec } from './support/routes';
import { prototypeKeys, startSecurityGateway, type SecurityGateway } from './support/security-gateway';

/** Every property of the upstream user (UserDto, UpdateVendorUserDto) a user must not set on themselves. */
const USER_FIELDS_NOT_ALLOWED = [
  'vendorMetadata', 'mfaBypass', 'externalId', 'email', 'superUser', 'tenantId', 'tenantIds', 'roles', 'permissions', 'id', 'sub',
  'verified', 'mfaEnrolled', 'provider', 'isLocked', 'managedBy', 'password', 'createdAt', 'lastLogin', 'groups', 'invisible',
  'activatedForTenant', 'subAccountAccessAllowed', 'tenants', 'userId', 'vendorId',
];
/** Properties of the upstream role (RoleResponse, AddRoleRequest) an admin body must not carry. */
const ROLE_FIELDS_NOT_ALLOWED = ['id', 'vendorId', 'tenantId', 'migrateRole', 'createdAt', 'updatedAt', 'permissions', 'roleIds'];
/** Names of inherited methods: class-transformer drops them silently unless the pipe looks first. */
const INHERITED_NAMES = ['toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', '__lookupSetter__'];
/** Case and spelling variants of allowed names, which must not slip through as aliases. */
const variantsOf = (name: string) => [name.toUpperCase(), name[0].toUpperCase() + name.slice(1), ` ${name}`, `${name} `, `${name}\u0000`, `${name}\u200b`];

describe('input attacks (CONTRACT §4, §6; OWASP API3, API4)', () => {
  let g: SecurityGateway;
  let live: RouteSpec[];
  let alice: string;

  beforeAll(async () => {
    g = await startSecurityGateway();
    live = await liveRoutes(g);
  });
  afterAll(() => g.close());
  beforeEach(async () => {
    await g.reset();
    alice = `Bearer ${await g.token({ userId: USER_ALICE })}`;
  });

  const writeRoutes = () => live.filter((route) => route.body !== undefined);
  const unpolluted = prototypeKeys();

  describe('mass assignment: every write body refuses every property outside its allowlist', () => {
    const attemptsFor = (route: RouteSpec): [string, Record<string, unknown>][] => {
      const allowed = route.allowedProperties ?? [];
      const forbidden = route.path.startsWith('/v1/me') ? USER_FIELDS_NOT_ALLOWED : [...ROLE_FIELDS_NOT_ALLOWED, ...USER_FIELDS_NOT_ALLOWED.slice(0, 6)];
      return [
        ...[...forbidden, ...INHERITED_NAMES].filter((name) => !allowed.includes(name)).map((name): [string, Record<string, unknown>] => [name, { [name]: true }]),
        ...allowed.flatMap((name) => variantsOf(name).map((variant): [string, Record<string, unknown>] => [variant, { [variant]: route.body?.[name] ?? 'x' }])),
        ['nested: an allowed field holding a forbidden object', { [allowed[0]]: { mfaBypass: true, tenantId: 'tenant-globex' } }],
        ['nested: a wrapper object', { data: { ...route.body, superUser: true } }],
        ['nested: the upstream envelope', { user: { mfaBypass: true } }],
      ];
    };

    it('on every write route: 400 naming the property, nothing written upstream', async () => {
      const routes = writeRoutes();
      expect(routes.map(routeName)).toEqual(expect.arrayContaining(['PATCH /v1/me']));
      let attempts = 0;
      for (const route of routes) {
        for (const [name, extra] of attemptsFor(route)) {
          const response = await send(g, route, { authorization: alice, body: { ...route.body, ...extra } });
          expect({ route: routeName(route), name, status: response.status }).toEqual({ route: routeName(route), name, status: 400 });
          expectProblem(response, 400);
          if (!name.startsWith('nested')) expect(response.body.detail).toContain(name.trim() || name);
          attempts++;
        }
        expect({ route: routeName(route), writes: await g.upstreamWrites() }).toEqual({ route: routeName(route), writes: [] });
      }
      expect(attempts).toBeGreaterThan(50);
    });

    it('free-form metadata may hold any key, and travels only as the metadata string', async () => {
      const metadata = { mfaBypass: true, superUser: true, vendorMetadata: '{"plan":"enterprise"}', tenantId: 'tenant-globex' };
      const response = await g.http().patch('/v1/me').set('authorization', alice).send({ metadata });
      expect(response.status).toBe(200);
      const [write, ...others] = await g.upstreamWrites();
      expect(others).toEqual([]);
      expect(write.body).toEqual({ metadata: JSON.stringify(metadata) });
      expect(response.body).not.toHaveProperty('mfaBypass');
      expect(response.body).not.toHaveProperty('superUser');
    });
  });

  describe('prototype pollution: refused with a 400 problem, Object.prototype untouched', () => {
    const BODIES: [string, string][] = [
      ['__proto__ at the top', '{"name":"x","__proto__":{"polluted":true}}'],
      ['__proto__ in metadata', '{"metadata":{"__proto__":{"polluted":true}}}'],
      ['__proto__ deep in metadata', '{"metadata":{"a":{"b":[{"__proto__":{"polluted":true}}]}}}'],
      ['__proto__ spelled with unicode escapes', '{"metadata":{"\\u005f\\u005fproto\\u005f\\u005f":{"polluted":true}}}'],
      ['constructor.prototype at the top', '{"name":"x","constructor":{"prototype":{"polluted":true}}}'],
      ['constructor.prototype in metadata', '{"metadata":{"constructor":{"prototype":{"polluted":true}}}}'],
      ['constructor.prototype deep in metadata', '{"metadata":{"a":{"constructor":{"prototype":{"polluted":true}}}}}'],
    ];

    it.each(BODIES)('%s', async (_name, body) => {
      for (const route of writeRoutes()) {
        const response = await g.http()[route.method.toLowerCase() as 'patch'](pathOf(route))
          .set('authorization', alice).set('content-type', 'application/json').send(body);
        expectProblem(response, 400);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(prototypeKeys()).toEqual(unpolluted);
      expect(await g.upstreamWrites()).toEqual([]);
    });
  });

  describe('hostile path parameters: no request leaves for a path other than the intended one', () => {
    /** [name, raw path text after the prefix]. `victim` is an id the path must never reach. */
    const HOSTILE: [string, (own: string, victim: string) => string][] = [
      ['dot-dot', (own, victim) => `${own}/../${victim}`],
      ['dot-dot alone', () => '..'],
      ['dot alone', () => '.'],
      ['encoded dot-dot slash', (_own, victim) => `%2e%2e%2f${victim}`],
      ['upper-case encoded dot-dot slash', (_own, victim) => `%2E%2E%2F${victim}`],
      ['double-encoded dot-dot slash', (_own, victim) => `%252e%252e%252f${victim}`],
      ['encoded slash', (own, victim) => `${own}%2F..%2F${victim}`],
      ['backslash', (own, victim) => `${own}%5C..%5C${victim}`],
      ['encoded question mark', (own, victim) => `${own}%3Fx=${victim}`],
      ['encoded hash', (own, victim) => `${own}%23${victim}`],
      ['literal question mark', (own, victim) => `${own}?next=../${victim}`],
      ['literal hash', (own, victim) => `${own}#/../${victim}`],
      ['semicolon path parameter', (own, victim) => `${own};/../${victim}`],
      ['NUL byte', (own) => `${own}%00`],
      ['malformed percent-encoding', (own) => `${own}%ZZ`],
      ['truncated UTF-8 percent-encoding', (own) => `${own}%E0%A4%A`],
      ['CRLF injection', (own) => `${own}%0d%0aX-Injected:%20yes`],
      ['unicode (percent-encoded)', () => 'r%C3%B4le-%E2%80%AE'],
      ['unicode full-width dot-dot', (_own, victim) => `%EF%BC%8E%EF%BC%8E%EF%BC%8F${victim}`],
      ['an absolute URL', () => 'https:%2F%2Fevil.example.com%2F'],
      ['@ host confusion', (own) => `${own}@evil.example.com`],
      ['65 characters (one over the limit)', () => 'a'.repeat(65)],
      ['129 characters (over the router limit)', () => 'a'.repeat(129)],
      ['10 KB', () => 'a'.repeat(10 * 1024)],
    ];

    /** Sends the path text as is (no client normalisation) and reads the answer. */
    const rawGet = (method: string, path: string, body?: unknown): Promise<RawResponse> => {
      const payload = body === undefined ? '' : JSON.stringify(body);
      const headers = [`${method} ${path} HTTP/1.1`, 'host: gateway', 'connection: close', `authorization: ${alice}`];
      if (payload) headers.push('content-type: application/json', `content-length: ${Buffer.byteLength(payload)}`);
      return rawRequest(g.port, Buffer.from(httpText(headers, payload)));
    };

    /** Every upstream call was to a contract path with a valid id, and the only ids were the caller's and `allowed`. */
    const expectOnlyIntendedUpstream = async (label: string, allowedIds: string[]) => {
      const calls = await g.managementCalls();
      for (const call of calls) {
        expect({ label, path: call.path, matches: Object.values(UPSTREAM_PATHS).some((pattern) => pattern.test(call.path)) })
          .toEqual({ label, path: call.path, matches: true });
        const id = upstreamIdOf(call.path);
        if (id !== undefined) expect({ label, id, allowed: [USER_ALICE, ...allowedIds].includes(id) }).toEqual({ label, id, allowed: true });
      }
    };

    const check = async (label: string, response: RawResponse, writesAllowed: boolean) => {
      expect({ label, status: response.status, fivexx: response.status >= 500 || response.status === 0 }).toMatchObject({ label, fivexx: false });
      if (response.status >= 400) {
        expect({ label, type: response.headers['content-type'] }).toEqual({ label, type: expect.stringMatching(/^application\/problem\+json/) });
        expect({ label, writes: await g.upstreamWrites() }).toEqual({ label, writes: [] });
      } else if (!writesAllowed) {
        expect({ label, writes: await g.upstreamWrites() }).toEqual({ label, writes: [] });
      }
      expect(response.raw).not.toMatch(/\r\nX-Injected:/i);
    };

    it('on every route with a path parameter', async () => {
      const routes = live.filter((route) => route.param !== undefined);
      for (const route of routes) {
        const victim = route.param!.foreign;
        for (const [name, make] of HOSTILE) {
          await g.upstream.clearRequests();
          const label = `${routeName(route)} ${name}`;
          const response = await rawGet(route.method, pathOf(route, make(route.param!.own, victim)), route.body);
          await check(label, response, true);
          await expectOnlyIntendedUpstream(label, [route.param!.own]);
        }
      }
    });

    it('on the routes without one: extra segments and tricks after /v1 reach nothing but the route itself', async () => {
      const tricks = [
        '/v1/me/../roles', '/v1/me/%2e%2e/roles', '/v1/me%2F..%2Froles', '/v1/%2e%2e/v1/me', '/v1/me/..;/roles', '/v1//me', '//v1/me',
        '/v1/me/', '/V1/ME', '/v1/me%00', '/v1/me%20', '/v1/me?../../roles', '/v1/me#/../../roles', '/v1/me/%2e%2e/%2e%2e/health/live',
        `/v1/me/${USER_CAROL}`, `/v1/me?userId=${USER_CAROL}`, `/v1/roles/..%2F..%2Fusers%2F${USER_CAROL}`, `/v1/users/%2e%2e`,
        '/v1/me/mfa/../../roles', '/v1/roles/%2F', '/v1/roles?tenantId=tenant-globex', `/v1/${'a'.repeat(10 * 1024)}`,
        '/v1/me?' + 'a=1&'.repeat(1000),
      ];
      for (const method of ['GET', 'PATCH', 'POST', 'PUT', 'DELETE']) {
        for (const path of tricks) {
          await g.upstream.clearRequests();
          const label = `${method} ${path.slice(0, 60)}`;
          const response = await rawGet(method, path, method === 'GET' ? undefined : { name: 'x' });
          await check(label, response, method === 'PATCH' && response.status === 200);
          await expectOnlyIntendedUpstream(label, []);
        }
      }
    });

    it('raw non-ASCII bytes in the request line are refused as a malformed request, as a problem', async () => {
      for (const path of ['/v1/mé', '/v1/roles/rôle', '/v1/users/用户', '/v1/me?x=é']) {
        const response = await rawRequest(g.port, Buffer.from(httpText([`GET ${path} HTTP/1.1`, 'host: gateway', 'connection: close', `authorization: ${alice}`])));
        expect({ path, status: response.status }).toEqual({ path, status: 400 });
        expect(JSON.parse(response.body)).toMatchObject({ type: 'about:blank', status: 400 });
      }
      expect(await g.managementCalls()).toEqual([]);
    });
  });

  describe('bodies', () => {
    const patchMe = () => g.http().patch('/v1/me').set('authorization', alice);
    const rawPatch = (headers: string[], body: string | Buffer, options = {}) =>
      rawRequest(
        g.port,
        Buffer.concat([
          Buffer.from(httpText(['PATCH /v1/me HTTP/1.1', 'host: gateway', 'connection: close', `authorization: ${alice}`, ...headers])),
          Buffer.isBuffer(body) ? body : Buffer.from(body),
        ]),
        options,
      );
    const nested = (depth: number, open: string, close: string, leaf = '1') => `{"metadata":{"a":${open.repeat(depth)}${leaf}${close.repeat(depth)}}}`;

    it.each<[string, number, () => Promise<{ status: number }>]>([
      ['a body of 16 KiB + 1', 413, () => patchMe().set('content-type', 'application/json').send(`{"name":"${'x'.repeat(16 * 1024 - 10)}"}`)],
      ['a 1 MB body', 413, () => patchMe().set('content-type', 'application/json').send(`{"name":"${'x'.repeat(1_000_000)}"}`)],
      ['objects nested 33 deep', 400, () => patchMe().set('content-type', 'application/json').send(nested(31, '{"a":', '}'))],
      ['arrays nested 2,000 deep', 400, () => patchMe().set('content-type', 'application/json').send(nested(2000, '[', ']', ''))],
      ['arrays nested 7,000 deep (the size of 16 KiB)', 400, () => patchMe().set('content-type', 'application/json').send(nested(7000, '[', ']', ''))],
      ['objects nested 2,000 deep', 400, () => patchMe().set('content-type', 'application/json').send(nested(2000, '{"a":', '}'))],
      ['a JSON number', 400, () => patchMe().set('content-type', 'application/json').send('1')],
      ['a JSON string', 400, () => patchMe().set('content-type', 'application/json').send('"name"')],
      ['JSON null', 400, () => patchMe().set('content-type', 'application/json').send('null')],
      ['an empty JSON body', 400, () => patchMe().set('content-type', 'application/json').send('')],
      ['broken JSON', 400, () => patchMe().set('content-type', 'application/json').send('{"name":')],
      ['JSON with a comment', 400, () => patchMe().set('content-type', 'application/json').send('{"name":"x" /* hi */}')],
      ['JSON with duplicate keys hiding a second value', 400, () => patchMe().set('content-type', 'application/json').send('{"name":"x","name":{"mfaBypass":true}}')],
      ['a huge number', 400, () => patchMe().set('content-type', 'application/json').send(`{"name":${'9'.repeat(5000)}}`)],
      ['metadata of 1,300 keys (over 4 KiB)', 400, () => patchMe().set('content-type', 'application/json').send(JSON.stringify({ metadata: Object.fromEntries(Array.from({ length: 1300 }, (_, i) => [`k${i}`, i])) }))],
    ])('%s: %i problem, nothing upstream', async (_name, status, attempt) => {
      const response = (await attempt()) as Parameters<typeof expectProblem>[0];
      expectProblem(response, status);
      expect(await g.upstreamWrites()).toEqual([]);
    });

    it.each([
      'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'text/json',
      'application/json-patch+json', 'application/merge-patch+json', 'application/jsonx', 'application/vnd.api+json',
      'text/plain; application/json', 'application/octet-stream', '*/*', 'json',
    ])('content type %s: 415 problem, nothing upstream', async (type) => {
      const response = await patchMe().set('content-type', type).send('{"name":"x"}');
      expectProblem(response, 415);
      expect(await g.upstreamWrites()).toEqual([]);
    });

    it('a body without a content type: 415', async () => {
      const response = await rawPatch(['content-length: 12'], '{"name":"x"}');
      expect(response.status).toBe(415);
      expect(await g.upstreamWrites()).toEqual([]);
    });

    it.each<[string, number[]]>([
      ['0xFF', [0xff]],
      ['a lone continuation byte', [0x80]],
      ['an overlong slash (C0 AF)', [0xc0, 0xaf]],
      ['an overlong NUL (C0 80)', [0xc0, 0x80]],
      ['a UTF-16 surrogate encoded in UTF-8 (ED A0 80)', [0xed, 0xa0, 0x80]],
      ['a truncated sequence', [0xe2, 0x82]],
      ['a code point over U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ])('invalid UTF-8 (%s): 400 problem, nothing upstream', async (_name, bytes) => {
      const body = Buffer.concat([Buffer.from('{"name":"a'), Buffer.from(bytes), Buffer.from('b"}')]);
      const response = await rawPatch(['content-type: application/json', `content-length: ${body.length}`], body);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(response.body)).toMatchObject({ status: 400, detail: 'body is not valid UTF-8' });
      expect(await g.upstreamWrites()).toEqual([]);
    });

    it('invalid UTF-8 in a chunked body (no Content-Length to betray it): 400, never replaced and sent on', async () => {
      const bytes = Buffer.concat([Buffer.from('{"name":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('b"}')]);
      const chunked = Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n0\r\n\r\n')]);
      const response = await rawPatch(['content-type: application/json', 'transfer-encoding: chunked'], chunked);
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toMatchObject({ status: 400, detail: 'body is not valid UTF-8' });
      expect(await g.upstreamWrites()).toEqual([]);
    });

    it('valid multi-byte UTF-8 is read as such', async () => {
      const body = Buffer.from(JSON.stringify({ name: 'Zoë 用户 🙂' }));
      const response = await rawPatch(['content-type: application/json; charset=utf-8', `content-length: ${body.length}`], body);
      expect(response.status).toBe(200);
      const [write] = await g.upstreamWrites();
      expect(write.body).toEqual({ name: 'Zoë 用户 🙂' });
    });
  });

  describe('Content-Length lies and framing tricks (raw socket)', () => {
    const body = '{"name":"Mallory"}';
    const head = (...extra: string[]) => ['PATCH /v1/me HTTP/1.1', 'host: gateway', 'connection: close', `authorization: ${'ALICE'}`, 'content-type: application/json', ...extra];
    const LIES: [string, string[], string, { endAfterWrite?: boolean }?][] = [
      ['Content-Length shorter than the body', head('content-length: 5'), body],
      ['Content-Length longer than the body, then the client closes', head('content-length: 500'), body, { endAfterWrite: true }],
      ['Content-Length zero with a body', head('content-length: 0'), body],
      ['Content-Length negative', head('content-length: -1'), body],
      ['Content-Length not a number', head('content-length: abc'), body],
      ['Content-Length hexadecimal', head('content-length: 0x12'), body],
      ['Content-Length with a plus sign', head(`content-length: +${body.length}`), body],
      ['Content-Length two different values', head(`content-length: ${body.length}`, 'content-length: 5'), body],
      ['Content-Length two values in one header', head(`content-length: ${body.length}, 5`), body],
      ['Content-Length larger than the body limit', head('content-length: 99999999999'), body],
      ['Content-Length absurdly large', head(`content-length: ${'9'.repeat(40)}`), body],
      ['Content-Length together with Transfer-Encoding: chunked (smuggling)', head(`content-length: ${body.length}`, 'transfer-encoding: chunked'), `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`],
      ['Transfer-Encoding with an unknown coding', head('transfer-encoding: gzip, chunked'), `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`],
      ['Transfer-Encoding obfuscated', head('transfer-encoding: xchunked'), body],
      ['chunked, with a chunk size that lies', head('transfer-encoding: chunked'), `ff\r\n${body}\r\n0\r\n\r\n`, { endAfterWrite: true }],
      ['Content-Encoding: gzip (a coding the gateway does not read)', head(`content-length: ${body.length}`, 'content-encoding: gzip'), body],
      ['chunked, over 16 KiB in total', head('transfer-encoding: chunked'), `${'4000\r\n' + 'a'.repeat(0x4000) + '\r\n'}${'10\r\n' + 'a'.repeat(16) + '\r\n'}0\r\n\r\n`],
    ];

    it.each(LIES)('framing: %s: never a 5xx, nothing written upstream', async (_name, headers, payload, options = {}) => {
      const text = httpText(headers.map((line) => line.replace('ALICE', alice)), payload);
      const response = await rawRequest(g.port, text, options);
      expect(response.status === 0 || (response.status >= 400 && response.status < 500)).toBe(true);
      if (response.status !== 0) expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.closed).toBe(true);
      expect(await g.upstreamWrites()).toEqual([]);
      // The server is unharmed.
      expect((await g.http().get('/health/live')).status).toBe(200);
    });

    it('slow or lying senders are cut off: the request and header timeouts and the header size are set', () => {
      const server = g.app.getHttpServer();
      expect(server.requestTimeout).toBe(REQUEST_TIMEOUT_MS);
      expect(server.headersTimeout).toBeGreaterThan(0);
      expect(server.headersTimeout).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS);
      expect((server as unknown as { maxHeaderSize?: number }).maxHeaderSize).toBe(MAX_HEADER_BYTES);
    });

    it('a request line the parser refuses gets a problem too', async () => {
      for (const text of ['GARBAGE\r\n\r\n', 'GET /v1/me HTTP/9.9\r\nhost: x\r\n\r\n', 'GET /v1/me HTTP/1.1\r\nbad header line\r\n\r\n']) {
        const response = await rawRequest(g.port, text);
        expect(response.status).toBe(400);
        expect(JSON.parse(response.body)).toMatchObject({ type: 'about:blank', status: 400, detail: 'malformed HTTP request' });
      }
    });
  });

  it('no input in this suite polluted Object.prototype', () => {
    expect(prototypeKeys()).toEqual(unpolluted);
  });

  it('an HTTP client that normalises nothing reaches the same answers (sanity of the raw helper)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port: g.port, path: '/v1/me', headers: { authorization: alice } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end();
    });
    expect(status).toBe(200);
  });
});
