/**
 * Family 2 — authorization attacks (OWASP API1 object level, API5 function level). For every
 * route of the table in support/routes.ts that the gateway serves: a matrix of callers who must be
 * refused with the contract's status and no upstream write; and client headers that must never
 * reach the upstream.
 */
import {
  TENANT_ACME, TENANT_GLOBEX, USER_ALICE, USER_ERIN, USER_GRACE, type MintTokenRequest,
} from '../../src/emulator';
import { expectProblem, expectUnauthorized } from '../support/assertions';
import {
  documentedOperations, isWrite, liveRoutes, pathOf, ROUTES, routeName, send, upstreamIdOf, UPSTREAM_PATHS, type RouteSpec,
} from './support/routes';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

const ALL_ADMIN_PERMISSIONS = ['fe.*'];

describe('authorization attacks (CONTRACT §3, §4; OWASP API1, API5)', () => {
  let g: SecurityGateway;
  let live: RouteSpec[];

  beforeAll(async () => {
    g = await startSecurityGateway();
    live = await liveRoutes(g);
  });
  afterAll(() => g.close());
  beforeEach(() => g.reset());

  const bearer = async (caller: MintTokenRequest) => `Bearer ${await g.token(caller)}`;

  it('covers every /v1 operation the gateway documents, and at least the self-service and read routes', async () => {
    const known = new Set(ROUTES.map(routeName));
    expect((await documentedOperations(g)).filter((operation) => !known.has(operation))).toEqual([]);
    expect(live.map(routeName)).toEqual(expect.arrayContaining(['GET /v1/me', 'PATCH /v1/me', 'GET /v1/roles']));
  });

  it('lets the legitimate caller through on every route (the matrix refuses for the right reason)', async () => {
    for (const route of live) {
      await g.reset();
      const response = await send(g, route, { authorization: await bearer({ userId: USER_ALICE }) });
      expect({ route: routeName(route), status: response.status }).toEqual({ route: routeName(route), status: route.success });
    }
  });

  /** Runs `attempt` on each live route that `applies`, after a reset, and checks no upstream write happened. */
  const onEachRoute = async (applies: (route: RouteSpec) => boolean, attempt: (route: RouteSpec) => Promise<void>) => {
    const routes = live.filter(applies);
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) {
      await g.reset();
      await attempt(route);
      expect({ route: routeName(route), writes: await g.upstreamWrites() }).toEqual({ route: routeName(route), writes: [] });
    }
  };

  describe('callers the gateway must refuse, on every route', () => {
    it('no token: 401 with the bare challenge, and no management call at all', async () => {
      await onEachRoute(() => true, async (route) => {
        expectUnauthorized(await send(g, route), 'invalid token', false);
        expect(await g.managementCalls()).toEqual([]);
      });
    });

    it('a forged token (signed by a key outside the JWKS): 401 invalid_token', async () => {
      await onEachRoute(() => true, async (route) => {
        expectUnauthorized(await send(g, route, { authorization: await bearer({ signWith: 'foreign' }) }), 'invalid token');
        expect(await g.managementCalls()).toEqual([]);
      });
    });

    it('a userApiToken on a userToken route: 403 naming the type', async () => {
      await onEachRoute((route) => route.userTokenOnly === true, async (route) => {
        const apiToken = await bearer({ claims: { type: 'userApiToken', userId: USER_ALICE, permissions: ALL_ADMIN_PERMISSIONS } });
        const response = await send(g, route, { authorization: apiToken });
        expectProblem(response, 403);
        expect(response.body.detail).toBe('token type userApiToken is not allowed here');
      });
    });

    it('a caller without the route permission: 403 naming the missing key', async () => {
      await onEachRoute((route) => route.permission !== undefined, async (route) => {
        const response = await send(g, route, { authorization: await bearer({ userId: USER_ALICE, claims: { permissions: [] } }) });
        expectProblem(response, 403);
        expect(response.body.detail).toContain(route.permission);
      });
    });

    it('a caller holding a neighbouring permission only (no prefix or wildcard confusion): 403', async () => {
      await onEachRoute((route) => route.permission !== undefined, async (route) => {
        const near = [`${route.permission}x`, `${route.permission}.*`.replace(/\.[^.]+\.\*$/, '.other.*'), 'fe.secure', 'fe.secure.read'];
        const response = await send(g, route, { authorization: await bearer({ userId: USER_ALICE, claims: { permissions: near } }) });
        expectProblem(response, 403);
      });
    });

    it("an object of another tenant: 404, whatever the caller's permissions (existence is not revealed)", async () => {
      await onEachRoute((route) => route.param !== undefined, async (route) => {
        const admin = await bearer({ userId: USER_ALICE, claims: { permissions: ALL_ADMIN_PERMISSIONS } });
        expectProblem(await send(g, route, { authorization: admin, id: route.param!.foreign }), 404);
      });
    });

    it('a member of two tenants acting, from one tenant, on objects of the other: 404', async () => {
      await onEachRoute((route) => route.param !== undefined, async (route) => {
        // Erin is in tenant-acme and tenant-globex: from acme, globex objects are out of reach...
        const fromAcme = await bearer({ userId: USER_ERIN, tenantId: TENANT_ACME, claims: { permissions: ALL_ADMIN_PERMISSIONS } });
        expectProblem(await send(g, route, { authorization: fromAcme, id: route.param!.foreign }), 404);
        // ...and from globex, acme objects are.
        const fromGlobex = await bearer({ userId: USER_ERIN, tenantId: TENANT_GLOBEX, claims: { permissions: ALL_ADMIN_PERMISSIONS } });
        expectProblem(await send(g, route, { authorization: fromGlobex, id: route.param!.own }), 404);
      });
    });

    it('a member of two tenants on routes without ids: only the active tenant is asked and answered', async () => {
      const erin = await bearer({ userId: USER_ERIN, tenantId: TENANT_ACME, claims: { permissions: ['fe.secure.read.*'] } });
      const roles = await g.http().get('/v1/roles').set('authorization', erin).set('frontegg-tenant-id', TENANT_GLOBEX);
      expect(roles.status).toBe(200);
      expect(roles.body.map((role: { key: string }) => role.key)).not.toContain('globex-support');
      const me = await g.http().get('/v1/me').set('authorization', erin).set('frontegg-tenant-id', TENANT_GLOBEX);
      expect(me.status).toBe(200);
      expect(me.body.tenantId).toBe(TENANT_ACME);
      expect(me.body.roles.map((role: { key: string }) => role.key)).toEqual(['Member']);
      const tenantHeaders = (await g.managementCalls()).map((call) => call.headers['frontegg-tenant-id']).filter(Boolean);
      expect(new Set(tenantHeaders)).toEqual(new Set([TENANT_ACME]));
    });

    it('a weaker caller acting on, or creating, a stronger role: 403', async () => {
      await onEachRoute((route) => route.levelRule !== undefined, async (route) => {
        // Grace's strongest role in acme is level 30; Alice (level 10) makes a level-20 role first.
        const alice = await bearer({ userId: USER_ALICE });
        const strong = await g.http().post('/v1/roles').set('authorization', alice).send({ key: 'strong', name: 'Strong', level: 20 });
        expect(strong.status).toBe(201);
        await g.upstream.clearRequests();
        const grace = await bearer({ userId: USER_GRACE, claims: { permissions: ALL_ADMIN_PERMISSIONS } });
        const response =
          route.levelRule === 'body'
            ? await send(g, route, { authorization: grace, body: { ...route.body, level: 20 } })
            : await send(g, route, { authorization: grace, id: strong.body.id });
        expectProblem(response, 403);
      });
    });

    it('roles of other tenants in an upstream answer are never shown', async () => {
      const leaked = {
        id: 'role-leak', vendorId: 'v', tenantId: TENANT_GLOBEX, key: 'leak', name: 'Leak', description: '', isDefault: false,
        firstUserRole: false, level: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', permissions: [],
      };
      await g.upstream.injectFault({ method: 'GET', path: '/identity/resources/roles/v1', status: 200, body: [leaked] });
      const response = await g.http().get('/v1/roles').set('authorization', await bearer({ userId: USER_ALICE }));
      expect(response.status).toBe(200);
      expect(JSON.stringify(response.body)).not.toContain('role-leak');
    });
  });

  describe('client headers never reach the upstream', () => {
    const MARK = 'zz-client-sent';
    /** What a client (or a proxy it controls) might send hoping the gateway passes it on. */
    const clientHeaders = (userToken: string): Record<string, string> => ({
      'frontegg-tenant-id': TENANT_GLOBEX,
      'frontegg-user-id': 'user-carol',
      'frontegg-vendor-id': `${MARK}-vendor`,
      'frontegg-environment-id': `${MARK}-environment`,
      'x-access-token': `${MARK}-access-token`,
      'x-frontegg-tenant-id': TENANT_GLOBEX,
      // hop-by-hop, and a header the client names as hop-by-hop
      connection: 'x-foo, keep-alive',
      'x-foo': `${MARK}-x-foo`,
      'keep-alive': 'timeout=600',
      te: 'trailers',
      upgrade: 'h2c',
      'proxy-authorization': `Bearer ${userToken}`,
      'proxy-connection': 'keep-alive',
      // forwarding headers a proxy would add
      forwarded: `for=203.0.113.9;host=${MARK}.example.com;proto=http`,
      'x-forwarded-for': '203.0.113.9',
      'x-forwarded-host': `${MARK}.example.com`,
      'x-forwarded-proto': 'http',
      'x-real-ip': '203.0.113.9',
      via: `1.1 ${MARK}`,
      cookie: `session=${MARK}; access_token=${userToken}`,
      'x-http-method-override': 'DELETE',
      'x-original-url': `/identity/resources/roles/v1/${MARK}`,
      'x-rewrite-url': `/identity/resources/roles/v1/${MARK}`,
      origin: `https://${MARK}.example.com`,
      referer: `https://${MARK}.example.com/page`,
    });

    it('on every route that calls upstream: none of them, nor the user token, is in any upstream request', async () => {
      const host = new URL(g.emulator.url).host;
      for (const route of live.filter((candidate) => candidate.callsUpstream !== false)) {
        await g.reset();
        const token = await g.token({ userId: USER_ALICE });
        const response = await send(g, route, { authorization: `Bearer ${token}`, headers: clientHeaders(token) });
        expect({ route: routeName(route), status: response.status }).toEqual({ route: routeName(route), status: route.success });
        const calls = await g.managementCalls();
        expect(calls.length).toBeGreaterThan(0);
        for (const call of calls) {
          const headers = JSON.stringify(call.headers);
          expect(headers).not.toContain(MARK);
          expect(headers).not.toContain(token);
          expect(headers).not.toContain('203.0.113.9');
          expect(headers).not.toContain(TENANT_GLOBEX);
          // CONTRACT §4.4: the caller's tenants and the switch name the caller itself, from its token; nothing else names a user.
          const aboutTheCaller = UPSTREAM_PATHS.userTenants.test(call.path) || UPSTREAM_PATHS.activeTenant.test(call.path);
          expect(call.headers['frontegg-user-id']).toBe(aboutTheCaller ? USER_ALICE : undefined);
          expect(call.headers['x-access-token']).toBeUndefined();
          expect(call.headers.host).toBe(host);
          expect(call.headers.authorization).toMatch(/^Bearer \S+$/);
          if (call.headers['frontegg-tenant-id'] !== undefined) expect(call.headers['frontegg-tenant-id']).toBe(TENANT_ACME);
          // The method and path are the route's own, whatever the override headers said.
          expect(Object.values(UPSTREAM_PATHS).some((pattern) => pattern.test(call.path))).toBe(true);
          if (call.method === 'DELETE') expect(route.method).toBe('DELETE');
        }
      }
    });

    it('a request with duplicate Authorization headers reaches nothing upstream', async () => {
      const token = await g.token({ userId: USER_ALICE });
      for (const route of live) {
        const twice = [`Bearer ${token}`, `Bearer ${token}`] as unknown as string;
        expectUnauthorized(await send(g, route, { authorization: twice }), 'invalid token');
      }
      expect(await g.managementCalls()).toEqual([]);
    });

    it('path ids reach the upstream only as the caller asked, never another object', async () => {
      for (const route of live.filter((candidate) => candidate.param !== undefined)) {
        await g.reset();
        const response = await send(g, route, { authorization: await bearer({ userId: USER_ALICE }) });
        expect(response.status).toBe(route.success);
        const ids = new Set((await g.managementCalls()).map((call) => upstreamIdOf(call.path)).filter(Boolean));
        ids.delete(USER_ALICE);
        ids.delete(route.param!.own);
        expect({ route: pathOf(route), others: [...ids] }).toEqual({ route: pathOf(route), others: [] });
        expect(isWrite(route) ? (await g.upstreamWrites()).length : 0).toBe(isWrite(route) ? 1 : 0);
      }
    });
  });
});
