import { EmulatorControlClient, startEmulator, USER_ALICE, USER_BOB, USER_ERIN, type RunningEmulator } from '../../src/emulator';
import { startGatewayProcess, type GatewayProcess } from '../operations/support';

interface AuditLine {
  audit: true;
  action: string;
  actor: string;
  tenant: string | null;
  target: string | null;
  outcome: 'allowed' | 'denied' | 'failed';
  requestId: string;
  level: number;
}

describe('audit log of administrative changes (CONTRACT §4.2), read from the real process output', () => {
  let emulator: RunningEmulator;
  let upstream: EmulatorControlClient;
  let gateway: GatewayProcess;
  let base: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    upstream = new EmulatorControlClient(emulator.url);
    gateway = await startGatewayProcess(emulator);
    base = gateway.url;
  });

  afterAll(async () => {
    await gateway.stop();
    await emulator.close();
  });

  const call = (method: string, path: string, token?: string, body?: unknown, requestId?: string) =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(requestId ? { 'x-request-id': requestId } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });

  it('writes one line per change, allowed, denied or failed, and never a token', async () => {
    const alice = await upstream.mintToken({ userId: USER_ALICE });
    const bob = await upstream.mintToken({ userId: USER_BOB });

    expect((await call('POST', '/v1/roles', alice, { key: 'audited', name: 'Audited', level: 40 }, 'req-allowed')).status).toBe(201);
    expect((await call('POST', '/v1/roles', bob, { key: 'sneaky', name: 'Sneaky', level: 40 }, 'req-denied')).status).toBe(403);
    expect((await call('POST', `/v1/users/${USER_ERIN}/mfa/unenroll`, alice, undefined, 'req-global-mfa')).status).toBe(403);
    expect((await call('DELETE', '/v1/roles/role-acme-auditor', undefined, undefined, 'req-anonymous')).status).toBe(401);
    await upstream.injectFault({ method: 'POST', path: '/identity/resources/roles/v1', status: 500 });
    expect((await call('POST', '/v1/roles', alice, { key: 'broken', name: 'Broken', level: 40 }, 'req-failed')).status).toBe(502);
    expect((await call('GET', '/v1/roles', alice)).status).toBe(200); // a read: not audited

    await new Promise((resolve) => setTimeout(resolve, 200)); // let the last lines flush
    const lines = gateway
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const audit = lines.filter((line): line is AuditLine & Record<string, unknown> => line.audit === true);
    const pick = ({ action, actor, tenant, target, outcome, requestId }: AuditLine) => ({ action, actor, tenant, target, outcome, requestId });

    expect(audit.map(pick)).toEqual([
      { action: 'role.create', actor: USER_ALICE, tenant: 'tenant-acme', target: 'audited', outcome: 'allowed', requestId: 'req-allowed' },
      { action: 'role.create', actor: USER_BOB, tenant: 'tenant-acme', target: 'sneaky', outcome: 'denied', requestId: 'req-denied' },
      { action: 'mfa.unenroll', actor: USER_ALICE, tenant: 'tenant-acme', target: USER_ERIN, outcome: 'denied', requestId: 'req-global-mfa' },
      { action: 'role.delete', actor: 'anonymous', tenant: null, target: 'role-acme-auditor', outcome: 'denied', requestId: 'req-anonymous' },
      { action: 'role.create', actor: USER_ALICE, tenant: 'tenant-acme', target: 'broken', outcome: 'failed', requestId: 'req-failed' },
    ]);
    expect(audit.every((line) => line.level === 30)).toBe(true); // info

    // Besides the audit line, one decision line per refusal by a rule: who, where, which rule, why.
    const decisions = lines.filter((line) => line.decision === 'deny');
    const decision = ({ actor, tenant, route, rule, reason, requestId }: Record<string, unknown>) => ({ actor, tenant, route, rule, reason, requestId });
    expect(decisions.map(decision)).toEqual([
      { actor: USER_BOB, tenant: 'tenant-acme', route: 'POST /v1/roles', rule: 'permission', reason: 'missing-permission', requestId: 'req-denied' },
      {
        actor: USER_ALICE,
        tenant: 'tenant-acme',
        route: 'POST /v1/users/:userId/mfa/unenroll',
        rule: 'member-of-this-tenant-only',
        reason: 'multi-tenant-user',
        requestId: 'req-global-mfa',
      },
    ]);

    // The access line of the read: who, which route and trace, status, duration, upstream time.
    const access = lines.find((line) => line.msg === 'GET /v1/roles 200');
    expect(access).toMatchObject({
      level: 30,
      req: { id: expect.any(String), method: 'GET', url: '/v1/roles' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
      userId: USER_ALICE,
      tenantId: 'tenant-acme',
      route: '/v1/roles',
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
      upstreamCalls: expect.any(Number),
      upstreamMs: expect.any(Number),
    });

    const vendorTokens = (await upstream.requests({ path: '/identity/resources/roles/v1' })).map((request) =>
      String(request.headers.authorization).replace('Bearer ', ''),
    );
    const output = gateway.output();
    for (const secret of [alice, bob, emulator.apiKey, ...vendorTokens]) expect(output).not.toContain(secret);
  });
});
