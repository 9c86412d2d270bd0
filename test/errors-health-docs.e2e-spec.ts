import { USER_BOB } from '../src/emulator';
import { expectProblem } from './support/assertions';
import { startTestGateway, type TestGateway } from './support/gateway';

describe('errors, request ids and rate limits (CONTRACT §6)', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(() => gateway.close());
  beforeEach(() => gateway.reset());

  it('echoes a safe X-Request-Id and replaces an unsafe one', async () => {
    const echoed = await gateway.http().get('/health/live').set('x-request-id', 'trace-123.abc_X');
    expect(echoed.headers['x-request-id']).toBe('trace-123.abc_X');
    const replaced = await gateway.http().get('/health/live').set('x-request-id', 'bad id<script>');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const fresh = await gateway.http().get('/health/live');
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes with a problem carrying the request id', async () => {
    const response = await gateway.http().get('/v2/nothing').set('x-request-id', 'lost-1');
    expectProblem(response, 404);
    expect(response.body.requestId).toBe('lost-1');
  });

  it('limits each user to RATE_LIMIT_PER_MINUTE on /v1, with RateLimit headers and Retry-After', async () => {
    const token = await gateway.token({ userId: USER_BOB });
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await gateway.http().get('/v1/roles').set('authorization', `Bearer ${token}`));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(answers[0].headers['ratelimit-limit']).toBe('5');
    expect(answers[0].headers['ratelimit-remaining']).toBe('4');
    expectProblem(answers[5], 429);
    expect(Number(answers[5].headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(answers[5].headers['retry-after'])).toBeLessThanOrEqual(60);

    // Another user has a budget of its own.
    const other = await gateway.token({ userId: 'user-grace' });
    expect((await gateway.http().get('/v1/roles').set('authorization', `Bearer ${other}`)).status).toBe(200);
  });

  it('limits failed authentications per client address', async () => {
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await gateway.http().get('/v1/me').set('authorization', 'Bearer not.a.token'));
    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401, 429]);
  });
});

describe('health (CONTRACT §4.1)', () => {
  it('is live, and ready once keys and a vendor token are at hand', async () => {
    const gateway = await startTestGateway();
    try {
      expect((await gateway.http().get('/health/live')).body).toEqual({ status: 'ok' });
      const ready = await gateway.http().get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('ok');

      // A valid cached vendor token is not renewed for a probe, and the cached keys suffice.
      await gateway.upstream.clearRequests();
      await gateway.upstream.injectFault({ path: '/.well-known/jwks.json', status: 503 });
      await gateway.upstream.injectFault({ path: '/auth/vendor', status: 503 });
      expect((await gateway.http().get('/health/ready')).status).toBe(200);
      expect(await gateway.upstream.requests()).toEqual([]);
    } finally {
      await gateway.close();
    }
  });

  it('is not ready when no signing keys or no vendor token can be had', async () => {
    const gateway = await startTestGateway();
    try {
      await gateway.upstream.injectFault({ path: '/.well-known/jwks.json', status: 503 });
      await gateway.upstream.injectFault({ path: '/auth/vendor', status: 500 });
      const response = await gateway.http().get('/health/ready');
      expectProblem(response, 503);
      expect(response.body.checks).toMatchObject({ signingKeys: { status: 'down' }, vendorToken: { status: 'down' } });
    } finally {
      await gateway.close();
    }
  });
});

describe('OpenAPI document (CONTRACT §4.1)', () => {
  let gateway: TestGateway;
  let document: {
    paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, { description?: string }>; 'x-permission'?: string; 'x-policy'?: unknown }>>;
    components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
  };

  beforeAll(async () => {
    gateway = await startTestGateway();
    document = (await gateway.http().get('/docs-json')).body;
  });
  afterAll(() => gateway.close());

  it('serves Swagger UI at /docs without a token', async () => {
    const response = await gateway.http().get('/docs').redirects(1);
    expect(response.status).toBe(200);
    expect(response.text).toContain('swagger');
  });

  // CONTRACT §4.1 and §4.2: method, path, permission, success status.
  const ROUTES: [string, string, string, string][] = [
    ['get', '/v1/me', 'none (any verified token)', '200'],
    ['patch', '/v1/me', 'none (any verified token)', '200'],
    ['post', '/v1/me/mfa/unenroll', 'none (any verified token)', '204'],
    ['get', '/v1/me/entitlements', 'none (any verified token)', '200'],
    ['get', '/v1/roles', 'fe.secure.read.roles', '200'],
    ['get', '/v1/permissions', 'fe.secure.read.roles', '200'],
    ['post', '/v1/roles', 'fe.secure.write.roles', '201'],
    ['patch', '/v1/roles/{roleId}', 'fe.secure.write.roles', '200'],
    ['delete', '/v1/roles/{roleId}', 'fe.secure.delete.roles', '204'],
    ['put', '/v1/roles/{roleId}/permissions', 'fe.secure.write.roles', '200'],
    ['get', '/v1/users/{userId}', 'fe.secure.read.users', '200'],
    ['post', '/v1/users/{userId}/mfa/unenroll', 'fe.secure.write.users', '204'],
    ['get', '/v1/users', 'fe.secure.read.users', '200'],
    ['post', '/v1/users', 'fe.secure.write.users', '201'],
    ['delete', '/v1/users/{userId}', 'fe.secure.delete.users', '204'],
    ['put', '/v1/users/{userId}/roles', 'fe.secure.write.users', '200'],
    ['get', '/v1/me/tenants', 'none (any verified token)', '200'],
    ['put', '/v1/me/tenant', 'none (any verified token)', '200'],
  ];

  it('documents every route, and the bearer scheme', () => {
    const documented = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
    expect(documented.sort()).toEqual(
      [...ROUTES.map(([method, path]) => `${method} ${path}`), 'get /health/live', 'get /health/ready', 'get /metrics'].sort(),
    );
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    for (const schema of ['ProblemDto', 'ProfileDto', 'RoleDto', 'PermissionDto', 'UpdateOwnProfileDto', 'CreateRoleDto', 'UpdateRoleDto', 'SetRolePermissionsDto']) {
      expect(document.components.schemas).toHaveProperty(schema);
    }
  });

  it.each(ROUTES)('%s %s states its permission %s, security and every answer', (method, path, permission, success) => {
    const operation = document.paths[path][method];
    expect(operation.security).toEqual([{ bearer: [] }]);
    expect(operation['x-permission']).toBe(permission);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining([success, '401', '429', '502', '503', '504']));
    if (permission.startsWith('fe.')) expect(operation.responses).toHaveProperty('403');
    if (path.includes('{')) expect(operation.responses).toHaveProperty('400');
  });

  it('documents the body errors of writes and the step-up challenge', () => {
    for (const [method, path] of [['patch', '/v1/me'], ['post', '/v1/roles'], ['patch', '/v1/roles/{roleId}'], ['put', '/v1/roles/{roleId}/permissions']]) {
      expect(Object.keys(document.paths[path][method].responses)).toEqual(expect.arrayContaining(['400', '413', '415']));
    }
    expect(document.paths['/v1/me/mfa/unenroll'].post.responses['401']).toMatchObject({ description: expect.stringContaining('RFC 9470') });
  });

  it("writes each route's policy, its rules and the 403 reasons they can answer", () => {
    const reset = document.paths['/v1/users/{userId}/mfa/unenroll'].post;
    expect(reset['x-policy']).toEqual({
      name: 'member.reset-mfa',
      permission: 'fe.secure.write.users',
      tokenTypes: 'any',
      recentSignIn: false,
      target: "a visible member of the caller's tenant (path parameter userId)",
      rules: ['step-up-on-own-factors', 'member-of-this-tenant-only', 'not-a-super-user', 'member-level-within-reach'],
    });
    expect(reset.responses['401'].description).toContain('RFC 9470');
    expect(reset.responses['403'].description).toBe('Refused by a rule; `reason` is one of: missing-permission, token-type, role-level, multi-tenant-user, protected-user, csrf, not-entitled');
    expect(reset.responses['404'].description).toContain('user not found');
    for (const [method, path] of [['post', '/v1/roles'], ['patch', '/v1/roles/{roleId}']]) {
      expect(document.paths[path][method].responses).toHaveProperty('409');
    }
    expect(document.paths['/v1/roles/{roleId}'].delete.responses['403'].description).toContain('environment-role');
  });

  it('declares public routes public, with an empty security list', () => {
    expect(document.paths['/health/live'].get.security).toEqual([]);
    expect(document.paths['/health/ready'].get.security).toEqual([]);
  });
});
