import {
  BUSINESS_TRIAL_ENDED_AT,
  EmulatorControlClient,
  FEATURE_AUDIT_EXPORT,
  FEATURE_BETA_DASHBOARD,
  FEATURE_CUSTOM_ROLES,
  FEATURE_REPORTS,
  FEATURE_SSO,
  PLAN_AUDIT_ADDON,
  startEmulator,
  TENANT_ACME,
  TENANT_GLOBEX,
  USER_ALICE,
  USER_BOB,
  USER_CAROL,
  USER_DAVE,
  USER_GRACE,
  type RunningEmulator,
} from '../src/emulator';
import { sdkFor, type Sdk } from './support/frontegg-sdk';

type EntitlementsClient = Awaited<ReturnType<Sdk['EntitlementsClient']['init']>>;

/**
 * The emulator's entitlements snapshot (CONTRACT §7, §4.5), read by Frontegg's own SDK exactly as a
 * service built on it would: the seeded plans decide what the SDK answers, and the control routes
 * change the snapshot with the offset moving, so polling clients reload it.
 */
describe('the identity emulator: entitlements snapshot', () => {
  let emulator: RunningEmulator;
  let control: EmulatorControlClient;
  let sdk: Sdk;
  let loaded: Awaited<ReturnType<typeof sdkFor>>;
  const clients: EntitlementsClient[] = [];

  beforeAll(async () => {
    emulator = await startEmulator();
    control = new EmulatorControlClient(emulator.url);
    loaded = await sdkFor(emulator);
    sdk = loaded.sdk;
  });

  afterEach(() => control.reset());

  afterAll(async () => {
    clients.forEach((client) => client.destroy());
    await loaded.stop();
    await emulator.close();
  });

  async function sdkClient(): Promise<EntitlementsClient> {
    const client = await sdk.EntitlementsClient.init();
    clients.push(client);
    // EntitlementsClient.init makes an authenticator of its own (with a renewal timer).
    loaded.track((client as unknown as { httpClient: { authenticator: { shutdown(): Promise<void> } } }).httpClient.authenticator);
    return client.ready();
  }

  async function decisions(client: EntitlementsClient, userId: string, tenantId: string) {
    const scoped = await client.forFronteggToken(await control.mintToken({ userId, tenantId }));
    const feature = async (key: string) => scoped.isEntitledToFeature(key);
    return { feature, permission: (key: string) => scoped.isEntitledToPermission(key) };
  }

  it('serves the seeded plans so that the SDK decides as the seed table says', async () => {
    const client = await sdkClient();
    const alice = await decisions(client, USER_ALICE, TENANT_ACME);
    expect(await alice.feature(FEATURE_CUSTOM_ROLES)).toEqual({ result: true });
    expect(await alice.feature(FEATURE_SSO)).toEqual({ result: true });
    expect(await alice.permission('fe.secure.write.roles')).toEqual({ result: true });
    // A user-level grant: Grace has the audit add-on, the rest of her tenant does not.
    expect(await alice.feature(FEATURE_AUDIT_EXPORT)).toEqual({ result: false, justification: 'missing-feature' });
    expect(await (await decisions(client, USER_GRACE, TENANT_ACME)).feature(FEATURE_AUDIT_EXPORT)).toEqual({ result: true });

    // tenant-globex: Starter, and a Business trial that expired.
    const carol = await decisions(client, USER_CAROL, TENANT_GLOBEX);
    expect(await carol.feature(FEATURE_REPORTS)).toEqual({ result: true });
    expect(await carol.feature(FEATURE_CUSTOM_ROLES)).toEqual({ result: false, justification: 'bundle-expired' });
    expect(await carol.permission('fe.secure.write.roles')).toEqual({ result: false, justification: 'bundle-expired' });
    // A feature flag with a rule over the token's email.
    expect(await carol.feature(FEATURE_BETA_DASHBOARD)).toEqual({ result: true });
    expect(await (await decisions(client, USER_BOB, TENANT_ACME)).feature(FEATURE_BETA_DASHBOARD)).toEqual({ result: false, justification: 'missing-feature' });
    expect(BUSINESS_TRIAL_ENDED_AT < new Date().toISOString()).toBe(true);
  });

  it('moves the offset on every change and on reset, and serves the changed snapshot', async () => {
    const before = (await control.entitlements()).snapshotOffset;
    const granted = await control.grantPlan({ planId: PLAN_AUDIT_ADDON, tenantId: TENANT_GLOBEX, userId: USER_DAVE });
    expect(granted).toBeGreaterThan(before);
    const client = await sdkClient();
    expect(await (await decisions(client, USER_DAVE, TENANT_GLOBEX)).feature(FEATURE_AUDIT_EXPORT)).toEqual({ result: true });

    const replaced = await control.replaceEntitlements({ features: [], featureBundles: [], entitlements: [], featureFlags: [] });
    expect(replaced).toBeGreaterThan(granted);
    await control.reset();
    const afterReset = await control.entitlements();
    expect(afterReset.snapshotOffset).toBeGreaterThan(replaced);
    expect(afterReset.data.features).not.toHaveLength(0);
  });

  it('answers the offset and the snapshot only with a vendor token', async () => {
    for (const path of ['/entitlements/api/v1/vendor-entitlements', '/entitlements/api/v1/vendor-entitlements-snapshot-offset']) {
      expect((await fetch(`${emulator.url}${path}`)).status).toBe(401);
    }
    const { token } = await control.vendorToken(emulator.clientId, emulator.apiKey);
    const offset = await fetch(`${emulator.url}/entitlements/api/v1/vendor-entitlements-snapshot-offset`, { headers: { authorization: `Bearer ${token}` } });
    expect(await offset.json()).toEqual({ snapshotOffset: (await control.entitlements()).snapshotOffset });
  });

  it('fails loads with a fault on the snapshot path', async () => {
    await control.injectFault({ method: 'GET', path: '/entitlements/api/v1/vendor-entitlements', status: 503 });
    const { token } = await control.vendorToken(emulator.clientId, emulator.apiKey);
    const answer = await fetch(`${emulator.url}/entitlements/api/v1/vendor-entitlements`, { headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).toBe(503);
  });

  it('refuses a replacement snapshot whose tuples do not have the vendor-entitlements/v1 shapes', async () => {
    await expect(control.replaceEntitlements({ features: [['f', 'key']], featureBundles: [], entitlements: [], featureFlags: [] } as never)).rejects.toMatchObject({
      status: 400,
    });
  });
});
