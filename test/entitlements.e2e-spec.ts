import {
  FEATURE_AUDIT_EXPORT,
  FEATURE_BETA_DASHBOARD,
  FEATURE_CUSTOM_ROLES,
  FEATURE_REPORTS,
  FEATURE_SSO,
  PLAN_BUSINESS,
  startEmulator,
  TENANT_GLOBEX,
  USER_ALICE,
  USER_BOB,
  USER_CAROL,
  USER_DAVE,
  USER_GRACE,
  type RunningEmulator,
} from '../src/emulator';
import { EntitlementsSnapshotStore } from '../src/entitlements/entitlements-snapshot.store';
import { expectProblem } from './support/assertions';
import { startGatewayOn, startTestGateway, type TestGateway } from './support/gateway';

const SNAPSHOT = '/entitlements/api/v1/vendor-entitlements';
const OFFSET = '/entitlements/api/v1/vendor-entitlements-snapshot-offset';
const ROLES = '/identity/resources/roles/v1';
const ON = { ENTITLEMENTS: 'on' };

/** One snapshot check now, as the timer makes it every ENTITLEMENTS_REFRESH_S: no test waits on the timer. */
const checkSnapshot = (gateway: TestGateway) => gateway.app.get(EntitlementsSnapshotStore).check();

async function as(gateway: TestGateway, userId: string, claims?: Record<string, unknown>) {
  return `Bearer ${await gateway.token({ userId, claims })}`;
}

async function entitlementsOf(gateway: TestGateway, userId: string, query = '') {
  return gateway.http().get(`/v1/me/entitlements${query}`).set('authorization', await as(gateway, userId));
}

async function readiness(gateway: TestGateway) {
  const response = await gateway.http().get('/health/ready');
  expect(response.status).toBe(200);
  return response.body.details.entitlements as { status: string; offset: number | null; ageS: number | null };
}

async function checksCounted(gateway: TestGateway, outcome: string): Promise<number> {
  const metrics = await gateway.http().get('/metrics');
  const line = metrics.text.split('\n').find((row) => row.startsWith(`gateway_entitlements_checks_total{outcome="${outcome}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('entitlements in authorization (CONTRACT §4.5)', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway(ON);
  });
  afterAll(() => gateway.close());
  beforeEach(async () => {
    await gateway.reset();
    await gateway.upstream.clearFaults();
    await checkSnapshot(gateway);
  });

  const createRole = async (userId: string) =>
    gateway.http().post('/v1/roles').set('authorization', await as(gateway, userId)).send({ key: 'billing', name: 'Billing', level: 40 });

  it("refuses a permission linked to a feature the tenant's plan lacks: 403 not-entitled naming it, nothing sent upstream", async () => {
    await gateway.upstream.clearRequests();
    // tenant-globex's Business trial (custom-roles) expired; Carol is its Admin.
    const refused = await createRole(USER_CAROL);
    expectProblem(refused, 403);
    expect(refused.body.reason).toBe('not-entitled');
    expect(refused.body.detail).toContain(FEATURE_CUSTOM_ROLES);
    expect(refused.body.detail).toContain('bundle-expired');
    expect(await gateway.upstream.requests({ method: 'POST', path: ROLES })).toEqual([]);

    // tenant-acme is on Business.
    expect((await createRole(USER_ALICE)).status).toBe(201);
  });

  it('lets a permission without linked features through on the grants alone', async () => {
    const roles = await gateway.http().get('/v1/roles').set('authorization', await as(gateway, USER_CAROL));
    expect(roles.status).toBe(200);
  });

  it('takes a plan change at the next check, when the offset moved', async () => {
    expect((await createRole(USER_CAROL)).status).toBe(403);
    const offset = await gateway.upstream.grantPlan({ planId: PLAN_BUSINESS, tenantId: TENANT_GLOBEX });
    await checkSnapshot(gateway);
    expect((await readiness(gateway)).offset).toBe(offset);
    expect((await createRole(USER_CAROL)).status).toBe(201);
  });

  it('reloads the snapshot only when the offset moved', async () => {
    await gateway.upstream.clearRequests();
    await checkSnapshot(gateway);
    await checkSnapshot(gateway);
    expect(await gateway.upstream.requests({ path: OFFSET })).toHaveLength(2);
    expect(await gateway.upstream.requests({ path: SNAPSHOT })).toHaveLength(0);
  });

  describe('GET /v1/me/entitlements', () => {
    it('answers every feature of the snapshot, as the seed table says, and no permissions, without parameters', async () => {
      const alice = await entitlementsOf(gateway, USER_ALICE);
      expect(alice.status).toBe(200);
      expect(alice.body).toEqual({
        features: {
          [FEATURE_REPORTS]: { entitled: true, justification: null },
          [FEATURE_CUSTOM_ROLES]: { entitled: true, justification: null },
          [FEATURE_SSO]: { entitled: true, justification: null },
          [FEATURE_AUDIT_EXPORT]: { entitled: false, justification: 'missing-feature' },
          [FEATURE_BETA_DASHBOARD]: { entitled: false, justification: 'missing-feature' },
        },
        permissions: {},
      });
      // A user-level grant; a flag rule over the token's email; an expired plan.
      expect((await entitlementsOf(gateway, USER_GRACE, `?features=${FEATURE_AUDIT_EXPORT}`)).body.features).toEqual({
        [FEATURE_AUDIT_EXPORT]: { entitled: true, justification: null },
      });
      const dave = await entitlementsOf(gateway, USER_DAVE, `?features=${FEATURE_BETA_DASHBOARD},${FEATURE_CUSTOM_ROLES}`);
      expect(dave.body).toEqual({
        features: {
          [FEATURE_BETA_DASHBOARD]: { entitled: true, justification: null },
          [FEATURE_CUSTOM_ROLES]: { entitled: false, justification: 'bundle-expired' },
        },
        permissions: {},
      });
    });

    it('answers permissions with the caller grants: missing-permission, then the linked features', async () => {
      const query = '?permissions=fe.secure.write.roles,fe.secure.read.roles';
      expect((await entitlementsOf(gateway, USER_BOB, query)).body).toEqual({
        features: {},
        permissions: {
          'fe.secure.write.roles': { entitled: false, justification: 'missing-permission' },
          'fe.secure.read.roles': { entitled: true, justification: null },
        },
      });
      expect((await entitlementsOf(gateway, USER_CAROL, query)).body.permissions['fe.secure.write.roles']).toEqual({ entitled: false, justification: 'bundle-expired' });
      expect((await entitlementsOf(gateway, USER_ALICE, query)).body.permissions['fe.secure.write.roles']).toEqual({ entitled: true, justification: null });
    });

    it.each([
      ['an empty features', '?features=', /features must list at least one key/],
      ['an empty permissions', '?permissions=', /permissions must list at least one key/],
      ['a key with a space', '?features=ok,bad%20key', /features key 2 \("bad key"\)/],
      ['an empty key', '?features=a,,b', /features key 2 \(""\)/],
      ['a key of 129 characters', `?features=${'x'.repeat(129)}`, /features key 1/],
      ['51 keys over both', `?features=${Array.from({ length: 30 }, (_, i) => `f${i}`).join(',')}&permissions=${Array.from({ length: 21 }, (_, i) => `p${i}`).join(',')}`, /at most 50 keys/],
      ['200 keys', `?features=${Array.from({ length: 200 }, (_, i) => `f${i}`).join(',')}`, /at most 50 keys/],
      ['a repeated parameter', '?features=a&features=b', /features must be a string/],
      ['an unknown parameter', '?unknown=1', /unknown/],
    ])('refuses %s with a 400 naming the problem', async (_name, query, detail) => {
      const response = await entitlementsOf(gateway, USER_ALICE, query);
      expectProblem(response, 400);
      expect(response.body.detail).toMatch(detail);
    });
  });

  describe('bad snapshots and a failing entitlements service', () => {
    const brokenSnapshots: [string, object][] = [
      ['an unknown tuple shape', { snapshotOffset: 999, data: { features: [['id', 'key']], featureBundles: [], entitlements: [], featureFlags: [] } }],
      ['duplicate ids', { snapshotOffset: 999, data: { features: [['id', 'a', []], ['id', 'b', []]], featureBundles: [], entitlements: [], featureFlags: [] } }],
    ];

    it.each(brokenSnapshots)('keeps the last good snapshot when the new one has %s (refused, counted)', async (_name, body) => {
      const before = await readiness(gateway);
      const refusedBefore = await checksCounted(gateway, 'refused');
      await gateway.upstream.injectFault({ method: 'GET', path: SNAPSHOT, status: 200, body });
      await gateway.upstream.grantPlan({ planId: PLAN_BUSINESS, tenantId: TENANT_GLOBEX });
      await checkSnapshot(gateway);
      expect((await readiness(gateway)).offset).toBe(before.offset);
      expect(await checksCounted(gateway, 'refused')).toBe(refusedBefore + 1);
      // Still the old decisions.
      expect((await createRole(USER_CAROL)).status).toBe(403);
      expect((await createRole(USER_ALICE)).status).toBe(201);
    });

    it('keeps the last good snapshot when the reload fails or answers 50 MB (failed, counted), and loads it once it answers again', async () => {
      const before = await readiness(gateway);
      const failedBefore = await checksCounted(gateway, 'failed');
      const offset = await gateway.upstream.grantPlan({ planId: PLAN_BUSINESS, tenantId: TENANT_GLOBEX });
      await gateway.upstream.injectFault({ method: 'GET', path: SNAPSHOT, status: 500, count: 3 });
      await checkSnapshot(gateway);
      await gateway.upstream.injectFault({ method: 'GET', path: SNAPSHOT, status: 200, oversizedBodyBytes: 50 * 1024 * 1024 });
      await checkSnapshot(gateway);
      expect(await checksCounted(gateway, 'failed')).toBe(failedBefore + 2);
      expect((await readiness(gateway)).offset).toBe(before.offset);
      expect((await createRole(USER_CAROL)).status).toBe(403);

      await gateway.upstream.clearFaults();
      await checkSnapshot(gateway);
      expect((await readiness(gateway)).offset).toBe(offset);
      expect((await createRole(USER_CAROL)).status).toBe(201);
    });

    it('never makes a request wait on a silent entitlements service: checks run off the request path', async () => {
      await gateway.upstream.injectFault({ path: OFFSET, latencyMs: 2_000 });
      let checkDone = false;
      const check = checkSnapshot(gateway).then(() => (checkDone = true));
      const roles = await gateway.http().get('/v1/roles').set('authorization', await as(gateway, USER_ALICE));
      expect(roles.status).toBe(200);
      expect((await entitlementsOf(gateway, USER_ALICE)).status).toBe(200);
      // Both answered while the check was still waiting on the offset.
      expect(checkDone).toBe(false);
      await check;
    });
  });
});

describe('entitlements before the first snapshot (CONTRACT §4.5)', () => {
  let emulator: RunningEmulator;
  let gateway: TestGateway;

  beforeAll(async () => {
    emulator = await startEmulator();
    const { EmulatorControlClient } = await import('../src/emulator');
    // The snapshot cannot be read: the gateway starts without one.
    await new EmulatorControlClient(emulator.url).injectFault({ method: 'GET', path: SNAPSHOT, status: 503 });
    gateway = await startGatewayOn(emulator, ON);
    await checkSnapshot(gateway);
  });
  afterAll(async () => {
    await gateway.close();
    await emulator.close();
  });

  it('answers 503 with Retry-After on routes that check a permission and on GET /v1/me/entitlements', async () => {
    for (const request of [gateway.http().get('/v1/roles'), gateway.http().get('/v1/me/entitlements')]) {
      const response = await request.set('authorization', await as(gateway, USER_ALICE));
      expectProblem(response, 503);
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(response.body.detail).toBe('entitlements are not loaded yet');
    }
  });

  it('serves routes without a permission, and reports no offset while ready', async () => {
    expect((await gateway.http().get('/v1/me').set('authorization', await as(gateway, USER_ALICE))).status).toBe(200);
    expect(await readiness(gateway)).toEqual({ status: 'up', offset: null, ageS: null });
  });

  it('still refuses a missing permission as such, before the entitlements', async () => {
    const response = await gateway.http().get('/v1/roles').set('authorization', await as(gateway, USER_ALICE, { permissions: [] }));
    expectProblem(response, 403);
    expect(response.body.reason).toBe('missing-permission');
  });

  it('loads the snapshot once the service answers, and reports its offset and age', async () => {
    await gateway.upstream.clearFaults();
    await checkSnapshot(gateway);
    const status = await readiness(gateway);
    expect(status.offset).toEqual((await gateway.upstream.entitlements()).snapshotOffset);
    expect(status.ageS).toBe(0);
    expect((await gateway.http().get('/v1/roles').set('authorization', await as(gateway, USER_ALICE))).status).toBe(200);
  });
});

describe('ENTITLEMENTS=off (the default outside local mode)', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());

  it('answers GET /v1/me/entitlements 404, decides on permissions alone, and never asks for the snapshot', async () => {
    const response = await entitlementsOf(gateway, USER_ALICE);
    expectProblem(response, 404);
    expect(response.body.detail).toBe('entitlements are off');
    const created = await gateway.http().post('/v1/roles').set('authorization', await as(gateway, USER_CAROL)).send({ key: 'billing', name: 'Billing', level: 40 });
    expect(created.status).toBe(201);
    expect(await gateway.upstream.requests({ path: /^\/entitlements\// })).toEqual([]);
    expect((await gateway.http().get('/health/ready')).body.details).not.toHaveProperty('entitlements');
  });
});
